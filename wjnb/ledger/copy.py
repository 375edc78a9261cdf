"""Copy one ledger into another (a home's SQLite file into a team's PostgreSQL).

Rows are copied table by table in one transaction on the target, parents first; rows the
target already has are kept, so running the copy twice adds nothing.
"""

from __future__ import annotations

from .core import Ledger
from .store import Conn

#: Tables and columns copied, parents before children (leases are live state: not copied).
TABLES: dict[str, tuple[str, ...]] = {
    "experiments": ("name", "created", "meta"),
    "requests": (
        "id",
        "experiment",
        "backend",
        "route",
        "body",
        "axes",
        "secret",
        "state",
        "created",
        "updated",
        "reply",
        "error",
        "expected_cost",
    ),
    "jobs": (
        "key",
        "request_id",
        "experiment",
        "backend",
        "idx",
        "done",
        "record",
        "raw",
        "updated",
    ),
    "budgets": ("name", "cap", "created"),
    "reservations": ("request_id", "budget", "amount", "state", "updated"),
    "pictures": ("url", "sha256", "size", "created"),
}


def copy_ledger(source: Ledger, target: Ledger) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``; returns rows added per table."""

    def read(c: Conn) -> dict[str, list[tuple[object, ...]]]:
        return {table: c.query(_select(table, cols)) for table, cols in TABLES.items()}

    rows = source.store.read(read)

    def body(c: Conn) -> dict[str, int]:
        added: dict[str, int] = {}
        for table, cols in TABLES.items():
            sql = (
                f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                " ON CONFLICT DO NOTHING"
            )
            added[table] = sum(c.execute(sql, row) for row in rows[table])
        return added

    return target.store.write(body)


def _select(table: str, cols: tuple[str, ...]) -> str:
    return f"SELECT {', '.join(cols)} FROM {table}"
