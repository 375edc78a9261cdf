"""``wjnb.frame`` helpers: any argument either works or raises ``InvalidArgument`` naming it.

Each example breaks one argument of one helper with a hostile value and keeps the others
valid, so the error must name exactly that argument.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hardening_support import hostile, names_param, outcome, tally
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wjnb import frame
from wjnb.errors import InvalidArgument

RECORDS = [
    {
        "key": f"K{i}",
        "experiment": "e",
        "cfg": i % 3,
        "steps": 20 + i % 2,
        "status": 4,
        "gen_s": 1.0,
    }
    for i in range(6)
]
DF = frame.to_dataframe(RECORDS, axes=["cfg", "steps"])


def _valid(tmp: Path) -> dict[str, tuple[Callable[..., Any], dict[str, Any]]]:
    """helper name -> (function, valid keyword arguments)."""
    return {
        "to_dataframe": (frame.to_dataframe, {"records": RECORDS, "axes": ["cfg"]}),
        "experiments_frame": (frame.experiments_frame, {"rows": [{"name": "e", "created": 1.0}]}),
        "experiments_from_records": (frame.experiments_from_records, {"records": RECORDS}),
        "summarize": (frame.summarize, {"df": DF, "by": "cfg"}),
        "pivot": (
            frame.pivot,
            {"df": DF, "x": "cfg", "y": "steps", "value": "gen_s", "agg": "mean"},
        ),
        "thumbnail_table": (
            frame.thumbnail_table,
            {"df": DF, "thumbnails": {}, "columns": ["key"], "max_rows": 3},
        ),
        "export": (frame.export, {"df": DF, "path": tmp / "out.csv", "image_paths": {}}),
    }


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _valid(tmp_path_factory.mktemp("frame"))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_frame_helpers_name_the_bad_argument(valid: dict[str, Any], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(valid)), label="helper")
    fn, kwargs = valid[name]
    param = data.draw(st.sampled_from(sorted(kwargs)), label="param")
    value = data.draw(hostile(), label="value")
    kind, exc, _ = outcome(lambda: fn(**{**kwargs, param: value}))
    tally(kind)
    if isinstance(exc, InvalidArgument):
        assert names_param(exc.argument, param), (name, param, exc)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(hostile(), min_size=1, max_size=3))
def test_compare_takes_frames_or_named_frames_only(items: list[Any]) -> None:
    kind, exc, _ = outcome(lambda: frame.compare(*items))
    tally(kind)
    if isinstance(exc, InvalidArgument):
        assert names_param(exc.argument, "frames_or_named")


def test_valid_calls_still_work(valid: dict[str, Any]) -> None:
    for name, (fn, kwargs) in valid.items():
        assert outcome(lambda fn=fn, kwargs=kwargs: fn(**kwargs))[0] == "ok", name
    assert len(frame.compare(DF, ("other", DF))) == 2 * len(DF)
    assert frame.summarize(DF, ["cfg", "steps"]).index.nlevels == 2


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: frame.summarize(DF, None), "by"),
        (lambda: frame.summarize(DF, []), "by"),
        (lambda: frame.summarize([1], "cfg"), "df"),
        (lambda: frame.pivot(DF, ["cfg"], "steps"), "x"),
        (lambda: frame.pivot(DF, "cfg", "steps", agg="no-such-agg"), "agg"),
        (lambda: frame.pivot(DF, "cfg", "steps", agg=3), "agg"),
        (lambda: frame.pivot(DF, "cfg", "steps", agg="__class__"), "agg"),
        (lambda: frame.pivot(DF, "cfg", "cfg"), "y"),
        (lambda: frame.pivot(DF, "cfg", "steps", value="steps"), "value"),
        (lambda: frame.pivot(DF, "cfg", "steps", value="key"), "value"),  # mean of text
        (lambda: frame.thumbnail_table(DF, max_rows="5"), "max_rows"),
        (lambda: frame.thumbnail_table(DF, thumbnails=[b"x"]), "thumbnails"),
        (lambda: frame.export(DF, None), "path"),
        (lambda: frame.to_dataframe([{"key": "a"}, 5]), "records[1]"),
        (lambda: frame.to_dataframe(None), "records"),
        (lambda: frame.compare(("name", "not a frame")), "frames_or_named[0]"),
        (lambda: frame.compare(pd.DataFrame(), 7), "frames_or_named[1]"),
    ],
)
def test_examples_of_refused_arguments(call: Callable[[], Any], argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    assert info.value.argument == argument and argument in str(info.value)
