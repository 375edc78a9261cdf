"""wjnb.columns: pyarrow's one-pass route and the numpy route build the same frames.

``to_dataframe`` reads well-typed rows with pyarrow and anything else with numpy; a frame
must not depend on which route read it. Each test builds the frame both ways (the numpy
route by setting ``wjnb.columns.arrow`` to None) and compares them cell for cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_frame_dataframe import seed_rows

from wjnb import columns
from wjnb.frame import SCHEMA, to_dataframe
from wjnb.records import COLUMNS


@pytest.fixture
def arrow_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Records, per ``arrow_columns`` call, whether pyarrow's route read the rows."""
    calls: list[bool] = []
    real = columns.arrow_columns

    def spy(rows: Any, schema: Any) -> Any:
        out = real(rows, schema)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(columns, "arrow_columns", spy)
    yield calls


def numpy_route(build: Callable[[], Any]) -> Any:
    """``build()`` with pyarrow's route switched off."""
    saved, columns.arrow = columns.arrow, None
    try:
        return build()
    finally:
        columns.arrow = saved


def assert_same_both_ways(rows: list[dict[str, Any]]) -> pd.DataFrame:
    fast = to_dataframe(rows, axes=["axis"])
    slow = numpy_route(lambda: to_dataframe(rows, axes=["axis"]))
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    return fast


# Values of each schema column's own type, as wjnb.records writes them, or None.
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)  # UTF-8 encodable
edges = st.sampled_from([2**53 - 1, 2**53, -(2**53)])
typed_cell = {
    "Int64": st.none() | st.integers(-(2**53), 2**53) | edges,
    "float64": st.none() | st.floats() | st.integers(-(2**53), 2**53),
    "datetime64[us, UTC]": st.none() | st.floats(-1e13, 1e13) | st.integers(0, 2**40),
    "category": st.none() | text,
    "string": st.none() | text,
}  # fmt: skip
any_cell = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | text
    | st.lists(st.integers(), max_size=2)
)


@st.composite
def typed_row(draw: st.DrawFn) -> dict[str, Any]:
    """A row with some canonical keys (each of its column's type) and maybe an axis."""
    names = draw(st.lists(st.sampled_from(COLUMNS), unique=True))
    row = {name: draw(typed_cell[SCHEMA[name]]) for name in names}
    if draw(st.booleans()):
        row["axis"] = draw(any_cell)
    return row


@settings(max_examples=200, deadline=None)
@given(st.lists(typed_row(), min_size=1, max_size=8))
def test_well_typed_rows_take_pyarrows_route_and_match_numpys(rows: list[dict[str, Any]]) -> None:
    assert columns.arrow_columns(rows, SCHEMA) is not None, "pyarrow must read well-typed rows"
    assert_same_both_ways(rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([*COLUMNS, "axis"]), any_cell), max_size=6))
def test_any_values_give_the_same_frame_both_ways(rows: list[dict[str, Any]]) -> None:
    assert_same_both_ways(rows)


def test_real_records_take_pyarrows_route(arrow_calls: list[bool]) -> None:
    df = assert_same_both_ways(seed_rows())
    assert arrow_calls[0] and len(df) == 3


def test_a_value_of_the_wrong_type_falls_back_to_numpy(arrow_calls: list[bool]) -> None:
    rows = [{"key": "a", "width": "512", "cfg": True, "seed": None}, {"key": "b", "width": 768}]
    df = assert_same_both_ways(rows)
    assert arrow_calls == [False, False]  # "512" is no int: numpy reads it, as text to number
    assert df["width"].tolist() == [512, 768] and df["cfg"].iloc[0] == 1.0


def test_integers_float64_cannot_hold_are_missing_both_ways() -> None:
    values = [2**53 - 1, 2**53, -(2**53), -(2**63), 2**63 - 1, None]
    df = assert_same_both_ways([{"num": v} for v in values])
    assert df["num"].isna().tolist() == [False, True, True, True, True, True]
    assert df["num"].iloc[0] == 2**53 - 1


@pytest.mark.parametrize(
    "values",
    [
        [1, None],
        [1, 2.5],
        [1.5, math.nan],
        ["a", None, math.nan],
        [True, None],
        [1, "a"],
        [None, None],
        [2**63, 1],
        [np.int32(3), None],
        [[1, 2], [3, 4]],
        [{"a": 1}, None],
    ],
    ids=repr,
)
def test_axis_columns_are_typed_as_pandas_would(values: list[Any]) -> None:
    fast = columns.inferred(values)
    slow = numpy_route(lambda: columns.inferred(values))
    want = pd.Series(slow)
    pd.testing.assert_series_equal(pd.Series(fast), want, check_exact=True)


def test_times_beyond_datetime64_are_missing() -> None:
    seconds = np.array([1.7e9, math.nan, math.inf, -math.inf, 1e300, 9.3e12, -9.3e12])
    stamps = columns.times(seconds)
    assert str(stamps.dtype) == "datetime64[us, UTC]"
    assert stamps[0] == pd.Timestamp(1.7e9, unit="s", tz="UTC")
    assert stamps.isna().tolist() == [False, True, True, True, True, True, True]


@pytest.mark.parametrize("route", ["pyarrow", "numpy"])
def test_every_column_of_a_built_frame_can_be_written(route: str) -> None:
    rows = [*seed_rows(), *seed_rows()]
    df = to_dataframe(rows) if route == "pyarrow" else numpy_route(lambda: to_dataframe(rows))
    first = df.iloc[1].to_dict()
    for col in df.columns:
        df.loc[0, col] = first[col]
    assert df.iloc[0].to_dict().keys() == first.keys()
    assert df.astype(str).iloc[0].tolist() == df.astype(str).iloc[1].tolist()


def test_text_columns_follow_pandas_string_storage_setting() -> None:
    rows = seed_rows()
    with pd.option_context("mode.string_storage", "python"):
        fast = to_dataframe(rows)
        slow = numpy_route(lambda: to_dataframe(rows))
        assert fast["prompt"].dtype.storage == "python"
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
