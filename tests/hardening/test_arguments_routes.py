"""Every route method (``client.wujie.*``, ``client.avatar.*``, ``client.mj.*``): any
argument either works or raises a ``WjnbError``; ``InvalidArgument`` names the argument and
comes before any request (the sandbox's request counter does not move).

Each example picks one method, breaks one of its arguments with a hostile value and keeps
the others valid. The route client has no tracker, so nothing else talks to the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hardening_support import FAST_RETRY, api_requests, hostile, names_param, outcome, tally
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wjnb.sandbox
from wjnb.client import Client

TINY = "data:image/png;base64,iVBORw0KGgo="
KEY = "0" * 32

_CREATE_OPTIONAL = [
    "model",
    "uc_prompt",
    "num",
    "width",
    "height",
    "init_image_url",
    "init_width",
    "init_height",
    "creativity_degree",
    "init_image_similarity",
    "super_size_multiple",
    "prefine_multiple",
    "image_type",
    "style",
    "artist",
    "artists",
    "element_magic",
    "style_decoration",
    "character",
    "model_fusion",
    "style_model",
    "pattern",
    "pretreatment_method",
    "steps",
    "cfg",
    "sampler_index",
    "seed",
    "accelerate_times",
    "clip_skip",
    "control_weight",
    "control_mode",
    "notify_url",
    "multi_diffusion",
    "hr_second_pass_strength",
    "layer_diffusion",
    "trace",  # any extra field: passes through when it is JSON
]
_SMALL = {"width": 64, "height": 64, "steps": 5}

# method path -> (valid positional-or-keyword arguments, optional arguments that may be broken)
METHODS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "wujie.create": ({"prompt": "p", **_SMALL}, _CREATE_OPTIONAL),
    "wujie.price_info": ({"prompt": "p", **_SMALL}, _CREATE_OPTIONAL),
    "wujie.create_midjourney": ({"prompt": "p", **_SMALL}, [*_CREATE_OPTIONAL, "mj_param"]),
    "wujie.create_flux": (
        {"prompt": "p", **_SMALL},
        ["uc_prompt", "num", "init_image_url", "creativity_degree", "cfg", "seed", "notify_url"],
    ),
    "wujie.generating_info": ({"keys": [KEY]}, []),
    "wujie.info": ({"key": KEY}, []),
    "wujie.model_info": ({"model": 1}, []),
    "wujie.cancel": ({"key": KEY}, []),
    "wujie.accelerate": ({"key": KEY, "step_num": 1}, []),
    "wujie.create_params": ({"keys": [KEY]}, []),
    "wujie.default_resource": ({"model": 1}, []),
    "avatar.create": ({"avatar_key": KEY, "prompt": "me"}, ["templates", "notify_url", "trace"]),
    "wujie.exchange_integral": ({"mobile": "13800000000", "amount": 1}, []),
    "wujie.pro.create": (
        {"prompt": "p", "model_code": 101, "width": 64, "height": 64},
        ["batch_count", "supersize_multiple", "advanced_param", "control_net_params", "trace"],
    ),
    "wujie.pro.generating_info": ({"keys": [KEY]}, []),
    "wujie.pro.info": ({"key": KEY}, []),
    "wujie.tools.supersize": (
        {"url": "http://x/a.png", "multiple": 2},
        ["super_size_type", "cost_type"],
    ),
    "wujie.tools.supersize_info": ({"keys": [KEY]}, []),
    "wujie.tools.youthify": ({"image_url": "http://x/a.png"}, ["width", "notify_url"]),
    "wujie.tools.optimize_prompt": ({"original": "p"}, ["type", "language", "task_id"]),
    "wujie.tools.optimize_result": ({"task_id": "T"}, []),
    "wujie.tools.spell_analysis": ({"image_url": "http://x/a.png"}, ["notify_url"]),
    "wujie.tools.spell_analysis_info": ({"key": KEY}, []),
    "wujie.tools.magic_dice": ({"keyword": "p"}, ["theme_id", "type", "model", "language"]),
    "wujie.video.wait_time": ({"model_code": 1}, []),
    "wujie.video.create": (
        {"origin_video_url": "http://x/v.mp4", "model_code": 1, "video_duration": 1},
        ["queue_type", "notify_url"],
    ),
    "wujie.video.generating_info": ({"keys": [KEY]}, []),
    "wujie.video.info": ({"key": KEY}, []),
    "wujie.video.svd_create": (
        {"init_image_url": "http://x/a.png", "duration": 1},
        ["camera_move_type", "motion_amplitude", "noise_intensity", "random_seed"],
    ),
    "wujie.video.svd_info": ({"key": KEY}, []),
    "wujie.lab.options": ({"option_type": "VECTOR_STUDIO_STYLE"}, []),
    "wujie.lab.info": ({"key": KEY, "ai_type": "VECTOR"}, []),
    "wujie.lab.segment": ({"image_url": "http://x/a.png"}, ["positive_points", "threshold"]),
    "wujie.lab.vectorize": ({"init_image": "http://x/a.png"}, ["quantize", "trace"]),
    "avatar.image_check": ({"image_urls": ["http://x/a.jpg"]}, []),
    "avatar.train": ({"image_urls": ["http://x/a.jpg"]}, ["notify_url"]),
    "avatar.info": ({"key": KEY}, []),
    "avatar.camera_info": ({"key": KEY}, []),
    "avatar.camera_generating_info": ({"keys": [KEY]}, []),
    "avatar.camera_create": ({"avatar_key": KEY}, ["template_key", "count", "advanced"]),
    "mj.imagine": ({"prompt": "pig"}, ["base64_array", "bot_type", "notify_hook", "state"]),
    "mj.action": ({"task_id": "1", "custom_id": "MJ::JOB::upsample::1::x"}, ["notify_hook"]),
    "mj.blend": ({"base64_array": [TINY, TINY]}, ["dimensions", "bot_type", "state"]),
    "mj.describe": ({"base64": TINY}, ["bot_type", "notify_hook"]),
    "mj.modal": ({"task_id": "1"}, ["prompt", "mask_base64"]),
    "mj.fetch": ({"task_id": "1"}, []),
    "mj.list_by_ids": ({"ids": ["1"]}, []),
    "mj.image_seed": ({"task_id": "1"}, []),
    "mj.cancel": ({"task_id": "1"}, []),
}


@pytest.fixture(scope="module")
def srv() -> Iterator[wjnb.sandbox.Sandbox]:
    s = wjnb.sandbox.start(speed=1000, seed=6, faults="")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def rc(srv: wjnb.sandbox.Sandbox) -> Iterator[Client]:
    with Client(sandbox=srv, retry=FAST_RETRY) as c:
        yield c


def _call(rc: Client, method: str, kwargs: dict[str, Any]) -> Callable[[], Any]:
    """The sync route call (every route parameter can be passed by name)."""
    fn: Any = rc
    for part in method.split("."):
        fn = getattr(fn, part)
    return lambda: fn(**kwargs)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_route_arguments(srv: Any, rc: Client, data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(sorted(METHODS)), label="method")
    valid, optional = METHODS[method]
    param = data.draw(st.sampled_from(sorted({*valid, *optional})), label="param")
    value = data.draw(hostile(), label="value")
    before = api_requests(srv)
    kind, exc, _ = outcome(_call(rc, method, {**valid, param: value}))
    tally(kind)
    if kind == "invalid":
        assert exc is not None and names_param(exc.argument, param), (method, param, exc)  # type: ignore[attr-defined]
        assert api_requests(srv) == before, f"{method}: a request was sent before {exc}"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_valid_call_reaches_the_service(srv: Any, rc: Client, method: str) -> None:
    """The baseline the property test breaks: valid arguments are sent (and answered)."""
    before = api_requests(srv)
    kind, exc, _ = outcome(_call(rc, method, dict(METHODS[method][0])))
    assert kind in ("ok", "wjnb") and api_requests(srv) == before + 1, (kind, exc)
