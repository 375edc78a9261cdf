"""Every view is built from core ipywidgets only, so it works wherever ipywidgets does
(JupyterLab, Notebook 7, Voilà, VS Code, Colab) with no front-end extension of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets

import wjnb
from wjnb.widgets import Studio, card, grid

CORE = {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}


def tree(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """A widget, its layout and style, and all of that for every child."""
    yield widget
    for part in ("layout", "style"):
        if isinstance(getattr(widget, part, None), widgets.Widget):
            yield getattr(widget, part)
    for child in getattr(widget, "children", ()):
        yield from tree(child)


def test_every_view_is_made_of_core_widgets(client: wjnb.Client) -> None:
    studio = Studio(client)
    sweep = client.sweep("a kite", grid={"cfg": [4, 8]}, seeds=[1], experiment="core-widgets")
    sweep.wait(30)
    task = client.mj.imagine("a kite --v 6.1").wait(30)
    views: list[Any] = [studio, sweep.gallery(), grid(sweep, x="cfg", y="seed"), card(task)]
    for view in views:
        modules = {w._model_module for w in tree(view)} | {w._view_module for w in tree(view)}
        assert modules <= CORE, f"{type(view).__name__} needs {sorted(modules - CORE)}"
        bundle = view._repr_mimebundle_()
        assert bundle is not None and bundle["text/html"].strip()  # the fallback elsewhere
        view.close()
