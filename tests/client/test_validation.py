# mypy: disable-error-code="arg-type,list-item"
# (the cases pass wrong types on purpose: that is what they test)
"""Bad arguments raise ``InvalidArgument`` naming the argument, and send nothing at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import wjnb
from wjnb.client import Client
from wjnb.errors import InvalidArgument


@pytest.fixture(scope="module")
def shared_client(sandbox: Any) -> Iterator[Client]:
    """One client for the many cases: none of them may reach the server anyway."""
    with Client(sandbox=sandbox) as c:
        yield c


TINY = "data:image/png;base64,iVBORw0KGgo="

# (case id, call on a sync client, the argument InvalidArgument must name)
CASES: list[tuple[str, Callable[[Client], Any], str]] = [
    ("empty prompt", lambda c: c.wujie.create(""), "prompt"),
    ("blank prompt", lambda c: c.wujie.create("  \n\t"), "prompt"),
    ("prompt not text", lambda c: c.wujie.create(42), "prompt"),
    ("unknown model", lambda c: c.wujie.create("p", model=2), "model"),
    ("model as text", lambda c: c.wujie.create("p", model="1"), "model"),
    ("negative cfg", lambda c: c.wujie.create("p", cfg=-0.5), "cfg"),
    ("cfg nan", lambda c: c.wujie.create("p", cfg=float("nan")), "cfg"),
    ("zero width", lambda c: c.wujie.create("p", width=0), "width"),
    ("negative height", lambda c: c.wujie.create("p", height=-512), "height"),
    ("zero steps", lambda c: c.wujie.create("p", steps=0), "steps"),
    ("zero num", lambda c: c.wujie.create("p", num=0), "num"),
    ("steps as text", lambda c: c.wujie.create("p", steps="abc"), "steps"),
    ("steps as float", lambda c: c.wujie.create("p", steps=20.5), "steps"),
    ("num as bool", lambda c: c.wujie.create("p", num=True), "num"),
    ("seed as float", lambda c: c.wujie.create("p", seed=1.5), "seed"),
    (
        "pretreatment",
        lambda c: c.wujie.create("p", pretreatment_method="BLUR"),
        "pretreatment_method",
    ),
    ("style not a list", lambda c: c.wujie.create("p", style="赛博朋克"), "style"),
    ("fusion item", lambda c: c.wujie.create("p", model_fusion=[("k",)]), "model_fusion[0]"),
    ("extra not json", lambda c: c.wujie.create("p", trace=object()), "trace"),
    ("price prompt", lambda c: c.wujie.price_info(" "), "prompt"),
    ("mj_param", lambda c: c.wujie.create_midjourney("p", mj_param="--chaos 5"), "mj_param"),
    ("flux steps", lambda c: c.wujie.create_flux("p", steps="20"), "steps"),
    ("no keys", lambda c: c.wujie.generating_info([]), "keys"),
    ("keys not a list", lambda c: c.wujie.generating_info(None), "keys"),
    ("key not text", lambda c: c.wujie.generating_info(["K", 7]), "keys[1]"),
    ("seven params keys", lambda c: c.wujie.create_params([f"K{i}" for i in range(7)]), "keys"),
    ("info key", lambda c: c.wujie.info(123), "key"),
    ("blank info key", lambda c: c.wujie.info(" "), "key"),
    ("cancel key", lambda c: c.wujie.cancel(None), "key"),
    ("accelerate steps", lambda c: c.wujie.accelerate("K", step_num=0), "step_num"),
    ("model_info model", lambda c: c.wujie.model_info(5), "model"),
    ("resource model", lambda c: c.wujie.default_resource(0), "model"),
    ("avatar key", lambda c: c.avatar.create("", "p"), "avatar_key"),
    ("avatar blank prompt", lambda c: c.avatar.create("A", "   "), "prompt"),
    ("avatar prompt > 500", lambda c: c.avatar.create("A", "长" * 501), "prompt"),
    (
        "six templates",
        lambda c: c.avatar.create("A", templates=[f"T{i}" for i in range(6)]),
        "templates",
    ),
    (
        "template number 0",
        lambda c: c.avatar.create("A", templates=[("T", 0)]),
        "templates[0].number",
    ),
    (
        "template number text",
        lambda c: c.avatar.create("A", templates=[("T", "2")]),
        "templates[0].number",
    ),
    ("template shape", lambda c: c.avatar.create("A", templates=[42]), "templates[0]"),
    (
        "template key",
        lambda c: c.avatar.create("A", templates=[{"number": 1}]),
        "templates[0].template_key",
    ),
    ("imagine prompt", lambda c: c.mj.imagine(""), "prompt"),
    ("bot type", lambda c: c.mj.imagine("p", bot_type="DALL_E"), "bot_type"),
    ("imagine images", lambda c: c.mj.imagine("p", base64_array=TINY), "base64_array"),
    ("blend one image", lambda c: c.mj.blend([TINY]), "base64_array"),
    ("blend six images", lambda c: c.mj.blend([TINY] * 6), "base64_array"),
    ("blend dimensions", lambda c: c.mj.blend([TINY] * 2, dimensions="WIDE"), "dimensions"),
    ("describe image", lambda c: c.mj.describe(""), "base64"),
    ("action task", lambda c: c.mj.action("", "MJ::JOB::upsample::1::x"), "task_id"),
    ("action custom id", lambda c: c.mj.action("T", None), "custom_id"),
    ("modal task", lambda c: c.mj.modal(5), "task_id"),
    ("fetch id", lambda c: c.mj.fetch(""), "task_id"),
    ("list no ids", lambda c: c.mj.list_by_ids([]), "ids"),
    ("seed id", lambda c: c.mj.image_seed(None), "task_id"),
    ("cancel id", lambda c: c.mj.cancel(" "), "task_id"),
]


@pytest.mark.parametrize(("call", "argument"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_raises_before_any_request(
    shared_client: Client, sandbox: Any, call: Callable[[Client], Any], argument: str
) -> None:
    before = sandbox.counters()["requests"]
    with pytest.raises(InvalidArgument) as caught:
        call(shared_client)
    assert caught.value.argument == argument
    assert isinstance(caught.value, ValueError)
    assert sandbox.counters()["requests"] == before


def test_valid_values_go_on_the_wire_as_documented(client: Client, sandbox: Any) -> None:
    """The same checks let good values through, converted where the wire says so."""
    created = client.wujie.create(
        "p",
        model=wjnb.models.ModelType.COMIC,
        seed=123,
        pretreatment_method=wjnb.models.PretreatmentMethod.SCRIBBLE,
        model_fusion=[("FUSION", 0.5)],
        cfg=0,
    )
    assert created.keys
    [params] = client.wujie.create_params(created.keys)
    assert params["model"] == 3 and params["seed"] == "123"
    assert params["pretreatment_method"] == "SCRIBBLE"
