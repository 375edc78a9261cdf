"""Fixtures for the job layer: clients bound to a sandbox with a private ledger home."""

from __future__ import annotations

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
