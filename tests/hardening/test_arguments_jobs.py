# mypy: disable-error-code="arg-type"
# (the cases pass wrong types on purpose: that is what they test)
"""The job layer's entry points: any argument either works or raises a ``WjnbError``
(``InvalidArgument`` naming it), and an ``InvalidArgument`` never follows a request.

``Client.generate``, ``sweep``, ``mj.imagine``, ``avatar.create``, ``load``, ``wjnb.load``,
``wjnb.compare``, ``wjnb.experiments`` and ``JobSet.grid``. Each example breaks one argument
(the others stay valid); after a call that worked, its jobs are waited for, so the tracker is
idle and the sandbox's request counter only moves when the next call sends something.
The job layer's own arguments (experiment, seeds, grid, templates, home) have tests of their own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hardening_support import (
    FAST_POLL,
    FAST_RETRY,
    SMALL,
    api_requests,
    hostile,
    names_param,
    outcome,
    tally,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wjnb
import wjnb.sandbox
from wjnb.errors import InvalidArgument, LedgerError

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_names = (f"x{i}" for i in itertools.count())


@pytest.fixture(scope="module")
def srv() -> Iterator[wjnb.sandbox.Sandbox]:
    s = wjnb.sandbox.start(speed=1000, seed=5, faults="")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def jc(srv: wjnb.sandbox.Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    client = wjnb.Client(
        sandbox=srv, home=tmp_path_factory.mktemp("args"), poll=FAST_POLL, retry=FAST_RETRY
    )
    client.runner.prefetch = False
    yield client
    client.close()


@pytest.fixture(scope="module")
def avatar(jc: Any) -> tuple[str, str]:
    res = jc.avatar.default_resource()
    return res.avatar_key, res.template_options[0].template_key


@pytest.fixture(scope="module")
def done_sweep(jc: Any) -> Any:
    return jc.sweep(
        "a grid", grid={"cfg": [4, 7], "steps": [5, 10]}, experiment="grid-set", **SMALL
    ).wait(timeout=30)


def check(srv: Any, call: Callable[[], Any], param: str, also: set[str] = frozenset()) -> str:
    """Run one call that breaks ``param``: a clear outcome, nothing sent when refused."""
    before = api_requests(srv)
    kind, exc, result = outcome(call)
    tally(kind)
    if isinstance(exc, InvalidArgument):
        assert api_requests(srv) == before, f"a request was sent before refusing: {exc}"
        assert names_param(exc.argument, param) or exc.argument in also, (param, exc)
    if kind == "ok" and hasattr(result, "wait"):
        result.wait(timeout=30)  # back to idle before the next example
    return kind


# --------------------------------------------------------------------------- generate

GENERATE = {
    "prompt": "a lighthouse",
    "steps": 5,
    "cfg": 7,
    "num": 1,
    "width": 64,
    "height": 64,
    "seed": 1,
    "model": 1,
    "uc_prompt": "",
    "style": [],
    "sampler_index": 0,
    "model_fusion": [],
    "notify_url": "http://127.0.0.1:9/",
    "trace": "extra fields pass through",
}


@SETTINGS
@given(data=st.data())
def test_generate(srv: Any, jc: Any, data: st.DataObject) -> None:
    param = data.draw(st.sampled_from(sorted(GENERATE)), label="param")
    value = data.draw(hostile(), label="value")
    kwargs = {**GENERATE, param: value}
    prompt = kwargs.pop("prompt")
    check(srv, lambda: jc.generate(prompt, **kwargs), param)


def test_generate_none_prompt_is_refused_before_the_ledger(srv: Any, jc: Any) -> None:
    before = api_requests(srv)
    requests = len(jc.runner.ledger.requests())
    with pytest.raises(InvalidArgument) as info:
        jc.generate(None)
    assert info.value.argument == "prompt"
    assert api_requests(srv) == before and len(jc.runner.ledger.requests()) == requests


# --------------------------------------------------------------------------- sweep


def _grids() -> Any:
    axis = st.sampled_from(["cfg", "steps", "seed", "width", "prompt", "sampler_index"])
    return st.one_of(
        hostile(),
        st.dictionaries(axis, hostile(), min_size=1, max_size=2),
        st.dictionaries(axis, st.lists(hostile(), min_size=1, max_size=2), min_size=1, max_size=2),
    )


@SETTINGS
@given(data=st.data())
def test_sweep(srv: Any, jc: Any, data: st.DataObject) -> None:
    param = data.draw(
        st.sampled_from(["prompt", "grid", "experiment", "budget", "steps"]), label="param"
    )
    value = data.draw(_grids() if param == "grid" else hostile(), label="value")
    if param == "experiment" and isinstance(value, str):
        value += next(_names)  # a fresh name, or the call would resume an earlier sweep
    kwargs: dict[str, Any] = {
        "prompt": "a cat",
        "grid": {"cfg": [4]},
        "experiment": next(_names),
        "budget": None,
        "steps": 5,
        **SMALL,
        param: value,
    }
    prompt = kwargs.pop("prompt")
    axes = set(value) if param == "grid" and isinstance(value, dict) else set()
    check(srv, lambda: jc.sweep(prompt, **kwargs), param, axes)


# --------------------------------------------------------------------------- MJ, avatar


@SETTINGS
@given(data=st.data())
def test_mj_imagine(srv: Any, jc: Any, data: st.DataObject) -> None:
    param = data.draw(st.sampled_from(["prompt", "base64_array", "bot_type", "trace"]))
    value = data.draw(hostile(), label="value")
    kwargs: dict[str, Any] = {"prompt": "pig", param: value}
    prompt = kwargs.pop("prompt")
    check(srv, lambda: jc.mj.imagine(prompt, **kwargs), param)


def _iterable_templates() -> Any:
    return st.one_of(
        st.lists(hostile(), max_size=3),
        st.lists(st.tuples(st.text(max_size=3), hostile()), min_size=1, max_size=2),
        st.text(max_size=5),
        st.dictionaries(st.sampled_from(["template_key", "number", "x"]), hostile(), max_size=2),
    )


@SETTINGS
@given(data=st.data())
def test_avatar_create(srv: Any, jc: Any, avatar: tuple[str, str], data: st.DataObject) -> None:
    key, template = avatar
    param = data.draw(st.sampled_from(["avatar_key", "prompt", "templates"]), label="param")
    value = data.draw(_iterable_templates() if param == "templates" else hostile(), label="value")
    kwargs: dict[str, Any] = {
        "avatar_key": key,
        "prompt": "me",
        "templates": [(template, 1)],
        param: value,
    }
    check(srv, lambda: jc.avatar.create(kwargs.pop("avatar_key"), **kwargs), param)


# --------------------------------------------------------------------------- ledger views


@SETTINGS
@given(name=st.text(max_size=20))
def test_load_any_name(srv: Any, jc: Any, name: str) -> None:
    for call in (lambda: jc.load(name), lambda: wjnb.load(name, client=jc)):
        kind = check(srv, call, "experiment")
        assert kind in ("ok", "wjnb", "invalid")  # a blank name is InvalidArgument


@SETTINGS
@given(items=st.lists(hostile(), min_size=1, max_size=3), home=hostile())
def test_compare_and_experiments(srv: Any, jc: Any, items: list[Any], home: Any) -> None:
    ledger_home = jc.runner.ledger.home
    check(srv, lambda: wjnb.compare(*items, home=ledger_home), "experiments_or_jobsets")
    if isinstance(home, str):  # any text is a path: keep it inside the test's directory
        home = str(ledger_home / "sub" / (re.sub(r"[^A-Za-z0-9]", "_", home)[:200] or "blank"))
    check(srv, lambda: wjnb.experiments(home), "home")


def test_ledger_views_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument) as info:
        wjnb.experiments(42)  # type: ignore[arg-type]
    assert info.value.argument == "home"
    for blank in ("", "  "):
        with pytest.raises(InvalidArgument) as info:
            wjnb.experiments(blank)
        assert info.value.argument == "home"
    (tmp_path / "ledger.sqlite3").write_text("not a database")
    with pytest.raises(LedgerError, match="not a database"):
        wjnb.experiments(str(tmp_path))
    with pytest.raises(InvalidArgument) as info:
        wjnb.compare("a", ["b"], home=str(tmp_path / "ok"))
    assert info.value.argument == "experiments_or_jobsets[1]"


# --------------------------------------------------------------------------- job-layer arguments


@SETTINGS
@given(value=hostile().filter(lambda v: v is not None and not isinstance(v, str)))
def test_experiment_must_be_text(srv: Any, jc: Any, avatar: tuple[str, str], value: Any) -> None:
    calls = {
        "generate": lambda: jc.generate("p", experiment=value, **SMALL),
        "imagine": lambda: jc.mj.imagine("p", experiment=value),
        "avatar": lambda: jc.avatar.create(avatar[0], "me", experiment=value),
        "load": lambda: jc.load(value),
    }
    for name, call in calls.items():
        kind = check(srv, call, "experiment")
        assert kind == "invalid", f"{name}(experiment={value!r}) was {kind}"


@SETTINGS
@given(value=st.one_of(st.integers(), st.floats(), st.booleans(), st.builds(object)))
def test_sweep_seeds_not_a_list(srv: Any, jc: Any, value: Any) -> None:
    call = lambda: jc.sweep("p", grid={"cfg": [4]}, seeds=value, experiment=next(_names))  # noqa: E731
    assert check(srv, call, "seeds") == "invalid"


def test_sweep_grid_keys_must_be_text(srv: Any, jc: Any) -> None:
    call = lambda: jc.sweep("p", grid={1: [2]}, experiment=next(_names), **SMALL)  # noqa: E731
    assert check(srv, call, "grid") == "invalid"


@pytest.mark.parametrize("param", ["state", "notify_hook"])
def test_imagine_state_and_notify_hook(srv: Any, jc: Any, param: str) -> None:
    kind = check(srv, lambda: jc.mj.imagine("pig", **{param: "mine"}), param)
    assert kind in ("ok", "invalid")


@pytest.mark.parametrize("value", [None, 3, 2.5, object()])
def test_avatar_templates_not_iterable(
    srv: Any, jc: Any, avatar: tuple[str, str], value: Any
) -> None:
    assert (
        check(srv, lambda: jc.avatar.create(avatar[0], "me", templates=value), "templates")
        == "invalid"
    )


@pytest.mark.parametrize(
    ("x", "y"), [(["cfg"], "steps"), ("cfg", {}), ("cfgg", "steps"), (1, "steps")]
)
def test_grid_axes(srv: Any, done_sweep: Any, x: Any, y: Any) -> None:
    kind, exc, _ = outcome(lambda: done_sweep.grid(x, y))
    tally(kind)
    assert isinstance(exc, InvalidArgument) and exc.argument in ("x", "y"), kind


def test_grid_with_real_axes_works(done_sweep: Any) -> None:
    assert outcome(lambda: done_sweep.grid("cfg", "steps"))[0] == "ok"


@pytest.mark.parametrize("home", [3, ["x"], object()])
def test_client_home(srv: Any, home: Any) -> None:
    kind, exc, client = outcome(lambda: wjnb.Client(sandbox=srv, home=home))
    if client is not None:
        client.close()
    assert isinstance(exc, InvalidArgument) and exc.argument == "home", kind


# --------------------------------------------------------------------------- job and task methods


@pytest.fixture(scope="module")
def finished(jc: Any) -> tuple[Any, Any, Any]:
    """A finished artwork (its picture cached), its JobSet, and a finished MJ task."""
    jobs = jc.generate("a cat", **SMALL).wait(timeout=30)
    jobs[0].image()
    task = jc.mj.imagine("a pig").wait(timeout=30)
    task.image()
    return jobs[0], task, jobs


@SETTINGS
@given(data=st.data())
def test_job_and_task_methods(
    srv: Any, finished: tuple[Any, Any, Any], data: st.DataObject
) -> None:
    job, task, _ = finished
    calls = {
        "job.thumbnail": ("size", job.thumbnail),
        "task.thumbnail": ("size", task.thumbnail),
        "task.press": ("label", task.press),
        "job.accelerate": ("step_num", job.accelerate),
    }
    name = data.draw(st.sampled_from(sorted(calls)), label="method")
    param, method = calls[name]
    value = data.draw(hostile(), label="value")
    check(srv, lambda: method(value), param)


def test_thumbnail_sizes(finished: tuple[Any, Any, Any]) -> None:
    job = finished[0]
    assert job.thumbnail(64)[:2] == b"\xff\xd8"  # a JPEG
    for size in (0, -1, 10**30, 2.5, "64", True):
        with pytest.raises(InvalidArgument) as info:
            job.thumbnail(size)
        assert info.value.argument == "size"


@pytest.mark.parametrize("timeout", ["1", b"1", [1], {}, object(), float("inf")])
def test_wait_timeout_must_be_a_number(finished: tuple[Any, Any, Any], timeout: Any) -> None:
    """Today ``Job.wait("1")`` raises a bare ``TypeError`` from the deadline arithmetic."""
    for waitable in finished:  # Job, MjTask, JobSet
        assert outcome(lambda w=waitable: w.wait(timeout))[0] == "invalid", waitable
