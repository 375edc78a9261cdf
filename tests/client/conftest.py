"""Client fixtures: clients bound to the shared sandboxes, with a recording retry sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from wjnb.client import Client
from wjnb.http import RetryPolicy


class Delays(list[float]):
    """An injected retry sleep: records each requested delay, barely sleeps."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def delays() -> Delays:
    return Delays()


@pytest.fixture
def policy(delays: Delays) -> RetryPolicy:
    """Default numbers, a recorded sleep and ``random() == 1`` so delays are the ceilings."""
    return RetryPolicy(sleep=delays, random=lambda: 1.0)


@pytest.fixture
def client(sandbox: Any, policy: RetryPolicy) -> Iterator[Client]:
    """A sync client on the session sandbox."""
    with Client(sandbox=sandbox, retry=policy) as c:
        yield c


@pytest.fixture
def fresh_client(fresh_sandbox: Any, policy: RetryPolicy) -> Iterator[Client]:
    """A sync client on a private sandbox (faults and balance may be changed freely)."""
    with Client(sandbox=fresh_sandbox, retry=policy) as c:
        yield c
