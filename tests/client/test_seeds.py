"""The three seed samples, read through the client's own decoding path, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from wjnb.api.envelope import envelope_data
from wjnb.http import Endpoint
from wjnb.models import (
    ArtworkInfo,
    ArtworkStatus,
    AuditSuggestion,
    CreateResult,
    MjStatus,
    MjTask,
    WujieCallback,
)

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def decode(text: str) -> object:
    """What ``Endpoint`` makes of a 200 reply with this body."""
    response = httpx.Response(200, content=text.encode())
    return Endpoint._decode(response, "GET /test", "/test", None, True)


def seed_text(name: str) -> str | None:
    """The original seed page when ``../shared`` sits beside the repository."""
    found = sorted(SEEDS.glob(f"{name}_*.txt")) if SEEDS.is_dir() else []
    return found[0].read_text(encoding="utf-8") if found else None


def read(name: str, seed: str) -> str:
    """A fixture copied from seed page ``seed``; checked verbatim against it when present."""
    text = (DATA / name).read_text(encoding="utf-8")
    page = seed_text(seed)
    if page is not None:
        assert text.strip() in page, f"{name} is not a verbatim copy of seed {seed}"
    return text


AUDIT_SCENES = [
    (0.9944, "pass", "politics", "涉政", "TERRORISM"),
    (1.0, "pass", "terrorism", "暴恐", "TERRORISM"),
    (0.9993, "pass", "porn", "色情", "PORN"),
    (1.0, "pass", "prohibition", "违禁", "TERRORISM"),
    (0.9986, "pass", "sexy", "性感", "PORN"),
]


def info_texts() -> list[Any]:
    texts = [pytest.param(read("seed_000_info.json", "000"), id="fixture")]
    page = seed_text("000")
    if page is not None:
        texts.append(pytest.param(page[page.index('{"code"') :], id="seed-page"))
    return texts


@pytest.mark.parametrize("text", info_texts())
def test_seed_000_info_reply_with_unescaped_audit_text(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)  # the sample really is invalid JSON
    data = envelope_data(decode(text), "/ai/info")
    info = ArtworkInfo.from_dict(data)
    assert info.problems == []
    assert info.prompt == (
        "The empty mountain is bathed in new rain, and the arrival of night makes people "
        "feel that it is early autumn."
    )
    assert info.uc_prompt == "yz0eps"
    assert (info.type, info.model, info.width, info.height) == (1, 1, 2048, 2048)
    assert info.status == 4 and info.status_enum is ArtworkStatus.SUCCESS
    assert (
        info.picture_url == "https://cdn.wujiebantu.com/ai/081261CBAC6314F4758EEC5FD913CA61-01.png"
    )
    assert info.mini_picture_url == "www.isidro-stehr.com"
    assert info.init_image_url == "www.isidro-stehr.com"
    assert info.init_image_similarity == 50
    assert info.creativity_degree == 521
    assert (info.artist, info.style, info.image_type) == ("鸟山明", "赛博朋克", "超现实照片")
    assert info.element_magic == ["星空法"]
    assert (info.generate_time, info.start_gen_time, info.complete_time) == (
        1667800436,
        1667800439,
        1667800451,
    )
    assert info.involve_yellow == 0

    audit = info.audit_info
    assert audit is not None and audit.problems == []
    assert (audit.check_fail, audit.hit, audit.data_id) == (False, False, "245959")
    assert audit.total_suggestion == "PASS" and audit.verdict is AuditSuggestion.PASS
    assert audit.url == "https://cdn.wujiebantu.com/ai/810F1750EFF2EC416ED6682DFFCFBF2C-01.jpg-v800"
    scenes = [
        (s.rate, s.suggestion, s.label, s.label_desc, s.scene)
        for s in audit.scan_scene_d_t_o_s or []
    ]
    assert scenes == AUDIT_SCENES

    tech = info.technology_info
    assert tech is not None
    assert (tech.machine_no, tech.gpu_type, tech.power_consumption) == (
        "IiFJclpG73",
        "NVIDIA Tesla V100-16GB",
        9.8e-4,
    )
    assert info.fail_message is not None
    assert (info.fail_message.fail_code, info.fail_message.fail_message) == (0, "success")
    assert info.model_prompt == (
        "The empty mountain is bathed in new rain, and the arrival of night makes people "
        "feel that it is early autumn.; sketch"
    )
    assert info.character_options == ["77qg0a"]
    assert [(f.name, f.weight) for f in info.model_fusion or []] == [("晨辉", 0.6)]
    assert info.style_model == "肤若凝脂"
    assert info.pretreatment_image == (
        "https://cdn.wujiebantu.com/ai/B7A8199D69303BEAF18BB440C4AC63FA-01.png"
    )
    assert info.pretreatment_method == "NONE"
    assert (info.steps, info.cfg, info.sampler_index, info.seed) == (77, 16.2, 1, "nnqty2")
    assert (info.integral_cost, info.integral_cost_message) == (4, "积分已扣除")
    assert info.multi_diffusion is not None
    tiled = info.multi_diffusion["tiled_diffusion"]
    assert tiled["method"] == "MultiDiffusion" and tiled["tile_batch_size"] == 4
    assert tiled["bbox_control_states"][0]["prompt"] == "zqkgbp"
    assert info.multi_diffusion["tiled_vae"]["encoder_tile_size"] == 3072
    assert info.hr_second_pass_strength == 56.62
    assert info.layer_diffusion == {"method": 2, "weight": 1.0, "ending_step": 1.0}
    assert info.pattern == "CANNY"
    assert info.cut_diffusion == {"cutdiff_proportion": 0.5, "cfg_scale1": 7.0, "cfg_scale2": 7.0}
    assert info.extra == {}


def test_seed_001_callback_body() -> None:
    callback = WujieCallback.from_dict(decode(read("seed_001_callback.json", "001")))
    assert callback.problems == [] and callback.extra == {}
    assert callback.artwork_url == (
        "https://cdn.wujiebantu.com/ai/530FFE6722D2A2B4A9504166221AAB40-01.jpg"
    )
    assert callback.key == "EF8DF2DCF18D0D69F7F836A100C857AF"
    assert (callback.success, callback.code) == (True, 0)
    assert callback.complete_time == 1681109462
    assert (callback.integral_cost, callback.integral_cost_message) == (2, "积分已扣除")
    assert callback.involve_yellow == 0
    assert callback.batch_task_key is None and callback.fail_message is None
    audit = callback.audit_info
    assert audit is not None and audit.verdict is AuditSuggestion.PASS
    assert (audit.check_fail, audit.hit, audit.data_id) == (False, False, "245959")
    assert audit.url == "https://cdn.wujiebantu.com/ai/810F1750EFF2EC416ED6682DFFCFBF2C-01.jpg-v800"
    scenes = [
        (s.rate, s.suggestion, s.label, s.label_desc, s.scene)
        for s in audit.scan_scene_d_t_o_s or []
    ]
    assert scenes == AUDIT_SCENES


def test_seed_001_create_reply() -> None:
    result = CreateResult.from_dict(
        envelope_data(decode(read("seed_001_create_reply.json", "001")), "/avatar/artwork/create")
    )
    assert result.problems == [] and result.extra == {}
    assert result.keys == ["3E46BF62A51256A96EEFB73079BD55E2", "66FB4071D5647F5F8CD702AC1910AA5D"]
    assert result.expected_integral_cost == 2
    [item] = result.results or []
    assert (item.template_key, item.key, item.expected_second) == (
        "7795F4C854A4E053D314FA805C4EB742",
        "C5B5FE8DBF3679D9049342C130341BD9",
        12,
    )


def test_seed_002_task() -> None:
    body = decode(read("seed_002_task.json", "002"))
    task = MjTask.from_dict(body)
    assert task.problems == [] and task.extra == {}
    assert (task.id, task.action, task.custom_id, task.bot_type) == (
        "1730621826053455",
        "IMAGINE",
        "",
        "",
    )
    assert (task.prompt, task.prompt_en) == ("pig --v 6.1", "pig --v 6.1")
    assert (task.description, task.state) == ("Submit success", "")
    assert (task.submit_time, task.start_time, task.finish_time) == (
        1730621826053,
        1730621828024,
        1730621855817,
    )
    assert task.image_url is not None and task.image_url.startswith(
        "https://cdnmjp.oneabc.org/attachments/1300842274347028520/"
    )
    assert task.image_url.endswith(
        "hm=f6d701914d608e4da9298d2290b3616317264a70635fbf08a37ca6c1bb671b50&"
    )
    assert task.status_enum is MjStatus.SUCCESS
    assert (task.progress, task.percent, task.fail_reason, task.mask_base64) == (
        "100%",
        100.0,
        "",
        "",
    )
    assert task.properties == {"finalPrompt": "pig --v 6.1", "finalZhPrompt": ""}
    job = "3785da15-4f70-4034-9128-f3ff1ac634fa"
    labels = [(b.label, b.emoji, b.type, b.style) for b in task.buttons or []]
    assert labels == [
        *[(f"U{i}", "", 2, 2) for i in range(1, 5)],
        ("", "🔄", 2, 2),
        *[(f"V{i}", "", 2, 2) for i in range(1, 5)],
    ]
    assert [b.custom_id for b in task.buttons or []] == [
        *[f"MJ::JOB::upsample::{i}::{job}" for i in range(1, 5)],
        f"MJ::JOB::reroll::0::{job}::SOLO",
        *[f"MJ::JOB::variation::{i}::{job}" for i in range(1, 5)],
    ]
    button = task.button("U2")
    assert button is not None and button.custom_id == f"MJ::JOB::upsample::2::{job}"
