"""The embedded engine: one SQLite file per home, in WAL mode so kernels can share it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..errors import LedgerError

T = TypeVar("T")


class SqliteConn:
    """A ``Conn`` over one ``sqlite3`` connection (placeholders are already ``?``)."""

    for_update = ""  # BEGIN IMMEDIATE already holds the whole file for the writer

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        return self._db.execute(sql, tuple(args)).rowcount

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, [tuple(r) for r in rows])

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._db.execute(sql, tuple(args)).fetchall())

    def columns(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._db.execute(sql, tuple(args))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class SqliteStore:
    """Thread-safe access to ``<home>/ledger.sqlite3``; writers take the file's lock."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                path, timeout=30.0, check_same_thread=False, isolation_level=None
            )
            _switch_to_wal(self._db)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open a ledger at {str(path)[:200]!r}: {exc}") from None
        self._conn = SqliteConn(self._db)

    def write(self, body: Callable[[SqliteConn], T]) -> T:
        """One immediate transaction, so concurrent processes never interleave half-writes."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = body(self._conn)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return result

    def read(self, body: Callable[[SqliteConn], T]) -> T:
        with self._lock:
            return body(self._conn)

    def integrity(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def describe(self) -> str:
        return str(self.path)


def _switch_to_wal(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """``journal_mode=WAL``, waiting out other processes opening the same new file: SQLite
    answers that switch "database is locked" at once, without its busy timeout (CI saw two
    kernels opening a shared ledger together fail so)."""
    deadline = time.monotonic() + patience
    pause = 0.01
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
