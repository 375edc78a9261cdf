"""Credentials never show: not in reprs, error texts, tracebacks or DEBUG logs."""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from wjnb.client import Client
from wjnb.errors import AmbiguousCreate, AuthError, ConfigError, SensitivePrompt, WjnbError
from wjnb.http import RetryPolicy

LOGGERS = ("wjnb", "httpx", "httpcore")


def leaks(secret: str, text: str) -> list[str]:
    """Every 16-character slice of ``secret`` found in ``text``."""
    return [secret[i : i + 16] for i in range(len(secret) - 15) if secret[i : i + 16] in text]


def describe(error: BaseException) -> str:
    return str(error) + "".join(traceback.format_exception(error))


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def test_credentials_never_show(
    fresh_sandbox: Any, debug_logs: pytest.LogCaptureFixture, delays: Any
) -> None:
    srv = fresh_sandbox
    seen: list[str] = []
    with Client(
        app_id=srv.app_id,
        private_key=srv.private_key,
        base_url=srv.wujie_base_url,
        mj_base_url=srv.mj_base_url,
        mj_token=srv.mj_token,
        retry=RetryPolicy(sleep=delays, random=lambda: 1.0),
        timeout=0.3,
    ) as client:
        seen += [
            repr(client),
            str(client),
            repr(client.aio),
            repr(client.config),
            repr(vars(client)),
        ]
        assert client.wujie.balance().balance is not None
        srv.set_faults({"rules": [{"kind": "5xx", "routes": ["/account/*"], "times": 1}]})
        client.wujie.balance()
        with pytest.raises(SensitivePrompt) as api_error:
            client.wujie.create("[sensitive]")
        srv.set_faults({"rules": [{"kind": "slow", "routes": ["/ai/create"], "delay": 1.0}]})
        with pytest.raises(AmbiguousCreate) as ambiguous:
            client.wujie.create("a lighthouse")
        seen += [
            describe(api_error.value),
            describe(ambiguous.value),
            repr(ambiguous.value.request),
        ]
        client.mj.list()

    assert delays == [0.5]  # the 5xx really was retried, so retries were logged too
    records = debug_logs.records
    assert {r.name.split(".")[0] for r in records} >= {"wjnb", "httpx", "httpcore"}
    assert any(r.name == "wjnb.http" and "attempt" in r.getMessage() for r in records)
    seen += [debug_logs.text, *(r.getMessage() for r in records), *(repr(r.args) for r in records)]
    haystack = "\n".join(seen)
    assert leaks(srv.private_key, haystack) == []
    assert leaks(srv.mj_token, haystack) == []
    for marker in ('"sign"', "secretKeyVersion", "Bearer ", "mj-api-secret"):
        assert marker not in haystack


def test_refused_credentials_do_not_echo_them(
    fresh_sandbox: Any, debug_logs: pytest.LogCaptureFixture
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = base64.b64encode(
        other.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    ).decode()
    token = "sk-not-the-right-token-0123456789"
    with Client(
        app_id=fresh_sandbox.app_id,
        private_key=key,
        base_url=fresh_sandbox.wujie_base_url,
        mj_base_url=fresh_sandbox.mj_base_url,
        mj_token=token,
    ) as client:
        with pytest.raises(AuthError, match=r"HTTP 401.*bad signature") as wujie_refused:
            client.wujie.balance()
        with pytest.raises(AuthError, match="HTTP 401") as mj_refused:
            client.mj.list()
    haystack = "\n".join(
        [describe(wujie_refused.value), describe(mj_refused.value), debug_logs.text, repr(client)]
    )
    assert leaks(key, haystack) == [] and leaks(token, haystack) == []


@pytest.mark.parametrize("form", ["base64", "pem"])
def test_an_unusable_key_is_not_echoed(form: str) -> None:
    junk = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" * 4
    text = junk if form == "base64" else f"-----BEGIN PRIVATE KEY-----\n{junk}\n-----END"
    with pytest.raises(ConfigError) as caught:
        Client(app_id="a", private_key=text)
    assert isinstance(caught.value, WjnbError)
    assert leaks(junk, describe(caught.value)) == []
