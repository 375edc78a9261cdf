"""Argument checks run before any request is built.

Each check takes the argument's name and value and returns the value as it goes on the
wire, or raises ``InvalidArgument(name, why)``. Wrong types are reported the same way,
never as a bare ``TypeError``/``KeyError``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .errors import InvalidArgument

E = TypeVar("E", bound=enum.Enum)


def _type_name(value: object) -> str:
    return type(value).__name__


def text(name: str, value: object, *, max_len: int | None = None) -> str:
    """Any string (possibly empty), at most ``max_len`` characters."""
    if not isinstance(value, str):
        raise InvalidArgument(name, f"expected a string, got {_type_name(value)}")
    if max_len is not None and len(value) > max_len:
        raise InvalidArgument(name, f"at most {max_len} characters, got {len(value)}")
    return value


def nonblank(name: str, value: object, *, max_len: int | None = None) -> str:
    """A string with at least one non-blank character (prompts, keys, ids)."""
    value = text(name, value, max_len=max_len)
    if not value.strip():
        raise InvalidArgument(name, "must not be empty or blank")
    return value


def keys(name: str, value: object, *, max_count: int | None = None) -> list[str]:
    """One key or a non-empty collection of keys (at most ``max_count``)."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgument(name, f"expected a list of keys, got {_type_name(value)}")
    out = [nonblank(f"{name}[{i}]", item) for i, item in enumerate(value)]
    if not out:
        raise InvalidArgument(name, "needs at least one key")
    if max_count is not None and len(out) > max_count:
        raise InvalidArgument(name, f"at most {max_count} keys, got {len(out)}")
    return out


def integer(name: str, value: object, *, minimum: int | None = None) -> int:
    """An ``int`` (not a bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(name, f"expected an integer, got {_type_name(value)}")
    if minimum is not None and value < minimum:
        raise InvalidArgument(name, f"must be at least {minimum}, got {value}")
    return value


def positive(name: str, value: object) -> int:
    """An integer of at least 1 (sizes, counts, steps)."""
    return integer(name, value, minimum=1)


def non_negative(name: str, value: object) -> int:
    """An integer of at least 0 (indexes, counters)."""
    return integer(name, value, minimum=0)


def number(name: str, value: object, *, minimum: float | None = None) -> float | int:
    """A finite real number (not a bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(name, f"expected a number, got {_type_name(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidArgument(name, "must be a finite number")
    if minimum is not None and value < minimum:
        raise InvalidArgument(name, f"must be at least {minimum}, got {value}")
    return value


def non_negative_number(name: str, value: object) -> float | int:
    """A finite number of at least 0 (cfg, strengths, degrees)."""
    return number(name, value, minimum=0)


def seed(name: str, value: object) -> str:
    """A seed given as an int or a string; the wire wants a string."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidArgument(name, f"expected an int or a string, got {_type_name(value)}")
    return str(value)


def choice(name: str, value: object, allowed: type[E]) -> Any:
    """The wire value of one member of ``allowed`` (given as a member or its value)."""
    if isinstance(value, allowed):
        return value.value
    for member in allowed:
        if value == member.value and type(value) is type(member.value):
            return member.value
    names = ", ".join(repr(m.value) for m in allowed)
    raise InvalidArgument(name, f"must be one of {names}, got {value!r}")


def strings(name: str, value: object, *, count: range | None = None) -> list[str]:
    """A list of strings, its length within ``count`` when given."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgument(name, f"expected a list of strings, got {_type_name(value)}")
    out = [text(f"{name}[{i}]", item) for i, item in enumerate(value)]
    if count is not None and len(out) not in count:
        raise InvalidArgument(
            name, f"needs {count.start} to {count.stop - 1} items, got {len(out)}"
        )
    return out


def mapping(name: str, value: object) -> dict[str, Any]:
    """A JSON object given as a mapping."""
    if not isinstance(value, Mapping):
        raise InvalidArgument(name, f"expected a mapping, got {_type_name(value)}")
    out = dict(value)
    json_value(name, out)
    return out


def json_value(name: str, value: object) -> Any:
    """Any value that serialises to JSON, unchanged (pass-through fields)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidArgument(name, "is not JSON-serialisable") from None
    return value
