"""Planning a sweep: every combination of a grid (any create field) times seeds, in a
stable order, and what makes two sweeps the same one. Pure: no I/O, no clock."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import validate
from ..errors import InvalidArgument
from .kind import Json
from .paths import with_paths

#: What makes two sweeps the same sweep (running the same cell twice resumes it).
PLAN_KEYS = ("base", "grid", "seeds", "budget", "budget_name")


def make_plan(
    base: Json,
    grid: object,
    seeds: object,
    budget: object,
    *,
    route: str,
) -> Json:
    """A sweep plan from its arguments, checked before anything is priced or sent.

    ``grid`` maps any create field (``prompt`` and ``model`` included) to its values.
    """
    if not isinstance(grid, Mapping) or not grid:
        raise InvalidArgument("grid", "give at least one axis, e.g. {'cfg': [4, 7]}")
    for axis, values in grid.items():
        if not isinstance(axis, str) or not axis.strip():
            raise InvalidArgument("grid", f"axis names are parameter names, got {axis!r}")
        if not isinstance(values, Sequence) or isinstance(values, str) or not values:
            raise InvalidArgument("grid", f"axis {axis!r} needs a non-empty list of values")
    if budget is not None:
        validate.non_negative("budget", budget)
    if seeds is not None and (
        isinstance(seeds, (str, bytes, Mapping)) or not isinstance(seeds, Sequence) or not seeds
    ):
        raise InvalidArgument("seeds", "expected a non-empty list of seeds, e.g. [1, 2]")
    return {
        "kind": "sweep",
        "route": route,
        "base": base,
        "grid": {k: list(v) for k, v in grid.items()},
        "seeds": list(seeds) if seeds else None,
        "budget": budget,
        "state": "pricing",
    }


def same_plan(stored: Mapping[str, Any], plan: Mapping[str, Any]) -> bool:
    """True when a stored plan is this plan (compared as JSON, as the ledger keeps it)."""
    return all(stored.get(k) == json.loads(json.dumps(plan.get(k))) for k in PLAN_KEYS)


def combinations(plan: Mapping[str, Any]) -> list[Json]:
    """Every axis combination of a sweep plan (seeds last), in a stable order."""
    grid: dict[str, list[Any]] = dict(plan["grid"])
    if plan.get("seeds"):
        grid["seed"] = list(plan["seeds"])
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def body_of(plan: Mapping[str, Any], combo: Mapping[str, Any]) -> Json:
    """The create body of one combination: the base with the combination's values (an
    axis may be a nested path such as ``advanced_param.cfg``)."""
    return with_paths(plan["base"], combo)


def plan_axes(plan: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The axes a sweep's JobSet labels its jobs with (seed included)."""
    if plan.get("kind") != "sweep":
        return {}
    axes = dict(plan["grid"])
    if plan.get("seeds"):
        axes["seed"] = plan["seeds"]
    return axes


def combo_id(axes: Mapping[str, Any]) -> str:
    """A combination's identity (the ledger stores each request's axes)."""
    return json.dumps(dict(axes), sort_keys=True, default=str)


def plan_order(combos: list[Json]) -> Callable[[Any], int]:
    """Sort key putting a sweep's jobs (anything with ``axes``) in plan order."""
    index = {combo_id(c): i for i, c in enumerate(combos)}
    return lambda job: index.get(combo_id(getattr(job, "axes", {})), len(index))


def todo(combos: list[Json], sent: set[str]) -> list[Json]:
    """The combinations that have no live request yet."""
    return [c for c in combos if combo_id(c) not in sent]
