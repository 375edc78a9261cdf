"""Picture hashes: which content each picture URL had, so a shared cache can be checked."""

from __future__ import annotations

import time

from .store import Store


class Pictures:
    """The ledger's record of each downloaded picture's SHA-256."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, url: str, sha256: str, size: int) -> None:
        """Remember a picture's hash (the first download's hash stays)."""
        self._store.write(
            lambda c: c.execute(
                "INSERT INTO pictures(url, sha256, size, created) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (url, sha256, size, time.time()),
            )
        )

    def hash_of(self, url: str) -> str | None:
        """The recorded SHA-256 of a picture URL, if it was ever downloaded."""
        rows = self._store.read(
            lambda c: c.query("SELECT sha256 FROM pictures WHERE url = ?", (url,))
        )
        return str(rows[0][0]) if rows else None
