"""Wujie request signing and MJ tokens are really verified; admin and CDN need no auth."""

from __future__ import annotations

import base64
import json
import time

import httpx
from conftest import Wire, sign_header
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import wjnb.sandbox


def _refused(wire: Wire, header: str | None, reason: str) -> None:
    headers = {} if header is None else {"Authorization": header}
    reply = wire.http.get(
        wire.srv.wujie_base_url + "/account/availableIntegralBalance", headers=headers
    )
    assert reply.status_code == 401
    body = reply.json()
    assert body["code"] == "401" and body["success"] is False and body["data"] is None
    assert reason in body["message"], body


def test_valid_signature_is_accepted(wire: Wire) -> None:
    assert isinstance(wire.ok("GET", "/account/availableIntegralBalance")["balance"], int)


def test_missing_header(wire: Wire) -> None:
    _refused(wire, None, "missing")


def test_unparsable_header(wire: Wire) -> None:
    _refused(wire, "Bearer nope", "unparsable")
    _refused(wire, '["a"]', "unparsable")


def test_wrong_app_id(wire: Wire) -> None:
    _refused(wire, sign_header("someone-else", wire.srv.private_key), "appId")


def test_forged_signature(wire: Wire) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = other.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _refused(wire, sign_header(wire.srv.app_id, base64.b64encode(der).decode()), "signature")


def test_tampered_original(wire: Wire) -> None:
    header = json.loads(wire.auth)
    header["original"] = header["original"].replace('"timestamp":', '"timestamp": ')
    _refused(wire, json.dumps(header), "signature")


def test_stale_and_future_timestamps(wire: Wire) -> None:
    _refused(wire, sign_header(wire.srv.app_id, wire.srv.private_key, time.time() - 301), "stale")
    _refused(wire, sign_header(wire.srv.app_id, wire.srv.private_key, time.time() + 400), "stale")
    _refused(wire, sign_header(wire.srv.app_id, wire.srv.private_key, time.time() * 1000), "stale")


def test_slightly_old_header_still_valid(wire: Wire) -> None:
    wire.auth = sign_header(wire.srv.app_id, wire.srv.private_key, time.time() - 240)
    wire.ok("GET", "/account/availableIntegralBalance")


def test_admin_needs_no_auth(sandbox: wjnb.sandbox.Sandbox) -> None:
    assert httpx.get(sandbox.url + "/_sandbox/counters").status_code == 200


def test_refusals_are_counted(fresh_wire: Wire) -> None:
    _refused(fresh_wire, None, "missing")
    assert fresh_wire.srv.counters()["auth_refused"] == 1
