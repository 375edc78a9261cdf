"""Binder's build, rebuilt from ``binder/`` alone, runs every demo notebook.

repo2docker installs ``binder/requirements.txt``, runs ``binder/postBuild`` in the repository
root, and starts every process through ``binder/start``. The slow test does the same in a fresh
virtual environment (one ``pip install`` from the package registry, then ``postBuild``) and
executes every notebook through ``binder/start``. Any problem is a failure, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
import tomllib
from notebook_support import ROOT, copy_notebooks, demo_env

BINDER = ROOT / "binder"
CREDENTIALS = ("WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN")


def _run(cmd: list[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; a non-zero exit fails the test with the end of its output."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    output = f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{output}"
    return proc


def test_binder_files_are_there_and_executable() -> None:
    for name in ("requirements.txt", "apt.txt", "postBuild", "start", "runtime.txt"):
        assert (BINDER / name).is_file(), f"binder/{name} is missing"
    for name in ("postBuild", "start"):
        assert os.access(BINDER / name, os.X_OK), f"binder/{name} is not executable"
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    apt = (BINDER / "apt.txt").read_text().split()
    assert "fonts-noto-color-emoji" in apt, "Binder's image has no emoji font"


def test_requirements_cover_the_demo_extra() -> None:
    """What ``make demo`` installs (the ``demo`` extra with the plot and export extras the
    notebooks need) is what Binder installs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names = ("demo", "plot", "mlflow", "datasets")
    wanted = {r for name in names for r in extras[name] if not r.startswith("wjnb")}
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    have = {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}
    assert wanted <= have, f"binder/requirements.txt lacks {sorted(wanted - have)}"


def test_start_makes_the_sandbox_the_default() -> None:
    """Credentials never reach a Binder session; the speed and ledger have defaults."""
    env = {**os.environ, **dict.fromkeys(CREDENTIALS, "leaked"), "HOME": "/home/jovyan"}
    env.pop("WJNB_SANDBOX_SPEED", None)
    env.pop("WJNB_HOME", None)
    out = _run([str(BINDER / "start"), "env"], env=env, timeout=30).stdout
    seen = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert not {k for k in CREDENTIALS if k in seen}, "credentials reach the Binder session"
    assert seen["WJNB_SANDBOX_SPEED"] == "10"
    assert seen["WJNB_HOME"] == "/home/jovyan/.wjnb"
    # Values given by the caller are kept, and the command's exit status comes back.
    env["WJNB_SANDBOX_SPEED"] = "3"
    out = _run([str(BINDER / "start"), "sh", "-c", "echo $WJNB_SANDBOX_SPEED"], env=env, timeout=30)
    assert out.stdout.strip() == "3"
    failed = subprocess.run([str(BINDER / "start"), "false"], env=env, timeout=30)
    assert failed.returncode == 1


@pytest.mark.slow
def test_binder_build_runs_every_notebook(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    base = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env = {
        **base,
        "PATH": f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    timings: dict[str, float] = {}

    started = time.monotonic()
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    requirements = str(BINDER / "requirements.txt")
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q"]
    _run([*pip, "-r", requirements], env=env, timeout=1800)
    timings["pip install -r binder/requirements.txt"] = time.monotonic() - started

    started = time.monotonic()
    _run([str(BINDER / "postBuild")], cwd=ROOT, env=env, timeout=900)
    timings["binder/postBuild"] = time.monotonic() - started

    # wjnb is installed into the new environment, not found through the source tree.
    probe = "import wjnb, ipywidgets, matplotlib, pyarrow; print(wjnb.__file__)"
    where = _run(["python", "-c", probe], cwd=tmp_path, env=env, timeout=120).stdout.strip()
    assert where.startswith(str(venv)), f"wjnb imported from {where}"

    workdir = tmp_path / "notebooks"
    copies = copy_notebooks(workdir)
    out_dir = tmp_path / "executed"
    run_env = {**demo_env(tmp_path / "home"), "PATH": env["PATH"]}
    run_env.pop("VIRTUAL_ENV", None)
    started = time.monotonic()
    nbconvert = ["jupyter", "nbconvert", "--to", "notebook", "--execute"]
    options = ["--ExecutePreprocessor.timeout=300", f"--output-dir={out_dir}"]
    notebooks = [p.name for p in copies]
    _run(
        [str(BINDER / "start"), *nbconvert, *options, *notebooks],
        cwd=workdir,
        env=run_env,
        timeout=1200,
    )
    timings["binder/start jupyter nbconvert --execute (every notebook)"] = (
        time.monotonic() - started
    )

    for copy in copies:
        nb = nbformat.read(out_dir / copy.name, as_version=4)
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            assert cell.execution_count is not None, f"{copy.name}: a cell did not run"
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{copy.name}: {errors[0].ename}: {errors[0].evalue}"

    _run([str(BINDER / "start"), "jupyter", "lab", "--version"], env=run_env, timeout=120)
    print("\n".join(f"{name}: {seconds:.0f} s" for name, seconds in timings.items()))
