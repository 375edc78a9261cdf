"""Deterministic identifiers and random seeds drawn from one seeded generator per sandbox.

The same ``--seed`` and the same sequence of requests give the same keys, task ids and
random image seeds, so a recorded run can be replayed.
"""

from __future__ import annotations

import random
import uuid


class Ids:
    """Wujie keys (32 uppercase hex), MJ task ids (16 digits), MJ job hashes, seeds."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"wjnb-sandbox-ids:{seed}")

    def key(self) -> str:
        """A Wujie artwork / batch / avatar key."""
        return f"{self._rng.getrandbits(128):032X}"

    def task_id(self) -> str:
        """A Midjourney-proxy task id (digits, like the proxy's millisecond-based ids)."""
        return str(self._rng.randrange(10**15, 10**16))

    def job_hash(self) -> str:
        """The Discord job hash that MJ button custom ids carry."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def seed(self) -> int:
        """A random image seed, for requests that leave the seed empty."""
        return self._rng.randrange(1, 2**32)

    def number(self, digits: int) -> str:
        """A numeric string (audit ``data_id`` and the like)."""
        return str(self._rng.randrange(10 ** (digits - 1), 10**digits))
