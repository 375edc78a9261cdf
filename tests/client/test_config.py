"""Settings from arguments and environment; secrets stay wrapped."""

from __future__ import annotations

import pickle

import pytest

from wjnb.config import DEFAULT_BASE_URL, Config, Secret
from wjnb.errors import ConfigError

WUJIE_ENV = {"WJNB_APP_ID": "env-app", "WJNB_PRIVATE_KEY": "env-key"}
MJ_ENV = {"WJNB_MJ_BASE_URL": "https://mj.example/mj-fast/", "WJNB_MJ_TOKEN": "env-token"}


def test_environment_supplies_both_protocols() -> None:
    config = Config.resolve(env={**WUJIE_ENV, **MJ_ENV, "WJNB_MJ_AUTH": "mj-api-secret"})
    assert config.backend == "remote"
    assert config.base_url == DEFAULT_BASE_URL
    assert (config.app_id, config.private_key) == ("env-app", Secret("env-key"))
    assert config.mj_base_url == "https://mj.example/mj-fast"  # free-form prefix kept
    assert (config.mj_token, config.mj_auth) == (Secret("env-token"), "mj-api-secret")
    assert config.wujie_missing == [] and config.mj_missing == []


def test_arguments_win_over_environment() -> None:
    config = Config.resolve(
        app_id="arg-app",
        private_key="arg-key",
        base_url="http://localhost:9/wj-open/v1/",
        mj_auth="bearer",
        env={**WUJIE_ENV, "WJNB_BASE_URL": "https://ignored", "WJNB_MJ_AUTH": "mj-api-secret"},
    )
    assert (config.app_id, config.private_key) == ("arg-app", Secret("arg-key"))
    assert config.base_url == "http://localhost:9/wj-open/v1"
    assert config.mj_auth == "bearer"


def test_one_protocol_only_names_what_the_other_lacks() -> None:
    config = Config.resolve(env={"WJNB_MJ_BASE_URL": "https://mj.example"})
    assert config.backend == "remote"
    assert config.wujie_missing == ["WJNB_APP_ID", "WJNB_PRIVATE_KEY"]
    assert config.mj_missing == ["WJNB_MJ_TOKEN"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**WUJIE_ENV, "WJNB_MJ_AUTH": "basic"}, "WJNB_MJ_AUTH"),
        ({**WUJIE_ENV, "WJNB_BASE_URL": "gate.wujieai.net/wj-open/v1"}, "WJNB_BASE_URL"),
        ({**WUJIE_ENV, "WJNB_MJ_BASE_URL": "ftp://x"}, "WJNB_MJ_BASE_URL"),
    ],
)
def test_unusable_settings_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.resolve(env=env)


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="backend"):
        Config.resolve(backend="cloud", env=WUJIE_ENV)  # type: ignore[arg-type]


def test_secret_never_shows() -> None:
    secret = Secret("hunter2-very-secret")
    config = Config.resolve(private_key=secret, app_id="a", mj_token="tok-xyz", env={})
    for text in (repr(secret), str(secret), f"{secret}", repr(config), str(config)):
        assert "hunter2" not in text and "tok-xyz" not in text
    assert secret.reveal() == "hunter2-very-secret"
    with pytest.raises(TypeError):
        pickle.dumps(secret)
