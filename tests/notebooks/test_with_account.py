"""The demos also run for a user with an account: ``WJNB_*`` credentials in the environment.

A separate sandbox process (``python -m wjnb.sandbox``, which prints the ``WJNB_*`` lines a
client needs) stands in for the real services, so no notebook finds the embedded sandbox:
those that need a sandbox's controls (fault plans, counters) start their own, explicitly.
Every notebook runs top to bottom once in this mode (nbconvert, one process); the mode
without credentials is ``test_notebooks.py`` (nbval) and ``test_binder.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from notebook_support import NOTEBOOKS, copy_notebooks, demo_env, notebook_paths

pytestmark = pytest.mark.slow

CREDENTIALS = ("WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN")


@pytest.fixture
def account() -> Iterator[dict[str, str]]:
    """A sandbox in its own process, as a real account's services; yields its ``WJNB_*``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wjnb.sandbox", "--port", "0", "--speed", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        env: dict[str, str] = {}
        while not set(CREDENTIALS) <= set(env):  # it prints its lines once it listens
            line = proc.stdout.readline()
            assert line, f"the sandbox process ended (exit {proc.wait(10)})"
            name, _, value = line.strip().partition("=")
            env[name] = value
        yield env
    finally:
        proc.terminate()
        proc.wait(30)


def counters(env: dict[str, str]) -> dict[str, object]:
    """The separate sandbox's counters (its admin route, on loopback)."""
    root = env["WJNB_BASE_URL"].split("/wj-open")[0]
    with urllib.request.urlopen(f"{root}/_sandbox/counters", timeout=10) as reply:
        return dict(json.load(reply))


def test_every_notebook_runs_with_credentials(tmp_path: Path, account: dict[str, str]) -> None:
    assert all(account[name] for name in CREDENTIALS)
    paths = [*notebook_paths(), NOTEBOOKS / "studio-app.ipynb"]
    copies = copy_notebooks(tmp_path / "notebooks", paths)
    out = tmp_path / "executed"
    env = demo_env(tmp_path / "home", **account)
    cmd = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=300", f"--output-dir={out}", *[c.name for c in copies],
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=copies[0].parent, env=env, capture_output=True, text=True, timeout=1200
    )
    assert proc.returncode == 0, proc.stderr[-6000:]

    for copy in copies:
        nb = nbformat.read(out / copy.name, as_version=4)
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            assert cell.execution_count is not None, f"{copy.name}: a cell did not run"
            for output in cell.outputs:
                assert output.output_type != "error", f"{copy.name}: {output.get('evalue')}"
                text = json.dumps(output.get("data", {})) + str(output.get("text", ""))
                assert "embedded sandbox" not in text, f"{copy.name} did not use the account"
    seen = counters(account)
    assert seen["creates"], "no notebook created anything on the account"
