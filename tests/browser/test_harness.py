"""The harness itself: JupyterLab opens a notebook, runs a cell and renders a widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_lab_renders_a_slider(
    start_lab: Callable[..., Any], open_notebook: Callable[..., Any]
) -> None:
    lab = start_lab({})
    name = lab.write_notebook("slider.ipynb", ["import ipywidgets as w\nw.IntSlider(value=7)"])
    nb = open_notebook(lab, name)
    nb.run(0)
    nb.output(0).locator(".widget-slider").wait_for()
    assert "7" in nb.output(0).inner_text()
    assert nb.screenshot("harness-slider.png", nb.output(0)).stat().st_size > 0
