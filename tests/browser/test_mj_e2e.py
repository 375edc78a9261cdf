"""End to end in a real browser: a Midjourney card's V1 button makes a child card that finishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import wjnb.sandbox

pytestmark = pytest.mark.browser

#: Pictures that have actually loaded in the cards matching a selector.
LOADED = """([sel, n]) => [...document.querySelectorAll(sel + ' img.widget-image')]
    .filter(img => img.naturalWidth > 0 && !img.closest('.wjnb-hidden')).length >= n"""


def test_pressing_v1_adds_a_child_card_that_finishes(
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
    start_lab: Callable[..., Any],
    open_notebook: Callable[..., Any],
) -> None:
    srv = sandbox_factory(speed=20)
    lab = start_lab(srv.env())
    name = lab.write_notebook(
        "mj.ipynb",
        [
            "import wjnb, wjnb.widgets\n"
            "task = wjnb.Client().mj.imagine('a pig in a spacesuit --v 6.1')\n"
            "wjnb.widgets.card(task)",
        ],
    )
    nb = open_notebook(lab, name)
    page = nb.page
    nb.run(0)
    out = nb.output(0)
    page.wait_for_function(LOADED, arg=[".wjnb-mj", 1], timeout=60_000)
    v1 = out.get_by_role("button", name="V1", exact=True)
    v1.wait_for()
    for label in ("U1", "U4", "V4", "Reroll", "Seed"):
        assert out.get_by_role("button", name=label, exact=True).is_visible(), label

    v1.click()
    page.wait_for_function(LOADED, arg=[".wjnb-children .wjnb-mj", 1], timeout=60_000)
    child = out.locator(".wjnb-children .wjnb-mj").first
    assert "Variation" in child.inner_text() and "Done" in child.inner_text()
    nb.screenshot("mj-e2e.png", out)
