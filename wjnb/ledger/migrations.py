"""Versioned schema migrations, one list for both engines.

Each migration has a number, a name and its DDL per dialect; ``schema_version`` records
which ran. Migrations run inside one writer transaction (SQLite's immediate lock, a
PostgreSQL advisory lock), so kernels opening the ledger at once apply each one once.
Version 1 is the original SQLite schema with ``IF NOT EXISTS``, so ledgers written before
versioning adopt it as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .store import Conn

#: Any number the ledger owns, so migrating kernels queue behind one another.
_ADVISORY_LOCK = 7_301_015


@dataclass(frozen=True)
class Migration:
    """One schema step: its DDL with ``{real}`` / ``{int}`` filled in per dialect."""

    version: int
    name: str
    ddl: str


_TYPES = {
    "sqlite": {"real": "REAL", "int": "INTEGER"},
    "postgresql": {"real": "DOUBLE PRECISION", "int": "BIGINT"},
}

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "jobs ledger",
        """
        CREATE TABLE IF NOT EXISTS experiments (
            name     TEXT PRIMARY KEY,
            created  {real} NOT NULL,
            meta     TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE TABLE IF NOT EXISTS requests (
            id        TEXT PRIMARY KEY,
            experiment TEXT,
            backend   TEXT NOT NULL,
            route     TEXT NOT NULL,
            body      TEXT NOT NULL,
            axes      TEXT NOT NULL DEFAULT '{{}}',
            secret    TEXT NOT NULL,
            state     TEXT NOT NULL,
            created   {real} NOT NULL,
            updated   {real} NOT NULL,
            reply     TEXT,
            error     TEXT,
            expected_cost {int}
        );
        CREATE INDEX IF NOT EXISTS requests_experiment ON requests(experiment);
        CREATE TABLE IF NOT EXISTS jobs (
            key        TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests(id),
            experiment TEXT,
            backend    TEXT NOT NULL,
            idx        {int} NOT NULL,
            done       {int} NOT NULL DEFAULT 0,
            record     TEXT NOT NULL,
            raw        TEXT,
            updated    {real} NOT NULL
        );
        CREATE INDEX IF NOT EXISTS jobs_experiment ON jobs(experiment);
        CREATE INDEX IF NOT EXISTS jobs_request ON jobs(request_id)
        """,
    ),
    Migration(
        2,
        "shared budgets",
        """
        CREATE TABLE budgets (
            name    TEXT PRIMARY KEY,
            cap     {int} NOT NULL,
            created {real} NOT NULL
        );
        CREATE TABLE reservations (
            request_id TEXT PRIMARY KEY,
            budget     TEXT NOT NULL REFERENCES budgets(name),
            amount     {int} NOT NULL,
            state      TEXT NOT NULL,
            updated    {real} NOT NULL
        );
        CREATE INDEX reservations_budget ON reservations(budget, state)
        """,
    ),
    Migration(
        3,
        "tracker leases",
        """
        CREATE TABLE leases (
            key     TEXT PRIMARY KEY,
            owner   TEXT NOT NULL,
            expires {real} NOT NULL
        )
        """,
    ),
    Migration(
        4,
        "picture hashes",
        """
        CREATE TABLE pictures (
            url     TEXT PRIMARY KEY,
            sha256  TEXT NOT NULL,
            size    {int} NOT NULL,
            created {real} NOT NULL
        )
        """,
    ),
)

LATEST = MIGRATIONS[-1].version


def migrate(conn: Conn, dialect: str) -> list[int]:
    """Apply every migration not yet recorded (inside the caller's write transaction)."""
    if dialect == "postgresql":
        conn.query("SELECT pg_advisory_xact_lock(?)", (_ADVISORY_LOCK,))
    types = _TYPES[dialect]
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version {int} PRIMARY KEY,"
        " name TEXT NOT NULL, applied {real} NOT NULL)".format(**types)
    )
    done = {int(v) for (v,) in conn.query("SELECT version FROM schema_version")}
    applied = []
    for step in MIGRATIONS:
        if step.version in done:
            continue
        for stmt in filter(str.strip, step.ddl.format(**types).split(";")):
            conn.execute(stmt)
        conn.execute(
            "INSERT INTO schema_version(version, name, applied) VALUES (?, ?, ?)",
            (step.version, step.name, time.time()),
        )
        applied.append(step.version)
    return applied


def version(conn: Conn) -> int:
    """The newest schema version applied."""
    rows = conn.query("SELECT MAX(version) FROM schema_version")
    return int(rows[0][0] or 0)
