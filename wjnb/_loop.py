"""A private asyncio loop in a daemon thread, for the sync facade and background work.

Jupyter already runs a loop in the main thread, so a sync call cannot simply
``asyncio.run`` there. Instead every coroutine runs on this thread's loop and the caller
blocks on the result; tasks started here (the job tracker) keep running while notebook
cells run. No ``nest_asyncio`` is involved.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """An event loop running forever in its own daemon thread until ``close()``."""

    def __init__(self, name: str = "wjnb-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()

    @property
    def in_loop_thread(self) -> bool:
        """True when called from code running on this loop."""
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; its result arrives in the returned future."""
        if self._closed:
            coro.close()
            raise RuntimeError("this wjnb client is closed")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result (works inside Jupyter's loop).

        Raises ``RuntimeError`` when called from the loop's own thread, where waiting
        would deadlock: code running there must ``await`` the async API instead. An
        interrupt (or any error) while waiting cancels the coroutine.
        """
        if self.in_loop_thread:
            coro.close()
            raise RuntimeError(
                "a sync wjnb call was made on the client's own event loop, where it would "
                "deadlock; await the AsyncClient method instead"
            )
        future = self.submit(coro)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def close(self) -> None:
        """Cancel what is still running, stop the loop and join the thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.in_loop_thread:
            self.loop.stop()  # the thread closes the loop once this callback returns
            return
        asyncio.run_coroutine_threadsafe(_cancel_all(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running"
        return f"<LoopThread {self._thread.name} {state}>"


async def _cancel_all() -> None:
    """Cancel every other task on the running loop and let them finish unwinding."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
