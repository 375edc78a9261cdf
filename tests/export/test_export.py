"""Exports against real services: a 36-artwork sweep to a live MLflow server and to an
imagefolder that ``datasets.load_dataset`` reads back; the missing-extra errors."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import mlflow
import pytest
from mlflow import MlflowClient
from PIL import Image

import wjnb

GRID = {"cfg": [4, 7, 10], "steps": [10, 20, 30]}
SEEDS = [1, 2, 3, 4]  # 3 x 3 x 4 = 36 artworks
SMALL = {"width": 256, "height": 256}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def client(sandbox: Any, home: Path) -> Iterator[wjnb.Client]:
    with wjnb.Client(sandbox=sandbox, home=home) as made:
        yield made


@pytest.fixture(scope="module")
def sweep(client: wjnb.Client) -> wjnb.JobSet:
    """A finished 36-artwork sweep over cfg x steps x seed."""
    jobs = client.sweep(
        "a lighthouse at dusk", grid=GRID, seeds=SEEDS, experiment="export-36", **SMALL
    )
    jobs.wait(timeout=120)
    assert len(jobs) == 36 and all(j.status_name == "success" for j in jobs)
    return jobs


def _picture(job: wjnb.Job | wjnb.MjTask) -> bytes:
    url = job.picture_url
    assert url is not None
    data = job.client.runner.images.cached(url)
    assert data is not None
    return bytes(data)


def test_mlflow_export_twice_creates_36_runs_once(
    sweep: wjnb.JobSet, home: Path, mlflow_uri: str, tmp_path: Path
) -> None:
    first = sweep.to_mlflow(tracking_uri=mlflow_uri)
    assert first.created == 36 and len(first.run_ids) == 36
    ml = MlflowClient(tracking_uri=mlflow_uri)
    one = first.run_ids[sweep[0].key]
    ml.update_run(one, status="RUNNING")  # as if an export died before ending this run

    second = sweep.to_mlflow(tracking_uri=mlflow_uri)
    assert second.parent_run_id == first.parent_run_id
    assert second.created == 1  # only the interrupted run is redone
    assert second.run_ids[sweep[0].key] != one
    assert {k: v for k, v in second.run_ids.items() if k != sweep[0].key} == {
        k: v for k, v in first.run_ids.items() if k != sweep[0].key
    }

    mlflow.set_tracking_uri(mlflow_uri)
    runs = mlflow.search_runs(experiment_names=["export-36"])
    assert len(runs) == 37  # 36 artworks + the parent; the interrupted run is deleted
    children = runs[runs["tags.mlflow.parentRunId"] == first.parent_run_id]
    assert len(children) == 36 and set(children["status"]) == {"FINISHED"}
    by_key = children.set_index("tags.wjnb.key")
    for job in sweep:
        row, rec = by_key.loc[job.key], job.record
        assert row["run_id"] == second.run_ids[job.key]
        assert float(row["params.cfg"]) == rec["cfg"] and row["params.steps"] == str(rec["steps"])
        assert row["params.seed"] == str(rec["seed"]) and row["params.prompt"] == rec["prompt"]
        assert row["metrics.gen_s"] == rec["gen_s"] and row["metrics.queue_s"] == rec["queue_s"]
        assert row["metrics.integral_cost"] == rec["integral_cost"] > 0
        assert row["metrics.power_consumption"] == rec["power_consumption"]
        assert row["tags.gpu_type"] == rec["gpu_type"] and row["tags.status_name"] == "success"
        assert row["tags.wjnb.axes"] == "cfg,steps,seed"
        texts = " ".join(str(v) for k, v in row.items() if k.startswith(("params.", "tags.")))
        assert "/cb/" not in texts and "notify" not in texts  # callback secrets stay home
    parent = runs[runs["run_id"] == first.parent_run_id].iloc[0]
    assert parent["params.grid.cfg"] == "[4, 7, 10]" and parent["metrics.artworks"] == 36
    assert parent["metrics.credits"] == sweep.cost > 0

    for job in (sweep[0], sweep[35]):
        run_id = second.run_ids[job.key]
        got = Path(ml.download_artifacts(run_id, f"images/{job.key}.png", str(tmp_path)))
        assert got.read_bytes() == _picture(job)
        thumb = Path(ml.download_artifacts(run_id, f"images/{job.key}-thumb.jpg", str(tmp_path)))
        assert thumb.read_bytes()[:2] == b"\xff\xd8"
    sheet = Image.open(ml.download_artifacts(first.parent_run_id, "grid.png", str(tmp_path)))
    assert sheet.format == "PNG" and sheet.width > 3 * 100 and sheet.height > 3 * 100

    # The command line exports the same experiment from the ledger: nothing new.
    command = [sys.executable, "-m", "wjnb", "mlflow", "export-36", "--home", str(home)]
    command += ["--tracking-uri", mlflow_uri]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True).stdout
    assert "36 runs" in out and "0 new" in out
    assert len(mlflow.search_runs(experiment_names=["export-36"])) == 37


def test_dataset_round_trips_through_load_dataset(sweep: wjnb.JobSet, tmp_path: Path) -> None:
    for metadata in ("jsonl", "parquet"):
        folder = tmp_path / metadata
        ds = sweep.to_dataset(folder, metadata=metadata)
        assert (folder / f"metadata.{metadata}").exists()
        again = datasets.load_dataset("imagefolder", data_dir=str(folder), split="train")
        assert again.num_rows == ds.num_rows == 36
        rows = {row["key"]: row for row in again}
        for job in sweep:
            row, rec = rows[job.key], job.record
            for column in ("cfg", "steps", "seed", "gen_s", "status_name", "experiment"):
                assert row[column] == rec[column], column
            assert row["request_id"] == job.request_id and row["parent_key"] is None
            assert row["image"].tobytes() == Image.open(io.BytesIO(_picture(job))).tobytes()


def test_dataset_leaves_out_jobs_without_a_picture(client: wjnb.Client, tmp_path: Path) -> None:
    good = client.generate("a quiet harbour", num=2, width=256, height=256)
    failed = client.generate("a harbour [fail]", num=1, width=256, height=256)
    jobs = wjnb.JobSet(client.runner, [*good, *failed]).wait(timeout=60)
    assert [j.status_name for j in jobs].count("success") == 2 and jobs[2].failed
    ds = jobs.to_dataset(tmp_path / "ds")
    assert sorted(ds["key"]) == sorted(j.key for j in jobs[:2])
    assert sorted(p.name for p in (tmp_path / "ds").glob("*.png")) == sorted(
        f"{j.key}.png" for j in jobs[:2]
    )


def test_dataset_keeps_midjourney_lineage(client: wjnb.Client, tmp_path: Path) -> None:
    grid = client.mj.imagine("a paper boat --v 6.1").wait(60)
    upscale = grid.press("U2").wait(60)
    ds = wjnb.JobSet(client.runner, [grid, upscale]).to_dataset(tmp_path / "mj")
    rows = {row["key"]: row for row in ds}
    assert set(rows) == {grid.id, upscale.id}
    assert rows[upscale.id]["parent_key"] == grid.id and rows[grid.id]["parent_key"] is None
    assert rows[upscale.id]["backend"] == "mj"
    metadata = (tmp_path / "mj" / "metadata.jsonl").read_text()
    assert "/cb/" not in metadata and "notify" not in metadata  # callback secrets stay home


@pytest.mark.parametrize(
    ("module", "call"),
    [
        ("mlflow", lambda jobs, tmp: jobs.to_mlflow(tracking_uri="http://127.0.0.1:9")),
        ("datasets", lambda jobs, tmp: jobs.to_dataset(tmp / "never")),
    ],
)
def test_missing_extra_is_named(
    module: str, call: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the package were not installed
    with pytest.raises(ImportError, match=rf"pip install 'wjnb\[{module}\]'"):
        call(wjnb.JobSet(host=None, experiment="e"), tmp_path)  # type: ignore[arg-type]
    assert not (tmp_path / "never").exists()
