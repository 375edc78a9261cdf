"""Shared helpers of the hardening suite: waiting with deadlines, fast client settings, the
loss accounting (server truth against the ledger) and the report the suite prints.

Kept in its own module (not ``conftest``) so test modules import it by a unique name.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from wjnb.http import RetryPolicy
from wjnb.jobs import Job, MjTask
from wjnb.jobs.tracker import PollPolicy
from wjnb.ledger import Ledger

#: Polling tuned for a speed-200 sandbox: quick first polls, short fallback with callbacks.
FAST_POLL = PollPolicy(
    first_poll=0.05,
    min_interval=0.05,
    max_interval=0.5,
    callback_min_interval=0.3,
    callback_max_interval=1.0,
    error_backoff_max=1.0,
)
#: Retries that spend their time on work, not on waiting.
FAST_RETRY = RetryPolicy(max_retries=4, base=0.02, cap=0.2, retry_after_cap=0.5)
#: Small, cheap pictures: the sandbox renders every image it serves.
SMALL = {"width": 64, "height": 64}

#: What the suite tried and lost, printed at the end of the run (and by the bench).
REPORT: Counter[str] = Counter()


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def api_requests(srv: Any) -> int:
    """How many API requests (Wujie + MJ, any route) the sandbox has received."""
    return sum(srv.counters()["requests"].values())


def account(
    srv: Any, ledger: Ledger, *, expected_rows: dict[str, int] | None = None
) -> dict[str, int]:
    """Compare the sandbox's truth with the ledger and add the result to ``REPORT``.

    ``jobs_lost``: artworks and MJ tasks the sandbox made that the ledger has no row for.
    ``rows_lost``: rows an experiment should have (``expected_rows``) but does not, plus
    rows that are not terminal.
    """
    made = srv.artworks()
    server = {a["key"] for a in made["artworks"]} | {t["id"] for t in made["tasks"]}
    rows = ledger.jobs()
    known = {r.key for r in rows}
    out = Counter(jobs=len(server), jobs_lost=len(server - known))
    for name, count in (expected_rows or {}).items():
        mine = [r for r in rows if r.experiment == name]
        done = [r for r in mine if r.done]
        out["rows_expected"] += count
        out["rows_lost"] += max(0, count - len(done))
    REPORT.update(out)
    return dict(out)


# --------------------------------------------------------------------------- secrets


_B64_RUN = re.compile(r"[A-Za-z0-9+/=]{16,}")


def slices(secret: str, width: int = 16) -> set[str]:
    """Every ``width``-character slice of ``secret``."""
    return {secret[i : i + width] for i in range(len(secret) - width + 1)}


def leaks(haystack: str, needles: dict[str, str], grams: set[str]) -> list[str]:
    """Names of the ``needles`` found in ``haystack``, plus ``"slice"`` when any 16-char
    slice of the private key (``grams``) shows up inside a base64-looking run."""
    found = [name for name, needle in needles.items() if needle and needle in haystack]
    for run in _B64_RUN.findall(haystack):
        if any(run[i : i + 16] in grams for i in range(len(run) - 15)):
            found.append("slice")
            break
    return found


def scan(items: Iterable[tuple[str, str]], needles: dict[str, str], grams: set[str]) -> list[str]:
    """``"<where>: <what>"`` for every item that leaks something."""
    return [
        f"{where}: {', '.join(hits)}"
        for where, text in items
        if (hits := leaks(text, needles, grams))
    ]


# --------------------------------------------------------------------------- hostile values


def hostile() -> Any:
    """A hypothesis strategy of values no argument should take without a clear error:
    wrong types, blanks, huge and non-finite numbers, containers, arbitrary objects."""
    from hypothesis import strategies as st

    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["", " ", "\t\n", "x" * 5000, "../../etc/passwd", "\x00", "<b>x</b>"]),
        st.binary(max_size=6),
        st.lists(st.one_of(st.integers(), st.text(max_size=4), st.none()), max_size=3),
        st.tuples(st.text(max_size=4), st.integers()),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
        st.frozensets(st.integers(), max_size=2),
        st.builds(object),
    )


def outcome(call: Callable[[], Any]) -> tuple[str, BaseException | None, Any]:
    """Run ``call``: ``("ok", None, result)``, ``("invalid", exc, None)`` for
    ``InvalidArgument``, ``("wjnb", exc, None)`` for another ``WjnbError``. Anything else
    propagates (and fails the test)."""
    from wjnb.errors import InvalidArgument, WjnbError

    try:
        result = call()
    except InvalidArgument as exc:
        assert isinstance(exc.argument, str) and exc.argument, exc
        assert exc.argument in str(exc), f"the message does not name {exc.argument!r}: {exc}"
        return "invalid", exc, None
    except WjnbError as exc:
        return "wjnb", exc, None
    return "ok", None, result


def tally(kind: str) -> None:
    """Count one hostile input and how it was answered."""
    REPORT["bad_inputs"] += 1
    REPORT[{"ok": "accepted", "invalid": "invalid", "wjnb": "wjnb_errors"}[kind]] += 1


def names_param(argument: str, param: str) -> bool:
    """True when an ``InvalidArgument.argument`` names ``param`` (``templates[0].number``
    names ``templates``)."""
    return re.split(r"[\[.]", argument, maxsplit=1)[0] == param


# --------------------------------------------------------------------------- hostile replies

#: One rule of every hostile-reply kind (no routes: tests add them).
HOSTILE: list[dict[str, Any]] = [
    {"kind": "malformed"},
    {"kind": "html"},
    {"kind": "garbage"},
    {"kind": "garbage", "variant": "status"},
    {"kind": "garbage", "variant": "audit"},
    {"kind": "garbage", "variant": "huge"},
]
HOSTILE_IDS = ["malformed", "html", "garbage", "status", "audit", "huge"]


def ends_clearly(job: Job | MjTask) -> bool:
    """Finished, and either in a terminal service status or in the client's error state."""
    if not job.done:
        return False
    if job.status_name == "error":
        return bool(job.error)
    if isinstance(job, Job):
        return job.status is not None and job.status.terminal and job.error is None
    return job.status is not None and job.status.terminal


def served(srv: Any) -> int:
    """How many faults the sandbox served (added to the report)."""
    faults = srv.counters()["faults"]
    REPORT["hostile_replies"] += sum(faults.values())
    return int(sum(faults.values()))
