"""Defaults for ``pytest --nbval notebooks/``: the demos are checked against the sandbox.

* outputs are compared after ``nbval-sanitize.cfg`` (keys, ids, times, ports...) unless
  ``--nbval-sanitize-with`` names another file;
* the kernels never see credentials (``WJNB_APP_ID``, ``WJNB_PRIVATE_KEY``, ``WJNB_MJ_*``...),
  so checking the demos cannot spend real credits;
* ``WJNB_SANDBOX_SPEED`` defaults to 50 (a 10-second job takes 0.2 s) and ``WJNB_HOME`` to a
  fresh temporary directory, so runs start from an empty ledger and leave yours alone.

Values already set in the environment are kept (except credentials).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CREDENTIALS = (
    "WJNB_APP_ID",
    "WJNB_PRIVATE_KEY",
    "WJNB_BASE_URL",
    "WJNB_MJ_BASE_URL",
    "WJNB_MJ_TOKEN",
    "WJNB_MJ_AUTH",
    "WJNB_SANDBOX_FAULTS",
)


def pytest_configure(config: pytest.Config) -> None:
    if not (config.getoption("nbval", False) or config.getoption("nbval_lax", False)):
        return
    if not config.getoption("nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(HERE / "nbval-sanitize.cfg")
    for name in CREDENTIALS:
        os.environ.pop(name, None)
    os.environ.setdefault("WJNB_SANDBOX_SPEED", "50")
    if "WJNB_HOME" not in os.environ:
        os.environ["WJNB_HOME"] = tempfile.mkdtemp(prefix="wjnb-nbval-")
