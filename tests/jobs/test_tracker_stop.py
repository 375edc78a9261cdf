"""Stopping the tracker: a cancel that meets its wake-up still stops it (CI once hung in
``client.close()`` when ``asyncio.wait_for`` on Python 3.11 swallowed that cancel)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from wjnb.jobs.tracker import Tracker


async def _finished(job: Any, raw: Any) -> None:
    return None


def test_a_cancel_that_meets_the_wake_up_is_not_swallowed() -> None:
    async def scenario() -> None:
        tracker = Tracker(cast(Any, None), lambda jobs: None, _finished)
        tracker._wake = asyncio.Event()
        dozing = asyncio.create_task(tracker._doze(60.0))
        await asyncio.sleep(0)  # dozing now
        tracker._wake.set()  # woken (a new job, or its alarm) ...
        dozing.cancel()  # ... in the same instant as ``stop`` cancels it
        with pytest.raises(asyncio.CancelledError):
            await dozing

    asyncio.run(asyncio.wait_for(scenario(), 5))


def test_stop_returns_while_the_loop_waits_for_work() -> None:
    async def scenario() -> None:
        tracker = Tracker(cast(Any, None), lambda jobs: None, _finished)
        tracker.ensure_running()
        await asyncio.sleep(0)
        await tracker.stop()
        assert tracker._task is None

    asyncio.run(asyncio.wait_for(scenario(), 5))
