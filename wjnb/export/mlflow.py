"""Finished jobs as MLflow runs: one parent run per set (a sweep), one child run per artwork.

A child run holds the create parameters and sweep axes as params, timings, cost, power and
the NSFW flag as metrics, status, GPU, audit and lineage as tags, and the picture and its
thumbnail as artifacts under ``images/``; the parent holds the sweep grid as params, the
totals as metrics and the labelled grid PNG. Export is idempotent: runs carry the set's
id and the artwork key as tags and are looked up before anything is created, so exporting
again adds only what finished since. Run ``python -m wjnb.export.mlflow --help`` (or
``wjnb mlflow``) to export an experiment from the ledger.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import math
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import PARAMETER_COLUMNS
from . import require
from .items import Item, collect

if TYPE_CHECKING:
    from ..jobs import JobSet

METRICS = ("queue_s", "gen_s", "integral_cost", "power_consumption", "involve_yellow")
TAGS = (
    "experiment",
    "status_name",
    "gpu_type",
    "machine_no",
    "audit_suggestion",
    "integral_cost_message",
    "fail_code",
    "fail_message",
    "picture_url",
)
#: MLflow's limits on a param value and a tag value (longer text is cut).
_PARAM_MAX, _TAG_MAX = 6000, 5000
_THREADS = 4


@dataclass(frozen=True)
class MlflowExport:
    """Where an export went: the experiment, the parent run, one run id per artwork key."""

    experiment_id: str
    parent_run_id: str
    run_ids: Mapping[str, str]
    created: int  # child runs created by this export (0 when exported before)


def to_mlflow(
    jobs: JobSet,
    *,
    experiment: str | None = None,
    tracking_uri: str | None = None,
) -> MlflowExport:
    """Log the set's finished jobs to MLflow (``experiment`` defaults to the set's name)."""
    mlflow = require("mlflow", "mlflow")
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    name = experiment or jobs.experiment or "wjnb"
    found = client.get_experiment_by_name(name)
    experiment_id = found.experiment_id if found else client.create_experiment(name)
    set_id = _set_id(jobs)
    parent = _parent_run(client, experiment_id, set_id, jobs)
    runs = _children(client, experiment_id, parent)
    new = collect(job for job in jobs if job.key not in runs)  # only these pictures are read
    with tempfile.TemporaryDirectory(prefix="wjnb-mlflow-") as tmp:
        with ThreadPoolExecutor(_THREADS) as pool:  # a run is a few small requests: overlap them
            made = list(
                pool.map(lambda i: _log_child(client, experiment_id, parent, set_id, i, tmp), new)
            )
        _update_parent(client, parent, jobs, Path(tmp) if new else None)
    with contextlib.redirect_stdout(io.StringIO()):  # MLflow prints two links per ended run
        for item, run_id in zip(new, made, strict=True):  # ended last: a RUNNING run is redone
            client.set_terminated(run_id, _run_status(item.record), end_time=_end(item))
            runs[item.key] = run_id
        client.set_terminated(parent)
    return MlflowExport(experiment_id, parent, runs, len(new))


def _set_id(jobs: JobSet) -> str:
    """A filter-safe id of the set: its experiment name, else its keys."""
    identity = jobs.experiment or ",".join(sorted(j.key for j in jobs))
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _search(client: Any, experiment_id: str, query: str) -> list[Any]:
    """Every live run matching ``query`` (all pages)."""
    runs: list[Any] = []
    token = None
    while True:
        page = client.search_runs([experiment_id], query, max_results=1000, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def _parent_run(client: Any, experiment_id: str, set_id: str, jobs: JobSet) -> str:
    """The set's parent run, created (with the sweep grid as params) on first export."""
    query = f"tags.`wjnb.set_id` = '{set_id}' and tags.`wjnb.role` = 'set'"
    for run in _search(client, experiment_id, query):
        return str(run.info.run_id)
    tags = {"wjnb.set_id": set_id, "wjnb.role": "set", "wjnb.experiment": jobs.experiment or ""}
    run = client.create_run(experiment_id, tags=tags, run_name=jobs.experiment or "wjnb jobs")
    params = {
        f"grid.{_name(axis)}": _text(values, _PARAM_MAX) for axis, values in jobs.axes.items()
    }
    prompts = {str(j.request.get("prompt")) for j in jobs if j.request.get("prompt")}
    if len(prompts) == 1:
        params["prompt"] = _text(prompts.pop(), _PARAM_MAX)
    _log(client, run.info.run_id, params=params)
    return str(run.info.run_id)


def _children(client: Any, experiment_id: str, parent: str) -> dict[str, str]:
    """Key -> run id of the parent's complete child runs; interrupted ones are deleted."""
    found: dict[str, str] = {}
    for run in _search(client, experiment_id, f"tags.`mlflow.parentRunId` = '{parent}'"):
        key = run.data.tags.get("wjnb.key")
        if key and run.info.status != "RUNNING":
            found[key] = run.info.run_id
        else:
            client.delete_run(run.info.run_id)
    return found


def _log_child(
    client: Any, experiment_id: str, parent: str, set_id: str, item: Item, tmp: str
) -> str:
    """One artwork's run (still RUNNING): params, metrics, tags, picture and thumbnail."""
    rec = item.record
    tags = {
        "mlflow.parentRunId": parent,
        "wjnb.set_id": set_id,
        "wjnb.key": item.key,
        "wjnb.axes": ",".join(item.axes),
        **{f"wjnb.{k}": v for k, v in item.lineage.items() if v},
        **{k: _text(rec.get(k), _TAG_MAX) for k in TAGS if rec.get(k) is not None},
    }
    run = client.create_run(
        experiment_id, start_time=_ms(rec.get("submitted_at")), tags=tags, run_name=_title(item)
    )
    run_id = str(run.info.run_id)
    params = {k: rec[k] for k in PARAMETER_COLUMNS if rec.get(k) is not None}
    for axis, value in item.axes.items():
        params.setdefault(_name(axis), value)
    metrics = {k: float(rec[k]) for k in METRICS if _number(rec.get(k))}
    texts = {k: _text(v, _PARAM_MAX) for k, v in params.items()}
    _log(client, run_id, params=texts, metrics=metrics, when=_end(item))
    if item.picture is not None and item.file_name is not None:
        _artifact(client, run_id, Path(tmp, item.file_name), item.picture)
    if item.thumbnail is not None:
        _artifact(client, run_id, Path(tmp, f"{item.key}-thumb.jpg"), item.thumbnail)
    return run_id


def _update_parent(client: Any, parent: str, jobs: JobSet, tmp: Path | None) -> None:
    """The set's totals (logged when they changed) and, given a folder, its grid PNG."""
    done = [j for j in jobs if j.done]
    totals = {
        "artworks": float(len(jobs)),
        "finished": float(len(done)),
        "succeeded": float(sum(1 for j in done if j.status_name == "success")),
        "credits": float(jobs.cost),
    }
    known = client.get_run(parent).data.metrics
    _log(client, parent, metrics={k: v for k, v in totals.items() if known.get(k) != v})
    grid = _grid_png(jobs) if tmp is not None else None
    if tmp is not None and grid is not None:
        _artifact(client, parent, tmp / "grid.png", grid, folder=None)


def _grid_png(jobs: JobSet) -> bytes | None:
    """The sweep's contact sheet over its first two axes (None for fewer than two)."""
    axes = list(jobs.axes)
    if len(axes) < 2:
        return None
    from .. import thumbs
    from ..widgets.grid import sheet_image

    return thumbs.png(sheet_image(jobs, axes[0], axes[1]))


def _log(
    client: Any,
    run_id: str,
    *,
    params: Mapping[str, str] | None = None,
    metrics: Mapping[str, float] | None = None,
    when: int | None = None,
) -> None:
    """Params and metrics in one request."""
    from mlflow.entities import Metric, Param

    stamp = when or int(time.time() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric(k, v, stamp, 0) for k, v in (metrics or {}).items()],
        params=[Param(k, v) for k, v in (params or {}).items()],
    )


def _artifact(
    client: Any, run_id: str, path: Path, data: bytes, folder: str | None = "images"
) -> None:
    """Upload ``data`` as the artifact ``folder/<path.name>``."""
    path.write_bytes(data)
    client.log_artifact(run_id, str(path), folder)
    path.unlink()


def _end(item: Item) -> int:
    """When the artwork finished, in MLflow's milliseconds (now when unknown)."""
    return _ms(item.record.get("completed_at")) or int(time.time() * 1000)


def _run_status(rec: Mapping[str, Any]) -> str:
    """FINISHED for a success, KILLED for a cancellation, FAILED otherwise."""
    name = rec.get("status_name")
    return {"success": "FINISHED", "cancelled": "KILLED"}.get(str(name), "FAILED")


def _title(item: Item) -> str:
    """A run name: the sweep cell (``cfg=4 steps=20 seed=1``), else the artwork key."""
    return " ".join(f"{k}={v}" for k, v in item.axes.items()) or item.key


def _name(axis: str) -> str:
    """An axis name as a valid MLflow key (letters, digits, ``_-. /``)."""
    return re.sub(r"[^\w\-. /]", "_", axis)


def _text(value: Any, limit: int) -> str:
    """A param or tag value: lists as JSON, all cut to MLflow's limit."""
    text = json.dumps(value) if isinstance(value, (list, tuple)) else str(value)
    return text[:limit]


def _number(value: Any) -> bool:
    """True for a finite number (what MLflow accepts as a metric)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _ms(seconds: Any) -> int | None:
    """Unix seconds as MLflow's milliseconds."""
    return int(seconds * 1000) if _number(seconds) else None


# --------------------------------------------------------------------------- command line


def main(argv: Iterable[str] | None = None) -> int:
    """``wjnb mlflow EXPERIMENT``: export an experiment from the ledger to MLflow."""
    parser = argparse.ArgumentParser(
        prog="wjnb mlflow", description="Export a wjnb experiment from the ledger to MLflow."
    )
    parser.add_argument("experiment", help="the experiment's name in the ledger")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI (default: MLFLOW_TRACKING_URI)")
    parser.add_argument("--mlflow-experiment", help="MLflow experiment name (default: the same)")
    parser.add_argument("--home", help="the ledger folder (default: WJNB_HOME or ./.wjnb)")
    args = parser.parse_args(None if argv is None else list(argv))
    import wjnb

    client = wjnb.Client(home=args.home)
    try:
        jobs = client.load(args.experiment)
        done = to_mlflow(jobs, experiment=args.mlflow_experiment, tracking_uri=args.tracking_uri)
    finally:
        client.close()
    waiting = sum(1 for j in jobs if not j.done)
    print(
        f"{len(done.run_ids)} runs in MLflow experiment {done.experiment_id}"
        f" (parent {done.parent_run_id}; {done.created} new, {waiting} not finished yet)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
