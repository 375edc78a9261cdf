"""Tracker leases: one owner per key at a time, handed over when it lapses or is released."""

from __future__ import annotations

import time
from collections.abc import Callable

from wjnb.ledger import Ledger

OpenLedger = Callable[..., Ledger]


def test_one_owner_per_key_until_it_releases(open_ledger: OpenLedger) -> None:
    a, b = open_ledger(), open_ledger()
    assert a.leases.claim(["K1", "K2"], "kernel-a", 60) == {"K1", "K2"}
    assert b.leases.claim(["K1", "K2", "K3"], "kernel-b", 60) == {"K3"}
    assert a.leases.claim(["K1"], "kernel-a", 60) == {"K1"}  # renewing keeps it
    a.leases.release(["K1"], "kernel-a")
    assert b.leases.claim(["K1", "K2"], "kernel-b", 60) == {"K1"}
    a.leases.release_all("kernel-a")
    assert b.leases.claim(["K2"], "kernel-b", 60) == {"K2"}


def test_a_lapsed_lease_passes_to_the_next_claimant(open_ledger: OpenLedger) -> None:
    a, b = open_ledger(), open_ledger()
    assert a.leases.claim(["K"], "dead-kernel", 0.2) == {"K"}
    assert b.leases.claim(["K"], "live-kernel", 60) == set()
    deadline = time.monotonic() + 10
    while not b.leases.claim(["K"], "live-kernel", 60):
        assert time.monotonic() < deadline, "the lapsed lease never passed on"
        time.sleep(0.05)
    assert a.leases.claim(["K"], "dead-kernel", 60) == set()  # back from the dead: too late
