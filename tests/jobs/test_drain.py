"""The drain plan: one batch poll when a proxy's workers would run short of queued work,
or when the held tasks have ended; the proxy's clock mapped onto ours."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from wjnb.jobs.capacity import Slots
from wjnb.jobs.drain import DrainPlan, ProxyClock
from wjnb.jobs.kind import Phase, Reading
from wjnb.jobs.schedule import Entry

RATE = 30.0  # the proxy's clock runs 30 times faster (a sandbox at speed 30)
OFFSET = 1_000.0


@dataclass
class _Task:
    """What the plan reads of a job: its key and latest reading."""

    key: str
    latest: Reading | None


def _theirs(ours: float) -> float:
    return OFFSET + RATE * ours


def _plan(waiting: int, held: int = 13) -> tuple[DrainPlan, Slots]:
    slots = Slots(13)
    slots.waiting = waiting
    plan = DrainPlan(slots)
    now = time.time()
    for i in range(held):  # sent 0.1 s apart, from 1.5 s ago
        key = f"t{i}"
        slots.held.add(key)
        slots.sent_at[key] = now - 1.5 + i * 0.1
    return plan, slots


def _entry(slots: Slots, key: str, phase: Phase, started: float | None, **kw: float) -> Entry:
    sent = slots.sent_at[key]
    reading = Reading(
        key,
        None,
        phase,
        submitted_at=_theirs(sent),
        started_at=None if started is None else _theirs(started),
        **kw,
    )
    return Entry(_Task(key, reading), 0.0)  # type: ignore[arg-type]


def _learn_task_time(plan: DrainPlan, slots: Slots, seconds: float) -> None:
    done = Reading("old", None, Phase.SUCCEEDED, started_at=_theirs(0), ended_at=_theirs(seconds))
    slots.sent_at["old"] = 0.0
    plan.learn(_Task("old", done), done)  # type: ignore[arg-type]


def test_the_clock_is_fitted_from_send_times_despite_a_late_reply() -> None:
    clock = ProxyClock()
    clock.sample("a", 10.0, _theirs(10.0))
    assert not clock.known  # one sample fixes no rate
    for i in range(1, 12):
        late = 0.08 if i == 5 else 0.0  # one reply handled late on our side
        clock.sample(f"k{i}", 10.0 + i * 0.1 + late, _theirs(10.0 + i * 0.1))
    assert clock.known
    assert clock.rate == pytest.approx(RATE, rel=0.01)
    assert clock.ours(_theirs(42.0)) == pytest.approx(42.0, abs=0.01)
    assert clock.seconds(RATE * 2) == pytest.approx(2.0, rel=0.01)


def test_with_work_waiting_the_poll_comes_when_the_workers_run_short() -> None:
    plan, slots = _plan(waiting=5)
    _learn_task_time(plan, slots, 1.0)
    now = time.time()
    entries = [_entry(slots, f"t{i}", Phase.RUNNING, now) for i in range(3)]
    entries += [_entry(slots, f"t{i}", Phase.WAITING, None) for i in range(3, 13)]
    mono = time.monotonic()
    at = plan.next_poll(entries, mono)
    assert plan.task_s == pytest.approx(1.0, rel=0.02)
    # 13 held on 3 workers end in waves at +1, +2, +3, +4 (and +5): after the fourth only
    # one is left to run, so that is when the queue is topped up (plus a little slack).
    assert at is not None
    assert at - mono == pytest.approx(4.0 + plan.slack, abs=0.1)


def test_with_nothing_waiting_the_held_tasks_are_collected_in_one_poll() -> None:
    plan, slots = _plan(waiting=0, held=5)
    _learn_task_time(plan, slots, 1.0)
    now = time.time()
    entries = [_entry(slots, f"t{i}", Phase.RUNNING, now - 0.5) for i in range(3)]
    entries += [_entry(slots, f"t{i}", Phase.WAITING, None) for i in range(3, 5)]
    mono = time.monotonic()
    at = plan.next_poll(entries, mono)
    assert at is not None  # three end at +0.5, the last two at +1.5: one poll after those
    assert at - mono == pytest.approx(1.5 + plan.slack, abs=0.1)
    plan.collect = 0.5  # results may wait at most half a task: the first wave is fetched
    at = plan.next_poll(entries, mono)
    assert at is not None
    assert at - mono == pytest.approx(1.0 + plan.slack * 1.0, abs=0.1)


def test_before_any_task_ends_progress_gives_the_task_time() -> None:
    plan, slots = _plan(waiting=0, held=3)
    now = time.time()
    entries = [_entry(slots, f"t{i}", Phase.RUNNING, now - 2.0, progress=50.0) for i in range(3)]
    assert plan.next_poll(entries, time.monotonic()) is not None
    assert plan.task_s == pytest.approx(4.0, rel=0.05)


def test_nothing_is_planned_before_the_clock_or_the_task_time_is_known() -> None:
    plan, slots = _plan(waiting=3, held=1)
    entry = _entry(slots, "t0", Phase.WAITING, None)
    assert plan.next_poll([entry], time.monotonic()) is None  # one sample: no clock yet
    plan, slots = _plan(waiting=3)
    entries = [_entry(slots, f"t{i}", Phase.WAITING, None) for i in range(13)]
    assert plan.next_poll(entries, time.monotonic()) is None  # nothing ran yet
