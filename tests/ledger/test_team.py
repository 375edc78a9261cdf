"""Two clients (two homes, as two machines) on one ledger: budget, leases, images, migration."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import wjnb
from wjnb.http import RetryPolicy
from wjnb.ledger import Ledger

FAST_RETRY = RetryPolicy(max_retries=5, base=0.05, cap=0.5, retry_after_cap=1.0)


@pytest.fixture
def team(
    ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., wjnb.Client]]:
    """``team(sandbox, name)``: a client on this test's shared ledger, with its own home on
    PostgreSQL (as on another machine); SQLite is one machine, so there the home is shared."""
    monkeypatch.setenv("WJNB_LEDGER_URL", ledger_url)
    made: list[wjnb.Client] = []

    def make(sandbox: Any, name: str, **options: Any) -> wjnb.Client:
        options.setdefault("reconcile_after", 3.0)
        home = tmp_path / (name if ledger_url else "home")
        client = wjnb.Client(sandbox=sandbox, home=home, retry=FAST_RETRY, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    while _OBSERVERS:
        _OBSERVERS.pop().close()


GRID = {"cfg": [3, 5, 7, 9], "steps": [10, 20]}
_OBSERVERS: list[Ledger] = []


def observer(tmp_path: Path, ledger_url: str) -> Ledger:
    """A third view of the team's ledger, to check what the clients wrote."""
    ledger = Ledger(tmp_path / ("observer" if ledger_url else "home"), url=ledger_url)
    _OBSERVERS.append(ledger)
    return ledger


def test_two_kernels_loading_one_sweep_both_see_every_update(
    team: Callable[..., wjnb.Client], sandbox: Any, ledger_url: str, tmp_path: Path
) -> None:
    alice, bob = team(sandbox, "alice"), team(sandbox, "bob")
    creates = sandbox.counters()["creates"]
    mine = alice.sweep("a quiet harbour", grid=GRID, experiment="shared", width=256, height=256)
    theirs = bob.load("shared")  # another machine, same ledger: nothing is sent again
    assert {j.key for j in theirs} == {j.key for j in mine} and len(mine) == 8
    mine.wait(timeout=120)
    theirs.wait(timeout=120)
    assert all(j.done for j in theirs) and all(j.done for j in mine)
    assert [j.record["status_name"] for j in theirs] == [j.record["status_name"] for j in mine]
    assert sandbox.counters()["creates"] - creates == 8  # one create per combination
    ledger = observer(tmp_path, ledger_url)
    assert ledger.store.read(lambda c: c.query("SELECT COUNT(*) FROM leases")) == [(0,)]


def test_a_named_budget_holds_across_clients(
    team: Callable[..., wjnb.Client], sandbox: Any, ledger_url: str, tmp_path: Path
) -> None:
    alice, bob = team(sandbox, "alice"), team(sandbox, "bob")
    opts: dict[str, Any] = {"width": 256, "height": 256, "budget": 20, "budget_name": "team"}
    first = alice.sweep("a red kite", grid=GRID, experiment="kite-a", **opts)  # 8 x 2 credits
    second = bob.sweep("a blue kite", grid=GRID, experiment="kite-b", **opts)
    first.wait(timeout=120)
    second.wait(timeout=120)
    assert len(first) == 8 and len(second) == 2  # 16 + 4 = the 20 credits, not one more
    assert second.stopped_reason and "shared budget 'team' reached" in second.stopped_reason
    status = observer(tmp_path, ledger_url).budgets.status("team")
    assert status == {"cap": 20, "held": 0, "settled": 20, "free": 0}
    elsewhere = str(tmp_path / ("observer" if ledger_url else "home"))  # any member's view
    table = wjnb.experiments(home=elsewhere).set_index("name")
    assert table.loc[["kite-a", "kite-b"], "credits"].tolist() == [16, 4]
    both = wjnb.compare("kite-a", "kite-b", home=elsewhere)
    assert both.groupby("experiment", observed=True).size().to_dict() == {"kite-a": 8, "kite-b": 2}


def test_a_shared_image_folder_is_filled_once_and_refilled_when_a_picture_is_missing(
    team: Callable[..., wjnb.Client],
    sandbox: Any,
    ledger_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WJNB_IMAGES", str(tmp_path / "shared-images"))
    alice, bob = team(sandbox, "alice"), team(sandbox, "bob")
    job = alice.generate("a lighthouse", width=256, height=256, experiment="pic").wait()[0]
    url = job.picture_url
    assert url
    sha = observer(tmp_path, ledger_url).pictures.hash_of(url)
    blob = tmp_path / "shared-images" / sha[:2] / f"{sha}.img"  # type: ignore[index]
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha  # named by its content
    theirs = bob.load("pic")[0]
    assert theirs.image().size == job.image().size
    os.unlink(blob)  # another machine's cache lacks it: fetched again from the service
    assert bob.load("pic")[0].image().size == (256, 256)
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha
    assert not list((tmp_path / "shared-images").rglob("*.tmp"))


def test_migrate_copies_a_home_into_postgresql(
    sandbox: Any, pg_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WJNB_LEDGER_URL", raising=False)
    home = tmp_path / "solo"
    solo = wjnb.Client(sandbox=sandbox, home=home, retry=FAST_RETRY)
    solo.sweep("a fox", grid={"cfg": [4, 8]}, experiment="fox", width=256, height=256).wait(
        timeout=120
    )
    solo.close()
    target = pg_server.create_database("migrated").replace("wjnb@", "wjnb:s3cret@")
    env = {**os.environ, "WJNB_HOME": str(home)}
    env.pop("WJNB_LEDGER_URL", None)
    run = [sys.executable, "-m", "wjnb.ledger", "migrate", "--to", target]
    once = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "2 jobs" in once.stdout and "s3cret" not in once.stdout + once.stderr
    twice = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "0 jobs" in twice.stdout
    monkeypatch.setenv("WJNB_LEDGER_URL", target)
    table = wjnb.experiments(home=str(tmp_path / "elsewhere"))
    assert list(table["name"]) == ["fox"] and int(table["artworks"].iloc[0]) == 2
    ledger = Ledger(tmp_path / "elsewhere")
    assert "s3cret" not in repr(ledger) and "s3cret" not in ledger.where
    ledger.close()


class _PollLog:
    """Wraps a client's Wujie routes to note which keys its tracker polls."""

    def __init__(self, api: Any) -> None:
        self._api = api
        self.keys: set[str] = set()

    async def generating_info(self, keys: list[str]) -> Any:
        self.keys.update(keys)
        return await self._api.generating_info(keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


class _Routes:
    """A client's route namespaces with the Wujie one wrapped."""

    def __init__(self, api: Any, wujie: _PollLog) -> None:
        self._api = api
        self.wujie = wujie

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


def test_each_job_is_polled_by_one_kernel_and_both_see_it_end(
    team: Callable[..., wjnb.Client], sandbox: Any
) -> None:
    alice, bob = team(sandbox, "alice", callbacks=False), team(sandbox, "bob", callbacks=False)
    logs = []
    for client in (alice, bob):
        api = client.runner.tracker._api  # the routes every kind polls through
        log = _PollLog(api.wujie)
        client.runner.tracker._api = _Routes(api, log)  # type: ignore[assignment]
        logs.append(log)
    mine = alice.sweep("a windmill", grid=GRID, experiment="polls", width=256, height=256)
    theirs = bob.load("polls")
    mine.wait(timeout=120)
    theirs.wait(timeout=120)
    keys = {j.key for j in mine}
    assert all(j.done and j.status_name == "success" for j in [*mine, *theirs])
    assert logs[0].keys | logs[1].keys == keys  # every job was polled...
    assert logs[0].keys & logs[1].keys == set()  # ...by one kernel only
