"""Request objects echoed back with the exact JSON types a reply field has.

Pro and lab replies give back what the request held (a ControlNet unit, a face-editor
object...), but typed as the reference types the reply: an int field never carries ``1.0``
or ``"1"``, a missing field reads as its zero value, as Go's encoder would write it.
A shape is ``int``, ``float``, ``str``, ``bool``, ``[shape]`` or ``{name: shape}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

Shape = Any


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def conform(value: object, shape: Shape) -> Any:
    """``value`` typed as ``shape`` (zero values where it is missing or unreadable)."""
    if shape is int:
        return int(_number(value))
    if shape is float:
        return _number(value)
    if shape is str:
        return value if isinstance(value, str) else "" if value is None else str(value)
    if shape is bool:
        return bool(value) if isinstance(value, (bool, int)) else value == "true"
    if isinstance(shape, list):
        items = value if isinstance(value, list) else []
        return [conform(v, shape[0]) for v in items]
    source = value if isinstance(value, Mapping) else {}
    return {name: conform(source.get(name), sub) for name, sub in shape.items()}
