"""wjnb.frame views: escaped HTML tables, headless plots, Parquet/CSV export."""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest
from PIL import Image
from test_frame_records import SEED_000_ROW, SEED_002_ROW

from wjnb.errors import InvalidArgument
from wjnb.frame import SCHEMA, export, plot_metric, thumbnail_table, to_dataframe

matplotlib.use("Agg")

ATTACKS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
RAW = re.compile(r"<script|<img src=x|onerror=alert\(1\)>", re.IGNORECASE)


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return out.getvalue()


def hostile_frame() -> pd.DataFrame:
    """Rows whose every kind of text (prompt, server text, key, axis, column name) attacks."""
    rows: list[dict[str, Any]] = []
    for i, attack in enumerate(ATTACKS):
        rows.append(
            {
                **SEED_000_ROW,
                "key": f'k{i}"><script>alert(1)</script>',
                "prompt": f"a cat {attack}",
                "uc_prompt": attack,
                "experiment": attack,
                "fail_message": attack,
                "model_prompt": attack,
                "gpu_type": attack,
                "style_model": attack,
                attack: attack,  # an axis whose very name is markup
            }
        )
    return to_dataframe(rows)


def image_sources(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)"', html)


# --------------------------------------------------------------------------- escaping


def test_thumbnail_table_renders_hostile_text_inert() -> None:
    df = hostile_frame()
    keys = df["key"].tolist()
    html = thumbnail_table(df, {keys[0]: jpeg("red")}, columns=list(df.columns))
    assert not RAW.search(html.replace('<img src="data:image/jpeg;base64,', ""))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'alt="k0&quot;&gt;&lt;script&gt;' in html  # the key, escaped inside the attribute
    assert html.count("<script") == 0 and html.count("<img ") == 1


def test_default_table_view_shows_axes_and_stays_escaped() -> None:
    html = thumbnail_table(hostile_frame())
    assert (
        "<th>style_model</th>" in html and "<th>&lt;script&gt;alert(1)&lt;/script&gt;</th>" in html
    )
    assert not RAW.search(html)
    assert "<th>image</th>" not in html  # no thumbnails given: no image column


@pytest.mark.parametrize("view", ["to_html", "_repr_html_"])
def test_pandas_html_of_the_frame_is_escaped_too(view: str) -> None:
    html = getattr(hostile_frame(), view)()
    assert not RAW.search(html)
    assert "&lt;script&gt;" in html


# --------------------------------------------------------------------------- thumbnails


def test_thumbnails_are_inline_images_of_the_given_bytes() -> None:
    rows = [{**SEED_000_ROW, "key": k} for k in ("a", "b", "c")]
    df = to_dataframe(rows)
    red, blue = jpeg("red"), png()
    html = thumbnail_table(df, lambda key: {"a": red, "b": blue}.get(key), columns=["key", "cfg"])
    sources = image_sources(html)
    assert len(sources) == 2  # "c" has no thumbnail: an empty cell, not a broken image
    assert sources[0] == "data:image/jpeg;base64," + base64.b64encode(red).decode()
    assert sources[1].startswith("data:image/png;base64,")
    assert base64.b64decode(sources[1].split(",", 1)[1]) == blue
    assert html.count("<tr>") == 4 and "<td>16.2</td>" in html
    assert re.search(r"<tr><td></td><td>c</td>", html)


def test_max_rows_limits_the_table_and_says_how_many_are_left() -> None:
    df = to_dataframe([{**SEED_000_ROW, "key": f"k{i}"} for i in range(7)])
    html = thumbnail_table(df, {}, max_rows=5)
    assert html.count("<tr>") == 6
    assert "2 more rows not shown" in html
    assert "more rows" not in thumbnail_table(df, {}, max_rows=7)


def test_cells_are_readable_text() -> None:
    df = to_dataframe([SEED_000_ROW, SEED_002_ROW])
    html = thumbnail_table(
        df, columns=["submitted_at", "gen_s", "integral_cost", "audit_suggestion"]
    )
    assert "<td>2022-11-07 05:53:56+00:00</td>" in html
    assert "<td>27.793</td>" in html and "<td>4</td>" in html
    assert "<td></td>" in html  # MJ has no credits or audit: empty, not "<NA>"
    assert "NA" not in html.replace("NVIDIA", "")


def test_unknown_columns_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="'nope'"):
        thumbnail_table(to_dataframe([]), columns=["nope"])


# --------------------------------------------------------------------------- plots


def sweep_frame() -> pd.DataFrame:
    rows = []
    for exp, base in (("fast", 10.0), ("slow", 20.0)):
        for cfg in (4.0, 7.0, 10.0):
            for rep in range(2):
                gen = base + cfg + rep
                rows.append({**SEED_000_ROW, "key": f"{exp}{cfg}{rep}", "experiment": exp,
                             "cfg": cfg, "gen_s": gen})  # fmt: skip
    rows.append({**SEED_000_ROW, "key": "none", "experiment": None, "cfg": 4.0, "gen_s": 1.0})
    return to_dataframe(rows)


def test_plot_metric_draws_one_labelled_line_per_experiment() -> None:
    import matplotlib.pyplot as plt

    ax = plot_metric(sweep_frame(), x="cfg")
    try:
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"fast", "slow", "(none)"}
        assert list(lines["fast"].get_xdata()) == [4.0, 7.0, 10.0]
        assert list(lines["fast"].get_ydata()) == [14.5, 17.5, 20.5]
        assert list(lines["slow"].get_ydata()) == [24.5, 27.5, 30.5]
        assert ax.get_xlabel() == "cfg" and ax.get_ylabel() == "mean gen_s"
        assert ax.get_title() == "gen_s by cfg"
        legend = ax.get_legend()
        assert legend is not None and legend.get_title().get_text() == "experiment"
    finally:
        plt.close(ax.figure)


def test_plot_metric_on_given_axes_and_with_no_data() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert plot_metric(to_dataframe([]), "steps", metric="queue_s", ax=ax) is ax
        assert ax.get_lines() == [] and ax.get_title() == "queue_s by steps"
    finally:
        plt.close(fig)


def test_plot_metric_without_matplotlib_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"wjnb\[plot\]"):
        plot_metric(sweep_frame(), "cfg")


def test_plot_metric_refuses_unknown_columns() -> None:
    with pytest.raises(InvalidArgument, match="'colour'"):
        plot_metric(sweep_frame(), "colour")


# --------------------------------------------------------------------------- export


def test_parquet_export_keeps_every_dtype_and_adds_image_paths(tmp_path: Path) -> None:
    rows = [{**SEED_000_ROW, "style_model": "晨辉"}, {**SEED_002_ROW, "mixed": [1, "a"]}]
    df = to_dataframe(rows)
    target = export(df, tmp_path / "out" / "sweep.parquet", image_paths={"K000": "/img/K000.png"})
    assert target == tmp_path / "out" / "sweep.parquet" and target.exists()
    back = pd.read_parquet(target)
    assert list(back.columns) == [*df.columns, "image_path"]
    assert {c: str(back[c].dtype) for c in SCHEMA} == dict(SCHEMA)
    assert back["image_path"].tolist()[0] == "/img/K000.png" and pd.isna(back["image_path"][1])
    pd.testing.assert_frame_equal(back[list(SCHEMA)], df[list(SCHEMA)], check_categorical=False)
    assert pd.isna(back["mixed"][0]) and back["mixed"][1] == "[1, 'a']"  # objects become text


def test_csv_export_with_an_image_path_callable(tmp_path: Path) -> None:
    df = to_dataframe([SEED_000_ROW, SEED_002_ROW])
    target = export(df, str(tmp_path / "sweep.CSV"), image_paths=lambda key: f"/cache/{key}.png")
    back = pd.read_csv(target)
    assert back.columns[-1] == "image_path"
    assert back["image_path"].tolist() == ["/cache/K000.png", "/cache/1730621826053455.png"]
    assert pd.to_datetime(back["submitted_at"]).tolist() == df["submitted_at"].tolist()
    assert back["gen_s"].tolist() == [12.0, 27.793]


def test_export_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"\.parquet or \.csv"):
        export(to_dataframe([]), tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
