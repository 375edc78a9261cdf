"""wjnb.frame: records -> typed DataFrames, summaries, pivots, comparison and experiments."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_frame_records import SEED_000_ROW, SEED_002_ROW, seed_callback, seed_info, seed_task

from wjnb.frame import (
    EXPERIMENT_SCHEMA,
    SCHEMA,
    compare,
    experiments_frame,
    experiments_from_records,
    pivot,
    summarize,
    to_dataframe,
)
from wjnb.records import COLUMNS, mj_record, wujie_record

UTC = "UTC"


def seed_rows() -> list[dict[str, Any]]:
    """The three seed samples as records, one with sweep-axis keys."""
    info_row = wujie_record("K000", {"num": 2}, info=seed_info(), experiment="seed")
    cb = seed_callback()
    callback_row = wujie_record(
        cb.key or "", {"model": 4, "prompt": "夜幕下的赛博朋克城市", "steps": 20}, callback=cb
    )
    callback_row |= {"experiment": "avatar", "style_model": "晨辉", "lora": 0.6}
    return [info_row, callback_row, mj_record(seed_task(), {"seed": 9}, experiment="mj")]


def dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {c: str(t) for c, t in df.dtypes.items()}


def assert_cell(col: str, got: Any, want: Any) -> None:
    """A frame cell equals its record value (None <-> missing, seconds <-> UTC time)."""
    if want is None:
        assert pd.isna(got), (col, got)
    elif SCHEMA.get(col, "").startswith("datetime64"):
        assert isinstance(got, pd.Timestamp) and str(got.tz) == UTC, (col, got)
        assert got.timestamp() == pytest.approx(want, abs=1e-6), col
    elif isinstance(want, float):
        assert got == pytest.approx(want), col
    else:
        assert got == want and not isinstance(got, type(pd.NA)), (col, got, want)


def assert_matches(df: pd.DataFrame, rows: list[dict[str, Any]]) -> None:
    assert len(df) == len(rows)
    for i, row in enumerate(rows):
        for col in df.columns:
            assert_cell(col, df[col].iloc[i], row.get(col))


# --------------------------------------------------------------------------- schema


def test_every_canonical_column_has_its_dtype_for_both_backends() -> None:
    df = to_dataframe(seed_rows())
    assert list(df.columns) == [*COLUMNS, "style_model", "lora"]
    assert {c: dtypes(df)[c] for c in COLUMNS} == dict(SCHEMA)
    assert dtypes(df)["style_model"] == "string" and dtypes(df)["lora"] == "Float64"
    wujie_only = to_dataframe(seed_rows()[:1])
    mj_only = to_dataframe(seed_rows()[2:])
    assert dtypes(wujie_only) == dtypes(mj_only) == dict(SCHEMA)


def test_the_dtype_families_the_issue_asks_for() -> None:
    df = to_dataframe(seed_rows())
    ints = ["model", "width", "height", "steps", "sampler_index", "num", "status",
            "integral_cost", "involve_yellow", "fail_code"]  # fmt: skip
    assert all(str(df[c].dtype) == "Int64" for c in ints)
    assert all(df[c].dtype == np.float64 for c in ["cfg", "queue_s", "gen_s", "power_consumption"])
    for col in ["submitted_at", "started_at", "completed_at"]:
        assert isinstance(df[col].dtype, pd.DatetimeTZDtype) and str(df[col].dt.tz) == UTC
    cats = ["backend", "status_name", "audit_suggestion", "integral_cost_message", "gpu_type",
            "experiment"]  # fmt: skip
    assert all(isinstance(df[c].dtype, pd.CategoricalDtype) for c in cats)
    texts = ["key", "prompt", "uc_prompt", "seed", "fail_message", "picture_url",
             "model_prompt", "machine_no"]  # fmt: skip
    assert all(isinstance(df[c].dtype, pd.StringDtype) for c in texts)
    assert df["status_name"].cat.categories.tolist() == ["success"]


def test_every_value_of_the_seed_rows() -> None:
    rows = seed_rows()
    df = to_dataframe(rows)
    assert_matches(df, rows)
    first = df.iloc[0]
    assert first["submitted_at"] == pd.Timestamp("2022-11-07 05:53:56", tz=UTC)
    assert first["started_at"] == pd.Timestamp("2022-11-07 05:53:59", tz=UTC)
    assert (first["queue_s"], first["gen_s"], first["cfg"]) == (3.0, 12.0, 16.2)
    mj = df.iloc[2]
    assert mj["completed_at"] == pd.Timestamp("2024-11-03 08:17:35.817", tz=UTC)
    assert (mj["backend"], mj["model"], mj["seed"]) == ("mj", 7, "9")
    assert pd.isna(mj["integral_cost"]) and pd.isna(mj["audit_suggestion"])
    cb = df.iloc[1]
    assert (cb["status"], cb["model"], cb["steps"], cb["style_model"]) == (4, 4, 20, "晨辉")
    assert pd.isna(cb["started_at"]) and pd.isna(cb["gen_s"])
    assert pd.isna(df["style_model"].iloc[0]) and pd.isna(df["lora"].iloc[2])


def test_seed_rows_in_the_frame_are_the_records_themselves() -> None:
    df = to_dataframe([SEED_000_ROW, SEED_002_ROW])
    assert_matches(df, [SEED_000_ROW, SEED_002_ROW])


def test_empty_input_has_every_column_and_dtype() -> None:
    df = to_dataframe([])
    assert df.empty and list(df.columns) == list(COLUMNS)
    assert dtypes(df) == dict(SCHEMA)
    with_axes = to_dataframe([], axes=["cfg", "style_model"])
    assert list(with_axes.columns) == [*COLUMNS, "style_model"]


def test_missing_keys_are_missing_values_not_errors() -> None:
    rows = [{"key": "a"}, {"key": "b", "steps": 30, "submitted_at": 10.5}]
    df = to_dataframe(iter(rows))
    assert dtypes(df) == dict(SCHEMA)
    assert df["key"].tolist() == ["a", "b"]
    assert pd.isna(df["steps"].iloc[0]) and df["steps"].iloc[1] == 30
    assert pd.isna(df["submitted_at"].iloc[0])
    assert df["submitted_at"].iloc[1] == pd.Timestamp(10.5, unit="s", tz=UTC)
    assert df.drop(columns=["key", "steps", "submitted_at"]).isna().all().all()


def test_lenient_values_become_typed_or_missing() -> None:
    rows = [
        {"key": 1, "width": "512", "cfg": "7.5", "status": 4.0, "backend": "wujie", "seed": 42},
        {"key": "b", "width": 7.5, "cfg": "high", "status": None, "backend": float("nan")},
        {"key": "c", "width": None, "cfg": None, "submitted_at": "2024-01-02T03:04:05Z"},
    ]
    df = to_dataframe(rows)
    assert dtypes(df) == dict(SCHEMA)
    assert df["key"].tolist() == ["1", "b", "c"] and df["seed"].iloc[0] == "42"
    assert df["width"].iloc[0] == 512 and df["width"].iloc[1:].isna().all()
    assert df["cfg"].iloc[0] == 7.5 and df["cfg"].iloc[1:].isna().all()
    assert df["status"].iloc[0] == 4 and df["status"].iloc[1:].isna().all()
    assert df["backend"].iloc[0] == "wujie" and df["backend"].iloc[1:].isna().all()
    assert df["submitted_at"].iloc[2] == pd.Timestamp("2024-01-02 03:04:05", tz=UTC)


def test_sweep_axes_follow_the_canonical_columns_in_order() -> None:
    rows: list[dict[str, Any]] = [
        {**SEED_000_ROW, "key": "a", "cfg": 4.0, "style_model": "x"},
        {**SEED_000_ROW, "key": "b", "cfg": 7.0, "denoise": 1, "style_model": "y"},
        {"key": "c", "tag": ["a", "b"], "pair": [1, 2]},
        {"key": "d", "pair": [3, 4]},
    ]
    df = to_dataframe(rows, axes=["cfg", "denoise", "absent"])
    assert list(df.columns) == [*COLUMNS, "denoise", "absent", "style_model", "tag", "pair"]
    assert df["cfg"].iloc[:2].tolist() == [4.0, 7.0] and math.isnan(df["cfg"].iloc[2])
    assert str(df["denoise"].dtype) == "Int64" and df["denoise"].iloc[1] == 1
    assert df["style_model"].iloc[:2].tolist() == ["x", "y"]
    assert df["absent"].isna().all()
    assert df["tag"].iloc[2] == ["a", "b"] and df["tag"].dtype == object
    assert df["pair"].tolist() == [None, None, [1, 2], [3, 4]]  # list cells stay whole


def test_ten_thousand_records_build_quickly() -> None:
    rows = [{**SEED_000_ROW, "key": f"k{i}", "cfg": float(i % 3)} for i in range(10_000)]
    df = to_dataframe(rows)
    assert len(df) == 10_000 and dtypes(df) == dict(SCHEMA)
    assert df["cfg"].value_counts().to_dict() == {0.0: 3334, 1.0: 3333, 2.0: 3333}


# --------------------------------------------------------------------------- analysis


def outcome(key: str, exp: str | None, status: int, **extra: Any) -> dict[str, Any]:
    """A synthetic finished-or-not artwork record."""
    row = dict.fromkeys(COLUMNS)
    row.update(key=key, experiment=exp, backend="wujie", status=status)
    row.update(extra)
    return row


@pytest.fixture
def outcomes() -> list[dict[str, Any]]:
    return [
        outcome("a1", "A", 4, cfg=4, steps=20, gen_s=10.0, queue_s=1.0, integral_cost=2,
                involve_yellow=0, audit_suggestion="PASS", submitted_at=200.0),
        outcome("a2", "A", 4, cfg=7, steps=20, gen_s=20.0, queue_s=3.0, integral_cost=2,
                involve_yellow=1, audit_suggestion="REVIEW", submitted_at=100.0),
        outcome("a3", "A", 3, cfg=7, steps=40, queue_s=2.0, integral_cost=0, involve_yellow=0,
                audit_suggestion="BLOCK", submitted_at=300.0),
        outcome("a4", "A", 1, cfg=4, steps=40, submitted_at=400.0),
        outcome("b1", "B", 4, cfg=4, steps=20, gen_s=30.0, integral_cost=4, involve_yellow=0,
                audit_suggestion="PASS", submitted_at=50.0),
        outcome("m1", "M", 4, backend="mj", gen_s=40.0, submitted_at=500.0),
        outcome("m2", "M", 12, backend="mj", submitted_at=600.0),
    ]  # fmt: skip


def test_summarize_by_experiment(outcomes: list[dict[str, Any]]) -> None:
    s = summarize(to_dataframe(outcomes), "experiment")
    assert s.index.tolist() == ["A", "B", "M"]
    a, b, m = (s.loc[name] for name in ["A", "B", "M"])
    assert (a["n"], a["done"], a["succeeded"], a["failed"]) == (4, 3, 2, 1)
    assert (a["mean_gen_s"], a["median_gen_s"], a["mean_queue_s"]) == (15.0, 15.0, 2.0)
    assert a["credits"] == 4 and b["credits"] == 4 and pd.isna(m["credits"])
    assert a["failure_rate"] == pytest.approx(1 / 3)
    assert a["nsfw_rate"] == pytest.approx(1 / 3)
    assert a["block_rate"] == pytest.approx(1 / 3) and a["review_rate"] == pytest.approx(1 / 3)
    assert (b["failure_rate"], b["nsfw_rate"], b["block_rate"]) == (0.0, 0.0, 0.0)
    assert s.at["M", "failure_rate"] == 0.5
    assert math.isnan(s.at["M", "nsfw_rate"]) and math.isnan(s.at["M", "block_rate"])
    rates = ["failure_rate", "nsfw_rate", "block_rate", "review_rate", "mean_gen_s"]
    assert all(s[c].dtype == np.float64 for c in rates) and str(s["credits"].dtype) == "Int64"
    assert pd.isna(b["mean_queue_s"])
    assert list(s.columns) == [
        "n", "done", "succeeded", "failed", "mean_gen_s", "median_gen_s", "mean_queue_s",
        "median_queue_s", "credits", "failure_rate", "nsfw_rate", "block_rate", "review_rate",
    ]  # fmt: skip


def test_summarize_by_two_axes_and_missing_groups(outcomes: list[dict[str, Any]]) -> None:
    rows = [*outcomes, outcome("x", None, 0, cfg=None)]
    s = summarize(to_dataframe(rows), ["cfg", "steps"])
    assert s.loc[(4.0, 20), "n"] == 2 and s.loc[(4.0, 20), "mean_gen_s"] == 20.0
    assert s.loc[(7.0, 40), "failed"] == 1
    assert s["n"].sum() == len(rows)  # rows with a missing axis form their own group
    assert summarize(to_dataframe([]), "experiment").empty


def test_summarize_rejects_unknown_columns() -> None:
    with pytest.raises(ValueError, match="nope"):
        summarize(to_dataframe([]), "nope")


def test_pivot_any_two_axes(outcomes: list[dict[str, Any]]) -> None:
    df = to_dataframe(outcomes)
    p = pivot(df, x="cfg", y="steps")
    assert p.columns.tolist() == [4.0, 7.0] and p.index.tolist() == [20, 40]
    assert p.loc[20, 4.0] == 20.0 and p.loc[20, 7.0] == 20.0
    assert p.loc[40].isna().all()  # nothing finished there yet: the cells stay
    credits = pivot(df, "cfg", "experiment", value="integral_cost", agg="sum")
    assert credits.loc["A", 4.0] == 2 and credits.loc["B", 4.0] == 4
    with pytest.raises(ValueError, match="'colour'"):
        pivot(df, "colour", "steps")


# --------------------------------------------------------------------------- comparison


def test_compare_names_frames_and_keeps_the_schema(outcomes: list[dict[str, Any]]) -> None:
    left = to_dataframe(outcomes[:2])
    right = to_dataframe([{**outcomes[4], "gpu_type": "A100", "style_model": "s"}])
    both = compare(("first", left), ("second", right))
    assert both["experiment"].tolist() == ["first", "first", "second"]
    assert dtypes(both)["style_model"] == "string"
    assert {c: dtypes(both)[c] for c in COLUMNS} == dict(SCHEMA)
    assert both["gpu_type"].cat.categories.tolist() == ["A100"]
    assert both["audit_suggestion"].cat.categories.tolist() == ["PASS", "REVIEW"]
    kept = compare(left, right)
    assert kept["experiment"].tolist() == ["A", "A", "B"]
    assert list(compare().columns) == list(COLUMNS)


def test_experiments_from_records(outcomes: list[dict[str, Any]]) -> None:
    rows = [*outcomes, outcome("z", None, 4, submitted_at=5.0, gen_s=1.0)]
    ex = experiments_from_records(rows)
    assert dtypes(ex) == dict(EXPERIMENT_SCHEMA)
    assert pd.isna(ex["name"].iloc[0])  # records without an experiment, oldest first
    assert ex["name"].iloc[1:].tolist() == ["B", "A", "M"]
    a = ex.set_index("name").loc["A"]
    assert a["created"] == pd.Timestamp(100, unit="s", tz=UTC)
    assert (a["artworks"], a["done"], a["failed"], a["credits"], a["mean_gen_s"]) == (
        4, 3, 1, 4, 15.0
    )  # fmt: skip
    assert pd.isna(ex.set_index("name").loc["M", "credits"])
    assert experiments_from_records([]).empty


def test_experiments_frame_from_ledger_rows() -> None:
    rows: Iterator[dict[str, Any]] = iter(
        [
            {"name": "a", "created": 1_700_000_000, "artworks": 3, "done": 2, "failed": 0,
             "credits": 6, "mean_gen_s": 12.5},
            {"name": "b", "created": pd.Timestamp("2024-01-01", tz=UTC), "artworks": 0},
        ]
    )  # fmt: skip
    ex = experiments_frame(rows)
    assert dtypes(ex) == dict(EXPERIMENT_SCHEMA)
    assert ex["created"].tolist() == [
        pd.Timestamp(1_700_000_000, unit="s", tz=UTC),
        pd.Timestamp("2024-01-01", tz=UTC),
    ]
    assert ex["done"].iloc[0] == 2 and pd.isna(ex["done"].iloc[1])


cells = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=6)
any_cell = (
    cells | st.lists(cells, max_size=2) | st.dictionaries(st.text(max_size=3), cells, max_size=2)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([*COLUMNS, "axis"]), any_cell), max_size=6))
def test_any_stored_values_keep_the_schema(rows: list[dict[str, Any]]) -> None:
    df = to_dataframe(rows)
    assert len(df) == len(rows)
    assert {c: dtypes(df)[c] for c in COLUMNS} == dict(SCHEMA)
