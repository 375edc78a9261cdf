"""The demo notebooks run top to bottom against the sandbox and reproduce their saved outputs.

``make test`` runs this: ``pytest --nbval`` on every notebook in ``notebooks/`` (copies in a
temporary directory), in a subprocess whose environment has no ``WJNB_*`` credentials, a fresh
``WJNB_HOME`` shared by all notebooks (like one user running them in turn) and a sandbox at
speed 50. Outputs are compared after ``notebooks/nbval-sanitize.cfg``.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from notebook_support import code_cells, copy_notebooks, notebook_paths, run_nbval

pytestmark = pytest.mark.slow


def test_every_notebook_runs_and_matches_its_saved_outputs(tmp_path: Path) -> None:
    notebooks = notebook_paths()
    assert len(notebooks) >= 6, f"expected the six demos in notebooks/, found {notebooks}"
    copies = copy_notebooks(tmp_path / "notebooks", notebooks)

    started = time.monotonic()
    run = run_nbval(tmp_path / "notebooks", copies, tmp_path / "home", timeout=900)
    took = time.monotonic() - started
    print(f"nbval: {len(run.passed)} cells of {len(notebooks)} notebooks in {took:.0f} s")

    assert not run.failed, "cells that failed:\n" + "\n\n".join(
        f"{name}\n{text[-3000:]}" for name, text in run.failed.items()
    )
    assert run.returncode == 0, run.tail()
    assert not run.skipped, f"skipped cells: {run.skipped}"
    expected = sum(len(code_cells(p)) for p in notebooks)
    assert len(run.passed) == expected, (
        f"nbval checked {len(run.passed)} cells, the notebooks have {expected}\n{run.tail()}"
    )


def test_a_changed_saved_output_fails_nbval(tmp_path: Path) -> None:
    """The sanitizer hides what may vary, not what matters: one edited output is caught.

    The quickstart runs twice in one nbval session, as committed and with the saved output
    of its ``image.size`` cell edited; only that cell of the edited copy may fail. The run is
    a bare ``pytest --nbval`` with no ``WJNB_*`` in the environment, so it also shows that
    ``notebooks/conftest.py`` supplies the sanitizer, the speed and a fresh home by itself.
    """
    source = next(p for p in notebook_paths() if p.name.startswith("01-"))
    workdir = tmp_path / "notebooks"
    (original,) = copy_notebooks(workdir, [source])

    nb = nbformat.read(original, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(cells) if c.source.strip().endswith("image.size"))
    (result,) = [o for o in cells[index].outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"] == "(512, 512)", "the quickstart changed; update this test"
    result.data["text/plain"] = "(512, 384)"
    changed = workdir / "01-changed.ipynb"
    nbformat.write(nb, changed)

    run = run_nbval(workdir, [original, changed], None, timeout=600, bare=True)

    assert run.returncode != 0, "nbval passed a notebook whose saved output was edited"
    assert list(run.failed) == [f"01-changed.ipynb::Cell {index}"], run.tail()
    assert "Cell outputs differ" in next(iter(run.failed.values()))
    assert len(run.passed) == 2 * len(cells) - 1, run.tail()
