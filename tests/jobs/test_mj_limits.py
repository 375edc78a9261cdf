"""The proxy's limits honoured: code 3 ("no account available") is waited out with back-off
and sent again; a reached day limit stops a sweep without refusals one by one."""

from __future__ import annotations

import time
from pathlib import Path

import wjnb
import wjnb.sandbox

WAIT = 120.0
IMAGINE = "POST /mj/submit/imagine"
PROMPTS = [f"a windmill, study {i}" for i in range(8)]


def _client(srv: wjnb.sandbox.Sandbox, home: Path) -> wjnb.Client:
    return wjnb.Client(
        home=home, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token, callbacks=False
    )


def _imagines(srv: wjnb.sandbox.Sandbox) -> int:
    return int(srv.counters()["requests"].get(IMAGINE, 0))


def test_no_account_available_is_waited_out(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=60, seed=5, faults="", mj_flavor="novicezk")
    try:
        srv.set_mj_account(enable=False)  # every submit: code 3, no account available
        with _client(srv, tmp_path) as client:
            sweep = client.mj.sweep(None, grid={"prompt": PROMPTS[:3]}, experiment="code3")
            slots = client.runner.slots
            deadline = time.monotonic() + WAIT
            while slots.no_account_replies < 2:  # backed off and asked again, twice
                assert time.monotonic() < deadline, "no code-3 reply was retried"
                time.sleep(0.02)
            assert len(sweep) == 0  # nothing accepted while no account is available
            srv.set_mj_account(enable=True)
            sweep.wait(timeout=WAIT)
            assert [job.status_name for job in sweep] == ["success"] * 3
            assert sweep.stopped_reason is None
            assert _imagines(srv) == 3 + slots.no_account_replies  # only refusals resent
    finally:
        srv.stop()


def test_a_reached_day_limit_stops_the_sweep(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=60, seed=5, faults="", mj_flavor="trueai")
    try:
        srv.set_mj_account(day_limit=2)  # trueai lets limit + 1 through, then code 4
        with _client(srv, tmp_path) as client:
            sweep = client.mj.sweep(None, grid={"prompt": PROMPTS}, experiment="daily")
            sweep.wait(timeout=WAIT)
            assert [job.status_name for job in sweep] == ["success"] * 3
            assert sweep.stopped_reason is not None
            assert sweep.stopped_reason.startswith("the proxy's day limit is reached")
            # one refusal (two if the next was already on its way); the rest never sent
            assert 4 <= _imagines(srv) <= 5
            assert client.runner.slots.day_left == 0
    finally:
        srv.stop()
