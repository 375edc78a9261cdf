"""End to end in a real browser: the Studio in JupyterLab 4, Notebook 7 and a Voilà app.

A prompt is typed and submitted in the page and the card shows the finished picture; then a
slow job finishes on screen while another cell is still running (the kernel is busy), which
only works because the tracker runs on its own thread and its updates reach the browser.
Voilà runs no other cells, so there the app is used as a visitor would: type, press, see.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wjnb.sandbox

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[2] / "notebooks" / "studio-app.ipynb"
#: True once some card in the page shows a picture that has actually loaded.
FINISHED = """(n) => [...document.querySelectorAll('.wjnb-card img.widget-image')]
    .filter(img => img.naturalWidth > 0 && !img.closest('.wjnb-hidden')).length >= n"""
#: Viewport of the screenshots (docs/studio-*.png).
SCREEN = {"width": 1280, "height": 1400}
CARDS = "(n) => document.querySelectorAll('.wjnb-card').length >= n"
#: The model menu has its choices (they come from the backend).
MENUS = "() => document.querySelector('.wjnb-studio .widget-dropdown select')?.options.length > 0"
BUSY = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'busy'"


def send(studio: Any, prompt: str) -> None:
    """Type ``prompt`` into the Studio's form and press Generate, as a user does."""
    studio.locator("textarea").first.fill(prompt)
    studio.get_by_role("button", name="Generate").click()


@pytest.mark.parametrize("front_end", ["lab", "notebook"], ids=["jupyterlab4", "notebook7"])
def test_studio_submits_and_cards_update_while_another_cell_runs(
    front_end: str,
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
    start_lab: Callable[..., Any],
    open_notebook: Callable[..., Any],
) -> None:
    srv = sandbox_factory(speed=20)
    lab = start_lab(srv.env(), front_end)
    name = lab.write_notebook(
        "studio.ipynb",
        [
            "import wjnb\nstudio = wjnb.Studio()\nstudio",
            "import time\ntime.sleep(10)\nprint('slept')",
        ],
    )
    nb = open_notebook(lab, name)
    page = nb.page
    page.set_viewport_size(SCREEN)  # the whole Studio and the front end around it
    nb.run(0)
    studio = nb.output(0)
    studio.locator(".wjnb-studio").wait_for()
    page.wait_for_function(MENUS)

    # Type a prompt and submit from the page; the card finishes with its thumbnail.
    send(studio, "a lighthouse at dusk, stormy sea")
    page.wait_for_function(FINISHED, arg=1, timeout=60_000)
    assert "credits" in studio.locator(".wjnb-studio").inner_text()
    nb.screenshot(f"studio-{front_end}.png")

    # A slow job, then a cell that keeps the kernel busy for 10 s.
    send(studio, "[slow] a quiet harbour at night")
    page.wait_for_function(CARDS, arg=2, timeout=30_000)  # accepted: its card is shown
    started = time.monotonic()
    nb.run(1, wait=False)
    page.wait_for_function(BUSY)
    page.wait_for_function(FINISHED, arg=2, timeout=15_000)
    finished_after = time.monotonic() - started
    assert nb.kernel_status() == "busy", "the card only finished once the cell was over"
    assert finished_after < 10
    nb.screenshot(f"studio-{front_end}-busy-kernel.png")
    nb.wait_idle(30)
    assert "slept" in nb.output(1).inner_text()


def test_voila_app_serves_the_studio(
    start_voila: Callable[..., Any], page: Any, shoot: Callable[..., Path]
) -> None:
    """``voila notebooks/studio-app.ipynb``: the page is the Studio, on the embedded sandbox."""
    app = start_voila(APP, {"WJNB_SANDBOX_SPEED": "20"})
    page.set_viewport_size(SCREEN)
    page.goto(app.page_url())
    page.locator(".wjnb-studio").wait_for(timeout=90_000)
    page.wait_for_function(MENUS)
    text = page.locator("body").inner_text()
    assert "wjnb Studio" in text and "using the embedded sandbox" in text
    assert "import wjnb" not in text, "Voilà shows outputs, never code"

    send(page, "a red bicycle leaning on a blue wall, watercolour")
    page.wait_for_function(FINISHED, arg=1, timeout=60_000)
    page.wait_for_function("() => /1 job\\b/.test(document.body.innerText)")
    shoot("studio-voila.png")
