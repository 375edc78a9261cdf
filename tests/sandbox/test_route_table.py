"""The route table of ``wjnb/sandbox/README.md`` against the references: every route of
``wujie-api.md`` and ``wujie-api-more.md`` has a row, every row's typed method exists on
both clients, its sandbox module serves it, and the tests it names exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import wjnb
from wjnb.sandbox import (
    avatar_routes,
    lab_routes,
    pro_routes,
    tools_routes,
    video_routes,
    wujie_routes,
)

ROOT = Path(__file__).resolve().parents[2]
#: The protocol references, kept in the repository (copies of the team's shared reference).
REFERENCES = ROOT / "docs" / "reference"
README = ROOT / "wjnb" / "sandbox" / "README.md"
MODULES = {
    m.__name__.rsplit(".", 1)[1]: m
    for m in (wujie_routes, pro_routes, tools_routes, video_routes, avatar_routes, lab_routes)
}
#: A reference row: ``| GET | `/ai/info` | ...``.
REF_ROW = re.compile(r"^\|\s*(GET|POST)\s*\|\s*`(/[^`?]+)`", re.M)
#: A table row: ``| GET `/ai/info` | `wujie.info` | `wujie_routes` | tests |``.
TABLE_ROW = re.compile(
    r"^\|\s*(GET|POST) `(/[^`]+)`[^|]*\|\s*`([\w.]+)`[^|]*\|\s*`(\w+)`\s*\|(.*)\|$", re.M
)


def _reference_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name in ("wujie-api.md", "wujie-api-more.md"):
        found |= set(REF_ROW.findall((REFERENCES / name).read_text(encoding="utf-8")))
    return found


def _table() -> dict[tuple[str, str], tuple[str, str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    return {
        (method, route): (call, module, re.findall(r"`([^`]+)`", tests))
        for method, route, call, module, tests in TABLE_ROW.findall(text)
    }


def test_every_route_of_both_references_has_a_row() -> None:
    refs = _reference_routes()
    assert len(refs) >= 50, f"the references' route tables were not read: {len(refs)} routes"
    assert refs - set(_table()) == set(), "routes of the references missing from the table"
    assert set(_table()) - refs == set(), "rows for routes no reference lists"


@pytest.mark.parametrize("client_type", [wjnb.AsyncClient, wjnb.Client])
def test_every_row_names_a_method_both_clients_have(sandbox: Any, client_type: Any) -> None:
    client = client_type(sandbox=sandbox)
    try:
        for (_, route), (call, _, _) in _table().items():
            target: Any = client
            for part in call.split("."):
                target = getattr(target, part, None)
            assert callable(target), f"{route}: client.{call} is not a method"
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()


def test_every_row_is_served_by_the_sandbox_module_it_names(sandbox: Any) -> None:
    served = sandbox._call(
        lambda state: {
            name: {(m, r.path) for r in module.routes(state) for m in (r.methods or ())}
            for name, module in MODULES.items()
        }
    )
    for (method, route), (_, module, _) in _table().items():
        assert (method, route) in served.get(module, set()), f"{module} does not serve {route}"
    # the camera poll and detail also live where Apifox documents them (wujie-api-more §6)
    more = (REFERENCES / "wujie-api-more.md").read_text(encoding="utf-8")
    apifox = set(re.findall(r"`(GET|POST) (/ai/camera/[\w/]+)`", more))
    assert len(apifox) == 2 and apifox <= served["avatar_routes"]


def test_every_test_a_row_names_exists() -> None:
    files = {p.stem: p for p in (ROOT / "tests").rglob("test_*.py")}
    for (_, route), (_, _, tests) in _table().items():
        assert tests, f"{route}: no test named"
        for name in tests:
            path, _, test = name.partition("::")
            stem = Path(path).stem
            assert stem in files, f"{route}: no test file {path}"
            if test:
                prefix = test.rstrip("…")
                body = files[stem].read_text(encoding="utf-8")
                pattern = rf"^def {re.escape(prefix)}" + ("" if test.endswith("…") else r"\(")
                assert re.search(pattern, body, re.M), f"{route}: no test {name}"
