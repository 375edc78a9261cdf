"""Tracker leases: one kernel polls each job at a time, the others read its updates.

A lease is a row (key, owner, expiry). A tracker claims the keys it is about to poll;
it keeps the ones it already holds or whose lease ran out, and leaves the rest to their
owner — reading what that owner writes to the ledger instead. A kernel that dies stops
renewing, and its keys pass to another kernel after ``ttl`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from .store import Conn, Store


class Leases:
    """Claim and give back polling leases on job keys."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def claim(self, keys: Sequence[str], owner: str, ttl: float) -> set[str]:
        """The subset of ``keys`` this owner may poll now (its leases renewed to ``ttl``)."""
        if not keys:
            return set()

        def body(c: Conn) -> set[str]:
            now = time.time()
            c.many(
                "INSERT INTO leases(key, owner, expires) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner,"
                " expires = excluded.expires"
                " WHERE leases.owner = excluded.owner OR leases.expires < ?",
                [(k, owner, now + ttl, now) for k in keys],
            )
            mine: set[str] = set()
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                marks = ",".join("?" * len(chunk))
                mine.update(
                    k
                    for (k,) in c.query(
                        f"SELECT key FROM leases WHERE owner = ? AND key IN ({marks})",
                        (owner, *chunk),
                    )
                )
            return mine

        return self._store.write(body)

    def release(self, keys: Sequence[str], owner: str) -> None:
        """Give up this owner's leases (a finished job, a closing client)."""
        if keys:
            self._store.write(
                lambda c: c.many(
                    "DELETE FROM leases WHERE key = ? AND owner = ?", [(k, owner) for k in keys]
                )
            )

    def release_all(self, owner: str) -> None:
        """Give up every lease of this owner."""
        self._store.write(lambda c: c.execute("DELETE FROM leases WHERE owner = ?", (owner,)))
