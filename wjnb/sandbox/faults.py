"""The fault plan: seeded, repeatable misbehaviour of the API routes on demand.

A plan is JSON ``{"seed": 1, "rules": [{"kind": K, "rate": 0.1, "routes": ["/ai/create*"],
"times": N, "status": 503, "retry_after": 1, "delay": 2.0}]}`` or the short form
``"5xx=0.1,429=0.05,reset=0.02"`` (a ``seed=N`` item sets the seed). ``routes`` are fnmatch
globs on the API path after its prefix (``/ai/generating_info``, ``/mj/submit/*``); ``match``
is text the request's query string or body must contain (one artwork key, one task id);
``times`` limits a rule to the first N requests its routes (and ``match``) match. Rules are
tried in order and the first that fires wins; decisions come from a ``random.Random(seed)``
so a run repeats.

Kinds: ``5xx`` (status, default 503) and ``429`` (``Retry-After``) reply before processing;
``reset`` drops the connection before processing; ``reset_after`` processes the request
(e.g. really creates the artwork) and then drops the connection; ``slow`` delays the reply
``delay`` real seconds after processing; ``malformed`` replies 200 with truncated JSON;
``html`` replies 200 with an HTML error page; ``junk`` replies 200 with well-formed JSON
that is not the protocol's reply at all (no envelope, no task list); ``garbage`` replies
200 with a valid envelope whose data has wrong types, unknown statuses, huge strings and
broken ``audit_info``. A ``garbage`` rule's ``variant`` narrows it: ``types`` (the
default: all of the above), ``status`` (only every ``status`` becomes an unknown value),
``audit`` (only ``audit_info`` is broken) or ``huge`` (every string but ``key``, ``id``
and ``status`` grows by 200 KB).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

KINDS = ("5xx", "429", "reset", "reset_after", "slow", "malformed", "html", "junk", "garbage")
GARBAGE_VARIANTS = ("types", "status", "audit", "huge")
BEFORE = frozenset({"5xx", "429", "reset"})  # kinds that answer without processing


@dataclass(frozen=True)
class Fault:
    """One decision: what to do to this request."""

    kind: str
    status: int = 503
    retry_after: float = 1.0
    delay: float = 2.0
    variant: str = "types"


@dataclass
class FaultRule:
    """One rule of a plan; ``matched`` counts requests its routes matched so far."""

    kind: str
    rate: float = 1.0
    routes: tuple[str, ...] = ()
    times: int | None = None
    status: int = 503
    retry_after: float = 1.0
    delay: float = 2.0
    match: str | None = None
    variant: str = "types"
    matched: int = field(default=0, compare=False)

    def applies_to(self, path: str, request: str = "") -> bool:
        """True when the rule's globs match ``path``, its ``match`` text is in ``request``
        (query string and body) and its ``times`` are not used up."""
        if self.routes and not any(fnmatchcase(path, g) for g in self.routes):
            return False
        if self.match is not None and self.match not in request:
            return False
        return self.times is None or self.matched < self.times

    def to_dict(self) -> dict[str, Any]:
        """The rule as plan JSON."""
        out: dict[str, Any] = {"kind": self.kind, "rate": self.rate}
        if self.routes:
            out["routes"] = list(self.routes)
        if self.times is not None:
            out["times"] = self.times
        if self.match is not None:
            out["match"] = self.match
        if self.kind == "5xx":
            out["status"] = self.status
        if self.kind == "429":
            out["retry_after"] = self.retry_after
        if self.kind == "slow":
            out["delay"] = self.delay
        if self.kind == "garbage" and self.variant != "types":
            out["variant"] = self.variant
        return out


class FaultPlan:
    """A seeded list of rules; ``decide(path)`` says which fault, if any, hits a request."""

    def __init__(self, rules: list[FaultRule] | None = None, seed: int = 0) -> None:
        self.rules = rules or []
        self.seed = seed
        self.rng = random.Random(seed)

    @classmethod
    def parse(cls, spec: str | Mapping[str, Any] | FaultPlan | None) -> FaultPlan:
        """A plan from JSON text, its short form, a mapping, or None (no faults).

        Raises ``ValueError`` with a message naming the problem.
        """
        if spec is None:
            return cls()
        if isinstance(spec, FaultPlan):
            return cls([_copy_rule(r) for r in spec.rules], spec.seed)
        if isinstance(spec, str):
            text = spec.strip()
            if not text:
                return cls()
            if text.startswith("{"):
                try:
                    spec = json.loads(text)
                except ValueError as exc:
                    raise ValueError(f"fault plan is not valid JSON: {exc}") from None
            else:
                return cls._parse_short(text)
        if not isinstance(spec, Mapping):
            raise ValueError("fault plan must be a JSON object or a short form like '5xx=0.1'")
        seed = spec.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("fault plan seed must be an integer")
        rules = spec.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("fault plan rules must be a list")
        return cls([_parse_rule(r, i) for i, r in enumerate(rules)], seed)

    @classmethod
    def _parse_short(cls, text: str) -> FaultPlan:
        rules: list[FaultRule] = []
        seed = 0
        for item in text.split(","):
            name, sep, value = item.strip().partition("=")
            name = name.strip()
            if not sep:
                raise ValueError(f"fault item {item.strip()!r} should look like kind=rate")
            if name == "seed":
                try:
                    seed = int(value)
                except ValueError:
                    raise ValueError(f"fault plan seed must be an integer, got {value!r}") from None
                continue
            rules.append(_parse_rule({"kind": name, "rate": _number(value, name)}, len(rules)))
        return cls(rules, seed)

    @property
    def needs_request(self) -> bool:
        """True when a rule looks into the request (so its body must be read first)."""
        return any(rule.match is not None for rule in self.rules)

    def decide(self, path: str, request: str = "") -> Fault | None:
        """The fault for a request to API path ``path`` (``request``: its query and body)."""
        for rule in self.rules:
            if not rule.applies_to(path, request):
                continue
            rule.matched += 1
            if rule.rate >= 1.0 or self.rng.random() < rule.rate:
                return Fault(rule.kind, rule.status, rule.retry_after, rule.delay, rule.variant)
        return None

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON."""
        return {"seed": self.seed, "rules": [r.to_dict() for r in self.rules]}


def _copy_rule(rule: FaultRule) -> FaultRule:
    return FaultRule(
        rule.kind,
        rule.rate,
        rule.routes,
        rule.times,
        rule.status,
        rule.retry_after,
        rule.delay,
        rule.match,
        rule.variant,
    )


def _number(value: object, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None


_RULE_FIELDS = frozenset(
    {"kind", "rate", "routes", "times", "status", "retry_after", "delay", "match", "variant"}
)


def _parse_rule(raw: object, index: int) -> FaultRule:
    where = f"fault rule {index}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be an object")
    unknown = set(raw) - _RULE_FIELDS
    if unknown:
        raise ValueError(f"{where} has unknown fields {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    rate = _number(raw.get("rate", 1.0), f"{where} rate")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{where}: rate must be between 0 and 1")
    routes = raw.get("routes") or []
    if isinstance(routes, str):
        routes = [routes]
    if not isinstance(routes, list) or not all(isinstance(g, str) for g in routes):
        raise ValueError(f"{where}: routes must be a list of glob strings")
    times = raw.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
        raise ValueError(f"{where}: times must be a non-negative integer")
    status = raw.get("status", 429 if kind == "429" else 503)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError(f"{where}: status must be an HTTP error status (400-599)")
    retry_after = _number(raw.get("retry_after", 1.0), f"{where} retry_after")
    delay = _number(raw.get("delay", 2.0), f"{where} delay")
    if retry_after < 0 or delay < 0:
        raise ValueError(f"{where}: retry_after and delay must not be negative")
    match = raw.get("match")
    if match is not None and (not isinstance(match, str) or not match):
        raise ValueError(f"{where}: match must be a non-empty string")
    variant = raw.get("variant", "types")
    if variant not in GARBAGE_VARIANTS or (variant != "types" and kind != "garbage"):
        raise ValueError(
            f"{where}: variant must be one of {', '.join(GARBAGE_VARIANTS)} (garbage rules only)"
        )
    return FaultRule(kind, rate, tuple(routes), times, status, retry_after, delay, match, variant)


def garble(value: Any, rng: random.Random, depth: int = 0, variant: str = "types") -> Any:
    """A copy of ``value`` with hostile field values, for hardening tests (``garbage``)."""
    if variant != "types":
        return _garble_only(value, rng, variant)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k == "status":
                out[k] = rng.choice([99, "generating", -7, None, 4.5])
            elif k == "audit_info":
                out[k] = rng.choice(
                    ['{"check_fail":', "[]", 12, "not json", {"total_suggestion": 3}]
                )
            else:
                out[k] = garble(v, rng, depth + 1)
        out[f"unexpected_{rng.randrange(1000)}"] = "x" * 50
        return out
    if isinstance(value, list):
        return [garble(v, rng, depth + 1) for v in value] + ([{"key": None}] if depth < 3 else [])
    if isinstance(value, bool):
        return rng.choice(["yes", 2, None])
    if isinstance(value, (int, float)):
        return rng.choice([str(value), "NaN", None, [value], 1e308])
    if isinstance(value, str):
        return rng.choice(["x" * 200_000, 12345, None, {"text": value}, "\u0000\ufffd"])
    return rng.choice(["?", 0])


_KEPT = frozenset({"key", "id", "status"})  # what the huge variant leaves alone


def _garble_only(value: Any, rng: random.Random, variant: str) -> Any:
    """``value`` with only one kind of damage (``status``, ``audit`` or ``huge``)."""
    if isinstance(value, list):
        return [_garble_only(v, rng, variant) for v in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if variant == "status" and k == "status":
            out[k] = rng.choice(["PAUSED", "RUNNING"] if isinstance(v, str) else [99, -7, 5])
        elif variant == "audit" and k == "audit_info":
            out[k] = rng.choice(['{"check_fail":', "[]", 12, "not json", {"total_suggestion": 3}])
        elif variant == "huge" and isinstance(v, str) and k not in _KEPT:
            out[k] = v + "x" * 200_000
        else:
            out[k] = _garble_only(v, rng, variant)
    return out
