"""Backend choice: the embedded sandbox without credentials, forced, or given; one protocol."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from wjnb import config
from wjnb.client import Client
from wjnb.errors import ConfigError

CREDENTIAL_VARS = ("WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN")


@pytest.fixture
def no_default_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process without a default sandbox yet; the one a test starts is stopped after."""
    monkeypatch.setattr(config, "_sandbox", None)
    monkeypatch.setenv("WJNB_SANDBOX_SPEED", "200")
    for name in (*CREDENTIAL_VARS, "WJNB_BASE_URL", "WJNB_MJ_AUTH"):
        monkeypatch.delenv(name, raising=False)
    yield
    if config._sandbox is not None:
        config._sandbox.stop()


def test_no_credentials_means_the_sandbox_announced_once(
    no_default_sandbox: None, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Outside a notebook the notice is one INFO record of the ``wjnb`` logger, not stderr."""
    with caplog.at_level(logging.INFO, logger="wjnb"), Client() as first, Client() as second:
        assert first.backend == second.backend == "sandbox"
        assert first.sandbox is second.sandbox is not None
        assert first.wujie.balance().balance is not None
    notices = [r for r in caplog.records if "using the embedded sandbox" in r.getMessage()]
    assert [r.levelno for r in notices] == [logging.INFO]
    assert first.sandbox.url in notices[0].getMessage()
    assert "no WJNB_* credentials" in notices[0].getMessage()
    assert "embedded sandbox" not in capsys.readouterr().err


def test_backend_sandbox_wins_over_credentials(
    no_default_sandbox: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WJNB_APP_ID", "real-app")
    monkeypatch.setenv("WJNB_PRIVATE_KEY", "not-even-a-key")
    with Client(backend="sandbox") as client:
        assert client.backend == "sandbox"
        assert client.config.app_id == client.sandbox.app_id
        assert client.wujie.balance().balance is not None


def test_a_given_sandbox_is_used(sandbox: Any) -> None:
    with Client(sandbox=sandbox) as client:
        assert client.sandbox is sandbox
        assert client.config.base_url == sandbox.wujie_base_url
        assert client.config.mj_base_url == sandbox.mj_base_url
        assert repr(client) == (
            f"RoutesClient(backend='sandbox', wujie={sandbox.wujie_base_url!r}, "
            f"mj={sandbox.mj_base_url!r})"
        )


def test_environment_credentials_reach_the_service(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    with Client() as client:
        assert client.backend == "remote" and client.sandbox is None
        assert client.wujie.balance().balance is not None


def test_only_wujie_configured(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    with Client(
        app_id=sandbox.app_id, private_key=sandbox.private_key, base_url=sandbox.wujie_base_url
    ) as client:
        assert client.wujie.balance().balance is not None
        with pytest.raises(ConfigError, match="WJNB_MJ_BASE_URL and WJNB_MJ_TOKEN"):
            client.mj.fetch("T1")
        assert "mj=" not in repr(client)


def test_only_mj_configured(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    with Client(mj_base_url=sandbox.mj_base_url, mj_token=sandbox.mj_token) as client:
        for call in (lambda: client.wujie.balance(), lambda: client.avatar.default_resource()):
            with pytest.raises(ConfigError, match="WJNB_APP_ID and WJNB_PRIVATE_KEY"):
                call()


def test_a_bad_sandbox_speed_is_a_config_error(
    no_default_sandbox: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WJNB_SANDBOX_SPEED", "fast")
    with pytest.raises(ConfigError, match="WJNB_SANDBOX_SPEED"):
        Client()
