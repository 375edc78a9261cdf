"""Secrets never show anywhere a user or a notebook could see or share them.

A representative workload (generate, sweep, MJ with a button press, avatar, errors of every
kind, DataFrames, HTML views, the ledger, the image cache) runs with the sandbox's
credentials passed explicitly as ``WJNB_*`` environment variables and every logger at
DEBUG. Then stdout/stderr, the log records (with tracebacks), exception texts and chains,
reprs, ``to_string``/``to_html``, ``_repr_html_``, every file under ``WJNB_HOME`` (ledger,
WAL, image cache) are searched for the private key, any 16-character slice of it, the
signed ``Authorization`` value and its ``sign``, and the MJ token. Saved notebook outputs
are searched for private-key material (PEM blocks, base64 PKCS#8 that really parses, the
sandbox's demo keys). The client tests cover the route client alone
(``tests/client/test_secrets.py``); the sandbox's refusals of unsigned, forged, tampered
and stale headers are ``tests/sandbox/test_sandbox_auth.py`` (MJ tokens:
``tests/sandbox/test_sandbox_mj.py::test_mj_token``); two more are at the end.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hardening_support import FAST_POLL, FAST_RETRY, SMALL, scan, slices

import wjnb
import wjnb.sandbox
from wjnb.auth import WujieAuth
from wjnb.config import Secret
from wjnb.errors import AuthError, WjnbError
from wjnb.sandbox.auth import demo_credentials

ROOT = Path(__file__).resolve().parents[2]


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(der).decode()


class Capture(logging.Handler):
    """Every record of every logger, formatted with its traceback, plus its raw args."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + repr(record.args))


@pytest.fixture
def all_logs_at_debug() -> Iterator[Capture]:
    capture = Capture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    levels = {}
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            levels[name] = logger.level
            logger.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    root.setLevel(old)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _error(call: Any) -> list[str]:
    """The texts an exception shows: str, repr, the whole chain, and its attributes."""
    try:
        call()
    except WjnbError as exc:
        return [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]
    raise AssertionError(f"{call} did not fail")


def test_a_whole_workload_shows_no_secret(
    fresh_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    all_logs_at_debug: Capture,
) -> None:
    srv = fresh_sandbox
    env = srv.env()
    for name, value in env.items():  # explicitly, as a user with real credentials would
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    seen: list[tuple[str, str]] = []

    client = wjnb.Client(poll=FAST_POLL, retry=FAST_RETRY)
    try:
        assert client.backend == "remote" and client.runner.callbacks  # env, not the sandbox
        jobs = client.generate("a lighthouse", num=2, **SMALL).wait(timeout=30)
        sweep = client.sweep(
            "a fox", grid={"cfg": [4, 7], "steps": [5, 8]}, experiment="secrets", **SMALL
        ).wait(timeout=30)
        task = client.mj.imagine("a pig").wait(timeout=30)
        child = task.press("U1").wait(timeout=30)
        seed = task.seed()
        avatar = client.avatar.default_resource()
        portraits = client.avatar.create(
            avatar.avatar_key, "me", templates=[(avatar.template_options[0].template_key, 1)]
        ).wait(timeout=30)
        jobs[0].image()
        sweep[0].thumbnail()
        child.thumbnail()
        frame = sweep.to_dataframe()
        seen += [
            ("frame.to_string", frame.to_string()),
            ("frame.to_html", frame.to_html()),
            ("frame.raw", repr(frame.to_dict("records"))),
            ("experiments", wjnb.experiments().to_string()),
            ("compare", wjnb.compare("secrets").to_html()),
            ("seed", seed),
        ]
        for name, obj in {
            "client": client,
            "config": client.config,
            "runner": client.runner,
            "ledger": client.runner.ledger,
            "jobs": jobs,
            "sweep": sweep,
            "task": task,
            "child": child,
            "portraits": portraits,
            "job": jobs[0],
        }.items():
            seen.append((f"repr {name}", repr(obj) + str(obj)))
            if hasattr(obj, "_repr_html_"):
                seen.append((f"html {name}", obj._repr_html_()))
        seen += [(f"record {j.key}", json.dumps(j.record, default=str)) for j in [*sweep, task]]
        seen.append(("vars(client)", repr(vars(client)) + repr(vars(client.aio))))

        # errors of every kind
        seen += [("sensitive", t) for t in _error(lambda: client.generate("[sensitive] x"))]
        seen += [("banned", t) for t in _error(lambda: client.mj.imagine("[sensitive] x"))]
        seen += [("bad arg", t) for t in _error(lambda: client.generate("x", steps=-1))]
        seen += [
            ("bad seed", t) for t in _error(lambda: client.sweep("x", grid={}, experiment="e"))
        ]
        seen += [("unknown", t) for t in _error(lambda: wjnb.load("nope", client=client))]
        auth = client.aio.wujie._http._client.auth
        assert isinstance(auth, WujieAuth)
        header = auth.header()  # the value every request of this client carried
    finally:
        client.close()

    monkeypatch.setenv("WJNB_PRIVATE_KEY", _other_key())  # a key the service does not know
    monkeypatch.setenv("WJNB_MJ_TOKEN", "sk-wrong-token")
    with wjnb.Client(retry=FAST_RETRY, home=tmp_path / "refused") as refused:
        for what, call in {
            "refused create": lambda: refused.generate("x", **SMALL),
            "refused mj": lambda: refused.mj.imagine("x"),
            "refused route": lambda: refused.wujie.balance(),
        }.items():
            texts = _error(call)
            assert "refused" in texts[0], texts[0]
            seen += [(what, t) for t in texts]
    with pytest.raises(AuthError):
        wjnb.Client(retry=FAST_RETRY, home=tmp_path / "refused").wujie.balance()

    out, err = capfd.readouterr()
    seen += [("stdout", out), ("stderr", err), ("logs", "\n".join(all_logs_at_debug.lines))]
    assert any("DEBUG" in line for line in all_logs_at_debug.lines)  # the logs were captured
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            seen.append((f"file {path.relative_to(tmp_path)}", path.read_bytes().decode("latin-1")))
    assert any("ledger.sqlite3" in where for where, _ in seen)
    assert any("/images/" in where for where, _ in seen)

    sign = json.loads(header)["sign"]
    needles = {
        "private key": env["WJNB_PRIVATE_KEY"],
        "authorization": header,
        "sign": sign,
        "mj token": env["WJNB_MJ_TOKEN"],
        "bearer": f"Bearer {env['WJNB_MJ_TOKEN']}",
    }
    grams = slices(env["WJNB_PRIVATE_KEY"]) | slices(sign)
    assert scan([("planted", f"x {env['WJNB_PRIVATE_KEY'][100:120]} y")], needles, grams)
    assert scan(seen, needles, grams) == []
    assert sum(len(text) for _, text in seen) > 100_000  # the haystack is not empty


# --------------------------------------------------------------------------- notebooks

_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PKCS8 = re.compile(r"(?<![A-Za-z0-9+/])MII[A-Za-z0-9+/=\\n]{100,}")


def key_material(text: str, demo: dict[str, str]) -> list[str]:
    """What in ``text`` is private-key material: a PEM block, base64 PKCS#8 DER that really
    parses as a private key, or a slice of one of the sandbox's demo credentials."""
    found = [m.group(0) for m in _PEM.finditer(text)]
    for match in _PKCS8.finditer(text):
        blob = match.group(0).replace("\\n", "")
        try:
            der = base64.b64decode(blob + "=" * (-len(blob) % 4))
            serialization.load_der_private_key(der, password=None)
        except (ValueError, TypeError):
            continue
        found.append(blob[:20] + "...")
    for name, secret in demo.items():
        if any(s in text for s in slices(secret, 24)):
            found.append(name)
    return found


@pytest.fixture(scope="module")
def demo() -> dict[str, str]:
    creds = demo_credentials(0)  # what the embedded sandbox of every notebook uses
    return {"demo private key": creds.private_key, "demo mj token": creds.mj_token}


def test_the_notebook_scanner_finds_planted_keys(demo: dict[str, str]) -> None:
    planted = json.dumps({"outputs": [{"text": ["key: ", demo["demo private key"] + "\n"]}]})
    assert key_material(planted, demo)
    pem = serialization.load_der_private_key(base64.b64decode(_other_key()), None).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert key_material(json.dumps({"text": pem.decode()}), {})
    assert key_material(json.dumps({"text": _other_key()}), {})
    assert not key_material(json.dumps({"png": base64.b64encode(b"\x89PNG" * 500).decode()}), {})


@pytest.mark.parametrize(
    "notebook",
    sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) or ["(none yet)"],
)
def test_saved_notebook_outputs_hold_no_key_material(notebook: str, demo: dict[str, str]) -> None:
    path = ROOT / "notebooks" / notebook
    assert path.exists(), "the demo notebooks are missing from notebooks/"
    book = json.loads(path.read_text())
    outputs = [
        json.dumps(cell.get("outputs", [])) + json.dumps(cell.get("attachments", {}))
        for cell in book.get("cells", [])
    ]
    outputs.append(json.dumps(book.get("metadata", {})))  # widget state lives here
    assert key_material("\n".join(outputs), demo) == []


# --------------------------------------------------------------------------- sandbox refusals


def test_the_sandbox_refuses_a_replayed_stale_header_and_a_borrowed_sign(
    fresh_sandbox: Any,
) -> None:
    """A header the client really produced, replayed once it is stale, and a fresh header
    whose ``sign`` was lifted from another (forged) one, are both refused and counted."""
    srv = fresh_sandbox
    key = Secret(srv.private_key)
    old = WujieAuth(srv.app_id, key, clock=lambda: time.time() - 301).header()
    fresh = json.loads(WujieAuth(srv.app_id, key).header())
    other = json.loads(WujieAuth(srv.app_id, Secret(_other_key())).header())
    borrowed = json.dumps({**fresh, "sign": other["sign"]})
    url = srv.wujie_base_url + "/account/availableIntegralBalance"
    with httpx.Client(timeout=5, trust_env=False) as http:
        for header, reason in ((old, "stale"), (borrowed, "signature")):
            reply = http.get(url, headers={"Authorization": header})
            assert reply.status_code == 401 and reason in reply.json()["message"]
            assert header not in reply.text and fresh["sign"] not in reply.text
        assert http.get(url, headers={"Authorization": json.dumps(fresh)}).status_code == 200
    assert srv.counters()["auth_refused"] == 2


def test_log_capture_would_see_a_leak(all_logs_at_debug: Capture) -> None:
    """The capture used above is live: a secret logged at DEBUG anywhere would be found."""
    secret = "MIIEv" + "Q" * 40
    logging.getLogger("some.library").debug("header %s", secret)
    logs = "\n".join(all_logs_at_debug.lines)
    assert scan([("logs", logs)], {"key": secret}, slices(secret))
