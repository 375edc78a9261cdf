"""The team engine: a PostgreSQL database reached through a psycopg 3 connection pool.

A transaction that fails because the server went away (restart, failover, a dropped
connection) is run again on a fresh connection until ``retry_for`` seconds have passed,
so a sweep waits out a database restart instead of losing its writes. Every transaction
body is written to be safe to run twice (``ON CONFLICT`` inserts, absolute updates).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..errors import LedgerError

try:
    import psycopg
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - exercised only without the extra
    psycopg = None  # type: ignore[assignment]

T = TypeVar("T")
log = logging.getLogger("wjnb.ledger")


class PgConn:
    """A ``Conn`` over one psycopg connection inside a transaction."""

    for_update = " FOR UPDATE"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int(self._conn.execute(_pg(sql), tuple(args)).rowcount)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._conn.cursor() as cur:
                cur.executemany(_pg(sql), [tuple(r) for r in rows])

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(_pg(sql), tuple(args)).fetchall())

    def columns(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._conn.execute(_pg(sql), tuple(args))
        names = [c.name for c in cur.description or ()]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class PostgresStore:
    """A pooled PostgreSQL ledger; transactions retried across lost connections."""

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 4, retry_for: float = 120.0) -> None:
        if psycopg is None:
            raise LedgerError("a PostgreSQL ledger needs psycopg: pip install 'wjnb[postgres]'")
        self._where = redact(url)
        self.retry_for = retry_for
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            open=False,
            name="wjnb-ledger",
        )
        try:
            self._pool.open(wait=True, timeout=15.0)
        except psycopg.Error as exc:
            self._pool.close()
            raise LedgerError(
                f"cannot reach the PostgreSQL ledger at {self._where}: {type(exc).__name__}"
            ) from None

    def _run(self, body: Callable[[PgConn], T]) -> T:
        deadline = time.monotonic() + self.retry_for
        pause = 0.1
        while True:
            try:
                with self._pool.connection(timeout=10.0) as conn, conn.transaction():
                    return body(PgConn(conn))
            except psycopg.OperationalError as exc:  # lost server, deadlock, serialization
                if time.monotonic() >= deadline:
                    raise LedgerError(
                        f"the PostgreSQL ledger at {self._where} is unavailable:"
                        f" {type(exc).__name__}"
                    ) from None
                log.warning("ledger transaction failed (%s); trying again", type(exc).__name__)
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 2.0)

    def write(self, body: Callable[[PgConn], T]) -> T:
        return self._run(body)

    def read(self, body: Callable[[PgConn], T]) -> T:
        return self._run(body)

    def integrity(self) -> str:
        return "ok" if self.read(lambda c: c.query("SELECT 1")) == [(1,)] else "unreadable"

    def close(self) -> None:
        self._pool.close()

    def describe(self) -> str:
        return self._where


def redact(url: str) -> str:
    """The URL without user password or query (which may carry one)."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


def _pg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (the ledger's SQL has no other ``?`` or ``%``)."""
    return sql.replace("?", "%s")
