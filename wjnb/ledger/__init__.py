"""The durable store of jobs: SQLite in ``WJNB_HOME`` (embedded default) or PostgreSQL
(``WJNB_LEDGER_URL=postgresql://...``) for a team sharing one ledger and budget."""

from __future__ import annotations

from .core import (
    REQUEST_STATES,
    JobRow,
    Ledger,
    RequestRow,
    Reservation,
    default_home,
)
from .migrations import LATEST as SCHEMA_VERSION

__all__ = [
    "REQUEST_STATES",
    "SCHEMA_VERSION",
    "JobRow",
    "Ledger",
    "RequestRow",
    "Reservation",
    "default_home",
]
