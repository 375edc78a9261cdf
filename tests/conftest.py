"""Shared fixtures: running sandboxes that tests talk to over real loopback HTTP.

* ``sandbox`` — one sandbox for the whole session (speed 200, seed 1, no faults). Do not
  change its faults or balance directly: use ``faults`` or ``fresh_sandbox``.
* ``fresh_sandbox`` — a private sandbox for one test (same settings), for tests that change
  its fault plan or balance or need an empty queue.
* ``sandbox_factory`` — ``sandbox_factory(**kwargs)`` starts a private sandbox with other
  ``wjnb.sandbox.start`` settings (``gpus``, ``balance``, ``speed``...); stopped after the test.
* ``faults`` — ``faults(plan)`` sets a fault plan on the shared ``sandbox`` for one test and
  clears it afterwards.

The fault plan is always given explicitly (empty by default), so a ``WJNB_SANDBOX_FAULTS``
variable in the environment cannot leak into the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import wjnb.sandbox

SPEED = 200.0
SEED = 1


@pytest.fixture(scope="session")
def sandbox() -> Iterator[wjnb.sandbox.Sandbox]:
    """The session's shared sandbox."""
    srv = wjnb.sandbox.start(speed=SPEED, seed=SEED, faults="")
    yield srv
    srv.stop()


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., wjnb.sandbox.Sandbox]]:
    """Start private sandboxes with custom settings; all are stopped after the test."""
    started: list[wjnb.sandbox.Sandbox] = []

    def make(**kwargs: Any) -> wjnb.sandbox.Sandbox:
        options: dict[str, Any] = {"speed": SPEED, "seed": SEED, "faults": ""}
        options.update(kwargs)
        srv = wjnb.sandbox.start(**options)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def fresh_sandbox(
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
) -> wjnb.sandbox.Sandbox:
    """A private sandbox for one test."""
    return sandbox_factory()


@pytest.fixture
def faults(sandbox: wjnb.sandbox.Sandbox) -> Iterator[Callable[[Any], None]]:
    """Set a fault plan on the shared sandbox for this test only."""
    yield sandbox.set_faults
    sandbox.set_faults(None)
