"""Creates with no callback and no lookup, reconciled through the balance they charge.

Pro artworks and upscales are charged the moment the service accepts them, and their API
offers no way to find a create whose reply was lost (no ``notify_url``, no client id, no
list route). So such creates go one at a time per balance, between two reads of it: when
the reply is lost and the balance did not move, the service provably made nothing and the
same create is sent again; when it moved (or could not be read), something may have been
charged that wjnb cannot name, and ``ChargedUnknown`` says so instead of guessing.

For kinds whose replies never state their cost (video, SVD, lab), the second read also
follows a create that succeeded: the drop is the measured charge, kept only when no other
create of this client on that balance overlapped it (else it is unknown, None).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from ..errors import AmbiguousCreate, TransportError, WjnbError
from ..http import CREATE_ROUNDS

if TYPE_CHECKING:
    from ..client import AsyncClient

T = TypeVar("T")

#: The two balances a Wujie create can be charged to.
INTEGRAL, DURATION = "integral", "duration"


class ChargedUnknown(AmbiguousCreate):
    """A create whose reply was lost may have been charged (its balance fell, or could not
    be read): it is not sent again, and its jobs, if any, cannot be tracked."""


class Fences:
    """One lock per balance: fenced creates on it run one at a time between two reads."""

    def __init__(self, api: AsyncClient) -> None:
        self.api = api
        self._locks: dict[str, asyncio.Lock] = {}
        #: Unfenced creates in flight per balance, and how many ever started.
        self._outside: Counter[str] = Counter()
        self._started: Counter[str] = Counter()

    @contextmanager
    def outside(self, name: str | None) -> Iterator[None]:
        """Mark an unfenced create on balance ``name`` (a measurement it overlaps is void)."""
        if name is None:
            yield
            return
        self._outside[name] += 1
        self._started[name] += 1
        try:
            yield
        finally:
            self._outside[name] -= 1

    async def balance(self, name: str) -> int | None:
        """The balance ``name`` now (None when it cannot be read)."""
        try:
            if name == DURATION:
                return (await self.api.wujie.pro.balance()).resource_balance
            return (await self.api.wujie.balance()).balance
        except WjnbError:  # unreachable, refused or unreadable: unknown, never a guess
            return None

    async def send(
        self, name: str, create: Callable[[], Awaitable[T]], *, measure: bool = False
    ) -> tuple[T, int | None]:
        """``create()`` fenced on balance ``name`` and, with ``measure``, what it was charged
        (None when unknown). A lost reply with an unmoved balance is sent again
        (``CREATE_ROUNDS``); any other lost reply raises ``ChargedUnknown``."""
        lock = self._locks.setdefault(name, asyncio.Lock())
        attempt = 0
        async with lock:
            while True:
                before = await self.balance(name)
                started = self._started[name]
                try:
                    made = await create()
                    if not measure or before is None:
                        return made, None
                    after = await self.balance(name)
                    quiet = self._outside[name] == 0 and self._started[name] == started
                    drop = before - after if after is not None and quiet else -1
                    return made, drop if drop >= 0 else None
                except AmbiguousCreate as exc:
                    after = await self.balance(name)
                    if before is None or after != before:
                        raise ChargedUnknown(
                            f"{exc}; the {name} balance went from {before} to {after}",
                            route=exc.route,
                            request=exc.request,
                        ) from exc
                    if attempt + 1 == CREATE_ROUNDS.tries:
                        raise TransportError(
                            f"{exc}; not processed (the {name} balance did not move)",
                            route=exc.route,
                        ) from exc
                await asyncio.sleep(CREATE_ROUNDS.pause(attempt))
                attempt += 1
