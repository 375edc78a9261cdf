"""Jobs against the sandbox over loopback: tracking, records, budgets, faults, MJ, avatar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import wjnb
from wjnb import columns
from wjnb.errors import BudgetExceeded, InvalidArgument, LedgerError, NotCancellable
from wjnb.frame import SCHEMA, to_dataframe
from wjnb.models import ArtworkStatus

SMALL = {"width": 256, "height": 256}
#: 10 x 10 axes; with two seeds, 200 artworks.
GRID_200 = {"cfg": list(range(2, 12)), "steps": list(range(10, 30, 2))}


def test_generate_tracks_to_success_and_caches(
    sandbox: Any, make_client: Any, wait_for: Callable[..., None]
) -> None:
    client = make_client(sandbox)
    jobs = client.generate("a lighthouse at dusk", steps=30, cfg=7, num=2, **SMALL)
    assert len(jobs) == 2 and len({j.key for j in jobs}) == 2
    jobs.wait(timeout=30)
    for job in jobs:
        assert job.done and job.status is ArtworkStatus.SUCCESS and job.status_name == "success"
        assert job.info is not None and job.info.key == job.key
        rec = job.record
        assert rec["key"] == job.key and rec["status"] == 4 and rec["steps"] == 30
        assert rec["integral_cost"] == job.cost > 0 and rec["gpu_type"]
        assert job.image().size == (256, 256)
        wait_for(lambda j=job: j.thumbnail_ready, "thumbnail", job)
        thumb = job.thumbnail()
        assert thumb is not None and thumb[:2] == b"\xff\xd8" and len(thumb) <= 40 * 1024
    rows = client.runner.ledger.jobs()
    assert {r.key for r in rows} == {j.key for j in jobs} and all(r.done for r in rows)
    assert all(r.raw and r.raw.get("status") == 4 for r in rows)  # lossless reply kept
    assert jobs.cost == sum(j.cost for j in jobs)


def test_bad_arguments_send_nothing(fresh_sandbox: Any, make_client: Any) -> None:
    client = make_client(fresh_sandbox)
    before = fresh_sandbox.counters()["requests"]
    for kwargs in ({"steps": 0}, {"cfg": -1}, {"width": -5}, {"model": 99}, {"num": "x"}):
        with pytest.raises(InvalidArgument):
            client.generate("ok", **kwargs)
    with pytest.raises(InvalidArgument) as err:
        client.generate("  ")
    assert err.value.argument == "prompt"
    with pytest.raises(InvalidArgument) as err:
        client.sweep("p", grid={"cfg": []}, experiment="e")
    assert err.value.argument == "grid"
    with pytest.raises(InvalidArgument):
        client.sweep("p", grid={"steps": [10, -1]}, experiment="e")
    assert fresh_sandbox.counters()["requests"] == before
    assert client.runner.ledger.requests() == []


def test_sweep_of_200_costs_at_most_1_3_reads_per_artwork(
    fresh_sandbox: Any, make_client: Any
) -> None:
    client = make_client(fresh_sandbox)
    grid = GRID_200
    sweep = client.sweep("a field of poppies", grid=grid, seeds=[1, 2], experiment="big", **SMALL)
    sweep.wait(timeout=120)
    assert len(sweep) == 200 and all(j.done for j in sweep)
    assert Counter(j.status_name for j in sweep) == {"success": 200}
    counts = fresh_sandbox.counters()
    reads = counts["requests"].get("POST /ai/generating_info", 0)
    reads += counts["requests"].get("GET /ai/info", 0)
    assert counts["creates"] == 200
    assert reads / 200 <= 1.3, counts["requests"]
    combos = Counter((j.record["cfg"], j.record["steps"], j.record["seed"]) for j in sweep)
    assert len(combos) == 200 and set(combos.values()) == {1}
    df = sweep.to_dataframe()
    assert len(df) == 200 and set(df["status_name"]) == {"success"}
    # Live rows and rows read back from the ledger both take pyarrow's one-pass route.
    stored = [row.record for row in client.runner.ledger.jobs("big")]
    assert columns.arrow_columns(sweep.records(), SCHEMA) is not None
    assert columns.arrow_columns(stored, SCHEMA) is not None
    reloaded = to_dataframe(stored).set_index("key").sort_index()
    pd.testing.assert_frame_equal(reloaded, df.set_index("key").sort_index())


def test_polling_alone_finishes_every_job(fresh_sandbox: Any, make_client: Any) -> None:
    client = make_client(fresh_sandbox, callbacks=False)
    sweep = client.sweep(
        "tulips", grid={"cfg": [3, 6, 9, 12]}, seeds=[1, 2, 3, 4, 5], experiment="polled", **SMALL
    )
    sweep.wait(timeout=60)
    assert all(j.status_name == "success" for j in sweep) and len(sweep) == 20
    counts = fresh_sandbox.counters()
    assert counts["callbacks"]["sent"] == 0
    assert counts["requests"]["GET /ai/info"] == 20  # one detail read per artwork
    assert counts["requests"]["POST /ai/generating_info"] >= 1


def test_running_the_same_sweep_again_resumes_it(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    first = client.sweep("dunes", grid={"cfg": [4, 8]}, experiment="again", **SMALL).wait(30)
    creates = sandbox.counters()["creates"]
    second = client.sweep("dunes", grid={"cfg": [4, 8]}, experiment="again", **SMALL).wait(30)
    assert sandbox.counters()["creates"] == creates
    assert [j.key for j in second] == [j.key for j in first]
    with pytest.raises(InvalidArgument, match="another plan"):
        client.sweep("dunes", grid={"cfg": [5]}, experiment="again", **SMALL)


def test_over_budget_sweep_is_refused_before_any_create(
    fresh_sandbox: Any, make_client: Any
) -> None:
    client = make_client(fresh_sandbox)
    with pytest.raises(BudgetExceeded, match="nothing was submitted"):
        client.sweep(
            "x", grid={"steps": [20, 60]}, seeds=[1, 2, 3], experiment="pricey", budget=5, **SMALL
        )
    counts = fresh_sandbox.counters()
    assert counts["creates"] == 0 and counts["requests"]["POST /ai/price_info"] >= 1


def test_budget_stops_submitting_before_passing_it(fresh_sandbox: Any, make_client: Any) -> None:
    client = make_client(fresh_sandbox)
    price = client.wujie.price_info("x", **SMALL).total
    sweep = client.runner.call(
        client.runner.sweep(
            "x", grid={"cfg": [1, 2, 3, 4, 5, 6]}, experiment="capped", budget=price * 6, **SMALL
        )
    )
    assert len(sweep) == 6  # exactly the budget: everything fits
    sweep.wait(30)
    assert sweep.cost <= price * 6


def test_running_out_of_credits_stops_cleanly(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory(balance=10)
    client = make_client(srv)
    sweep = client.sweep("x", grid={"cfg": list(range(1, 13))}, experiment="broke", **SMALL)
    sweep.wait(30)
    assert sweep.stopped_reason is not None and "credits ran out" in sweep.stopped_reason
    assert len(sweep) == 5 and all(j.status_name == "success" for j in sweep)  # 5 x 2 credits
    assert srv.counters()["balance"] == 0
    assert len(client.runner.ledger.jobs("broke")) == 5


def test_fault_plan_sweep_ends_terminal_without_duplicates(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory()
    client = make_client(srv, reconcile_after=2.0)
    srv.set_faults(
        {
            "seed": 7,
            "rules": [
                {"kind": "5xx", "rate": 0.10},
                {"kind": "429", "rate": 0.05, "retry_after": 0.1},
                {"kind": "reset", "rate": 0.02},
            ],
        }
    )
    grid = GRID_200
    sweep = client.sweep("a stormy sea", grid=grid, seeds=[1, 2], experiment="faulty", **SMALL)
    sweep.wait(timeout=180)
    srv.set_faults(None)
    assert sweep.stopped_reason is None
    assert len(sweep) == 200 and all(j.done for j in sweep)
    assert {j.status_name for j in sweep} == {"success"}
    fired = srv.counters()["faults"]
    assert fired.get("5xx", 0) > 0 and fired.get("429", 0) > 0 and fired.get("reset", 0) > 0
    artworks = {a["key"]: a for a in srv.artworks()["artworks"]}
    assert len(artworks) == 200  # one artwork per combination, none created twice
    combos = Counter((j.record["cfg"], j.record["steps"], j.record["seed"]) for j in sweep)
    assert len(combos) == 200
    ledger = {r.key: r.record for r in client.runner.ledger.jobs("faulty")}
    assert set(ledger) == set(artworks)
    for key, rec in ledger.items():
        assert rec["status"] == artworks[key]["status"]
        art = artworks[key]
        assert rec["integral_cost"] == art["cost_charged"] - art["cost_refunded"]


def test_cancel_while_queued_is_refunded(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory(gpus=1, speed=20)
    client = make_client(srv)
    first = client.generate("[slow] a long one", **SMALL)[0]
    queued = client.generate("waits its turn", **SMALL)[0]
    queued.cancel()
    assert queued.done and queued.status is ArtworkStatus.CANCELLED and queued.refunded
    assert queued.cost == 0 and queued.record["integral_cost_message"] == "积分已退还"
    with pytest.raises(NotCancellable):
        first.wait(60).cancel()


def test_failure_is_refunded_and_nsfw_flagged(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    failed = client.generate("[fail] broken", **SMALL)[0].wait(30)
    assert failed.failed and failed.refunded and failed.fail_message
    assert failed.status is ArtworkStatus.FAILED
    nsfw = client.generate("[nsfw] flagged", **SMALL)[0].wait(30)
    assert nsfw.nsfw and nsfw.status is ArtworkStatus.SUCCESS
    block = client.generate("[block] audited", **SMALL)[0].wait(30)
    assert block.audit is not None and block.audit.value == "BLOCK"


def test_midjourney_task_buttons_and_seed(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    task = client.mj.imagine("pig --v 6.1").wait(60)
    assert task.status_name == "success" and task.picture_url
    labels = {b.label for b in task.buttons}
    assert {"U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"} <= labels
    child = task.press("V1").wait(60)
    assert child.action == "VARIATION" and child.status_name == "success"
    assert child in task.children and child.parent is task
    assert task.seed().isdigit()
    with pytest.raises(InvalidArgument):
        task.press("U9")
    assert task.record["status"] == 4 and task.record["backend"] == "mj"


def test_avatar_create_tracks_each_template(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    res = client.avatar.default_resource()
    assert res.avatar_key and res.template_options
    templates = [(t.template_key, 2) for t in res.template_options[:2] if t.template_key]
    jobs = client.avatar.create(res.avatar_key, "night city", templates=templates).wait(60)
    assert len(jobs) == 4 and all(j.status_name == "success" for j in jobs)


def test_load_unknown_experiment_names_the_known_ones(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    client.sweep("x", grid={"cfg": [3]}, experiment="known", **SMALL).wait(30)
    with pytest.raises(LedgerError, match="known"):
        client.load("missing")
    assert wjnb.experiments(str(client.runner.ledger.home))["name"].tolist() == ["known"]


def test_sweep_survives_unreadable_replies_on_every_route(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    """Truncated JSON, HTML pages and replies that are no envelope on every route (price,
    create, polls, details), besides 5xx, 429 and resets before and after processing: the
    sweep finishes, and the ledger holds exactly the sandbox's artworks (reads are retried,
    creates reconciled)."""
    srv = sandbox_factory()
    client = make_client(srv, reconcile_after=5.0)
    every = ["/ai/*"]
    srv.set_faults(
        {
            "seed": 11,
            "rules": [  # the first price read is truncated: it used to sink the whole sweep
                {"kind": "malformed", "routes": ["/ai/price_info"], "times": 1},
                {"kind": "reset_after", "rate": 0.05},
                {"kind": "malformed", "rate": 0.08, "routes": every},
                {"kind": "html", "rate": 0.08, "routes": every},
                {"kind": "junk", "rate": 0.05, "routes": every},
                {"kind": "5xx", "rate": 0.06},
                {"kind": "429", "rate": 0.04, "retry_after": 0.1},
                {"kind": "reset", "rate": 0.03},
            ],
        }
    )
    grid = {"cfg": [3, 5, 7, 9], "steps": [8, 12, 16]}
    sweep = client.sweep("a stormy sea", grid=grid, seeds=[1, 2], experiment="unreadable", **SMALL)
    sweep.wait(timeout=180)
    srv.set_faults(None)
    fired = srv.counters()["faults"]
    assert all(fired.get(kind, 0) > 0 for kind in ("malformed", "html", "junk", "reset_after")), (
        fired
    )
    assert {j.status_name for j in sweep} == {"success"}
    artworks = {a["key"]: a for a in srv.artworks()["artworks"]}
    ledger = {r.key: r.record for r in client.runner.ledger.jobs("unreadable")}
    assert set(ledger) == set(artworks) and len(ledger) == 24  # nothing lost, nothing twice
    for key, rec in ledger.items():
        assert rec["status"] == artworks[key]["status"]


def test_a_sweep_can_vary_the_prompt_and_the_model(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    grid = {"prompt": ["a red fox", "a white hare"], "model": [1, 3]}
    sweep = client.sweep(None, grid=grid, seeds=[5], experiment="prompt-model", **SMALL)
    sweep.wait(timeout=60)
    made = {(j.record["prompt"], j.record["model"]) for j in sweep}
    assert made == {("a red fox", 1), ("a red fox", 3), ("a white hare", 1), ("a white hare", 3)}
    frame = sweep.to_dataframe()
    assert {"prompt", "model", "seed"} <= set(frame.columns)
    assert client.sweep(None, grid=grid, seeds=[5], experiment="prompt-model", **SMALL) is not None
    assert (
        len(client.runner.ledger.requests("prompt-model")) == 4
    )  # run again: resumed, not re-sent


def test_studio_work_is_an_experiment(sandbox: Any, make_client: Any) -> None:
    from wjnb.widgets import Studio

    client = make_client(sandbox)
    studio = Studio(client)
    studio.prompt.value = "a lighthouse"
    studio.submit()
    assert studio.sending is not None
    jobs = studio.sending.result(timeout=30)
    assert jobs is not None and jobs.experiment == "studio"
    jobs.wait(timeout=30)
    assert [j.key for j in studio.jobset] == [j.key for j in jobs]
    table = wjnb.experiments(str(client.runner.ledger.home))
    assert table["name"].tolist() == ["studio"]


def test_a_midjourney_sweep_varies_the_prompt(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    grid = {"prompt": ["a pig in a hat", "a cow in a boat"]}
    sweep = client.mj.sweep(None, grid=grid, experiment="mj-prompts")
    sweep.wait(timeout=60)
    assert all(j.kind == "mj" and j.status_name == "success" for j in sweep)
    assert sorted(j.record["prompt"] for j in sweep) == sorted(grid["prompt"])
    assert [r.route for r in client.runner.ledger.requests("mj-prompts")] == [
        "/mj/submit/imagine"
    ] * 2
