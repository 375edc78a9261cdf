"""``python -m wjnb.sandbox``: prints the environment, serves, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
from conftest import sign_header

NAMES = ["WJNB_BASE_URL", "WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN"]


def test_cli_prints_env_and_serves() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wjnb.sandbox",
            "--port",
            "0",
            "--speed",
            "50",
            "--seed",
            "1",
            "--balance",
            "77",
            "--faults",
            "429=0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().rstrip("\n") for _ in NAMES]
        env = dict(line.split("=", 1) for line in lines)
        assert list(env) == NAMES
        assert env["WJNB_BASE_URL"].startswith("http://127.0.0.1:")
        assert env["WJNB_MJ_BASE_URL"].endswith("/mj-fast")
        auth = sign_header(env["WJNB_APP_ID"], env["WJNB_PRIVATE_KEY"])
        reply = httpx.get(
            env["WJNB_BASE_URL"] + "/account/availableIntegralBalance",
            headers={"Authorization": auth},
        )
        assert reply.json()["data"] == {"balance": 77}
        tasks = httpx.get(
            env["WJNB_MJ_BASE_URL"] + "/mj/task/list",
            headers={"Authorization": "Bearer " + env["WJNB_MJ_TOKEN"]},
        )
        assert tasks.json() == []
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_cli_refuses_other_hosts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wjnb.sandbox", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "loopback" in done.stderr and done.stdout == ""


def test_cli_plays_a_proxy_flavour() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wjnb.sandbox", "--port", "0", "--mj-flavor", "trueai"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        env = dict(proc.stdout.readline().rstrip("\n").split("=", 1) for _ in NAMES)
        base = env["WJNB_MJ_BASE_URL"]
        assert base == env["WJNB_BASE_URL"].removesuffix("/wj-open/v1")  # the root: /mj/...
        assert httpx.get(base + "/mj/home").json()["data"]["version"].startswith("v11.")
        bearer = {"Authorization": "Bearer " + env["WJNB_MJ_TOKEN"]}
        assert httpx.get(base + "/mj/task/list", headers=bearer).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
