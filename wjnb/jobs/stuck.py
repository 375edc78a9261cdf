"""Stuck tasks: a task whose progress has not moved for its proxy's timeout has failed.

A Midjourney proxy fails a running task ``timeout-minutes`` (5) after its start (novicezk
and trueai); a queued task never times out on novicezk and after twelve times that on
trueai. A slow task is not a stuck one: the clock restarts whenever its status or
progress moves, so only a task that stood still for the whole timeout is given up (it
fails with a clear reason and frees its slot, and a sweep goes on).
"""

from __future__ import annotations

from dataclasses import dataclass

from .kind import Phase, Reading

#: The proxies' ``timeout-minutes`` default.
TIMEOUT_MINUTES = 5.0


@dataclass(frozen=True)
class StuckPolicy:
    """Seconds a running / queued task's progress may stand still (None: no limit)."""

    running: float | None = TIMEOUT_MINUTES * 60
    queued: float | None = None

    @classmethod
    def of(cls, flavor: str, timeout_minutes: float = TIMEOUT_MINUTES) -> StuckPolicy:
        """A flavour's own timeouts: trueai also gives up queued tasks (12 x later)."""
        running = timeout_minutes * 60
        return cls(running, running * 12 if flavor == "trueai" else None)


class StuckWatch:
    """When each tracked task's status and progress last moved, and whether it is stuck."""

    def __init__(self, policy: StuckPolicy | None = None) -> None:
        self.policy = policy or StuckPolicy()
        #: True when the policy was given (the proxy's own settings do not replace it).
        self.configured = policy is not None
        self._since: dict[str, tuple[object, float]] = {}

    def __repr__(self) -> str:
        return f"<StuckWatch {self.policy} watching={len(self._since)}>"

    def check(self, key: str, reading: Reading, now: float) -> str | None:
        """Why the task counts as stuck at ``now`` (monotonic), or None when it does not."""
        mark = (reading.status, reading.progress)
        seen = self._since.get(key)
        if seen is None or seen[0] != mark:
            self._since[key] = (mark, now)
            return None
        running = reading.phase is Phase.RUNNING or reading.started_at is not None
        limit = self.policy.running if running else self.policy.queued
        if limit is None or now - seen[1] < limit:
            return None
        self.forget(key)
        where = f"at {reading.progress:g} %" if reading.progress is not None else "queued"
        state = "running" if running else "waiting"
        return (
            f"stuck: {state} {where} with no progress for {limit:g} s (the proxy's timeout);"
            " given up"
        )

    def forget(self, key: str) -> None:
        """The task ended: stop watching it."""
        self._since.pop(key, None)
