"""Shared budgets: reservations made with the intent, released, settled; never over the cap."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest

from wjnb.errors import BudgetExceeded
from wjnb.ledger import Ledger, Reservation

OpenLedger = Callable[..., Ledger]


def _intent(ledger: Ledger, amount: int, budget: str = "team", cap: int | None = 100) -> str:
    row = ledger.record_intent(
        backend="wujie", route="/ai/create", body={}, reserve=Reservation(budget, cap, amount)
    )
    return row.id


def test_reservations_hold_until_the_cap_then_refuse_and_record_nothing(
    open_ledger: OpenLedger,
) -> None:
    ledger = open_ledger()
    first = _intent(ledger, 60)
    assert ledger.budgets.status("team") == {"cap": 100, "held": 60, "settled": 0, "free": 40}
    assert ledger.request(first).expected_cost == 60  # type: ignore[union-attr]
    with pytest.raises(BudgetExceeded, match="60 of 100"):
        _intent(ledger, 41)
    assert len(ledger.requests()) == 1  # the refused create left no intent behind
    _intent(ledger, 40, cap=999)  # the first cap stays: every process agrees on one
    assert ledger.budgets.status("team")["free"] == 0  # type: ignore[index]


def test_a_rejected_or_abandoned_create_gives_its_credits_back(open_ledger: OpenLedger) -> None:
    ledger = open_ledger()
    a, b = _intent(ledger, 30), _intent(ledger, 30)
    ledger.record_request_state(a, "rejected", "sensitive prompt")
    ledger.record_request_state(b, "ambiguous", "reset")  # still maybe created: still held
    assert ledger.budgets.status("team")["held"] == 30  # type: ignore[index]
    ledger.record_request_state(b, "abandoned", "no callback")
    assert ledger.budgets.status("team")["held"] == 0  # type: ignore[index]


def test_a_request_settles_at_what_was_charged_once_all_its_artworks_end(
    open_ledger: OpenLedger,
) -> None:
    ledger = open_ledger()
    rid = _intent(ledger, 20)
    ledger.record_accepted(rid, {}, [("A", {}), ("B", {})])
    ledger.update_jobs([("A", {"integral_cost": 10}, True, None)])
    assert ledger.budgets.status("team")["held"] == 20  # type: ignore[index]
    refunded = {"integral_cost": 10, "integral_cost_message": "积分已退还"}
    ledger.update_jobs([("B", refunded, True, None)])
    assert ledger.budgets.status("team") == {"cap": 100, "held": 0, "settled": 10, "free": 90}


def test_a_team_cap_set_in_the_ledger_is_used_without_giving_one(
    open_ledger: OpenLedger,
) -> None:
    ledger = open_ledger()
    with pytest.raises(BudgetExceeded, match="no budget named 'oct'"):
        _intent(ledger, 1, budget="oct", cap=None)
    ledger.budgets.set_cap("oct", 50)
    _intent(ledger, 50, budget="oct", cap=None)
    ledger.budgets.set_cap("oct", 60)
    _intent(ledger, 10, budget="oct", cap=None)
    assert ledger.budgets.status("oct")["free"] == 0  # type: ignore[index]


def _reserver(home: str, url: str, amount: int, tries: int, out: multiprocessing.Queue) -> None:
    ledger = Ledger(home, url=url)
    won = 0
    for _ in range(tries):
        try:
            _intent(ledger, amount, budget="race", cap=300)
            won += 1
        except BudgetExceeded:
            pass
    out.put(won)


def test_processes_racing_for_one_budget_never_exceed_it(ledger_url: str, tmp_path: Path) -> None:
    """Four processes (two homes) each try 40 reservations of 7 credits against 300."""
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()
    homes = [tmp_path / "a", tmp_path / "a", tmp_path / "b", tmp_path / "b"]
    if not ledger_url:  # SQLite is one machine: every process shares one home
        homes = [tmp_path / "a"] * 4
    procs = [ctx.Process(target=_reserver, args=(str(h), ledger_url, 7, 40, out)) for h in homes]
    for p in procs:
        p.start()
    won = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    status = Ledger(homes[0], url=ledger_url).budgets.status("race")
    assert sum(won) == 300 // 7 == 42  # as many as fit, not one more
    assert status == {"cap": 300, "held": 294, "settled": 0, "free": 6}
