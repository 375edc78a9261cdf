"""Wujie RSA signing (verified independently with the public key) and MJ token headers."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from wjnb.auth import HEADER_TTL, MjAuth, WujieAuth, load_private_key
from wjnb.config import Secret
from wjnb.errors import ConfigError


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def der_b64(key: rsa.RSAPrivateKey) -> str:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode()


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def verify(header: str, key: rsa.RSAPrivateKey, app_id: str, timestamp: int) -> None:
    """Check a header the way the service does, with nothing but the public key."""
    outer = json.loads(header)
    assert list(outer) == ["sign", "secretKeyVersion", "appId", "original"]
    assert outer["secretKeyVersion"] == "1" and outer["appId"] == app_id
    assert json.loads(outer["original"]) == {"appId": app_id, "timestamp": timestamp}
    key.public_key().verify(
        base64.b64decode(outer["sign"]),
        outer["original"].encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_header_is_signed_with_the_private_key(key: rsa.RSAPrivateKey) -> None:
    auth = WujieAuth("app-1", Secret(der_b64(key)), clock=Clock(1_700_000_000.7))
    verify(auth.header(), key, "app-1", 1_700_000_000)


@pytest.mark.parametrize("form", ["pem", "pem-escaped", "der-wrapped"])
def test_pem_and_wrapped_base64_keys_are_accepted(key: rsa.RSAPrivateKey, form: str) -> None:
    text = {
        "pem": pem(key),
        "pem-escaped": pem(key).replace("\n", "\\n"),  # as a one-line env var often holds it
        "der-wrapped": "\n".join(der_b64(key)[i : i + 64] for i in range(0, 1700, 64)),
    }[form]
    auth = WujieAuth("app-2", Secret(text), clock=Clock(1_700_000_100))
    verify(auth.header(), key, "app-2", 1_700_000_100)


def test_header_is_reused_then_renewed(key: rsa.RSAPrivateKey) -> None:
    clock = Clock(1_700_000_000)
    auth = WujieAuth("app-1", Secret(der_b64(key)), clock=clock)
    first = auth.header()
    clock.now += HEADER_TTL - 1
    assert auth.header() is first
    clock.now += 1
    renewed = auth.header()
    assert renewed != first
    verify(renewed, key, "app-1", 1_700_000_000 + int(HEADER_TTL))
    clock.now -= 60  # the clock stepped back: a header from the future is not reused
    verify(auth.header(), key, "app-1", 1_700_000_000 + int(HEADER_TTL) - 60)


def test_header_is_added_to_every_request(key: rsa.RSAPrivateKey) -> None:
    auth = WujieAuth("app-1", Secret(der_b64(key)), clock=Clock(1_700_000_000))
    request = next(auth.sync_auth_flow(httpx.Request("GET", "https://x/ai/info")))
    assert request.headers["Authorization"] == auth.header()


@pytest.mark.parametrize("text", ["", "not base64 at all!", base64.b64encode(b"junk").decode()])
def test_a_bad_key_is_a_config_error_that_does_not_echo_it(text: str) -> None:
    with pytest.raises(ConfigError, match="WJNB_PRIVATE_KEY") as caught:
        load_private_key(Secret(text + "SECRETMARK"))
    assert "SECRETMARK" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_an_ec_key_is_refused(key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = ec.generate_private_key(ec.SECP256R1())
    der = ec_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ConfigError, match="not an RSA private key"):
        load_private_key(Secret(base64.b64encode(der).decode()))


def test_signer_repr_shows_no_key(key: rsa.RSAPrivateKey) -> None:
    text = der_b64(key)
    auth = WujieAuth("app-1", Secret(text))
    assert repr(auth) == "WujieAuth(app_id='app-1')"
    assert text[100:116] not in repr(vars(auth))


@pytest.mark.parametrize(
    ("scheme", "header", "value"),
    [("bearer", "Authorization", "Bearer tok-123"), ("mj-api-secret", "mj-api-secret", "tok-123")],
)
def test_mj_token_headers(scheme: str, header: str, value: str) -> None:
    auth = MjAuth(Secret("tok-123"), scheme)  # type: ignore[arg-type]
    request = next(auth.sync_auth_flow(httpx.Request("GET", "https://x/mj/task/list")))
    assert request.headers[header] == value
    assert "tok-123" not in repr(auth)
