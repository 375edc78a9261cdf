"""Fixtures of the hardening suite: job clients on private sandboxes, and the final report.

``make_jclient(srv, **options)`` builds a ``wjnb.Client`` with a private ledger home, fast
polling and retries, and image prefetching off unless asked for (the sandbox renders every
picture it serves, which would dominate the suite's time). Clients are closed after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hardening_support import FAST_POLL, FAST_RETRY, REPORT

import wjnb


@pytest.fixture
def make_jclient(tmp_path: Path) -> Iterator[Callable[..., wjnb.Client]]:
    """``make_jclient(srv, prefetch=False, **options)``: a job client on that sandbox."""
    made: list[wjnb.Client] = []

    def make(srv: Any, *, prefetch: bool = False, **options: Any) -> wjnb.Client:
        options.setdefault("home", tmp_path / f"home{len(made)}")
        options.setdefault("reconcile_after", 2.0)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("poll", FAST_POLL)
        client = wjnb.Client(sandbox=srv, **options)
        client.runner.prefetch = prefetch
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the hardening tests tried and lost (must be zero)."""
    if not REPORT:
        return
    tr = terminalreporter
    tr.section("hardening report")
    tr.write_line(
        f"bad inputs tried: {REPORT['bad_inputs']} "
        f"(refused as InvalidArgument: {REPORT['invalid']}, other wjnb errors: "
        f"{REPORT['wjnb_errors']}, accepted: {REPORT['accepted']})"
    )
    tr.write_line(
        f"requests sent for invalid arguments: {REPORT['leaked_requests']}; "
        f"bare (non-wjnb) exceptions: {REPORT['bare']}"
    )
    tr.write_line(
        f"hostile replies served: {REPORT['hostile_replies']}; jobs made by the sandbox: "
        f"{REPORT['jobs']}, lost: {REPORT['jobs_lost']}; rows expected: "
        f"{REPORT['rows_expected']}, lost: {REPORT['rows_lost']}"
    )
