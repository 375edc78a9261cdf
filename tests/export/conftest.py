"""Fixtures for exports: one real MLflow tracking server per session, and an offline Hub.

The server is ``mlflow server`` from the isolated environment ``make mlflow-server`` builds
(``.venv-mlflow``; ``WJNB_MLFLOW`` names another executable): on 127.0.0.1, a free port,
a SQLite backend store and artifacts in a temporary folder. It FAILS the tests, never skips
them, when it is missing or does not come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180.0  # the server imports a lot; two loaded cores make it slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A starting ``mlflow server`` process, its URI and its log."""

    proc: subprocess.Popen[bytes]
    uri: str
    log: Path


@pytest.fixture(scope="session", autouse=True)
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Start the server first thing (it takes a while), stop it after the session."""
    exe = Path(os.environ.get("WJNB_MLFLOW") or ROOT / ".venv-mlflow" / "bin" / "mlflow")
    if not exe.exists():
        pytest.fail(f"no MLflow server at {exe}: run `make mlflow-server`", pytrace=False)
    folder = tmp_path_factory.mktemp("mlflow")
    port = _free_port()
    command = [str(exe), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    command += ["--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}"]
    command += ["--artifacts-destination", str(folder / "artifacts")]
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        yield Server(proc, f"http://127.0.0.1:{port}", log)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def mlflow_uri(mlflow_server: Server) -> str:
    """The tracking URI, once the server answers."""
    _wait_healthy(mlflow_server.proc, mlflow_server.uri, mlflow_server.log)
    return mlflow_server.uri


def _wait_healthy(proc: subprocess.Popen[bytes], uri: str, log: Path) -> None:
    """Return once ``/health`` answers 200; fail when the server exits or never answers."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{uri}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)  # the server gives no other signal that it is listening
    pytest.fail(f"mlflow server not healthy after {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session", autouse=True)
def offline_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No Hugging Face network and a private cache (``datasets`` reads these at import)."""
    cache = tmp_path_factory.mktemp("hf")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_DATASETS_OFFLINE", "1")
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HOME", str(cache))
        mp.setenv("HF_DATASETS_CACHE", str(cache / "datasets"))
        yield
