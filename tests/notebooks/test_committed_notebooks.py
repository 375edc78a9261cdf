"""Static checks of the committed notebooks: valid, small, executed, renderable, no secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from notebook_support import NOTEBOOKS, ROOT, code_cells, notebook_paths

from wjnb.sandbox.auth import demo_credentials

MAX_BYTES = 2 * 1024 * 1024
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
EXPECTED = [
    "01-quickstart.ipynb",
    "02-parameter-sweep.ipynb",
    "03-compare-experiments.ipynb",
    "04-midjourney.ipynb",
    "05-avatar-camera.ipynb",
    "06-resilience.ipynb",
    "07-team.ipynb",
    "08-export.ipynb",
    "09-pro-and-chains.ipynb",
    "10-animate-and-avatars.ipynb",
]

PATHS = notebook_paths()
DEMO_CREDENTIALS = demo_credentials(0)


def test_the_demos_are_there() -> None:
    assert [p.name for p in PATHS] == EXPECTED


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_is_valid_and_small(path: Path) -> None:
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)  # raises on any schema error
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_widget_state_is_absent_or_valid(path: Path) -> None:
    """GitHub and nbviewer refuse to render a notebook whose widget state is malformed."""
    nb = nbformat.read(path, as_version=4)
    widgets = nb.metadata.get("widgets")
    if widgets is None:
        return
    assert set(widgets) == {WIDGET_STATE}, set(widgets)
    entry = widgets[WIDGET_STATE]
    assert entry["version_major"] == 2 and entry["version_minor"] == 0
    assert isinstance(entry["state"], dict)
    for model_id, model in entry["state"].items():
        assert re.fullmatch(r"[0-9a-f]{32}", model_id), model_id
        assert {"model_name", "model_module", "model_module_version", "state"} <= set(model)
    # Every widget view saved in an output refers to a model whose state is saved too.
    for cell in code_cells(path):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view is not None:
                assert view["model_id"] in entry["state"], f"{path.name}: dangling widget view"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_outputs_are_saved_in_order_without_errors(path: Path) -> None:
    """Every code cell ran, once, top to bottom, and GitHub has a static view of each output."""
    cells = code_cells(path)
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: error saved in\n{cell.source}"
            stderr = output.output_type == "stream" and output.name == "stderr"
            assert not (stderr and "embedded sandbox" in output.text), "the notice is an error box"
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                assert {"text/html", "text/plain"} & set(data), "a widget with no static view"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_secret_in_a_saved_notebook(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for marker in ("PRIVATE KEY", "-----BEGIN", "Bearer ", "sk-sandbox-", "Authorization"):
        assert marker not in text, f"{path.name} contains {marker!r}"
    creds = DEMO_CREDENTIALS  # what the notebooks' sandboxes use (seed 0)
    assert creds.private_key[200:260] not in text, f"{path.name} contains the sandbox's key"
    assert creds.mj_token not in text, f"{path.name} contains the sandbox's MJ token"
    assert "/cb/wujie/" not in text and "/cb/mj/" not in text, "a callback URL (it has a secret)"
    assert not re.search(r"/(tmp|home|root|Users)/\w", _sources(path)), "a local path in a cell"


def test_sanitizer_rules_are_well_formed() -> None:
    """nbval reads ``regex:`` / ``replace:`` pairs; a stray line silently drops a rule."""
    text = (NOTEBOOKS / "nbval-sanitize.cfg").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("#", "["))]
    pairs = list(zip(lines[::2], lines[1::2], strict=True))
    assert pairs and all(r.startswith("regex: ") and s.startswith("replace: ") for r, s in pairs)
    for regex, _ in pairs:
        re.compile(regex.removeprefix("regex: "))


def test_readme_lists_every_notebook_and_its_images_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in PATHS:
        assert f"notebooks/{path.name}" in readme, f"README does not link {path.name}"
    images = re.findall(r"\]\((docs/[^)\s]+\.png)\)", readme)
    assert images, "README shows no screenshot"
    for image in images:
        assert (ROOT / image).is_file(), f"README shows {image}, which is missing"
    assert "mybinder.org/v2/gh/" in readme and "labpath=notebooks/01-quickstart.ipynb" in readme


def _sources(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_the_sandbox_notice_is_one_calm_line() -> None:
    """Without credentials the first cell says which backend it uses: an info line, no stderr."""
    first = code_cells(NOTEBOOKS / "01-quickstart.ipynb")[0]
    (notice,) = [o for o in first.outputs if "embedded sandbox" in str(o.get("data", {}))]
    assert notice.output_type == "display_data"
    assert notice.data["text/plain"].count("\n") == 0 and "<div" in notice.data["text/html"]
