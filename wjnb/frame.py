"""Records -> typed DataFrames, and the comparison helpers built on them.

``to_dataframe`` turns the flat rows of ``wjnb.records`` (plus any sweep-axis keys) into one
frame with a fixed schema, the same for Wujie and Midjourney rows: nullable integers for
codes, tz-aware UTC times, categoricals for names, ``string`` for free text. Everything
else here (summaries, pivots, plots, the thumbnail table, export, comparison) reads that
frame. Every HTML view escapes all cell text: prompts and server messages are untrusted.
"""

from __future__ import annotations

import base64
import html
import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype
from pandas.core.groupby import DataFrameGroupBy

from wjnb import columns
from wjnb.columns import CATEGORY, FLOAT, INT, STRING, TIME
from wjnb.errors import InvalidArgument
from wjnb.models import TERMINAL_STATUSES, ArtworkStatus
from wjnb.records import COLUMNS
from wjnb.validate import non_negative

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# The dtype of every canonical column (``str(df[col].dtype)`` equals these).
SCHEMA: Mapping[str, str] = {
    "key": STRING,
    "experiment": CATEGORY,
    "backend": CATEGORY,
    "model": INT,
    "prompt": STRING,
    "uc_prompt": STRING,
    "width": INT,
    "height": INT,
    "steps": INT,
    "cfg": FLOAT,
    "sampler_index": INT,
    "seed": STRING,
    "num": INT,
    "status": INT,
    "status_name": CATEGORY,
    "submitted_at": TIME,
    "started_at": TIME,
    "completed_at": TIME,
    "queue_s": FLOAT,
    "gen_s": FLOAT,
    "integral_cost": INT,
    "integral_cost_message": CATEGORY,
    "gpu_type": CATEGORY,
    "machine_no": STRING,
    "power_consumption": FLOAT,
    "audit_suggestion": CATEGORY,
    "involve_yellow": INT,
    "fail_code": INT,
    "fail_message": STRING,
    "picture_url": STRING,
    "model_prompt": STRING,
}

EXPERIMENT_SCHEMA: Mapping[str, str] = {
    "name": STRING,
    "created": TIME,
    "artworks": INT,
    "done": INT,
    "failed": INT,
    "credits": INT,
    "mean_gen_s": FLOAT,
}

_CANONICAL = frozenset(COLUMNS)
_TERMINAL = sorted(int(s) for s in TERMINAL_STATUSES)
_FAILED = [int(ArtworkStatus.FAILED), int(ArtworkStatus.DRAW_FAILED)]
_TABLE_VIEW = (
    "key",
    "experiment",
    "prompt",
    "status_name",
    "width",
    "height",
    "steps",
    "cfg",
    "seed",
    "gen_s",
    "audit_suggestion",
)

T = TypeVar("T")
Frames = pd.DataFrame | tuple[str, pd.DataFrame]


# --------------------------------------------------------------------------- building


def to_dataframe(records: Iterable[Mapping[str, Any]], *, axes: Sequence[str] = ()) -> pd.DataFrame:
    """One typed row per record: canonical columns first, then ``axes``, then other keys.

    Rows as ``wjnb.records`` writes them are read by pyarrow in one pass; any other values
    are read column by column with numpy (``wjnb.columns``). A missing key is a missing
    value; an empty input still has every canonical column (and every axis) with its dtype.
    """
    rows = _records("records", records)
    axes = _names("axes", axes)
    data = columns.arrow_columns(rows, SCHEMA)
    complete = False  # unknown on pyarrow's route: every row is searched for other keys
    if data is None:
        canonical, complete = columns.gather(rows, COLUMNS)
        data = {
            col: columns.typed(SCHEMA[col], v) for col, v in zip(COLUMNS, canonical, strict=True)
        }
    for col in _extra_keys(rows, complete, axes):
        data[col] = columns.inferred(columns.column(rows, col)[0])
    return pd.DataFrame(data, copy=False)  # every array is new, writable and the frame's own


def experiments_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One typed row per experiment from rows with the keys of ``EXPERIMENT_SCHEMA``
    (``created`` as unix seconds or a datetime)."""
    listed = _records("rows", rows)
    data = {c: columns.typed(t, columns.column(listed, c)[0]) for c, t in EXPERIMENT_SCHEMA.items()}
    return pd.DataFrame(data)


def experiments_from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The experiments table computed from artwork records, oldest experiment first.

    ``created`` is the earliest submission; ``done``/``failed`` count finished and failed
    artworks; ``credits`` sums the reported ``integral_cost``.
    """
    df = to_dataframe(records)
    stats = summarize(df, "experiment")
    created = df.groupby("experiment", observed=True, dropna=False)["submitted_at"].min()
    rows = [
        {
            "name": name,
            "created": created.get(name),
            "artworks": s["n"],
            "done": s["done"],
            "failed": s["failed"],
            "credits": s["credits"],
            "mean_gen_s": s["mean_gen_s"],
        }
        for name, s in stats.iterrows()
    ]
    out = experiments_frame(rows)
    return out.sort_values("created", na_position="last", kind="stable", ignore_index=True)


def compare(*frames_or_named: Frames) -> pd.DataFrame:
    """One long frame across experiments; a ``(name, frame)`` pair sets its experiment.

    Categoricals are re-unified after concatenation so the result keeps the schema.
    """
    frames = [_named(f"frames_or_named[{i}]", f) for i, f in enumerate(frames_or_named)]
    if not frames:
        return to_dataframe([])
    combined = pd.concat(frames, ignore_index=True, sort=False)
    for col, dtype in SCHEMA.items():
        if col in combined and str(combined[col].dtype) != dtype:
            combined[col] = combined[col].astype(pandas_dtype(dtype))
    return combined


# --------------------------------------------------------------------------- analysis


def summarize(df: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Per-group aggregates, indexed by ``by``.

    ``n`` rows, ``done`` finished, ``succeeded``, ``failed``; mean/median ``gen_s`` and
    ``queue_s``; ``credits`` (sum of reported ``integral_cost``, NA when none is reported);
    ``failure_rate`` over finished rows; NSFW (``involve_yellow == 1``), audit BLOCK and
    REVIEW rates over the finished rows that report those fields (NaN for MJ-only groups).
    """
    _frame("df", df)
    keys = _names("by", by)
    if not keys:
        raise InvalidArgument("by", "name at least one column to group by")
    _require(df, "by", keys)
    status, yellow, audit = df["status"], df["involve_yellow"], df["audit_suggestion"]
    done = _flag(status.isin(_TERMINAL))
    work = df[keys].assign(
        done=done,
        succeeded=_flag(status.eq(int(ArtworkStatus.SUCCESS))),
        failed=_flag(status.isin(_FAILED)),
        nsfw=_flag(yellow.eq(1)),
        checked=done & yellow.notna().to_numpy(),
        blocked=_flag(audit.eq("BLOCK")),
        review=_flag(audit.eq("REVIEW")),
        audited=done & audit.notna().to_numpy(),
        gen_s=df["gen_s"],
        queue_s=df["queue_s"],
        credits=df["integral_cost"],
    )
    groups = work.groupby(keys, observed=True, dropna=False)
    out = groups.agg(
        n=("done", "size"),
        done=("done", "sum"),
        succeeded=("succeeded", "sum"),
        failed=("failed", "sum"),
        mean_gen_s=("gen_s", "mean"),
        median_gen_s=("gen_s", "median"),
        mean_queue_s=("queue_s", "mean"),
        median_queue_s=("queue_s", "median"),
    )
    counts = groups[["nsfw", "checked", "blocked", "review", "audited"]].sum()
    return out.assign(
        credits=groups["credits"].sum(min_count=1),
        failure_rate=_ratio(out["failed"], out["done"]),
        nsfw_rate=_ratio(counts["nsfw"], counts["checked"]),
        block_rate=_ratio(counts["blocked"], counts["audited"]),
        review_rate=_ratio(counts["review"], counts["audited"]),
    )


def pivot(
    df: pd.DataFrame,
    x: str,
    y: str,
    value: str = "gen_s",
    agg: str | Callable[[pd.Series], Any] = "mean",
) -> pd.DataFrame:
    """``value`` aggregated over two axes: rows are ``y`` values, columns ``x`` values.

    Every observed (x, y) pair keeps its cell, NaN when no row there has a value (a grid
    of unfinished jobs still shows); rows missing ``x`` or ``y`` are left out.
    """
    _frame("df", df)
    _require(df, "x", [x])
    _require(df, "y", [y])
    _require(df, "value", [value])
    if y == x:
        raise InvalidArgument("y", f"must differ from x (both {x!r})")
    if value in (x, y):
        raise InvalidArgument("value", f"must differ from x and y, got {value!r}")
    if not (isinstance(agg, str) or callable(agg)):
        raise InvalidArgument("agg", f"expected a name like 'mean' or a function, got {agg!r:.40}")
    if isinstance(agg, str) and (
        agg.startswith("_") or not callable(getattr(DataFrameGroupBy, agg, None))
    ):
        raise InvalidArgument("agg", f"pandas has no aggregation {agg!r:.40}")
    try:
        return df.dropna(subset=[x, y]).pivot_table(
            index=y, columns=x, values=value, aggfunc=cast(Any, agg), observed=True, dropna=False
        )
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        if isinstance(agg, str):  # e.g. the mean of a text column
            raise InvalidArgument("value", f"cannot aggregate {value!r} with {agg!r}") from exc
        raise


def plot_metric(
    df: pd.DataFrame,
    x: str,
    metric: str = "gen_s",
    by: str = "experiment",
    ax: Axes | None = None,
) -> Axes:
    """Mean ``metric`` against ``x``, one line per ``by`` value (missing -> "(none)").

    Needs matplotlib (``pip install 'wjnb[plot]'``); returns the Axes it drew on.
    """
    _frame("df", df)
    _require(df, "x", [x])
    _require(df, "metric", [metric])
    _require(df, "by", [by])
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    series = df[by].astype(STRING).fillna("(none)").rename(by)
    table = df.groupby([series, df[x]], observed=True)[metric].mean().unstack(by)
    if not table.empty:
        table.plot(ax=ax, marker="o")
        ax.legend(title=by)
    ax.set_xlabel(x)
    ax.set_ylabel(f"mean {metric}")
    ax.set_title(f"{metric} by {x}")
    return ax


def _pyplot() -> Any:
    """matplotlib.pyplot, imported only when a plot is asked for."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install 'wjnb[plot]'") from exc
    return plt


# --------------------------------------------------------------------------- views, export


def thumbnail_table(
    df: pd.DataFrame,
    thumbnails: Mapping[str, bytes] | Callable[[str], bytes | None] | None = None,
    columns: Sequence[str] | None = None,
    max_rows: int = 50,
) -> str:
    """An HTML table of the first ``max_rows`` rows with inline thumbnails by key.

    Every header and cell is HTML-escaped, so prompts and server text cannot inject markup.
    Default columns: the usual sweep view plus every non-canonical (axis) column.
    """
    _frame("df", df)
    shown = _names("columns", columns) if columns is not None else _table_view(df)
    _require(df, "columns", shown)
    head = df.head(non_negative("max_rows", max_rows))
    find = _lookup("thumbnails", thumbnails) if thumbnails is not None else None
    keys = head["key"].tolist() if "key" in head else [None] * len(head)
    header = ([] if find is None else ["image"]) + shown
    lines = ["<tr>" + "".join(f"<th>{_escape(h)}</th>" for h in header) + "</tr>"]
    for key, values in zip(keys, head[shown].itertuples(index=False, name=None), strict=True):
        image = "" if find is None else f"<td>{_image_tag(find, key)}</td>"
        cells = "".join(f"<td>{_escape(_cell_text(v))}</td>" for v in values)
        lines.append(f"<tr>{image}{cells}</tr>")
    more = len(df) - len(head)
    rows = "row" if more == 1 else "rows"
    note = f'<p class="wjnb-more">{more} more {rows} not shown</p>' if more > 0 else ""
    return f'<table class="wjnb-thumbs">{"".join(lines)}</table>{note}'


def export(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    image_paths: Mapping[str, str] | Callable[[str], str | None] | None = None,
) -> Path:
    """Write the frame to ``.parquet`` or ``.csv`` (by suffix) with an ``image_path``
    column (the local image file of each key, or missing); returns the path."""
    _frame("df", df)
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument("path", f"expected a file path, got {type(path).__name__}")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InvalidArgument(
            "path", f"export writes .parquet or .csv, not {suffix or 'no suffix'!r}"
        )
    _require(df, "df", ["key"])
    find = _lookup("image_paths", image_paths) if image_paths is not None else None
    paths = [None if find is None or columns.missing(k) else find(k) for k in df["key"].tolist()]
    out = df.assign(image_path=pd.array(paths, dtype=STRING))
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        out.to_csv(target, index=False)
    else:
        objects = out.select_dtypes(include="object").columns
        out.astype(dict.fromkeys(objects, STRING)).to_parquet(target, index=False)
    return target


# --------------------------------------------------------------------------- helpers


def _extra_keys(rows: list[Mapping[str, Any]], complete: bool, axes: Sequence[str]) -> list[str]:
    """Non-canonical keys: ``axes`` first, then the others in first-seen order.

    When every row has every canonical key (``complete``), only rows longer than the
    canonical set can hold another key, so only those are read (with C-level loops).
    """
    longer = map(len(COLUMNS).__lt__, map(len, rows))
    wide = list(itertools.compress(rows, longer)) if complete else rows
    ordered = dict.fromkeys(key for key in axes if key not in _CANONICAL)
    unseen = set().union(*wide) - _CANONICAL - ordered.keys()
    for row in wide:
        if not unseen:
            break
        ordered.update((key, None) for key in row if key in unseen)
        unseen.difference_update(row)
    return list(ordered)


def _named(argument: str, item: object) -> pd.DataFrame:
    """The frame of one ``compare`` argument, its experiment set when it is named."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        return _frame(argument, item[1]).assign(experiment=item[0])
    if isinstance(item, tuple):
        raise InvalidArgument(argument, "expected a DataFrame or a (name, DataFrame) pair")
    return _frame(argument, item)


def _frame(argument: str, value: object) -> pd.DataFrame:
    """``value`` when it is a DataFrame; ``InvalidArgument`` otherwise."""
    if not isinstance(value, pd.DataFrame):
        raise InvalidArgument(argument, f"expected a DataFrame, got {type(value).__name__}")
    return value


def _names(argument: str, value: object) -> list[str]:
    """Column names given as one name or a collection of names."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, Mapping, pd.DataFrame)) or not isinstance(value, Iterable):
        raise InvalidArgument(argument, f"expected column names, got {type(value).__name__}")
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise InvalidArgument(argument, f"column names are text, got {type(name).__name__}")
    return names


def _records(argument: str, value: object) -> list[Mapping[str, Any]]:
    """A list of records (mappings); each record is checked for its type."""
    if isinstance(value, (str, bytes, Mapping, pd.DataFrame)) or not isinstance(value, Iterable):
        raise InvalidArgument(argument, f"expected a list of records, got {type(value).__name__}")
    rows = value if isinstance(value, list) else list(value)
    if not all(map(isinstance, rows, itertools.repeat(dict))):  # C-level; else row by row
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                what = type(row).__name__
                raise InvalidArgument(f"{argument}[{i}]", f"expected a mapping, got {what}")
    return rows


def _require(df: pd.DataFrame, argument: str, names: Iterable[object]) -> None:
    """Raise ``InvalidArgument`` naming the columns the frame lacks (or that cannot be)."""
    for name in names:
        if not isinstance(name, str):
            raise InvalidArgument(argument, f"expected a column name, got {type(name).__name__}")
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise InvalidArgument(argument, f"no column {', '.join(map(repr, missing))} in the frame")


def _flag(mask: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """A nullable boolean as plain bool (NA counts as False)."""
    return mask.to_numpy(dtype=bool, na_value=False)


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as float64, NaN where whole is 0."""
    return part / whole.where(whole > 0).astype(FLOAT)


def _lookup(
    argument: str, source: Mapping[str, T] | Callable[[str], T | None]
) -> Callable[[str], T | None]:
    """A ``key -> value`` function from a mapping or a function."""
    if isinstance(source, Mapping):
        return source.get
    if not callable(source):
        what = type(source).__name__
        raise InvalidArgument(argument, f"expected a mapping or a function, got {what}")
    return source


def _table_view(df: pd.DataFrame) -> list[str]:
    """Default table columns: key and experiment, the axes, then the usual view."""
    extras = [c for c in df.columns if c not in _CANONICAL]
    return (
        [c for c in _TABLE_VIEW[:2] if c in df] + extras + [c for c in _TABLE_VIEW[2:] if c in df]
    )


def _image_tag(find: Callable[[str], bytes | None], key: Any) -> str:
    """An inline ``<img>`` of the key's thumbnail bytes, empty when there is none."""
    data = None if columns.missing(key) else find(str(key))
    if not data:
        return ""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    if data[8:12] == b"WEBP":
        mime = "image/webp"
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<img src="data:{mime};base64,{encoded}" alt="{_escape(str(key))}" '
        'style="max-width:128px;max-height:128px">'
    )


def _cell_text(value: Any) -> str:
    """Display text of one cell (escaped by the caller)."""
    if columns.missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _escape(text: str) -> str:
    """HTML-escaped text, quotes included, safe in elements and attributes."""
    return html.escape(text, quote=True)
