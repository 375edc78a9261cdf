"""Account-aware admission: never send a proxy more tasks than its accounts can hold.

A Midjourney proxy runs ``core`` tasks per account and queues ``queue`` more; one more
submit is refused (code 23, trueai 9). ``Slots`` holds one slot per task the proxy has
accepted and not yet finished, so submissions wait on our side (in order) instead of
being refused. The capacity starts from configuration and is learned from the replies:
a queue-full reply shrinks it to what the proxy really held; code 3 ("no account
available") waits with back-off (``NO_ACCOUNT_ROUNDS``) and tries again. A day limit (shown
by the accounts, or a refusal saying it is reached) stops sending: the rest waits for
another day instead of being refused one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from ..errors import MjDayLimit, MjError, MjQueueFull
from ..http import NO_ACCOUNT_ROUNDS, Rounds

log = logging.getLogger("wjnb.capacity")
T = TypeVar("T")

#: The open-source proxies' per-account defaults: 3 running, 10 queued.
DEFAULT_CAPACITY = 13
#: The proxies' code for "no Discord account available" (all accounts busy or disabled).
NO_ACCOUNT = "3"


class Slots:
    """Tasks the proxy holds now, bounded by what it can hold; FIFO waiters."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, rounds: Rounds = NO_ACCOUNT_ROUNDS):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        #: How a code-3 reply (or a queue full of others' tasks) is waited out.
        self.rounds = rounds
        #: Called when the last create waiting here is answered (polls are planned anew).
        self.on_idle: Callable[[], None] | None = None
        #: Tasks the proxy's accounts may still take today (None: no day limit shown).
        self.day_left: int | None = None
        #: Keys of the tasks the proxy holds (accepted, not yet terminal).
        self.held: set[str] = set()
        #: Submissions in flight (a slot taken, no key yet), and creates not answered yet
        #: (``pending``: paced, waiting for a slot, or in flight).
        self.sending = 0
        self.waiting = 0
        #: When each held task was sent (our clock, mid-request): a proxy clock's anchor.
        self.sent_at: dict[str, float] = {}
        #: Replies that said the queue was full, and "no account" replies (both retried).
        self.full_replies = 0
        self.no_account_replies = 0
        #: Full replies being learned from: no send starts until their count is taken.
        self._learning = 0
        self._changed = asyncio.Condition()

    def __repr__(self) -> str:
        return f"<Slots {len(self.held) + self.sending}/{self.capacity}>"

    @property
    def used(self) -> int:
        """Slots taken: tasks held by the proxy plus submissions on their way."""
        return len(self.held) + self.sending

    async def submit(self, send: Callable[[], Awaitable[T]], keys: Callable[[T], list[str]]) -> T:
        """Wait for a free slot, ``send()``, and hold one slot per key the reply names.

        A queue-full reply lowers the capacity to what the proxy held and waits for a
        task to finish; code 3 waits with back-off; both then send again (the proxy
        provably did not take the task).
        """
        waits = 0
        while True:
            if self.day_left is not None and self.day_left <= 0:
                raise MjDayLimit("day-limit", "the proxy's accounts reached their day limit")
            async with self._changed:
                await self._changed.wait_for(self._open)
                self.sending += 1
            began = time.time()
            try:
                result = await send()
            except MjQueueFull as exc:
                self.full_replies += 1
                await self._leave()
                if not await self._shrink():  # full with none of ours: someone else's
                    waits = await self._wait_out(exc, waits)
                continue
            except MjError as exc:
                await self._leave()
                if isinstance(exc, MjDayLimit):
                    self.day_left = 0  # whoever waits for a slot stops here, unsent
                if exc.code != NO_ACCOUNT or isinstance(exc, MjDayLimit):
                    raise
                self.no_account_replies += 1
                waits = await self._wait_out(exc, waits)
                continue
            except BaseException:
                await self._leave()
                raise
            if self.day_left is not None:
                self.day_left -= 1
            async with self._changed:
                self.sending -= 1
                sent = (began + time.time()) / 2
                for key in keys(result):
                    self.held.add(key)
                    self.sent_at[key] = sent
                self._changed.notify_all()
            return result

    @contextlib.asynccontextmanager
    async def pending(self) -> AsyncIterator[None]:
        """Count one create as waiting on our side until it is answered (or given up)."""
        self.waiting += 1
        try:
            yield
        finally:
            self.waiting -= 1
            if self.waiting == 0 and self.on_idle is not None:
                self.on_idle()

    async def _wait_out(self, exc: MjError, waits: int) -> int:
        """Pause before sending again (``NO_ACCOUNT_ROUNDS``); raise once they are spent."""
        if waits + 1 >= self.rounds.tries:
            raise exc
        pause = self.rounds.pause(waits)
        log.info("the proxy took nothing (%s); trying again in %.1f s", exc.message, pause)
        await asyncio.sleep(pause)
        return waits + 1

    async def resize(self, capacity: int) -> None:
        """The proxy holds ``capacity`` tasks (read from its account settings)."""
        async with self._changed:
            if capacity >= 1 and capacity != self.capacity:
                log.info("the proxy holds %d tasks (its account settings)", capacity)
                self.capacity = capacity
                self._changed.notify_all()

    async def release(self, key: str) -> None:
        """A task ended (or the proxy lost it): its slot is free again."""
        async with self._changed:
            self.sent_at.pop(key, None)
            if key in self.held:
                self.held.discard(key)
                self._changed.notify_all()

    async def _leave(self) -> None:
        async with self._changed:
            self.sending -= 1
            self._changed.notify_all()

    def _open(self) -> bool:
        """A send may start: a slot is free and no full reply is being learned from."""
        return self.used < self.capacity and not self._learning

    async def _shrink(self) -> bool:
        """The proxy was full with ``held`` tasks of ours: that is its capacity; wait for
        one of them to end. False when none of ours were held (nothing to wait on).

        The count waits until every other send in flight is answered: one the proxy took
        before this refusal may be answered after it, and it was part of the full queue.
        """
        async with self._changed:
            self._learning += 1
            try:
                await self._changed.wait_for(lambda: self.sending == 0)
                held = len(self.held)
            finally:
                self._learning -= 1
                self._changed.notify_all()
            if held == 0:
                return False
            if held < self.capacity:
                log.info("the proxy holds at most %d tasks (learned from a full queue)", held)
                self.capacity = held
            await self._changed.wait_for(self._open)
            return True
