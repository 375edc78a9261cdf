"""Row values -> typed pandas arrays, with no per-row pandas work.

Two routes give the same dtypes and values (bytes aside, which no JSON row holds: pyarrow
reads them as UTF-8 text). ``arrow_columns`` reads every schema column of
every row in one C++ pass of pyarrow; it takes rows whose values already have their
column's type (what ``wjnb.records`` writes) and declines anything else. ``typed`` is the
lenient route for one column of any values, with numpy; numbers in text, bools and the
like are read as ``wjnb.records`` would read them.
"""

from __future__ import annotations

import functools
import importlib
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, Final

import numpy as np
import pandas as pd


def _pyarrow() -> ModuleType | None:
    """pyarrow when installed (the ``plot`` and ``demo`` extras bring it), else None."""
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        return None


# The module the pyarrow route uses; tests set it to None to run the numpy route.
arrow = _pyarrow()

INT: Final = "Int64"
FLOAT: Final = "float64"
TIME: Final = "datetime64[us, UTC]"
CATEGORY: Final = "category"
STRING: Final = "string"

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

_EXACT = 2**53  # integers smaller than this in size survive a float64 exactly
_MICROS_END = 2.0**63  # datetime64[us] holds microseconds below this in size
_NAT = float(np.iinfo(np.int64).min)  # datetime64's "not a time", exactly a float64


def typed(dtype: str, values: Sequence[Any]) -> Any:
    """The array of one column of any values, as ``dtype`` (one of the names above)."""
    if dtype == INT:
        return ints(values)
    if dtype == FLOAT:
        return floats(values)
    if dtype == TIME:
        return times(floats(values, _epoch_seconds))
    if dtype == CATEGORY:
        return categories(values)
    if dtype == STRING:
        return pd.array(list(values), dtype=STRING)
    raise ValueError(f"no column type {dtype!r}")


def arrow_columns(rows: Sequence[Any], schema: Mapping[str, str]) -> dict[str, Any] | None:
    """Every ``schema`` column of ``rows`` read by pyarrow in one pass, or None when pyarrow
    is missing or some row or value is not of its column's type (use ``typed`` then).

    A missing key is a missing value; keys outside the schema are not read.
    """
    if arrow is None or not rows:
        return None
    try:
        table = arrow.array(rows, type=_arrow_struct(arrow, tuple(schema.items())))
    except (arrow.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
        return None
    return {
        name: _from_arrow(dtype, child)
        for (name, dtype), child in zip(schema.items(), table.flatten(), strict=True)
    }


@functools.cache
def _arrow_struct(arrow: ModuleType, schema: tuple[tuple[str, str], ...]) -> Any:
    """The pyarrow struct type ``arrow_columns`` reads rows as: categories are read
    dictionary-encoded, numbers and times as floats."""
    kinds = {
        INT: arrow.float64(),  # as on numpy's route: pyarrow would truncate 0.5 to an int
        FLOAT: arrow.float64(),
        TIME: arrow.float64(),
        CATEGORY: arrow.dictionary(arrow.int32(), arrow.large_string()),
    }
    return arrow.struct([(name, kinds.get(dtype, arrow.large_string())) for name, dtype in schema])


def _from_arrow(dtype: str, array: Any) -> Any:
    """The pandas array of one column pyarrow has read (see ``arrow_columns``)."""
    if dtype == INT:
        return _whole(array.to_numpy(zero_copy_only=False))
    if dtype in (FLOAT, TIME):
        numbers: FloatArray = array.to_numpy(zero_copy_only=False, writable=True)
        return numbers if dtype == FLOAT else times(numbers)
    if dtype == CATEGORY:  # dictionary-encoded as it was read; sort the categories
        labels: list[str] = array.dictionary.to_pylist()
        order = sorted(range(len(labels)), key=labels.__getitem__)
        rank = np.full(len(labels) + 1, -1, dtype=np.int32)  # index -1 (missing) stays -1
        rank[order] = np.arange(len(labels), dtype=np.int32)
        codes = rank[array.indices.fill_null(-1).to_numpy()]
        storage = pd.get_option("mode.string_storage")
        kind = _category_dtype(tuple(labels[i] for i in order), storage)
        return pd.Categorical.from_codes(codes, dtype=kind)
    return _arrow_strings(array)


@functools.lru_cache(maxsize=256)
def _category_dtype(labels: tuple[str, ...], storage: str) -> pd.CategoricalDtype:
    """The dtype of sorted text categories, under pandas' text ``storage`` setting: pandas
    takes a while to check one, and the same few (statuses, backends, GPU names) come back
    in every frame."""
    return pd.CategoricalDtype(pd.Index(labels))


def _arrow_strings(array: Any) -> Any:
    """The ``string`` array of a pyarrow text array (no copy when pandas keeps its strings
    in pyarrow, as it does whenever pyarrow is installed, unless told otherwise)."""
    if pd.StringDtype().storage == "pyarrow":
        return pd.arrays.ArrowStringArray(array)
    return pd.array(array.to_numpy(zero_copy_only=False), dtype=STRING)


def gather(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> tuple[list[Any], bool]:
    """The values of ``names`` in every row, one sequence per name (None where a row lacks
    the name), and whether every row had every name. Each row is read in one C-level call."""
    if not rows:
        return [[] for _ in names], True
    if len(names) < 2:  # itemgetter of one name returns the value, not a tuple
        found = [column(rows, name) for name in names]
        return [values for values, _ in found], all(ok for _, ok in found)
    try:
        return list(zip(*map(operator.itemgetter(*names), rows), strict=True)), True
    except KeyError:
        return [[row.get(name) for row in rows] for name in names], False


def column(rows: Sequence[Mapping[str, Any]], name: str) -> tuple[list[Any], bool]:
    """One name's values (None where a row lacks it) and whether every row had it."""
    try:
        return list(map(operator.itemgetter(name), rows)), True
    except KeyError:
        return [row.get(name) for row in rows], False


# --------------------------------------------------------------------------- numpy route


def floats(values: Sequence[Any], convert: Callable[[Any], float] | None = None) -> FloatArray:
    """float64 with NaN for missing: numpy's own conversion when every cell is a number or
    None, else ``convert`` (default: ``float`` or NaN) cell by cell."""
    try:
        out = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        out = None
    if out is None or out.shape != (len(values),):  # e.g. list cells make a 2-D array
        out = np.fromiter(map(convert or _number, values), np.float64, count=len(values))
    return out


def ints(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    """Nullable Int64 read through float64 (see ``_whole``)."""
    return _whole(floats(values))


def _whole(numbers: FloatArray) -> pd.arrays.IntegerArray:
    """Nullable Int64 of floats: NaN, fractions and sizes of 2**53 or more (which float64
    cannot hold exactly; no code, size or cost here comes near) are NA."""
    with np.errstate(invalid="ignore"):
        mask = ~((np.abs(numbers) < _EXACT) & (numbers == np.trunc(numbers)))
    return pd.arrays.IntegerArray(np.where(mask, 0, numbers).astype(np.int64), mask)


def times(seconds: FloatArray) -> pd.DatetimeIndex:
    """UTC datetimes, to the microsecond, of unix seconds; NaN and times beyond datetime64's
    range (about ±292,000 years) are NaT."""
    with np.errstate(over="ignore", invalid="ignore"):  # absurd times overflow to inf
        micros = np.round(seconds * 1e6)
        valid = np.abs(micros) < _MICROS_END  # False for NaN and inf
    stamps = np.where(valid, micros, _NAT).astype(np.int64).view("M8[us]")
    return pd.DatetimeIndex(stamps).tz_localize("UTC")


def categories(values: Sequence[Any]) -> pd.Categorical:
    """A categorical with sorted categories, coded by one C-level pass over the values."""
    try:
        order = sorted(set(values) - {None})
        index: dict[Any, int] = dict(zip(order, range(len(order)), strict=True))
        index[None] = -1
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
        return pd.Categorical.from_codes(codes, categories=pd.Index(order))
    except (TypeError, ValueError, KeyError):  # unhashable, unsortable or NaN-like values
        return pd.Categorical([None if missing(v) else str(v) for v in values])


def inferred(values: Sequence[Any]) -> Any:
    """A column of no fixed type (a sweep axis), as pandas' own inference types it (object
    when it cannot); text and numbers take pyarrow's quicker route to the same arrays."""
    kinds = set(map(type, values)) - {type(None)}
    if arrow is not None and (kinds <= {int, float} or kinds <= {str, float}):
        try:  # only plain text and numbers: pyarrow would read a bool as a number
            array = arrow.array(values, from_pandas=True)  # NaN is missing, as in pandas
        except (arrow.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
            array = None
        if array is not None and array.null_count < len(array):
            if arrow.types.is_large_string(array.type) or arrow.types.is_string(array.type):
                return _arrow_strings(array)
            if arrow.types.is_int64(array.type) or arrow.types.is_float64(array.type):
                mask = array.is_null().to_numpy(zero_copy_only=False, writable=True)
                data = array.fill_null(0).to_numpy(zero_copy_only=False, writable=True)
                if arrow.types.is_int64(array.type):
                    return pd.arrays.IntegerArray(data, mask)
                return pd.arrays.FloatingArray(data, mask)
    try:
        return pd.array(list(values))
    except (TypeError, ValueError):  # e.g. equal-length list cells, which numpy makes 2-D
        return pd.Series(list(values), dtype=object)


def missing(value: Any) -> bool:
    """True for None, NA, NaT and NaN (scalars only: list cells are not missing)."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: Any) -> float:
    """A cell as float, NaN when it is not a number (the lenient fallback)."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _epoch_seconds(value: Any) -> float:
    """Unix seconds of a number, a datetime or ISO text (naive means UTC); NaN otherwise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    if pd.isna(stamp):
        return math.nan
    return (stamp if stamp.tzinfo else stamp.tz_localize("UTC")).timestamp()
