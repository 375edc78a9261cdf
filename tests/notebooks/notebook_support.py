"""Helpers of the notebook tests: where the demos are, a clean environment, nbval runs.

The demos run against the embedded sandbox, so every run gets an environment without any
``WJNB_*`` variable (no credentials, no fault plan) plus a fresh ``WJNB_HOME`` and a fast
sandbox. nbval runs in a subprocess on copies of the notebooks in a temporary directory, so
the files the notebooks write (exports, the ledger) never land in the working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = NOTEBOOKS / "nbval-sanitize.cfg"
CONFTEST = NOTEBOOKS / "conftest.py"
SPEED = "50"


def notebook_paths() -> list[Path]:
    """The committed demo notebooks, in reading order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    """The code cells of a notebook (nbval makes one test item of each)."""
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def demo_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a demo run: no ``WJNB_*`` from outside, a fresh home, speed 50."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}
    env.update(WJNB_HOME=str(home), WJNB_SANDBOX_SPEED=SPEED, PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def copy_notebooks(target: Path, paths: list[Path] | None = None) -> list[Path]:
    """Copy notebooks, their conftest and the sanitizer file into ``target``; returns the
    copied notebooks."""
    target.mkdir(parents=True, exist_ok=True)
    for support in (SANITIZE, CONFTEST):
        shutil.copy(support, target / support.name)
    return [Path(shutil.copy(p, target / p.name)) for p in (paths or notebook_paths())]


@dataclass
class NbvalRun:
    """What one ``pytest --nbval`` run did: its exit code, output and per-cell outcomes."""

    returncode: int
    output: str
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # test id -> failure text
    skipped: list[str] = field(default_factory=list)

    def tail(self, chars: int = 6000) -> str:
        """The end of the run's output, for assertion messages."""
        return self.output[-chars:]


def run_nbval(
    workdir: Path,
    notebooks: list[Path],
    home: Path | None,
    timeout: float,
    *,
    bare: bool = False,
) -> NbvalRun:
    """Run ``pytest --nbval`` on ``notebooks`` (copies in ``workdir``) in a subprocess.

    By default with every setting explicit: the sanitizer file, the current environment's
    kernel, ``demo_env(home)``. ``bare=True`` runs plain ``pytest --nbval <notebooks>`` in an
    environment with no ``WJNB_*`` at all (not even a speed or a home): what a newcomer types,
    relying on ``notebooks/conftest.py`` for the rest.
    """
    report = workdir / "nbval-report.xml"
    options = ["--nbval"]
    if not bare:
        options += ["--nbval-current-env", "--nbval-sanitize-with", str(workdir / SANITIZE.name)]
    cmd = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs", *options,
        "--nbval-cell-timeout", "240", f"--junitxml={report}", *[p.name for p in notebooks],
    ]  # fmt: skip
    if bare:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}
    else:
        assert home is not None
        env = demo_env(home)
    proc = subprocess.run(
        cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    run = NbvalRun(proc.returncode, proc.stdout + proc.stderr)
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname')}::{case.get('name')}"
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is not None:
                run.failed[name] = (problem.get("message") or "") + "\n" + (problem.text or "")
            elif case.find("skipped") is not None:
                run.skipped.append(name)
            else:
                run.passed.append(name)
    return run
