"""Stuck tasks: a task whose progress stands still for the proxy's timeout (scaled down
here) fails with a clear reason and frees its slot; a slow task whose progress moves is
left alone, and the sweep finishes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import wjnb
import wjnb.sandbox
from wjnb.jobs.kind import Phase, Reading
from wjnb.jobs.stuck import StuckPolicy, StuckWatch

WAIT = 120.0


@pytest.fixture
def proxy() -> Iterator[wjnb.sandbox.Sandbox]:
    # The proxy's own run timeout (an hour, virtual) stays far away: only wjnb gives up.
    srv = wjnb.sandbox.start(
        speed=60, seed=4, faults="", mj_flavor="novicezk", mj_timeout_minutes=60
    )
    yield srv
    srv.stop()


def test_a_frozen_task_is_given_up_and_the_sweep_goes_on(
    proxy: wjnb.sandbox.Sandbox, tmp_path: Path
) -> None:
    prompts = ["a quiet harbour", "a harbour [freeze]", "a harbour [slow]", "a red boat"]
    client = wjnb.Client(
        home=tmp_path,
        mj_base_url=proxy.mj_base_url,
        mj_token=proxy.mj_token,
        callbacks=False,
        mj_stuck=StuckPolicy(running=1.5),
    )
    with client:
        sweep = client.mj.sweep(None, grid={"prompt": prompts}, experiment="stuck")
        sweep.wait(timeout=WAIT)
        by_prompt = {job.axes["prompt"]: job for job in sweep}
        frozen = by_prompt["a harbour [freeze]"]
        assert frozen.done and frozen.error is not None
        assert frozen.error.startswith("stuck: running at 31 % with no progress for 1.5 s")
        assert frozen.task is not None and frozen.task.status == "IN_PROGRESS"  # still, there
        others = [job for p, job in by_prompt.items() if p != "a harbour [freeze]"]
        assert [job.status_name for job in others] == ["success"] * 3  # [slow] moved: kept
        assert client.runner.slots.used == 0  # the stuck task's slot was given back


def _reading(status: str, progress: float | None, started: float | None = None) -> Reading:
    phase = Phase.RUNNING if started else Phase.WAITING
    return Reading("k", status, phase, progress=progress, started_at=started)  # type: ignore[arg-type]


def test_the_clock_restarts_whenever_status_or_progress_moves() -> None:
    watch = StuckWatch(StuckPolicy(running=10.0, queued=None))
    assert watch.check("k", _reading("NOT_START", None), 0.0) is None
    assert watch.check("k", _reading("NOT_START", None), 1e6) is None  # queued: no limit
    assert watch.check("k", _reading("IN_PROGRESS", 15.0, 1.0), 1e6) is None  # moved
    assert watch.check("k", _reading("IN_PROGRESS", 31.0, 1.0), 1e6 + 9) is None  # moved
    assert watch.check("k", _reading("IN_PROGRESS", 31.0, 1.0), 1e6 + 18) is None  # 9 s still
    reason = watch.check("k", _reading("IN_PROGRESS", 31.0, 1.0), 1e6 + 19.5)
    assert reason is not None and "no progress for 10 s" in reason


def test_each_flavour_has_its_own_timeouts() -> None:
    assert StuckPolicy.of("novicezk") == StuckPolicy(running=300.0, queued=None)
    assert StuckPolicy.of("trueai") == StuckPolicy(running=300.0, queued=3600.0)
    assert StuckPolicy.of("trueai", timeout_minutes=2) == StuckPolicy(120.0, 1440.0)
