"""wjnb.records: one flat JSON-ready row per artwork, from seed samples and synthetic replies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wjnb.models import (
    ArtworkInfo,
    ArtworkStatus,
    GeneratingInfo,
    MjStatus,
    MjTask,
    WujieCallback,
    repair_json,
)
from wjnb.records import COLUMNS, mj_record, status_name, wujie_record

DATA = Path(__file__).parent / "data"


def seed_json(name: str, marker: str) -> Any:
    """The JSON sample that starts at ``marker`` in a verbatim seed page."""
    text = (DATA / name).read_text(encoding="utf-8")
    start = text.index(marker)
    if name.startswith("000"):  # the /ai/info sample is not valid JSON as printed
        return repair_json(text[start:].strip())
    return json.JSONDecoder().raw_decode(text, start)[0]


def seed_info() -> ArtworkInfo:
    return ArtworkInfo.from_dict(seed_json("000_242facbe5867c460.txt", '{"code"')["data"])


def seed_callback() -> WujieCallback:
    return WujieCallback.from_dict(seed_json("001_f52c6a05665dcb4f.txt", '{\n"artwork_url"'))


def seed_task() -> MjTask:
    return MjTask.from_dict(seed_json("002_17e44db088adf9ea.txt", '{\n    "id"'))


SEED_000_ROW = {
    "key": "K000",
    "experiment": "seed",
    "backend": "wujie",
    "model": 1,
    "prompt": "The empty mountain is bathed in new rain, and the arrival of night makes "
    "people feel that it is early autumn.",
    "uc_prompt": "yz0eps",
    "width": 2048,
    "height": 2048,
    "steps": 77,
    "cfg": 16.2,
    "sampler_index": 1,
    "seed": "nnqty2",
    "num": 2,
    "status": 4,
    "status_name": "success",
    "submitted_at": 1667800436.0,
    "started_at": 1667800439.0,
    "completed_at": 1667800451.0,
    "queue_s": 3.0,
    "gen_s": 12.0,
    "integral_cost": 4,
    "integral_cost_message": "积分已扣除",
    "gpu_type": "NVIDIA Tesla V100-16GB",
    "machine_no": "IiFJclpG73",
    "power_consumption": 0.00098,
    "audit_suggestion": "PASS",
    "involve_yellow": 0,
    "fail_code": 0,
    "fail_message": "success",
    "picture_url": "https://cdn.wujiebantu.com/ai/081261CBAC6314F4758EEC5FD913CA61-01.png",
    "model_prompt": "The empty mountain is bathed in new rain, and the arrival of night makes "
    "people feel that it is early autumn.; sketch",
}

SEED_002_ROW = {
    "key": "1730621826053455",
    "experiment": None,
    "backend": "mj",
    "model": 7,
    "prompt": "pig --v 6.1",
    "uc_prompt": None,
    "width": None,
    "height": None,
    "steps": None,
    "cfg": None,
    "sampler_index": None,
    "seed": None,
    "num": None,
    "status": 4,
    "status_name": "success",
    "submitted_at": 1730621826.053,
    "started_at": 1730621828.024,
    "completed_at": 1730621855.817,
    "queue_s": 1.971,
    "gen_s": 27.793,
    "integral_cost": None,
    "integral_cost_message": None,
    "gpu_type": None,
    "machine_no": None,
    "power_consumption": None,
    "audit_suggestion": None,
    "involve_yellow": None,
    "fail_code": None,
    "fail_message": None,
    "picture_url": seed_task().image_url,
    "model_prompt": "pig --v 6.1",
}


def plain(value: object) -> bool:
    return value is None or type(value) in (str, int, float)


# --------------------------------------------------------------------------- Wujie


def test_seed_info_row_has_every_column_in_order_with_the_services_values() -> None:
    request = {"model": 1, "prompt": "ignored: info wins", "steps": 30, "cfg": 7, "num": 2}
    row = wujie_record("K000", request, info=seed_info(), experiment="seed")
    assert tuple(row) == COLUMNS
    assert row == SEED_000_ROW
    assert all(plain(v) for v in row.values())
    assert json.loads(json.dumps(row)) == row


def test_request_fills_what_the_service_has_not_reported() -> None:
    request = {
        "model": 3,
        "prompt": "a lighthouse",
        "uc_prompt": "blurry",
        "width": 768,
        "height": 512,
        "steps": np.int64(30),
        "cfg": np.float64(7.5),
        "sampler_index": 2,
        "seed": 42,
        "num": 4,
        "style_model": "ignored: not a column",
    }
    row = wujie_record("K1", request, submitted_at=1_700_000_000.25)
    assert tuple(row) == COLUMNS
    assert {k: row[k] for k in ("model", "prompt", "uc_prompt", "width", "height")} == {
        "model": 3,
        "prompt": "a lighthouse",
        "uc_prompt": "blurry",
        "width": 768,
        "height": 512,
    }
    assert (row["steps"], row["cfg"], row["sampler_index"], row["seed"], row["num"]) == (
        30,
        7.5,
        2,
        "42",
        4,
    )
    assert type(row["steps"]) is int and type(row["cfg"]) is float
    assert row["submitted_at"] == 1_700_000_000.25
    assert row["status"] is None and row["status_name"] is None
    assert row["started_at"] is row["completed_at"] is row["queue_s"] is row["gen_s"] is None
    assert json.loads(json.dumps(row)) == row


def test_generating_info_fills_an_unfinished_job_and_zero_times_mean_not_yet() -> None:
    generating = GeneratingInfo.from_dict(
        {
            "key": "K2",
            "status": 2,
            "start_gen_time": 1_700_000_010,
            "complete_time": 0,
            "complete_percent": 0.5,
            "integral_cost": 0,
            "integral_cost_message": "积分扣除中,请稍后查询",
            "audit_info": "",
        }
    )
    row = wujie_record("K2", {"prompt": "p"}, generating=generating, submitted_at=1_700_000_004.5)
    assert (row["status"], row["status_name"]) == (2, "generating")
    assert row["started_at"] == 1_700_000_010.0
    assert row["completed_at"] is None and row["gen_s"] is None
    assert row["queue_s"] == 5.5
    assert (row["integral_cost"], row["integral_cost_message"]) == (0, "积分扣除中,请稍后查询")
    assert row["audit_suggestion"] is None


def test_info_wins_over_generating_and_the_services_clock_over_the_clients() -> None:
    info = ArtworkInfo.from_dict(
        {"status": 4, "generate_time": 100, "start_gen_time": 110, "complete_time": 130}
    )
    generating = GeneratingInfo.from_dict({"status": 2, "start_gen_time": 105, "complete_time": 0})
    row = wujie_record("K", {}, info=info, generating=generating, submitted_at=99.0)
    assert (row["status"], row["submitted_at"], row["started_at"], row["completed_at"]) == (
        4,
        100.0,
        110.0,
        130.0,
    )
    assert (row["queue_s"], row["gen_s"]) == (10.0, 20.0)


def test_queued_info_reports_zero_times_as_missing() -> None:
    info = ArtworkInfo.from_dict(
        {"status": 1, "generate_time": 0, "start_gen_time": 0, "complete_time": 0}
    )
    row = wujie_record("K", {}, info=info, submitted_at=50.0)
    assert row["submitted_at"] == 50.0
    assert row["started_at"] is None and row["completed_at"] is None
    assert row["queue_s"] is None and row["gen_s"] is None


def test_failed_artwork_carries_its_fail_code_and_message() -> None:
    info = ArtworkInfo.from_dict(
        {
            "status": 12,
            "picture_url": "",
            "technology_info": None,
            "fail_message": {"fail_code": 3001, "fail_message": "<b>GPU</b> out of memory"},
            "integral_cost": 0,
            "integral_cost_message": "积分已退还",
        }
    )
    row = wujie_record("K", {}, info=info)
    assert (row["status"], row["status_name"]) == (12, "draw_failed")
    assert (row["fail_code"], row["fail_message"]) == (3001, "<b>GPU</b> out of memory")
    assert row["picture_url"] is None
    assert row["gpu_type"] is row["machine_no"] is row["power_consumption"] is None


@pytest.mark.parametrize(
    ("audit", "verdict"),
    [
        ('{"check_fail": true, "total_suggestion": "PASS"}', "BLOCK"),
        ('{"total_suggestion": "review"}', "REVIEW"),
        ({"scan_scene_d_t_o_s": [{"suggestion": "pass"}, {"suggestion": "block"}]}, "BLOCK"),
        ('{"vendor": 1, "result": "{}"}', None),
        ("", None),
    ],
)
def test_audit_suggestion_is_the_effective_verdict(audit: object, verdict: str | None) -> None:
    info = ArtworkInfo.from_dict({"status": 4, "audit_info": audit})
    assert wujie_record("K", {}, info=info)["audit_suggestion"] == verdict


def test_generating_audit_is_used_when_info_has_none() -> None:
    generating = GeneratingInfo.from_dict(
        {"status": 4, "audit_info": '{"total_suggestion":"REVIEW"}'}
    )
    info = ArtworkInfo.from_dict({"status": 4})
    assert wujie_record("K", {}, info=info, generating=generating)["audit_suggestion"] == "REVIEW"


def test_seed_callback_finishes_a_job_without_info() -> None:
    cb = seed_callback()
    row = wujie_record(cb.key or "", {"prompt": "夜幕下的赛博朋克城市"}, callback=cb)
    assert row["key"] == "EF8DF2DCF18D0D69F7F836A100C857AF"
    assert (row["status"], row["status_name"]) == (4, "success")
    assert row["completed_at"] == 1681109462.0
    assert (row["integral_cost"], row["integral_cost_message"]) == (2, "积分已扣除")
    assert (row["involve_yellow"], row["audit_suggestion"]) == (0, "PASS")
    assert (
        row["picture_url"]
        == "https://cdn.wujiebantu.com/ai/530FFE6722D2A2B4A9504166221AAB40-01.jpg"
    )
    assert row["prompt"] == "夜幕下的赛博朋克城市"


def test_failed_callback_maps_to_status_3() -> None:
    cb = WujieCallback.from_dict(
        {
            "key": "K",
            "success": False,
            "code": 1,
            "fail_message": {"fail_code": 7, "fail_message": "x"},
        }
    )
    row = wujie_record("K", {}, callback=cb)
    assert (row["status"], row["status_name"], row["fail_code"]) == (3, "failed", 7)


@pytest.mark.parametrize("status", list(ArtworkStatus))
def test_status_name_is_the_lowercase_enum_name(status: ArtworkStatus) -> None:
    row = wujie_record("K", {}, info=ArtworkInfo.from_dict({"status": int(status)}))
    assert (row["status"], row["status_name"]) == (int(status), status.name.lower())


def test_unknown_status_codes_are_kept_and_named_unknown() -> None:
    assert status_name(5) == "unknown"
    assert status_name(None) is None
    row = wujie_record("K", {}, info=ArtworkInfo.from_dict({"status": "99"}))
    assert (row["status"], row["status_name"]) == (99, "unknown")


# --------------------------------------------------------------------------- Midjourney


def test_seed_task_row_has_seconds_and_the_wujie_status_scale() -> None:
    row = mj_record(seed_task(), {})
    assert tuple(row) == COLUMNS
    assert row == SEED_002_ROW
    assert all(plain(v) for v in row.values())
    assert json.loads(json.dumps(row)) == row


def test_mj_request_fills_size_and_seed() -> None:
    request = {"prompt": "pig", "width": 1024, "height": 1024, "seed": 123, "num": 4}
    row = mj_record(seed_task(), request, experiment="mj-v6", backend="mj-relax")
    assert (row["width"], row["height"], row["seed"], row["num"]) == (1024, 1024, "123", 4)
    assert (row["experiment"], row["backend"], row["prompt"]) == (
        "mj-v6",
        "mj-relax",
        "pig --v 6.1",
    )


@pytest.mark.parametrize(
    ("mj", "code"),
    [
        (MjStatus.SUCCESS, 4),
        (MjStatus.FAILURE, 3),
        (MjStatus.CANCEL, -1),
        (MjStatus.IN_PROGRESS, 2),
        (MjStatus.SUBMITTED, 1),
        (MjStatus.NOT_START, 1),
        (MjStatus.MODAL, 1),
    ],
)
def test_mj_status_maps_to_wujie_codes_and_keeps_its_name(mj: MjStatus, code: int) -> None:
    row = mj_record(MjTask.from_dict({"id": "1", "status": mj.value}), {})
    assert (row["status"], row["status_name"]) == (code, mj.value.lower())


def test_unfinished_and_failed_mj_tasks() -> None:
    running = MjTask.from_dict(
        {"id": "2", "status": "IN_PROGRESS", "submitTime": 1000, "startTime": 3500, "finishTime": 0}
    )
    row = mj_record(running, {"prompt": "cat"})
    assert (row["submitted_at"], row["started_at"], row["completed_at"]) == (1.0, 3.5, None)
    assert (row["queue_s"], row["gen_s"], row["prompt"]) == (2.5, None, "cat")
    failed = MjTask.from_dict({"id": "3", "status": "FAILURE", "failReason": "banned prompt"})
    row = mj_record(failed, {})
    assert (row["status"], row["fail_code"], row["fail_message"]) == (3, None, "banned prompt")
    odd = mj_record(MjTask.from_dict({"id": "4", "status": "PAUSED"}), {})
    assert (odd["status"], odd["status_name"]) == (None, "unknown")


# --------------------------------------------------------------------------- any reply

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
INFO_FIELDS = [
    "status",
    "generate_time",
    "start_gen_time",
    "complete_time",
    "width",
    "cfg",
    "seed",
    "audit_info",
    "technology_info",
    "fail_message",
    "integral_cost",
]
MJ_FIELDS = ["id", "status", "submitTime", "startTime", "finishTime", "imageUrl", "properties"]


@settings(max_examples=100, deadline=None)
@given(
    info=st.dictionaries(st.sampled_from(INFO_FIELDS), json_values),
    task=st.dictionaries(st.sampled_from(MJ_FIELDS), json_values),
    request=st.dictionaries(st.sampled_from(["model", "steps", "cfg", "seed", "num"]), json_values),
)
def test_any_reply_gives_a_complete_json_ready_row(
    info: dict[str, Any], task: dict[str, Any], request: dict[str, Any]
) -> None:
    rows = [
        wujie_record("K", request, info=ArtworkInfo.from_dict(info), submitted_at=1.0),
        mj_record(MjTask.from_dict(task), request),
    ]
    for row in rows:
        assert tuple(row) == COLUMNS
        assert all(plain(v) for v in row.values())
        assert json.loads(json.dumps(row, allow_nan=False)) == row
