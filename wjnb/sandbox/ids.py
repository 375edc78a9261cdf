"""Identifiers and random seeds for one sandbox.

Keys, task ids and job hashes are unique across sandbox starts, as the real services' are
(two kernels sharing one ledger must never see the same key twice). Random image seeds
and other numbers come from a generator seeded with ``--seed``, so the same requests draw
the same pictures in every run.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid


class Ids:
    """Wujie keys (32 uppercase hex), MJ task ids (16 digits), MJ job hashes, seeds."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"wjnb-sandbox-ids:{seed}")
        self._unique = random.Random(secrets.randbits(128))

    def key(self) -> str:
        """A Wujie artwork / batch / avatar key, unique across starts."""
        return f"{self._unique.getrandbits(128):032X}"

    def task_id(self) -> str:
        """A Midjourney-proxy task id (digits, like the proxy's millisecond-based ids)."""
        return str(self._unique.randrange(10**15, 10**16))

    def task_id_ms(self, now: float | None = None) -> str:
        """A 16-digit id as the proxies make them: the unix time in milliseconds (``now``,
        default the wall clock) followed by 3 random digits."""
        millis = int((time.time() if now is None else now) * 1000)
        return f"{millis}{self._unique.randrange(1000):03d}"

    def job_hash(self) -> str:
        """The Discord job hash that MJ button custom ids carry."""
        return str(uuid.UUID(int=self._unique.getrandbits(128), version=4))

    def seed(self) -> int:
        """A random image seed, for requests that leave the seed empty."""
        return self._rng.randrange(1, 2**32)

    def number(self, digits: int) -> str:
        """A numeric string (audit ``data_id`` and the like)."""
        return str(self._rng.randrange(10 ** (digits - 1), 10**digits))
