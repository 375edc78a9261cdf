"""``wjnb.sandbox.start``: its public surface, loopback only, clean stop, hidden secrets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import wjnb.sandbox


def test_public_surface(sandbox: wjnb.sandbox.Sandbox) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    assert sandbox.url == f"http://127.0.0.1:{port}"
    assert sandbox.wujie_base_url == f"{sandbox.url}/wj-open/v1"
    assert sandbox.mj_base_url == f"{sandbox.url}/mj-fast"
    assert sandbox.env() == {
        "WJNB_BASE_URL": sandbox.wujie_base_url,
        "WJNB_APP_ID": sandbox.app_id,
        "WJNB_PRIVATE_KEY": sandbox.private_key,
        "WJNB_MJ_BASE_URL": sandbox.mj_base_url,
        "WJNB_MJ_TOKEN": sandbox.mj_token,
    }
    shown = repr(sandbox)
    assert sandbox.private_key not in shown and sandbox.mj_token not in shown
    assert isinstance(sandbox.counters()["requests"], dict)
    assert set(sandbox.artworks()) == {"artworks", "tasks", "jobs"}


def test_same_seed_same_credentials(sandbox_factory: Any) -> None:
    a, b, c = sandbox_factory(seed=1), sandbox_factory(seed=1), sandbox_factory(seed=6)
    assert (a.app_id, a.private_key, a.mj_token) == (b.app_id, b.private_key, b.mj_token)
    assert a.private_key != c.private_key and a.url != b.url


def test_stop_is_idempotent_and_final() -> None:
    srv = wjnb.sandbox.start(speed=200, seed=1, faults="")
    url = srv.url
    srv.stop()
    srv.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/_sandbox/counters", timeout=2)
    with pytest.raises(RuntimeError):
        srv.counters()


def test_refuses_bad_settings() -> None:
    for kwargs in (
        {"host": "0.0.0.0"},
        {"host": "192.168.1.1"},
        {"speed": 0},
        {"gpus": 0},
        {"faults": "boom=1"},
    ):
        with pytest.raises(ValueError):
            wjnb.sandbox.start(**kwargs)  # type: ignore[arg-type]
    with wjnb.sandbox.start(seed=1, faults="") as srv, pytest.raises(ValueError):
        srv.set_balance(-1)


def test_context_manager() -> None:
    with wjnb.sandbox.start(speed=200, seed=1, faults="") as srv:
        assert httpx.get(srv.url + "/_sandbox/balance").json() == {"balance": 100000}
    with pytest.raises(RuntimeError):
        srv.counters()
