"""The ledger suite runs on both engines: each test gets ``ledger_url`` twice, once for
the home's SQLite file (``""``) and once for a fresh database on a real PostgreSQL server.

The server is Debian's, started by ``LocalPostgres`` in its own data folder on 127.0.0.1;
when it cannot start the tests fail (the fixture raises), they never skip.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from wjnb.ledger import Ledger
from wjnb.ledger.localpg import LocalPostgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    """One scratch PostgreSQL server for the session."""
    server = LocalPostgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest) -> str:
    """``""`` (the home's SQLite file) or the URL of a new, empty PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    server: LocalPostgres = request.getfixturevalue("pg_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def open_ledger(ledger_url: str, tmp_path: Path) -> Iterator[Callable[..., Ledger]]:
    """``open_ledger(home=...)``: a ledger on this test's engine, closed after the test."""
    opened: list[Ledger] = []

    def make(home: Path | None = None) -> Ledger:
        ledger = Ledger(home or tmp_path / "home", url=ledger_url)
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()
