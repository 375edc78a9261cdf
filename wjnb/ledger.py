"""The ledger: a SQLite file under ``WJNB_HOME`` that makes jobs survive anything.

Write order is the whole point: a create's *intent* is committed before the request is
sent, its keys right after the reply, every state change as it is seen, the final record
at the end. A process killed at any moment leaves enough on disk to resume every job
without submitting anything twice. WAL mode lets several kernels share one home.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidArgument, LedgerError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    name     TEXT PRIMARY KEY,
    created  REAL NOT NULL,
    meta     TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS requests (
    id        TEXT PRIMARY KEY,
    experiment TEXT,
    backend   TEXT NOT NULL,
    route     TEXT NOT NULL,
    body      TEXT NOT NULL,
    axes      TEXT NOT NULL DEFAULT '{}',
    secret    TEXT NOT NULL,
    state     TEXT NOT NULL,
    created   REAL NOT NULL,
    updated   REAL NOT NULL,
    reply     TEXT,
    error     TEXT,
    expected_cost INTEGER
);
CREATE INDEX IF NOT EXISTS requests_experiment ON requests(experiment);
CREATE TABLE IF NOT EXISTS jobs (
    key        TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    experiment TEXT,
    backend    TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    record     TEXT NOT NULL,
    raw        TEXT,
    updated    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_experiment ON jobs(experiment);
CREATE INDEX IF NOT EXISTS jobs_request ON jobs(request_id);
"""

#: Request states. ``intent``: written, maybe not sent. ``accepted``: keys known.
#: ``ambiguous``: sent, outcome unknown (being reconciled). ``rejected``: the service said
#: no (nothing created, nothing charged). ``abandoned``: reconciled as never created.
REQUEST_STATES = ("intent", "accepted", "ambiguous", "rejected", "abandoned")


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


def default_home() -> Path:
    """``WJNB_HOME`` or ``./.wjnb``."""
    return Path(os.environ.get("WJNB_HOME") or ".wjnb")


class Ledger:
    """Thread-safe access to one home's ``ledger.sqlite3``."""

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        if home is not None and not isinstance(home, (str, os.PathLike)):
            raise InvalidArgument("home", f"expected a directory path, got {type(home).__name__}")
        if isinstance(home, str) and not home.strip():  # "" would be the working directory
            raise InvalidArgument("home", "must not be empty or blank")
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / "ledger.sqlite3"
        self._lock = threading.RLock()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=30.0, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            with self._tx() as db:
                for stmt in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(stmt)
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open a ledger in {str(self.home)[:200]!r}: {exc}") from None

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def close(self) -> None:
        """Close the connection (further calls fail)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction, so concurrent kernels never interleave half-writes."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def integrity(self) -> str:
        """SQLite's integrity check (``"ok"`` when the file is sound)."""
        with self._lock:
            row = self._db.execute("PRAGMA integrity_check").fetchone()
        return str(row[0])

    # ------------------------------------------------------------------ experiments

    def ensure_experiment(self, name: str, meta: Mapping[str, Any] | None = None) -> None:
        """Create the experiment row once; later calls keep the first creation time."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO experiments(name, created, meta) VALUES (?, ?, ?)",
                (name, time.time(), json.dumps(dict(meta or {}))),
            )

    def experiments(self) -> list[dict[str, Any]]:
        """Every experiment with its creation time and metadata, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, created, meta FROM experiments ORDER BY created"
            ).fetchall()
        return [{"name": n, "created": c, "meta": json.loads(m)} for n, c, m in rows]

    def has_experiment(self, name: str) -> bool:
        """True when the experiment exists in this home."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM experiments WHERE name = ?", (name,)).fetchone()
        return row is not None

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
    ) -> RequestRow:
        """Commit a create before it is sent; returns the row with its id and callback secret."""
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
            expected_cost=expected_cost,
        )
        with self._tx() as db:
            db.execute(
                "INSERT INTO requests(id, experiment, backend, route, body, axes, secret, state,"
                " created, updated, expected_cost) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
                    expected_cost,
                ),
            )
        return row

    def update_body(self, request_id: str, body: Mapping[str, Any]) -> None:
        """Replace a request's body before it is sent (e.g. to add its notify URL)."""
        with self._tx() as db:
            db.execute(
                "UPDATE requests SET body = ?, updated = ? WHERE id = ?",
                (_dumps(dict(body)), time.time(), request_id),
            )

    def record_accepted(
        self, request_id: str, reply: Mapping[str, Any], jobs: Sequence[tuple[str, dict[str, Any]]]
    ) -> None:
        """Commit the reply and its keys (one job row per key) in one transaction."""
        with self._tx() as db:
            self._insert_jobs(db, request_id, list(enumerate(jobs)))
            db.execute(
                "UPDATE requests SET state = 'accepted', reply = ?, error = NULL, updated = ?"
                " WHERE id = ?",
                (_dumps(dict(reply)), time.time(), request_id),
            )

    def record_request_state(self, request_id: str, state: str, error: str | None = None) -> None:
        """Mark a request ``ambiguous``, ``rejected`` or ``abandoned`` (with the reason)."""
        if state not in REQUEST_STATES:
            raise LedgerError(f"unknown request state {state!r}")
        with self._tx() as db:
            db.execute(
                "UPDATE requests SET state = ?, error = ?, updated = ? WHERE id = ?",
                (state, error, time.time(), request_id),
            )

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
        with self._lock:
            cur = self._db.execute(sql, args)
            cols = [c[0] for c in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        return [_request_row(r) for r in rows]

    def request(self, request_id: str) -> RequestRow | None:
        """One request by id."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM requests WHERE id = ?", (request_id,))
            cols = [c[0] for c in cur.description]
            row = cur.fetchone()
        return _request_row(dict(zip(cols, row, strict=True))) if row else None

    # ------------------------------------------------------------------ jobs

    def update_jobs(
        self, updates: Iterable[tuple[str, dict[str, Any], bool, dict[str, Any] | None]]
    ) -> None:
        """Write many (key, record, done, raw reply or None) changes in one transaction."""
        now = time.time()
        rows = [
            (_dumps(rec), int(done), _dumps(raw) if raw is not None else None, now, key)
            for key, rec, done, raw in updates
        ]
        if not rows:
            return
        with self._tx() as db:
            db.executemany(
                "UPDATE jobs SET record = ?, done = ?, raw = COALESCE(?, raw), updated = ?"
                " WHERE key = ?",
                rows,
            )

    def add_job(self, request_id: str, key: str, idx: int, record: dict[str, Any]) -> bool:
        """Attach one key to a request (reconciliation); False when it was already known."""
        with self._tx() as db:
            added = self._insert_jobs(db, request_id, [(idx, (key, record))])
            db.execute(
                "UPDATE requests SET state = 'accepted', error = ?, updated = ? WHERE id = ?",
                ("reconciled through its callback", time.time(), request_id),
            )
        return added == 1

    @staticmethod
    def _insert_jobs(
        db: sqlite3.Connection,
        request_id: str,
        jobs: Sequence[tuple[int, tuple[str, dict[str, Any]]]],
    ) -> int:
        """Insert (idx, (key, record)) rows of one request; returns how many were new."""
        req = db.execute(
            "SELECT experiment, backend FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
        if req is None:
            raise LedgerError(f"unknown request {request_id}")
        now = time.time()
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO jobs(key, request_id, experiment, backend, idx, done,"
            " record, updated) VALUES (?,?,?,?,?,0,?,?)",
            [(key, request_id, req[0], req[1], i, _dumps(rec), now) for i, (key, rec) in jobs],
        )
        return db.total_changes - before

    def set_meta(self, name: str, meta: Mapping[str, Any]) -> None:
        """Replace an experiment's metadata (its sweep plan and progress)."""
        with self._tx() as db:
            db.execute("UPDATE experiments SET meta = ? WHERE name = ?", (_dumps(dict(meta)), name))

    def jobs(self, experiment: str | None = None, *, request_id: str | None = None) -> list[JobRow]:
        """Job rows in submission order, for one experiment, one request, or all."""
        sql = "SELECT j.key, j.request_id, j.experiment, j.backend, j.idx, j.done, j.record, j.raw"
        sql += " FROM jobs j"
        sql += " JOIN requests r ON r.id = j.request_id"
        args: list[Any] = []
        if request_id is not None:
            sql += " WHERE j.request_id = ?"
            args.append(request_id)
        elif experiment is not None:
            sql += " WHERE j.experiment = ?"
            args.append(experiment)
        sql += " ORDER BY r.created, r.id, j.idx"
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [
            JobRow(
                key=k,
                request_id=r,
                experiment=e,
                backend=b,
                idx=i,
                done=bool(d),
                record=json.loads(rec),
                raw=json.loads(raw) if raw else None,
            )
            for k, r, e, b, i, d, rec, raw in rows
        ]

    def charged(self, experiment: str) -> int:
        """Credits the service reported for an experiment's artworks so far."""
        total = 0
        for row in self.jobs(experiment):
            cost = row.record.get("integral_cost")
            if isinstance(cost, int) and row.record.get("integral_cost_message") != "积分已退还":
                total += cost
        return total


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


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
