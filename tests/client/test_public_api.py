"""The public API, pinned: a name added, removed or renamed by accident shows up here.

Like httpx's exported-members test: change these lists only on purpose (and keep an old
name as a documented alias for a release when it is renamed).
"""

from __future__ import annotations

import wjnb
import wjnb.client
import wjnb.models


def _public(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def test_package_exports() -> None:
    assert sorted(wjnb.__all__) == [
        "AsyncClient",
        "Client",
        "Config",
        "Job",
        "JobSet",
        "Kind",
        "MjTask",
        "PollPolicy",
        "RetryPolicy",
        "RoutesClient",
        "Secret",
        "Studio",
        "WjnbError",
        "allow_nested_loops",
        "compare",
        "default_client",
        "errors",
        "experiments",
        "load",
    ]
    for name in wjnb.__all__:
        assert getattr(wjnb, name) is not None


def test_clients() -> None:
    assert _public(wjnb.Client) == [
        "backend",
        "close",
        "config",
        "create",
        "create_nowait",
        "experiment",
        "generate",
        "generate_nowait",
        "load",
        "register",
        "runner",
        "sandbox",
        "submit",
        "sweep",
    ]
    assert _public(wjnb.AsyncClient) == ["aclose", "backend", "sandbox"]
    assert _public(wjnb.RoutesClient) == ["backend", "close", "config", "sandbox"]


def test_jobs() -> None:
    assert _public(wjnb.Job) == [
        "accelerate",
        "act",
        "actions",
        "animate",
        "apply",
        "async_wait",
        "audit",
        "cancel",
        "chain_buttons",
        "client",
        "cost",
        "download",
        "eta_s",
        "fail",
        "fail_message",
        "failed",
        "finish",
        "image",
        "info",
        "kind",
        "media",
        "notify",
        "nsfw",
        "observe",
        "phase",
        "picture_url",
        "progress",
        "queue_position",
        "record",
        "refunded",
        "reload",
        "restore",
        "settle",
        "status",
        "status_name",
        "thumbnail",
        "wait",
    ]
    assert set(_public(wjnb.MjTask)) - set(_public(wjnb.Job)) == {
        "action",
        "buttons",
        "id",
        "imagine",
        "pan",
        "press",
        "prompts",
        "region_picker",
        "reroll",
        "seed",
        "task",
        "text",
        "tree",
        "upscale",
        "vary",
        "zoom",
    }
    assert _public(wjnb.JobSet) == [
        "add",
        "cancel",
        "cost",
        "count",
        "discard",
        "done",
        "gallery",
        "grid",
        "index",
        "observe",
        "progress",
        "records",
        "sort",
        "to_dataframe",
        "to_dataset",
        "to_mlflow",
        "wait",
    ]


def test_renamed_names_keep_their_old_alias() -> None:
    assert wjnb.client.Client is wjnb.RoutesClient  # the route-only client
    assert wjnb.models.MjTask is wjnb.models.MjTaskInfo  # the proxy's wire model
