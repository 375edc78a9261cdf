"""Browser-test harness: a private JupyterLab, Notebook 7 or Voilà on 127.0.0.1 driven by
headless Chromium.

Each test gets a fresh server (own root, settings, runtime and ``WJNB_HOME`` in a tmp dir, a
random token) and a Playwright page on Debian's Chromium. Missing Chromium fails
the test: browser tests never skip. Every process started here is stopped by its own
process group at teardown.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# JupyterLab user settings that keep its own pop-ups out of the way and render every cell.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """Stop a process started in its own session, with everything it spawned (kernels)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


#: The front ends a ``Lab`` can be: the server module, its own options, a notebook's path.
FRONT_ENDS = {
    "lab": (
        "jupyterlab",
        ["--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly"],
        "lab/tree",
    ),
    "notebook": ("notebook", ["--JupyterNotebookApp.expose_app_in_browser=True"], "notebooks"),
}


def wait_ready(proc: subprocess.Popen[Any], url: str, log: Path, timeout: float = 60) -> None:
    """Wait until the server ``proc`` answers ``url`` with 200 (fail if it exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[2]} exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proc.args[2]} not ready after {timeout} s:\n{log.read_text()[-3000:]}")


class Lab:
    """A running JupyterLab (or Notebook 7: ``front_end="notebook"``) with a notebook root."""

    def __init__(self, root: Path, env: dict[str, str], log: Path, front_end: str = "lab") -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self._log = log.open("wb")
        module, options, self._path = FRONT_ENDS[front_end]
        cmd = [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            *options,
            "--ServerApp.terminals_enabled=False",
            "--allow-root",
        ]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_ready(self.proc, f"http://127.0.0.1:{self.port}/api/status?token={self.token}", log)

    def url(self, notebook: str) -> str:
        """The address that opens ``notebook`` in this front end."""
        return f"http://127.0.0.1:{self.port}/{self._path}/{notebook}?token={self.token}"

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Create a notebook of code cells (python3 kernel) in the root; returns its name."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        nbformat.write(nb, self.root / name)
        return name

    def stop(self) -> None:
        stop_group(self.proc)
        self._log.close()


class Voila:
    """Voilà serving one notebook as an app page (its own kernel per page load)."""

    def __init__(self, notebook: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self._log = log.open("wb")
        cmd = [
            sys.executable, "-m", "voila", notebook.name, "--no-browser",
            "--Voila.ip=127.0.0.1", f"--port={self.port}", "--Voila.port_retries=0",
            f"--token={self.token}", "--show_tracebacks=True",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd,
            cwd=notebook.parent,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # A static file: asking for the page itself would already run the notebook.
        wait_ready(self.proc, f"{self.url}/voila/static/voila.js", log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self) -> str:
        """The app page (each load starts a kernel and runs the notebook)."""
        return f"{self.url}/?token={self.token}"

    def stop(self) -> None:
        stop_group(self.proc)
        self._log.close()


class NotebookPage:
    """A notebook open in the browser, driven through JupyterLab's own commands."""

    def __init__(self, page: Any, lab: Lab, name: str) -> None:
        self.page = page
        page.goto(lab.url(name))
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
            " === 'idle'",
            timeout=60_000,
        )
        # The notebook gets the whole width: fold JupyterLab's side panels away.
        page.evaluate(
            """() => {
                const shell = window.jupyterapp.shell;
                if (shell.collapseLeft && !shell.leftCollapsed) { shell.collapseLeft(); }
                if (shell.collapseRight && !shell.rightCollapsed) { shell.collapseRight(); }
            }"""
        )

    def run(self, index: int, *, wait: bool = True, timeout: float = 60) -> None:
        """Run cell ``index``; ``wait=False`` returns as soon as it has been sent."""
        self.page.evaluate(
            """async ([i, wait]) => {
                const app = window.jupyterapp;
                app.shell.currentWidget.content.activeCellIndex = i;
                const done = app.commands.execute('notebook:run-cell');
                if (wait) { await done; }
            }""",
            [index, wait],
        )
        if wait:
            self.wait_idle(timeout)

    def kernel_status(self) -> str:
        """``idle`` / ``busy`` / ... as JupyterLab sees the kernel."""
        return str(
            self.page.evaluate(
                "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
            )
        )

    def wait_idle(self, timeout: float = 60) -> None:
        self.page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
            " === 'idle'",
            timeout=timeout * 1000,
        )

    def output(self, index: int) -> Any:
        """A locator for the output area of cell ``index``."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")

    def screenshot(self, name: str, locator: Any | None = None) -> Path:
        """Save a PNG under ``test-artifacts/`` (of ``locator`` when given)."""
        return screenshot(self.page, name, locator)


def screenshot(page: Any, name: str, locator: Any | None = None) -> Path:
    """Save a PNG of ``page`` (or of ``locator``) under ``test-artifacts/``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.mouse.move(0, 0)  # no hover or focus ring in the picture
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    if locator is not None:  # wholly inside the scrolled area
        locator.evaluate("e => e.scrollIntoView({block: 'center'})")
    (locator or page).screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; fails (never skips) when it is not installed.

    Module-scoped: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, which would break later tests that call ``asyncio.run``.
    """
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run scripts/ensure-chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a fresh temporary profile (user-data-dir) of its own.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the test item (the page fixture reads it)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page, at a desktop size with crisp screenshots.

    A failed test leaves a screenshot of the whole page in ``test-artifacts/``.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            pg.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
        context.close()


@pytest.fixture
def shoot(page: Any) -> Callable[[str, Any], Path]:
    """``shoot(name, locator=None)``: a screenshot of the test's page into ``test-artifacts/``."""
    return lambda name, locator=None: screenshot(page, name, locator)


@pytest.fixture
def open_notebook(page: Any) -> Callable[[Lab, str], NotebookPage]:
    """Open a notebook of a running Lab in the test's page, kernel started and idle."""
    return lambda lab, name: NotebookPage(page, lab, name)


@pytest.fixture
def start_lab(tmp_path: Path) -> Iterator[Callable[..., Lab]]:
    """Start a JupyterLab (or Notebook 7) with extra environment (the sandbox's); stopped at
    teardown."""
    labs: list[Lab] = []

    def start(extra_env: dict[str, str], front_end: str = "lab") -> Lab:
        root = tmp_path / "root"
        root.mkdir(exist_ok=True)
        lab = Lab(root, server_env(tmp_path, extra_env), tmp_path / "jupyter.log", front_end)
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        lab.stop()


@pytest.fixture
def start_voila(tmp_path: Path) -> Iterator[Callable[..., Voila]]:
    """Serve a notebook with Voilà, with extra environment; stopped at teardown."""
    servers: list[Voila] = []

    def start(notebook: Path, extra_env: dict[str, str]) -> Voila:
        root = tmp_path / "app"
        root.mkdir(exist_ok=True)
        copy = root / notebook.name
        copy.write_bytes(notebook.read_bytes())
        server = Voila(copy, server_env(tmp_path, extra_env), tmp_path / "voila.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def server_env(tmp_path: Path, extra_env: dict[str, str]) -> dict[str, str]:
    """A Jupyter server's environment: private config, runtime, settings and ``WJNB_HOME``."""
    settings = tmp_path / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
        "WJNB_HOME": str(tmp_path / "wjnb-home"),
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
