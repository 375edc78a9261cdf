"""Request authentication: the Wujie RSA-signed header and the MJ-proxy token.

Both are ``httpx.Auth`` flows, so ``http`` attaches them to every request (retries
included) without ever handling a credential itself. Neither repr shows a secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Generator

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .config import MjAuthScheme, Secret
from .errors import ConfigError

HEADER_TTL = 240.0
"""Seconds one signed Wujie header is reused (the Go SDK's 4 minutes)."""


def load_private_key(key: Secret) -> rsa.RSAPrivateKey:
    """Read an RSA private key given as base64 PKCS#8 DER (the service's form) or PEM text.

    Raises ``ConfigError`` naming the variable only: the key text never reaches a message,
    an exception chain, or a local variable of the frame that raises.
    """
    loaded = _parse_key(key.reveal())
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ConfigError(
            "WJNB_PRIVATE_KEY is not an RSA private key (expected base64 PKCS#8 DER or PEM)"
        )
    return loaded


def _parse_key(text: str) -> object:
    """The key object, or None when ``text`` is neither base64 DER nor PEM."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            pem = text.replace("\\n", "\n").encode()
            return serialization.load_pem_private_key(pem, password=None)
        der = base64.b64decode("".join(text.split()), validate=True)
        return serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        return None


class WujieAuth(httpx.Auth):
    """Signs requests for the Wujie open API, reusing one header for ``ttl`` seconds.

    The header is the JSON text ``{"sign", "secretKeyVersion", "appId", "original"}``;
    ``original`` is ``{"appId", "timestamp"}`` and ``sign`` its base64 RSA PKCS#1 v1.5
    SHA-256 signature. ``clock`` (unix seconds) is injectable for tests.
    """

    def __init__(
        self,
        app_id: str,
        private_key: Secret,
        *,
        ttl: float = HEADER_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self._key = load_private_key(private_key)
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._header: tuple[float, str] | None = None

    def header(self) -> str:
        """The current ``Authorization`` value, renewed once it is ``ttl`` seconds old."""
        now = self._clock()
        with self._lock:
            if self._header is None or not 0 <= now - self._header[0] < self._ttl:
                self._header = (now, self._sign(int(now)))
            return self._header[1]

    def _sign(self, timestamp: int) -> str:
        original = json.dumps({"appId": self.app_id, "timestamp": timestamp}, separators=(",", ":"))
        signature = self._key.sign(original.encode(), padding.PKCS1v15(), hashes.SHA256())
        return json.dumps(
            {
                "sign": base64.b64encode(signature).decode(),
                "secretKeyVersion": "1",
                "appId": self.app_id,
                "original": original,
            },
            separators=(",", ":"),
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header()
        yield request

    def __repr__(self) -> str:
        return f"WujieAuth(app_id={self.app_id!r})"


class MjAuth(httpx.Auth):
    """Adds the MJ-proxy token: ``Authorization: Bearer`` (relays), a bare ``Authorization``
    (trueai) or ``mj-api-secret`` (every proxy). ``scheme`` may change once the proxy's
    flavour is known; ``explicit`` says the user chose it (then it never changes)."""

    def __init__(self, token: str | Secret, scheme: MjAuthScheme | None = "bearer") -> None:
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.explicit = scheme is not None
        self.scheme: MjAuthScheme = scheme or "mj-api-secret"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "bearer":
            request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        elif self.scheme == "authorization":
            request.headers["Authorization"] = self._token.reveal()
        else:
            request.headers["mj-api-secret"] = self._token.reveal()
        yield request

    def __repr__(self) -> str:
        return f"MjAuth(scheme={self.scheme!r})"
