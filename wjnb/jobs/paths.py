"""Nested field paths for sweeps: ``advanced_param.cfg`` or
``control_net_params[0].control_weight`` name a value inside a create body."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidArgument
from .kind import Json

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def steps(path: str) -> list[str | int]:
    """The keys and indexes of a path (``a.b[0].c`` -> ``["a", "b", 0, "c"]``)."""
    out: list[str | int] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and out:
            pos += 1
        found = _STEP.match(path, pos)
        if found is None:
            raise InvalidArgument("grid", f"cannot read the field path {path!r}")
        name, index = found.groups()
        out.append(int(index) if index is not None else name)
        pos = found.end()
    return out


def with_paths(base: Mapping[str, Any], values: Mapping[str, Any]) -> Json:
    """A copy of ``base`` with each value set at its path (missing objects and list
    entries are created; a plain name sets a top-level field as before)."""
    body: Json = dict(base)
    for path, value in values.items():
        route: list[str | int] = steps(path) if ("." in path or "[" in path) else [path]
        if len(route) == 1:
            body[path] = value
            continue
        top = route[0]
        body[str(top)] = copy.deepcopy(body.get(str(top)))
        _set(body, route, value, path)
    return body


def _set(body: Json, route: list[str | int], value: Any, path: str) -> None:
    node: Any = body
    for step, following in itertools.pairwise(route):
        node = _slot(node, step, [] if isinstance(following, int) else {}, path)
        if node is None:
            raise InvalidArgument("grid", f"{path!r}: cannot set a field inside {step!r}")
    _slot(node, route[-1], value, path, replace=True)


def _slot(node: Any, step: str | int, fill: Any, path: str, *, replace: bool = False) -> Any:
    """The value at ``step`` of ``node``, set to ``fill`` when missing (or ``replace``)."""
    if isinstance(step, int):
        if not isinstance(node, list):
            raise InvalidArgument("grid", f"{path!r}: [{step}] needs a list")
        node.extend(None for _ in range(step + 1 - len(node)))
    elif not isinstance(node, dict):
        raise InvalidArgument("grid", f"{path!r}: .{step} needs an object")
    current = node[step] if isinstance(step, int) else node.get(step)
    if replace or current is None:
        node[step] = current = fill
    return current
