"""Every committed notebook reads well where widgets are not live (GitHub, nbviewer, a plain
``nbconvert --to html``): each widget output carries a static ``text/html`` view with its
pictures, and the HTML export of the notebook shows them.

A viewer without the widgets' JavaScript ignores the saved widget state and shows the
``text/html`` of each output, so the export is made from the notebook without its state.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter
from notebook_support import NOTEBOOKS

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PICTURE = re.compile(r"<img[^>]* src=\"data:image/(?:jpeg|png|webp);base64,[A-Za-z0-9+/=]{200,}")
#: A progress bar's static view is its status line ("wjnb: 18/18 done"): no picture to show.
PROGRESS = re.compile(r"wjnb: \d+/\d+ done")

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def widget_outputs(nb: nbformat.NotebookNode) -> list[dict[str, object]]:
    """The data of every output that is a widget view."""
    return [
        output["data"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if WIDGET_VIEW in output.get("data", {})
    ]


def static_view(data: dict[str, object]) -> str:
    value = data.get("text/html", "")
    return "".join(value) if isinstance(value, list) else str(value)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_widget_output_has_a_static_view_with_its_pictures(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    views = [static_view(data) for data in widget_outputs(nb)]
    for view in views:
        assert view.strip(), f"{path.name}: a widget output with no static view"
        if not PROGRESS.fullmatch(re.sub(r"<[^>]+>", "", view).strip()):
            assert PICTURE.search(view), f"{path.name}: a static view without a picture"

    nb.metadata.pop("widgets", None)
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert WIDGET_VIEW not in page, "the export still expects live widgets"
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for view in views:  # each static view is in the page, its words and its pictures
        words = html.unescape(re.sub(r"<[^>]+>", " ", view)).split()  # text, not its escaping
        assert " ".join(words[:8]) in shown, f"{path.name}: a static view is not shown"
    pictures = sum(len(PICTURE.findall(view)) for view in views)
    assert len(PICTURE.findall(page)) >= pictures


def test_the_demos_show_pictures_in_widget_outputs() -> None:
    """The check above has something to check: the demos show the Studio, grids and cards."""
    counts = {
        p.name: len(widget_outputs(nbformat.read(p, as_version=4)))
        for p in PATHS
        if p.name[:2].isdigit()
    }
    assert counts["01-quickstart.ipynb"] >= 1 and counts["02-parameter-sweep.ipynb"] >= 1
    assert sum(counts.values()) >= 5, counts
