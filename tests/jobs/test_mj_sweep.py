"""Midjourney sweeps: any ``--`` parameter as an axis, a task-count budget, an automatic
follow-up (``then="U1"``) with its lineage, and a resume that sends nothing again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import wjnb
import wjnb.sandbox
from wjnb.errors import BudgetExceeded, InvalidArgument

GRID = {"--stylize": [50, 250], "--chaos": [0, 50]}
WAIT = 120.0


@pytest.fixture
def proxy() -> Iterator[wjnb.sandbox.Sandbox]:
    srv = wjnb.sandbox.start(speed=400, seed=2, faults="", mj_flavor="plus")
    yield srv
    srv.stop()


def _client(srv: wjnb.sandbox.Sandbox, home: Path) -> wjnb.Client:
    return wjnb.Client(home=home, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token)


def _submits(srv: wjnb.sandbox.Sandbox) -> int:
    """Tasks the proxy made (the flavour probe's request makes none)."""
    return len(srv.artworks()["tasks"])


def test_a_parameter_sweep_with_upscales_and_a_task_budget(
    proxy: wjnb.sandbox.Sandbox, tmp_path: Path
) -> None:
    with _client(proxy, tmp_path) as client:
        with pytest.raises(BudgetExceeded, match="needs 8 tasks"):
            client.mj.sweep("a lighthouse", grid=GRID, experiment="s", max_tasks=7, then="U1")
        with pytest.raises(InvalidArgument):
            client.mj.sweep("a lighthouse", grid={"--ar": ["3:2 --tile"]}, experiment="bad")
        assert _submits(proxy) == 0

        sweep = client.mj.sweep("a lighthouse", grid=GRID, experiment="s", max_tasks=8, then="U1")
        sweep.wait(timeout=WAIT)
        assert _submits(proxy) == 8
        frame = sweep.to_dataframe()
        grids = frame[frame["action"] == "IMAGINE"]
        upscales = frame[frame["action"] == "UPSCALE"]
        assert len(grids) == 4 and len(upscales) == 4
        assert set(upscales["parent_id"]) == set(grids["key"])
        assert set(upscales["button"]) == {"U1"} and set(upscales["depth"]) == {1}
        assert (frame["status_name"] == "success").all()
        prompts = {t.task.prompt for t in sweep if t.label is None and t.task is not None}
        assert "a lighthouse --stylize 250 --chaos 50" in prompts
        assert len(prompts) == 4

    with _client(proxy, tmp_path) as again:  # the same cell run again: resumed, nothing sent
        resumed = again.mj.sweep("a lighthouse", grid=GRID, experiment="s", max_tasks=8, then="U1")
        resumed.wait(timeout=WAIT)
        assert len(resumed) == 8
        assert _submits(proxy) == 8
