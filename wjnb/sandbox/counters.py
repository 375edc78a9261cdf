"""Request, create, callback and fault counters, reported by ``GET /_sandbox/counters``."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_TASK_ID = re.compile(r"^/mj/task/[^/]*/")


def route_name(method: str, api_path: str) -> str:
    """``"POST /ai/create"``; MJ task ids become ``{id}`` so names stay few."""
    return f"{method} {_TASK_ID.sub('/mj/task/{id}/', api_path)}"


class Counters:
    """Plain counters; only touched on the server loop."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.creates: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.callbacks: Counter[str] = Counter(
            {"sent": 0, "failed": 0, "dropped": 0, "attempts": 0}
        )
        self.auth_refused = 0

    def snapshot(self, speed: float, balance: int) -> dict[str, Any]:
        """The JSON of ``/_sandbox/counters``."""
        return {
            "requests": dict(self.requests),
            "creates": sum(self.creates.values()),
            "creates_by_route": dict(self.creates),
            "callbacks": dict(self.callbacks),
            "faults": dict(self.faults),
            "auth_refused": self.auth_refused,
            "speed": speed,
            "balance": balance,
        }
