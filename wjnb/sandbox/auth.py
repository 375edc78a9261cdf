"""Demo credentials and the checks the sandbox applies to every API request.

Wujie: the ``Authorization`` header is JSON text ``{"sign", "secretKeyVersion", "appId",
"original"}``; ``original`` is JSON text ``{"appId", "timestamp"}`` and ``sign`` is base64 of
an RSA PKCS#1 v1.5 / SHA-256 signature of ``original``'s exact bytes. The sandbox verifies
it with its own code (never the client's), refuses a timestamp more than 5 minutes off the
real clock, and caches verified header values for a few seconds because clients reuse one
header for minutes. Midjourney: ``Authorization: Bearer <token>`` or ``mj-api-secret``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_SKEW_SECONDS = 300.0
CACHE_SECONDS = 10.0
_CACHE_LIMIT = 1024


@dataclass(frozen=True, repr=False)
class Credentials:
    """The demo account: app id, private key (base64 PKCS#8 DER) and MJ token."""

    app_id: str
    private_key: str
    public_key: rsa.RSAPublicKey
    mj_token: str

    def __repr__(self) -> str:
        return f"Credentials(app_id={self.app_id!r}, private_key=<hidden>, mj_token=<hidden>)"


@functools.lru_cache(maxsize=16)
def demo_credentials(seed: int) -> Credentials:
    """Credentials derived from ``seed`` alone, so runs with the same seed repeat exactly."""
    rng = random.Random(f"wjnb-sandbox-credentials:{seed}")
    key = _rsa_key(rng)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Credentials(
        app_id=f"sandbox{rng.getrandbits(64):016x}",
        private_key=base64.b64encode(der).decode("ascii"),
        public_key=key.public_key(),
        mj_token=f"sk-sandbox-{rng.getrandbits(128):032x}",
    )


def _rsa_key(rng: random.Random) -> rsa.RSAPrivateKey:
    """An RSA-2048 key from a seeded generator (cryptography cannot seed its own)."""
    e = 65537
    while True:
        p, q = _prime(rng, 1024), _prime(rng, 1024)
        phi = (p - 1) * (q - 1)
        if p == q or math.gcd(e, phi) != 1:
            continue
        d = pow(e, -1, phi)
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, p),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, p * q),
        )
        return numbers.private_key()


def _small_primes(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return [i for i in range(limit) if sieve[i]]


_SMALL_PRIMES = _small_primes(2000)


def _prime(rng: random.Random, bits: int) -> int:
    """A probable prime with its top two bits set (so p*q has exactly 2*bits bits)."""
    while True:
        n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if any(n % p == 0 for p in _SMALL_PRIMES):
            continue
        # For random 1024-bit candidates five rounds already err with probability far below
        # 2**-80 (Damgård-Landrock-Pomerance); the pow() calls dominate key generation.
        if _miller_rabin(n, rng, rounds=5):
            return n


def _miller_rabin(n: int, rng: random.Random, rounds: int) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


class WujieVerifier:
    """Checks Wujie ``Authorization`` headers; ``check`` returns None or why it refused."""

    def __init__(self, app_id: str, public_key: rsa.RSAPublicKey) -> None:
        self._app_id = app_id
        self._public_key = public_key
        self._cache: dict[str, tuple[float, float]] = {}  # header -> (cache expiry, timestamp)

    def check(self, header: str | None) -> str | None:
        """None when the header is valid now, else a message naming the problem."""
        if not header:
            return "missing Authorization header"
        now = time.time()
        cached = self._cache.get(header)
        if cached is not None and cached[0] > now:
            timestamp = cached[1]
        else:
            problem, timestamp = self._verify(header)
            if problem is not None:
                return problem
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[header] = (now + CACHE_SECONDS, timestamp)
        skew = now - timestamp
        if abs(skew) > MAX_SKEW_SECONDS:
            return (
                f"stale Authorization: its timestamp is {int(skew)} s off the server clock "
                f"(at most {int(MAX_SKEW_SECONDS)} s allowed; timestamps are unix seconds)"
            )
        return None

    def _verify(self, header: str) -> tuple[str | None, float]:
        try:
            outer = json.loads(header)
        except ValueError:
            return "unparsable Authorization header: expected JSON text", 0.0
        if not isinstance(outer, Mapping):
            return "unparsable Authorization header: expected a JSON object", 0.0
        sign, app_id, original = outer.get("sign"), outer.get("appId"), outer.get("original")
        if not all(isinstance(v, str) and v for v in (sign, app_id, original)):
            return "Authorization header needs string fields sign, appId and original", 0.0
        assert isinstance(sign, str) and isinstance(original, str)
        if app_id != self._app_id:
            return "unknown appId in Authorization header", 0.0
        try:
            inner = json.loads(original)
        except ValueError:
            return "unparsable Authorization original: expected JSON text", 0.0
        if not isinstance(inner, Mapping) or inner.get("appId") != app_id:
            return "Authorization original must be a JSON object with the same appId", 0.0
        timestamp = inner.get("timestamp")
        if isinstance(timestamp, str) and timestamp.isdigit():
            timestamp = int(timestamp)
        if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
            return "Authorization original needs a numeric timestamp (unix seconds)", 0.0
        try:
            signature = base64.b64decode(sign, validate=True)
        except (binascii.Error, ValueError):
            return "Authorization sign is not base64", 0.0
        try:
            self._public_key.verify(
                signature, original.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return "bad signature in Authorization header", 0.0
        return None, float(timestamp)


def check_mj_token(token: str, authorization: str | None, api_secret: str | None) -> str | None:
    """None when ``Authorization: Bearer`` or ``mj-api-secret`` carries the token."""
    offered = None
    if authorization and authorization[:7].lower() == "bearer ":
        offered = authorization[7:].strip()
    elif api_secret:
        offered = api_secret.strip()
    if offered is None:
        return "missing token: send Authorization: Bearer <token> or mj-api-secret"
    if not hmac.compare_digest(offered.encode(), token.encode()):
        return "invalid token"
    return None
