"""The storage seam of the ledger: one connection type per engine, one SQL dialect.

The ledger writes its SQL once, with ``?`` placeholders and ``ON CONFLICT`` clauses that
SQLite and PostgreSQL both understand; a store runs a function inside one transaction
and hands it a ``Conn``. Only the store knows its engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Conn(Protocol):
    """What a transaction body may do: run statements and read rows."""

    #: ``" FOR UPDATE"`` where the engine locks rows it reads (PostgreSQL), else ``""``.
    for_update: str

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; returns the rows it changed."""
        ...

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row."""
        ...

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows."""
        ...

    def columns(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts keyed by column name."""
        ...


class Store(Protocol):
    """One engine behind the ledger."""

    dialect: str

    def write(self, body: Callable[[Conn], T]) -> T:
        """Run ``body`` in one transaction that excludes other writers' half-states."""
        ...

    def read(self, body: Callable[[Conn], T]) -> T:
        """Run ``body`` against a consistent view."""
        ...

    def integrity(self) -> str:
        """``"ok"`` when the engine says the data is sound."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

    def describe(self) -> str:
        """Where the data lives, without any password."""
        ...


def is_postgres_url(url: str | None) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) connection URL."""
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))
