"""Sweep planning is pure: combinations, order, identity and checks, without a server."""

from __future__ import annotations

import pytest

from wjnb.errors import InvalidArgument
from wjnb.jobs import plan

BASE = {"model": 1, "num": 1, "prompt": "a fox"}


def test_combinations_cover_any_field_with_seeds_last_in_a_stable_order() -> None:
    p = plan.make_plan(
        BASE, {"prompt": ["a fox", "a hare"], "model": [1, 3]}, [7, 8], None, route="/ai/create"
    )
    combos = plan.combinations(p)
    assert len(combos) == 8
    assert combos[0] == {"prompt": "a fox", "model": 1, "seed": 7}
    assert combos[1] == {"prompt": "a fox", "model": 1, "seed": 8}
    assert combos[-1] == {"prompt": "a hare", "model": 3, "seed": 8}
    assert plan.body_of(p, combos[-1]) == {"model": 3, "num": 1, "prompt": "a hare", "seed": 8}
    assert plan.plan_axes(p) == {"prompt": ["a fox", "a hare"], "model": [1, 3], "seed": [7, 8]}


def test_todo_skips_combinations_already_sent_and_order_follows_the_plan() -> None:
    p = plan.make_plan(BASE, {"cfg": [4, 7, 10]}, None, None, route="/ai/create")
    combos = plan.combinations(p)
    sent = {plan.combo_id({"cfg": 7})}
    assert plan.todo(combos, sent) == [{"cfg": 4}, {"cfg": 10}]

    class Made:
        def __init__(self, cfg: int) -> None:
            self.axes = {"cfg": cfg}

    made = [Made(10), Made(4), Made(7)]
    assert [m.axes["cfg"] for m in sorted(made, key=plan.plan_order(combos))] == [4, 7, 10]


def test_the_same_plan_is_recognised_after_a_json_round_trip() -> None:
    p = plan.make_plan(BASE, {"cfg": (4, 7)}, (1,), 50, route="/ai/create")
    stored = {"base": dict(BASE), "grid": {"cfg": [4, 7]}, "seeds": [1], "budget": 50}
    assert plan.same_plan(stored, p)
    assert not plan.same_plan({**stored, "budget": 60}, p)


@pytest.mark.parametrize(
    ("grid", "seeds", "budget", "field"),
    [
        ({}, None, None, "grid"),
        ({"cfg": []}, None, None, "grid"),
        ({"cfg": "47"}, None, None, "grid"),
        ({" ": [1]}, None, None, "grid"),
        ({"cfg": [4]}, "12", None, "seeds"),
        ({"cfg": [4]}, [], None, "seeds"),
        ({"cfg": [4]}, None, -1, "budget"),
    ],
)
def test_bad_plans_are_refused_before_anything_is_sent(
    grid: object, seeds: object, budget: object, field: str
) -> None:
    with pytest.raises(InvalidArgument) as err:
        plan.make_plan(BASE, grid, seeds, budget, route="/ai/create")
    assert err.value.argument == field
