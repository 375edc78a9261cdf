"""Hostile and broken poll replies and the tracker (the sandbox's fault plan): truncated
JSON, HTML pages with 200, wrong types everywhere, unknown statuses, 200 KB strings, broken
``audit_info``. The tracker logs and keeps going; a job whose data cannot be read ends in a
clear error state and the other jobs of its sweep finish normally; nothing the sandbox made
is missing from the ledger. (Protocol-level and create replies: ``test_replies_api.py``.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from hardening_support import (
    FAST_POLL,
    HOSTILE,
    SMALL,
    account,
    ends_clearly,
    served,
)

import wjnb.sandbox
from wjnb.http import Rounds
from wjnb.jobs import Job, PollPolicy
from wjnb.models import ArtworkStatus

#: Poll each key on its own, so a fault aimed at one key only ever hits that key.
ONE_BY_ONE = PollPolicy(**{**FAST_POLL.__dict__, "batch_size": 1})


# --------------------------------------------------------------------------- job level


@pytest.fixture
def slow_srv(sandbox_factory: Callable[..., wjnb.sandbox.Sandbox]) -> wjnb.sandbox.Sandbox:
    """A sandbox where ``[slow]`` jobs take about a second: time to aim faults at them."""
    return sandbox_factory(speed=20)


def _sweep_with_one_slow(client: Any, name: str) -> tuple[Any, Job]:
    sweep = client.sweep(
        "x",
        grid={"prompt": ["a cat [slow]", "a dog", "a cow"], "cfg": [4, 7]},
        experiment=name,
        **SMALL,
    )
    slow = [j for j in sweep if "[slow]" in j.request["prompt"]]
    assert len(sweep) == 6 and len(slow) == 2
    return sweep, slow[0]


@pytest.mark.parametrize("rule", [HOSTILE[2], HOSTILE[3]], ids=["garbage", "status"])
def test_one_unreadable_job_ends_in_error_and_its_sweep_finishes(
    slow_srv: Any, make_jclient: Any, rule: dict[str, Any]
) -> None:
    client = make_jclient(slow_srv, callbacks=False, poll=ONE_BY_ONE)
    sweep, victim = _sweep_with_one_slow(client, "one-bad")
    slow_srv.set_faults({"seed": 1, "rules": [{**rule, "match": victim.key}]})
    sweep.wait(timeout=30)
    assert victim.done and victim.status_name == "error" and victim.error, victim
    others = [j for j in sweep if j is not victim]
    assert all(j.status == ArtworkStatus.SUCCESS and j.error is None for j in others)
    assert all(ends_clearly(j) for j in sweep)
    assert served(slow_srv) > 0
    result = account(slow_srv, client.runner.ledger, expected_rows={"one-bad": 6})
    assert result["jobs_lost"] == 0 and result["rows_lost"] == 0
    row = {r.key: r for r in client.runner.ledger.jobs("one-bad")}[victim.key]
    assert row.done and row.record["fail_message"] == victim.error


def test_a_key_whose_polls_never_parse_does_not_block_its_batch(
    slow_srv: Any, make_jclient: Any
) -> None:
    """Every batch poll that carries one key is answered with an HTML page: today the whole
    batch (here: the whole sweep) stays pending for ever. The others should finish and the
    key that poisons the batch should end in error."""
    client = make_jclient(slow_srv, callbacks=False)
    sweep, victim = _sweep_with_one_slow(client, "poison")
    rule = {"kind": "html", "routes": ["/ai/generating_info"], "match": victim.key}
    slow_srv.set_faults({"rules": [rule]})
    others = [j for j in sweep if j is not victim]
    for job in others:
        job.wait(timeout=6)
    assert all(j.status == ArtworkStatus.SUCCESS for j in others)
    victim.wait(timeout=6)
    assert victim.status_name == "error"


@pytest.mark.parametrize("rule", [HOSTILE[2], HOSTILE[3]], ids=["garbage", "status"])
def test_an_unreadable_detail_after_a_callback_ends_in_error(
    slow_srv: Any, make_jclient: Any, rule: dict[str, Any]
) -> None:
    """The callback says "finished", ``/ai/info`` cannot be read: the job must not end
    ``done`` while still ``generating`` (it did, with the garbage's picture URL): after a
    few reads it ends in error."""
    few_reads = PollPolicy(**{**FAST_POLL.__dict__, "detail_rounds": Rounds(3, 0.2, 5.0)})
    client = make_jclient(slow_srv, callbacks=True, poll=few_reads)
    sweep, victim = _sweep_with_one_slow(client, "bad-detail")
    slow_srv.set_faults(
        {"seed": 1, "rules": [{**rule, "routes": ["/ai/info"], "match": victim.key}]}
    )
    sweep.wait(timeout=30)
    assert all(ends_clearly(j) for j in sweep if j is not victim)
    assert ends_clearly(victim), (victim.status_name, victim.error)


def test_polls_survive_a_spell_of_broken_replies(
    fresh_sandbox: Any, make_jclient: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Every kind of broken poll reply for a while: logged, then every job finishes."""
    client = make_jclient(fresh_sandbox, callbacks=False)
    rules = [
        {"kind": "malformed", "routes": ["/ai/generating_info"], "times": 2},
        {"kind": "html", "routes": ["/ai/generating_info"], "times": 2},
        {"kind": "garbage", "variant": "status", "routes": ["/ai/generating_info"], "times": 2},
        {"kind": "html", "routes": ["/ai/info"], "times": 2},
        {"kind": "garbage", "variant": "audit", "routes": ["/ai/info"], "times": 2},
        {"kind": "garbage", "variant": "huge", "routes": ["/ai/info"], "times": 1},
        {"kind": "5xx", "routes": ["/ai/*"], "rate": 0.2},
    ]
    fresh_sandbox.set_faults({"seed": 2, "rules": rules})
    with caplog.at_level(logging.DEBUG, logger="wjnb"):
        sweep = client.sweep(
            "a spell", grid={"cfg": [3, 5, 7], "steps": [5, 8]}, experiment="spell", **SMALL
        )
        sweep.wait(timeout=40)
    assert all(j.status == ArtworkStatus.SUCCESS for j in sweep), [j.status_name for j in sweep]
    # truncated and HTML replies are retried by the transport, like a 5xx
    assert any("after an unreadable reply" in r.getMessage() for r in caplog.records)
    assert served(fresh_sandbox) >= 10
    result = account(fresh_sandbox, client.runner.ledger, expected_rows={"spell": 6})
    assert result["jobs_lost"] == 0 and result["rows_lost"] == 0


def test_mj_polls_with_broken_replies_for_a_while(fresh_sandbox: Any, make_jclient: Any) -> None:
    client = make_jclient(fresh_sandbox, callbacks=False)
    route = ["/mj/task/list-by-condition"]
    rules = [
        {"kind": "malformed", "routes": route, "times": 2},
        {"kind": "html", "routes": route, "times": 2},
        {"kind": "garbage", "routes": route, "times": 2},
        {"kind": "garbage", "variant": "huge", "routes": route, "times": 2},
        {"kind": "garbage", "variant": "audit", "routes": route, "times": 2},
    ]
    fresh_sandbox.set_faults({"seed": 6, "rules": rules})
    tasks = [client.mj.imagine(f"a pig {i} [slow]") for i in range(3)]
    for task in tasks:
        task.wait(timeout=30)
    assert all(t.status_name == "success" for t in tasks), [t.error for t in tasks]
    fired = fresh_sandbox.counters()["faults"]  # every kind of broken reply was met
    assert all(fired.get(kind, 0) > 0 for kind in ("malformed", "html", "garbage")), fired
    assert account(fresh_sandbox, client.runner.ledger)["jobs_lost"] == 0


def test_a_spell_of_unknown_mj_statuses_is_tolerated(fresh_sandbox: Any, make_jclient: Any) -> None:
    """Wujie polls tolerate ``unknown_status_limit`` unreadable statuses in a row; one
    unknown MJ status ends the task in error at once (the proxy's real result is lost)."""
    client = make_jclient(fresh_sandbox, callbacks=False)
    task = client.mj.imagine("a pig")
    fresh_sandbox.set_faults({"rules": [{"kind": "garbage", "variant": "status", "times": 2}]})
    task.wait(timeout=30)
    assert task.status_name == "success", task.error


def test_an_mj_task_whose_polls_are_unreadable_ends_in_error(
    fresh_sandbox: Any, make_jclient: Any
) -> None:
    """Wujie keys that polls stop reporting end in error after a few polls; an MJ task
    whose entry never comes back readable is polled for ever."""
    client = make_jclient(fresh_sandbox, callbacks=False, poll=ONE_BY_ONE)
    victim = client.mj.imagine("a pig [slow]")
    other = client.mj.imagine("a hen")
    fresh_sandbox.set_faults({"seed": 8, "rules": [{"kind": "garbage", "match": victim.id}]})
    other.wait(timeout=30)
    assert other.status_name == "success"
    victim.wait(timeout=5)  # today: TimeoutError, the task is polled for ever
    assert victim.status_name == "error" and victim.error


def test_broken_mj_polls_do_not_slow_wujie_jobs(
    sandbox_factory: Callable[..., Any], make_jclient: Any
) -> None:
    """The MJ proxy answers every poll with an HTML page while Wujie artworks of ~4 s are
    pending (polling only): the MJ backoff (1, 2, 4 ... 30 s) also holds back the Wujie
    polls, so they finish after ~7 s instead of ~4 s."""
    srv = sandbox_factory(speed=5)
    backoff = PollPolicy(**{**FAST_POLL.__dict__, "error_backoff_max": 30.0})  # the default
    client = make_jclient(srv, callbacks=False, poll=backoff)
    jobs = client.generate("a cat [slow]", num=2, **SMALL)
    client.mj.imagine("a pig")
    srv.set_faults({"rules": [{"kind": "html", "routes": ["/mj/task/list-by-condition"]}]})
    jobs.wait(timeout=6)
    assert all(j.status == ArtworkStatus.SUCCESS for j in jobs)
