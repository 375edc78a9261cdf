"""Fixtures for the job layer: clients bound to a sandbox with a private ledger home."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import wjnb
from wjnb.http import RetryPolicy

#: Fast retries so fault-plan tests spend their time on work, not on waiting.
FAST_RETRY = RetryPolicy(max_retries=5, base=0.05, cap=0.5, retry_after_cap=1.0)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., wjnb.Client]]:
    """``make_client(sandbox, **options)``: a Client on that sandbox, closed after the test."""
    made: list[wjnb.Client] = []

    def make(sandbox: Any, **options: Any) -> wjnb.Client:
        options.setdefault("home", tmp_path / "home")
        options.setdefault("reconcile_after", 3.0)
        options.setdefault("retry", FAST_RETRY)
        client = wjnb.Client(sandbox=sandbox, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def _wait_for(cond: Callable[[], bool], what: str, job: Any, timeout: float = 30.0) -> None:
    """Wait for ``cond`` by observing ``job``'s changes, with a deadline."""
    event = threading.Event()
    unsubscribe = job.observe(lambda _: cond() and event.set())
    try:
        if not cond():
            assert event.wait(timeout), f"timed out waiting for {what}"
    finally:
        unsubscribe()


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """``wait_for(cond, what, job)``: wait on the job's changes until ``cond()`` (deadline)."""
    return _wait_for
