"""The sandbox's virtual clock: protocol times run ``speed`` times faster than real time.

Every timing field the protocols report is read from this clock, so a job that "takes"
12 s reports 12 s of generation while at speed 100 it finishes in 0.12 s of real time.
"""

from __future__ import annotations

import time


class VirtualClock:
    """``now() = t0 + (monotonic - m0) * speed``, starting at the real wall-clock time."""

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self.speed = float(speed)
        self._t0 = time.time()
        self._m0 = time.monotonic()

    def now(self) -> float:
        """Virtual unix time in seconds."""
        return self._t0 + (time.monotonic() - self._m0) * self.speed

    def real_delay(self, virtual_seconds: float) -> float:
        """Real seconds until ``virtual_seconds`` of virtual time have passed."""
        return max(0.0, virtual_seconds) / self.speed
