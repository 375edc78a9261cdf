"""Pro artworks, upscales, describes and prompt optimisations over loopback: submit, live
card, finished card, DataFrame row, and resume after a simulated kernel restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wjnb
from wjnb import html, widgets
from wjnb.jobs import Job, JobSet, PollPolicy
from wjnb.widgets.style import CARD_WIDTH

SMALL = {"width": 256, "height": 256}
PRO = {
    "model_code": 101,
    **SMALL,
    "advanced_param": {"cfg": 7.0, "sampler_steps": 12, "seed": "5"},
    "control_net_params": None,
}


def _picture(client: wjnb.Client) -> str:
    """The URL of a finished artwork, the source of upscales and describes."""
    job = client.generate("a red lighthouse on a cliff", **SMALL)[0].wait(30)
    assert job.picture_url
    return job.picture_url


def _body(kind: str, client: wjnb.Client) -> dict[str, Any]:
    if kind == "pro":
        return {"prompt": "a misty pine forest", **PRO}
    if kind == "upscale":
        return {"url": _picture(client), "multiple": 2}
    if kind == "describe":
        return {"image_url": _picture(client)}
    return {"original": "cat on a roof", "type": 1, "language": 1}


def _sent(srv: Any, kind: str) -> int:
    """Creates of ``kind`` the sandbox received (prompt optimisation counts its submits)."""
    if kind == "optimize":
        return int(srv.counters()["requests"].get("POST /ai/optimize/prompt/submit", 0))
    return sum(1 for j in srv.artworks()["jobs"] if j["kind"] == _SANDBOX_KIND[kind])


_SANDBOX_KIND = {"pro": "pro", "upscale": "supersize", "describe": "spell_analysis"}


def _check_result(job: Job, kind: str) -> None:
    rec = job.record
    assert rec["kind"] == kind and rec["status_name"] == job.status_name
    if kind == "pro":
        assert job.picture_url and rec["model_code"] == 101 and rec["cfg"] == 7.0
        assert rec["steps"] == 12 and rec["pro_seconds"] > 0
        assert job.image().size == (256, 256)
    elif kind == "upscale":
        assert rec["multiple"] == 2.0 and rec["integral_cost"] > 0
        assert job.image().size == (512, 512)  # really larger
    elif kind == "describe":
        assert rec["tags"] and rec["image_url"]
    else:
        assert rec["optimized_prompt"].startswith(rec["prompt"]) and rec["language"] == 1


@pytest.mark.parametrize("kind", ["pro", "upscale", "describe", "optimize"])
def test_kind_submit_card_row_and_resume(
    kind: str,
    sandbox_factory: Callable[..., Any],
    make_client: Any,
    tmp_path: Path,
    wait_for: Callable[..., None],
) -> None:
    srv = sandbox_factory(speed=10)  # slow enough to see the live card first
    home = tmp_path / "kernel"
    first = make_client(srv, home=home)
    body = _body(kind, first)
    done = first.create(kind, body, experiment=f"{kind}-done")[0]
    card = widgets.card_view(done)
    assert not done.done and "<img" not in card.static_html()  # live card: status first
    done.wait(30)
    _check_result(done, kind)
    wait_for(lambda: done.thumbnail_ready or not done.picture_url, "settled", done)
    static = html.card_html(done)
    if kind in ("pro", "upscale"):
        assert "<img" in static
        wait_for(lambda: card.shown() is not None, "card picture", done)
    else:
        text = done.record["tags"] if kind == "describe" else done.record["optimized_prompt"]
        assert html.esc(text) in static and html.esc(text) in card.placeholder.value
        assert f"height:{CARD_WIDTH}px" in card.placeholder.value  # fills the picture area
    frame = JobSet.to_dataframe(first.load(f"{kind}-done"))
    assert frame["kind"].tolist() == [kind] and frame["key"].tolist() == [done.key]

    first.close()

    # a kernel restart before the job was seen finishing (this kernel never polls it)
    blind = make_client(srv, home=home, callbacks=False, poll=PollPolicy(first_poll=600))
    key = blind.create(kind, _body_again(kind, body), experiment=f"{kind}-resume")[0].key
    blind.close()
    sent = _sent(srv, kind)
    second = make_client(srv, home=home)
    assert [(r.key, r.done) for r in second.runner.ledger.jobs(f"{kind}-resume")] == [(key, False)]
    resumed = wjnb.load(f"{kind}-resume", client=second)
    assert [j.key for j in resumed] == [key]
    resumed.wait(30)
    _check_result(resumed[0], kind)
    assert _sent(srv, kind) == sent  # resumed, not re-submitted
    again = wjnb.load(f"{kind}-done", client=second)[0]
    assert again.done and again.record["kind"] == kind and again.status_name == done.status_name


def _body_again(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """A second create of the same kind (another prompt: a new task)."""
    if kind == "pro":
        return {**body, "prompt": "a misty birch forest"}
    if kind == "optimize":
        return {**body, "original": "dog in the snow"}
    return body


def test_chains_keep_their_parent_through_a_restart(
    sandbox_factory: Callable[..., Any], make_client: Any, tmp_path: Path
) -> None:
    srv = sandbox_factory()
    home = tmp_path / "kernel"
    first = make_client(srv, home=home)
    art = first.generate("a harbour at night", experiment="chain", **SMALL)[0].wait(30)
    assert set(art.actions) == {"upscale", "describe", "animate"}
    big = art.upscale(2)
    tags = art.describe()
    assert big.parent is art and tags.parent is art and art.children == [big, tags]
    big.wait(30)
    tags.wait(30)
    assert big.image().size == (512, 512) and tags.record["tags"]
    assert big.upscale(2).wait(30).image().size == (1024, 1024)  # a chain of chains
    first.close()
    second = make_client(srv, home=home)
    jobs = second.load("chain")
    frame = jobs.to_dataframe()
    lineage = frame.groupby("parent_key", dropna=True)["kind"].apply(sorted).to_dict()
    assert lineage == {art.key: ["describe", "upscale"], big.key: ["upscale"]}
    loaded = {j.key: j for j in jobs}
    assert loaded[big.key].parent is loaded[art.key]


def test_pro_sweep_over_nested_fields(sandbox: Any, make_client: Any) -> None:
    client = make_client(sandbox)
    grid = {
        "advanced_param.cfg": [4.0, 9.0],
        "control_net_params[0].control_weight": [1, 2],
    }
    source = _picture(client)
    unit = {"type": 1, "preprocessor": 1, "model": 1, "image_url": source}
    sweep = client.sweep(
        "a quiet bay",
        grid=grid,
        experiment="pro-nested",
        kind="pro",
        **{**PRO, "control_net_params": [unit]},
    ).wait(60)
    assert len(sweep) == 4 and {j.status_name for j in sweep} == {"success"}
    frame = sweep.to_dataframe()
    assert sorted(zip(frame["cfg"], frame["control_weight"], strict=True)) == [
        (4.0, 1), (4.0, 2), (9.0, 1), (9.0, 2),
    ]  # fmt: skip
    assert (frame["advanced_param.cfg"] == frame["cfg"]).all()
    assert set(frame["kind"]) == {"pro"}
    assert sweep.grid("advanced_param.cfg", "control_net_params[0].control_weight") is not None


def test_unknown_status_counts_as_running(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    """Statuses no enum knows are read as "still running", not as an end; the job finishes
    on a later, readable poll. The create shares the batch poll's path: the rule garbles it
    (it has no status to garble) and then the first two polls."""
    srv = sandbox_factory()
    client = make_client(srv, callbacks=False)
    url = _picture(client)
    srv.set_faults(
        {
            "rules": [
                {"kind": "garbage", "variant": "status", "routes": ["/ai/supersize"], "times": 3}
            ]
        }
    )
    job = client.create("upscale", {"url": url, "multiple": 2})[0]
    job.wait(30)
    assert srv.counters()["faults"].get("garbage") == 3
    assert job.status_name == "success" and not job.error and job.image().size == (512, 512)
