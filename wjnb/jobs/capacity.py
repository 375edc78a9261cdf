"""Account-aware admission: never send a proxy more tasks than its accounts can hold.

A Midjourney proxy runs ``core`` tasks per account and queues ``queue`` more; one more
submit is refused (code 23, trueai 9). ``Slots`` holds one slot per task the proxy has
accepted and not yet finished, so submissions wait on our side (in order) instead of
being refused. The capacity starts from configuration and is learned from the replies:
a queue-full reply shrinks it to what the proxy really held; code 3 ("no account
available") waits with back-off and tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..errors import MjError, MjQueueFull

log = logging.getLogger("wjnb.capacity")
T = TypeVar("T")

#: The open-source proxies' per-account defaults: 3 running, 10 queued.
DEFAULT_CAPACITY = 13
#: The proxies' code for "no Discord account available" (all accounts busy or disabled).
NO_ACCOUNT = "3"


class Slots:
    """Tasks the proxy holds now, bounded by what it can hold; FIFO waiters."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, *, backoff: float = 0.5, max_backoff: float = 8.0
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.backoff = backoff
        self.max_backoff = max_backoff
        #: Keys of the tasks the proxy holds (accepted, not yet terminal).
        self.held: set[str] = set()
        #: Submissions in flight (a slot taken, no key yet).
        self.sending = 0
        #: Replies that said the queue was full, and "no account" replies (both retried).
        self.full_replies = 0
        self.no_account_replies = 0
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
        pause = self.backoff
        while True:
            async with self._changed:
                await self._changed.wait_for(lambda: self.used < self.capacity)
                self.sending += 1
            try:
                result = await send()
            except MjQueueFull:
                self.full_replies += 1
                await self._leave()
                if not await self._shrink():  # full with none of ours: someone else's
                    await asyncio.sleep(pause)
                    pause = min(self.max_backoff, pause * 2)
                continue
            except MjError as exc:
                await self._leave()
                if exc.code != NO_ACCOUNT:
                    raise
                self.no_account_replies += 1
                log.info("no proxy account available; trying again in %.1f s", pause)
                await asyncio.sleep(pause)
                pause = min(self.max_backoff, pause * 2)
                continue
            except BaseException:
                await self._leave()
                raise
            async with self._changed:
                self.sending -= 1
                self.held.update(keys(result))
                self._changed.notify_all()
            return result

    async def release(self, key: str) -> None:
        """A task ended (or the proxy lost it): its slot is free again."""
        async with self._changed:
            if key in self.held:
                self.held.discard(key)
                self._changed.notify_all()

    async def _leave(self) -> None:
        async with self._changed:
            self.sending -= 1
            self._changed.notify_all()

    async def _shrink(self) -> bool:
        """The proxy was full with ``held`` tasks of ours: that is its capacity; wait for
        one of them to end. False when none of ours were held (nothing to wait on)."""
        async with self._changed:
            held = len(self.held)
            if held == 0:
                return False
            if held < self.capacity:
                log.info("the proxy holds at most %d tasks (learned from a full queue)", held)
                self.capacity = held
            await self._changed.wait_for(lambda: self.used < self.capacity)
            return True
