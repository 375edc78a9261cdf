"""The ledger: the durable record that makes jobs survive anything, on SQLite or PostgreSQL.

Write order is the whole point: a create's *intent* is committed before the request is
sent (with its budget reservation, in the same transaction), its keys right after the
reply, every state change as it is seen, the final record at the end. A process killed
at any moment leaves enough behind to resume every job without submitting anything twice.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BudgetExceeded, InvalidArgument, LedgerError
from . import budget
from .budget import Budgets
from .leases import Leases
from .migrations import migrate, version
from .pictures import Pictures
from .sqlite import SqliteStore
from .store import Conn, Store, is_postgres_url

#: Request states. ``intent``: written, maybe not sent. ``accepted``: keys known.
#: ``ambiguous``: sent, outcome unknown (being reconciled). ``rejected``: the service said
#: no (nothing created, nothing charged). ``abandoned``: reconciled as never created.
#: ``unknown``: its reply was lost and it may have been charged, but its keys cannot be
#: learned (never sent again; reported to the user).
REQUEST_STATES = ("intent", "accepted", "ambiguous", "rejected", "abandoned", "unknown")


@dataclass(frozen=True)
class RequestRow:
    """A create request as the ledger holds it."""

    id: str
    experiment: str | None
    backend: str
    route: str
    body: dict[str, Any]
    axes: dict[str, Any]
    secret: str
    state: str
    created: float
    reply: dict[str, Any] | None
    error: str | None
    expected_cost: int | None


@dataclass(frozen=True)
class JobRow:
    """One artwork (or MJ task) as the ledger holds it."""

    key: str
    request_id: str
    experiment: str | None
    backend: str
    idx: int
    done: bool
    record: dict[str, Any]
    raw: dict[str, Any] | None = None


@dataclass(frozen=True)
class Reservation:
    """Credits to hold from a named budget before a create is sent."""

    budget: str
    cap: int | None
    amount: int


def default_home() -> Path:
    """``WJNB_HOME`` or ``./.wjnb``."""
    return Path(os.environ.get("WJNB_HOME") or ".wjnb")


def open_store(home: Path, url: str | None) -> Store:
    """PostgreSQL for a ``postgresql://`` URL, else ``<home>/ledger.sqlite3``."""
    if is_postgres_url(url):
        from .postgres import PostgresStore

        return PostgresStore(str(url))
    if url:
        raise LedgerError("WJNB_LEDGER_URL must be a postgresql:// URL (or unset for SQLite)")
    return SqliteStore(home / "ledger.sqlite3")


class Ledger:
    """Thread-safe access to a home's ledger: ``WJNB_LEDGER_URL`` when set, else SQLite.

    ``home`` stays the local folder (images, receiver port) whichever engine holds the rows;
    ``url=""`` forces the home's SQLite file whatever the environment says.
    """

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, url: str | None = None
    ) -> None:
        if home is not None and not isinstance(home, (str, os.PathLike)):
            raise InvalidArgument("home", f"expected a directory path, got {type(home).__name__}")
        if isinstance(home, str) and not home.strip():  # "" would be the working directory
            raise InvalidArgument("home", "must not be empty or blank")
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / "ledger.sqlite3"
        url = url if url is not None else os.environ.get("WJNB_LEDGER_URL") or None
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(f"cannot open a ledger in {str(self.home)[:200]!r}: {exc}") from None
        self.store = open_store(self.home, url)
        self.dialect = self.store.dialect
        try:
            self.store.write(lambda c: migrate(c, self.dialect))
        except Exception as exc:
            self.store.close()
            if isinstance(exc, LedgerError):
                raise
            raise LedgerError(f"cannot open a ledger in {self.where!r}: {exc}") from None
        self.budgets = Budgets(self.store)
        self.leases = Leases(self.store)
        self.pictures = Pictures(self.store)

    @property
    def where(self) -> str:
        """Where the rows live (a file path, or a PostgreSQL URL without its password)."""
        return self.store.describe()

    def __repr__(self) -> str:
        return f"Ledger({self.where!r})"

    def close(self) -> None:
        """Close the connections (further calls fail)."""
        self.store.close()

    def integrity(self) -> str:
        """The engine's integrity check (``"ok"`` when sound)."""
        return self.store.integrity()

    def schema_version(self) -> int:
        """The newest migration applied to this ledger."""
        return self.store.read(version)

    # ------------------------------------------------------------------ experiments

    def ensure_experiment(self, name: str, meta: Mapping[str, Any] | None = None) -> None:
        """Create the experiment row once; later calls keep the first creation time."""
        self.store.write(
            lambda c: c.execute(
                "INSERT INTO experiments(name, created, meta) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (name, time.time(), _dumps(dict(meta or {}))),
            )
        )

    def experiments(self) -> list[dict[str, Any]]:
        """Every experiment with its creation time and metadata, oldest first."""
        rows = self.store.read(
            lambda c: c.query("SELECT name, created, meta FROM experiments ORDER BY created, name")
        )
        return [{"name": n, "created": t, "meta": json.loads(m)} for n, t, m in rows]

    def has_experiment(self, name: str) -> bool:
        """True when the experiment exists in this ledger."""
        rows = self.store.read(
            lambda c: c.query("SELECT 1 FROM experiments WHERE name = ?", (name,))
        )
        return bool(rows)

    def set_meta(self, name: str, meta: Mapping[str, Any]) -> None:
        """Replace an experiment's metadata (its sweep plan and progress)."""
        self.store.write(
            lambda c: c.execute(
                "UPDATE experiments SET meta = ? WHERE name = ?", (_dumps(dict(meta)), name)
            )
        )

    # ------------------------------------------------------------------ requests

    def record_intent(
        self,
        *,
        backend: str,
        route: str,
        body: Mapping[str, Any],
        experiment: str | None = None,
        axes: Mapping[str, Any] | None = None,
        expected_cost: int | None = None,
        request_id: str | None = None,
        secret: str | None = None,
        reserve: Reservation | None = None,
    ) -> RequestRow:
        """Commit a create before it is sent; returns the row with its id and callback secret.

        With ``reserve``, the budget's credits are held in the same transaction, and
        ``BudgetExceeded`` is raised (nothing recorded) when they do not fit.
        """
        now = time.time()
        row = RequestRow(
            id=request_id or uuid.uuid4().hex,
            experiment=experiment,
            backend=backend,
            route=route,
            body=dict(body),
            axes=dict(axes or {}),
            secret=secret or secrets.token_urlsafe(18),
            state="intent",
            created=now,
            reply=None,
            error=None,
            expected_cost=reserve.amount if reserve and expected_cost is None else expected_cost,
        )

        def body_(c: Conn) -> None:
            if reserve is not None:
                refused = budget.reserve(c, reserve.budget, reserve.cap, reserve.amount, row.id)
                if refused:
                    raise BudgetExceeded(refused)
            c.execute(
                "INSERT INTO requests(id, experiment, backend, route, body, axes, secret, state,"
                " created, updated, expected_cost) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT DO NOTHING",
                (
                    row.id,
                    experiment,
                    backend,
                    route,
                    _dumps(row.body),
                    _dumps(row.axes),
                    row.secret,
                    "intent",
                    now,
                    now,
                    row.expected_cost,
                ),
            )

        self.store.write(body_)
        return row

    def update_body(self, request_id: str, body: Mapping[str, Any]) -> None:
        """Replace a request's body before it is sent (e.g. to add its notify URL)."""
        self.store.write(
            lambda c: c.execute(
                "UPDATE requests SET body = ?, updated = ? WHERE id = ?",
                (_dumps(dict(body)), time.time(), request_id),
            )
        )

    def record_accepted(
        self, request_id: str, reply: Mapping[str, Any], jobs: Sequence[tuple[str, dict[str, Any]]]
    ) -> None:
        """Commit the reply and its keys (one job row per key) in one transaction."""

        def body(c: Conn) -> None:
            _insert_jobs(c, request_id, list(enumerate(jobs)))
            c.execute(
                "UPDATE requests SET state = 'accepted', reply = ?, error = NULL, updated = ?"
                " WHERE id = ?",
                (_dumps(dict(reply)), time.time(), request_id),
            )

        self.store.write(body)

    def record_request_state(self, request_id: str, state: str, error: str | None = None) -> None:
        """Mark a request ``ambiguous``, ``rejected`` or ``abandoned`` (with the reason).

        A rejected or abandoned create was never charged: its budget reservation is released.
        """
        if state not in REQUEST_STATES:
            raise LedgerError(f"unknown request state {state!r}")

        def body(c: Conn) -> None:
            c.execute(
                "UPDATE requests SET state = ?, error = ?, updated = ? WHERE id = ?",
                (state, error, time.time(), request_id),
            )
            if state in ("rejected", "abandoned"):
                budget.release(c, request_id)

        self.store.write(body)

    def requests(
        self, experiment: str | None = None, states: Iterable[str] | None = None
    ) -> list[RequestRow]:
        """Requests of an experiment (all when None), optionally only in some states."""
        sql = "SELECT * FROM requests"
        args: list[Any] = []
        where = []
        if experiment is not None:
            where.append("experiment = ?")
            args.append(experiment)
        if states is not None:
            states = list(states)
            where.append(f"state IN ({','.join('?' * len(states))})")
            args.extend(states)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created, id"
        return [_request_row(r) for r in self.store.read(lambda c: c.columns(sql, args))]

    def request(self, request_id: str) -> RequestRow | None:
        """One request by id."""
        rows = self.store.read(
            lambda c: c.columns("SELECT * FROM requests WHERE id = ?", (request_id,))
        )
        return _request_row(rows[0]) if rows else None

    # ------------------------------------------------------------------ jobs

    def update_jobs(
        self, updates: Iterable[tuple[str, dict[str, Any], bool, dict[str, Any] | None]]
    ) -> None:
        """Write many (key, record, done, raw reply or None) changes in one transaction;
        requests whose artworks have all ended settle their budget reservation."""
        now = time.time()
        updates = list(updates)
        rows = [
            (_dumps(rec), int(done), _dumps(raw) if raw is not None else None, now, key)
            for key, rec, done, raw in updates
        ]
        if not rows:
            return
        finished = [key for key, _, done, _ in updates if done]

        def body(c: Conn) -> None:
            c.many(
                "UPDATE jobs SET record = ?, done = ?, raw = COALESCE(?, raw), updated = ?"
                " WHERE key = ?",
                rows,
            )
            if finished:
                marks = ",".join("?" * len(finished))
                rids = c.query(f"SELECT request_id FROM jobs WHERE key IN ({marks})", finished)
                budget.settle_finished(c, (r for (r,) in rids))

        self.store.write(body)

    def add_job(self, request_id: str, key: str, idx: int, record: dict[str, Any]) -> bool:
        """Attach one key to a request (reconciliation); False when it was already known."""

        def body(c: Conn) -> int:
            added = _insert_jobs(c, request_id, [(idx, (key, record))])
            c.execute(
                "UPDATE requests SET state = 'accepted', error = ?, updated = ? WHERE id = ?",
                ("reconciled through its callback", time.time(), request_id),
            )
            return added

        return self.store.write(body) == 1

    def jobs(self, experiment: str | None = None, *, request_id: str | None = None) -> list[JobRow]:
        """Job rows in submission order, for one experiment, one request, or all."""
        sql = "SELECT j.key, j.request_id, j.experiment, j.backend, j.idx, j.done, j.record, j.raw"
        sql += " FROM jobs j JOIN requests r ON r.id = j.request_id"
        args: list[Any] = []
        if request_id is not None:
            sql += " WHERE j.request_id = ?"
            args.append(request_id)
        elif experiment is not None:
            sql += " WHERE j.experiment = ?"
            args.append(experiment)
        sql += " ORDER BY r.created, r.id, j.idx"
        return [_job_row(r) for r in self.store.read(lambda c: c.query(sql, args))]

    def records(self, experiment: str | None = None) -> list[dict[str, Any]]:
        """The flat records of one experiment's jobs (of every experiment when None), in no
        set order: one query of one column, for summaries over many rows."""
        sql = "SELECT record FROM jobs WHERE experiment " + ("= ?" if experiment else "IS NOT NULL")
        args = [experiment] if experiment else []
        return [json.loads(r) for (r,) in self.store.read(lambda c: c.query(sql, args))]

    def jobs_by_key(self, keys: Sequence[str]) -> list[JobRow]:
        """The rows of some keys (what another kernel's tracker last wrote for them)."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        sql = (
            "SELECT key, request_id, experiment, backend, idx, done, record, raw FROM jobs"
            f" WHERE key IN ({marks})"
        )
        return [_job_row(r) for r in self.store.read(lambda c: c.query(sql, list(keys)))]

    def charged(self, experiment: str) -> int:
        """Credits the service reported for an experiment's artworks so far."""
        return sum(budget.charged_cost(row.record) for row in self.jobs(experiment))


def _insert_jobs(
    c: Conn, request_id: str, jobs: Sequence[tuple[int, tuple[str, dict[str, Any]]]]
) -> int:
    """Insert (idx, (key, record)) rows of one request; returns how many were new."""
    req = c.query("SELECT experiment, backend FROM requests WHERE id = ?", (request_id,))
    if not req:
        raise LedgerError(f"unknown request {request_id}")
    experiment, backend = req[0]
    now = time.time()
    added = 0
    for i, (key, rec) in jobs:
        added += c.execute(
            "INSERT INTO jobs(key, request_id, experiment, backend, idx, done, record, updated)"
            " VALUES (?,?,?,?,?,0,?,?) ON CONFLICT DO NOTHING",
            (key, request_id, experiment, backend, i, _dumps(rec), now),
        )
    return added


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _job_row(r: Sequence[Any]) -> JobRow:
    key, rid, experiment, backend, idx, done, rec, raw = r
    return JobRow(
        key=key,
        request_id=rid,
        experiment=experiment,
        backend=backend,
        idx=int(idx),
        done=bool(done),
        record=json.loads(rec),
        raw=json.loads(raw) if raw else None,
    )


def _request_row(r: Mapping[str, Any]) -> RequestRow:
    return RequestRow(
        id=r["id"],
        experiment=r["experiment"],
        backend=r["backend"],
        route=r["route"],
        body=json.loads(r["body"]),
        axes=json.loads(r["axes"]),
        secret=r["secret"],
        state=r["state"],
        created=r["created"],
        reply=json.loads(r["reply"]) if r["reply"] else None,
        error=r["error"],
        expected_cost=r["expected_cost"],
    )
