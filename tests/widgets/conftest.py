"""Fixtures for driving widgets headless against a real sandbox.

The ``until`` fixture, ``until(predicate, *sources)``, waits on state, never on time: it
re-checks ``predicate`` whenever a source notifies (a job or job set through ``observe``,
a widget through any trait change) and fails at the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

import wjnb
import wjnb.sandbox

DEADLINE = 30.0


def _until(predicate: Callable[[], Any], *sources: Any, timeout: float = DEADLINE) -> None:
    """Block until ``predicate()`` is true, woken by ``sources``' notifications."""
    changed = threading.Event()
    stops: list[Callable[[], None]] = []

    def poke(*_: Any) -> None:
        changed.set()

    # A widget may appear in several sources (the shared stylesheet): observe it once.
    seen = {id(w): w for src in sources for w in _widgets(src)}
    for w in seen.values():
        w.observe(poke)
        stops.append(lambda w=w: w.unobserve(poke))
    for src in sources:
        if not isinstance(src, widgets.Widget):
            stops.append(src.observe(poke))
    deadline = time.monotonic() + timeout
    try:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"still not true after {timeout} s: {predicate}")
            changed.wait(left)
            changed.clear()
    finally:
        for stop in stops:
            stop()


def _widgets(src: Any) -> list[widgets.Widget]:
    """A widget and every widget inside it (layouts excluded)."""
    if not isinstance(src, widgets.Widget):
        return []
    out = [src]
    for child in getattr(src, "children", ()):
        out.extend(_widgets(child))
    return out


@pytest.fixture
def until() -> Callable[..., None]:
    """Wait for a state: ``until(predicate, *sources, timeout=...)``."""
    return _until


@pytest.fixture
def client(
    sandbox: wjnb.sandbox.Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[wjnb.Client]:
    """A client of the shared sandbox with its own ledger and image cache."""
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    c = wjnb.Client(sandbox=sandbox)
    yield c
    c.close()


@pytest.fixture
def fresh_client(
    fresh_sandbox: wjnb.sandbox.Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[wjnb.Client]:
    """A client of a private sandbox (for balance and queue tests)."""
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    c = wjnb.Client(sandbox=fresh_sandbox)
    yield c
    c.close()
