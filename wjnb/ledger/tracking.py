"""One tracker's side of the leases: claim keys before polling, follow the others' rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import JobRow, Ledger


class TrackerLeases:
    """Leases held under one owner id (one per client) with one time-to-live."""

    def __init__(self, ledger: Ledger, ttl: float = 30.0) -> None:
        self.ledger = ledger
        self.ttl = ttl
        self.owner = uuid.uuid4().hex

    def claim(self, keys: Sequence[str]) -> set[str]:
        """The keys this tracker polls now; another live kernel polls the rest."""
        return self.ledger.leases.claim(keys, self.owner, self.ttl)

    def rows(self, keys: Sequence[str]) -> list[JobRow]:
        """What the ledger holds for keys another kernel polls."""
        return self.ledger.jobs_by_key(keys)

    def release(self, keys: Sequence[str]) -> None:
        """Give up the leases of jobs that ended."""
        self.ledger.leases.release(keys, self.owner)

    def release_all(self) -> None:
        """Give up every lease (the client is closing)."""
        self.ledger.leases.release_all(self.owner)
