"""End to end in a real browser: the Studio in JupyterLab against a sandbox.

A prompt is typed and submitted in the page and the card shows the finished picture; then a
slow job finishes on screen while another cell is still running (the kernel is busy), which
only works because the tracker runs on its own thread and its updates reach the browser.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import wjnb.sandbox

pytestmark = pytest.mark.browser

#: True once some card in the page shows a picture that has actually loaded.
FINISHED = """(n) => [...document.querySelectorAll('.wjnb-card img.widget-image')]
    .filter(img => img.naturalWidth > 0 && !img.closest('.wjnb-hidden')).length >= n"""
CARDS = "(n) => document.querySelectorAll('.wjnb-card').length >= n"


def test_studio_submits_and_cards_update_while_another_cell_runs(
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
    start_lab: Callable[..., Any],
    open_notebook: Callable[..., Any],
) -> None:
    srv = sandbox_factory(speed=20)
    lab = start_lab(srv.env())
    name = lab.write_notebook(
        "studio.ipynb",
        [
            "import wjnb\nstudio = wjnb.Studio()\nstudio",
            "import time\ntime.sleep(10)\nprint('slept')",
        ],
    )
    nb = open_notebook(lab, name)
    page = nb.page
    nb.run(0)
    studio = nb.output(0)
    studio.locator(".wjnb-studio").wait_for()
    page.wait_for_function(
        "() => document.querySelector('.wjnb-studio .widget-dropdown select')?.options.length > 0"
    )

    # Type a prompt and submit from the page; the card finishes with its thumbnail.
    studio.locator("textarea").first.fill("a lighthouse at dusk, stormy sea")
    studio.get_by_role("button", name="Generate").click()
    page.wait_for_function(FINISHED, arg=1, timeout=60_000)
    assert "credits" in studio.locator(".wjnb-studio").inner_text()
    nb.screenshot("studio-e2e.png", studio)

    # A slow job, then a cell that keeps the kernel busy for 10 s.
    studio.locator("textarea").first.fill("[slow] a quiet harbour at night")
    studio.get_by_role("button", name="Generate").click()
    page.wait_for_function(CARDS, arg=2, timeout=30_000)  # accepted: its card is shown
    started = time.monotonic()
    nb.run(1, wait=False)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'busy'"
    )
    page.wait_for_function(FINISHED, arg=2, timeout=15_000)
    finished_after = time.monotonic() - started
    assert nb.kernel_status() == "busy", "the card only finished once the cell was over"
    assert finished_after < 10
    nb.screenshot("studio-e2e-busy-kernel.png", studio)
    nb.wait_idle(30)
    assert "slept" in nb.output(1).inner_text()
