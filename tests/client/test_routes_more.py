"""The newer Wujie routes through the client's typed methods, sync and async, over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from wjnb.client import AsyncClient, Client
from wjnb.errors import InsufficientBalance, InvalidArgument, SensitivePrompt
from wjnb.models import FailMessage, ModelBaseInfo, Resolution, WujieCallback
from wjnb.models_more import (
    AvatarStatus,
    CameraStatus,
    LabAiType,
    LabOptionType,
    LabStatus,
    OptimizeCode,
    SpellAnalysisStatus,
    SupersizeStatus,
    VideoPoll,
    VideoStatus,
    YouthifyResult,
    is_terminal,
)

T = TypeVar("T")
DEADLINE = 20.0


def until(read: Callable[[], T], done: Callable[[T], bool]) -> T:
    deadline = time.monotonic() + DEADLINE
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, value
        time.sleep(0.01)


def finished_picture(client: Client) -> str:
    key = client.wujie.create("a lighthouse at dusk", width=512, height=512).keys
    assert key
    info = until(lambda: client.wujie.generating_info(key)[0], lambda i: i.status == 4)
    assert info.picture_url
    return info.picture_url


def test_pro_artworks(client: Client) -> None:
    models = client.wujie.pro.model_base_infos()
    assert models and all(isinstance(m.controlnet_support, str) for m in models)
    options = client.wujie.pro.controlnet_options()
    assert options[0].preprocessor and options[0].preprocessor[0].resolution
    before = client.wujie.pro.balance().resource_balance
    unit = {"type": options[0].code, "control_weight": 1, "image_url": finished_picture(client)}
    made = client.wujie.pro.create(
        "a harbour",
        model_code=models[0].model_code or 0,
        width=512,
        height=512,
        batch_count=2,
        advanced_param={"cfg": 7, "sampler_steps": 20, "seed": "9"},
        control_net_params=[unit],
    )
    assert len(made.keys) == 2
    infos = until(
        lambda: client.wujie.pro.generating_info(made.keys),
        lambda i: all(x.status == 4 for x in i),
    )
    assert all(i.picture_url and i.audit_info and i.problems == [] for i in infos)
    detail = client.wujie.pro.info(made.keys[0])
    assert detail.duration_cost and detail.advanced_info and detail.problems == []
    assert detail.advanced_info["seed"] == "9" and detail.control_net_info
    assert client.wujie.pro.balance().resource_balance == (before or 0) - 2 * detail.duration_cost


def test_supersize_spell_analysis_and_prompt_tools(client: Client) -> None:
    picture = finished_picture(client)
    up = client.wujie.tools.supersize(picture, 2, super_size_type="ANIME")
    (info,) = until(
        lambda: client.wujie.tools.supersize_info([up]),
        lambda i: is_terminal(SupersizeStatus, i[0].status),
    )
    assert info.status == SupersizeStatus.SUCCESS and info.sr_url and info.multiple == 2.0
    spell = client.wujie.tools.spell_analysis(picture)
    tags = until(
        lambda: client.wujie.tools.spell_analysis_info(spell),
        lambda i: is_terminal(SpellAnalysisStatus, i.status),
    )
    assert tags.status == SpellAnalysisStatus.DONE and len(tags.tag_names) >= 4
    task = client.wujie.tools.optimize_prompt("a cat", type=2, language=1)
    result = until(
        lambda: client.wujie.tools.optimize_result(task),
        lambda r: is_terminal(OptimizeCode, r.code),
    )
    assert result.task_id == task and result.result and result.result.startswith("a cat, vivid")
    assert client.wujie.tools.spells()[0].spell_en_name
    theme = client.wujie.tools.magic_dice_themes()[0]
    dice = client.wujie.tools.magic_dice("lighthouse", theme_id=theme.theme_id or 0)
    assert dice.prompt_english and dice.prompt_english.startswith("lighthouse")
    young = client.wujie.tools.youthify(picture, width=512, height=512)
    assert isinstance(young, YouthifyResult) and len(young.key_list) == 1
    assert until(
        lambda: client.wujie.generating_info(young.key_list)[0], lambda i: i.status == 4
    ).picture_url


def test_video_and_svd(client: Client) -> None:
    picture = finished_picture(client)
    menu = client.wujie.video.option_menu()
    assert menu.ai_video_model_option_vos and menu.pay_info_vo and menu.pay_info_vo.price
    code = menu.ai_video_model_option_vos[0].model_code or 0
    assert client.wujie.video.wait_time(code).queue_num is not None
    key = client.wujie.video.create(picture, model_code=code, video_duration=2)
    poll = until(
        lambda: client.wujie.video.generating_info([key]),
        lambda p: bool(p.infos) and is_terminal(VideoStatus, p.infos[0].status),
    )
    assert isinstance(poll, VideoPoll) and poll.next_polling_time == 0 and poll.infos
    assert poll.infos[0].ai_video_meta_info and poll.infos[0].ai_video_meta_info.size
    assert client.wujie.video.info(key).ai_video_url == poll.infos[0].ai_video_url
    svd = client.wujie.video.svd_create(picture, duration=1, camera_move_type="MOVE_UP")
    done = until(
        lambda: client.wujie.video.svd_info(svd), lambda i: is_terminal(VideoStatus, i.status)
    )
    assert done.status == VideoStatus.SUCCESS and done.video_url


def test_avatar_training_and_camera_under_both_paths(client: Client, sandbox: Any) -> None:
    checks = client.avatar.image_check(["http://x/me.jpg"]).image_check_info_list
    assert checks and checks[0].passed is True
    trained = client.avatar.train(["http://x/me.jpg", "http://x/me2.jpg"])
    assert trained.key and trained.expected_second
    avatar = until(
        lambda: client.avatar.info(trained.key or ""), lambda i: is_terminal(AvatarStatus, i.status)
    )
    assert avatar.status == AvatarStatus.SUCCESS and avatar.model_fusion_name
    template = client.avatar.camera_templates()[0]
    assert template.key and template.url
    made = client.avatar.camera_create(trained.key or "", template_key=template.key, count=2)
    assert made.keys and len(made.keys) == 2 and made.expected_duration_cost
    keys = made.keys
    infos = until(
        lambda: client.avatar.camera_generating_info(keys),
        lambda i: all(is_terminal(CameraStatus, x.status) for x in i),
    )
    assert all(i.artwork_url for i in infos)
    with Client(sandbox=sandbox) as other:
        other.aio.avatar.camera_prefix = "/ai"
        assert other.avatar.camera_info(keys[0]).artwork_url == infos[0].artwork_url
        assert [i.key for i in other.avatar.camera_generating_info(keys)] == keys
    client.avatar.delete(trained.key or "")
    with pytest.raises(InvalidArgument):
        client.avatar.camera_create("")


def test_lab_tools(client: Client) -> None:
    picture = finished_picture(client)
    assert client.wujie.lab.options(LabOptionType.VECTOR_STUDIO_STYLE)
    jobs = [
        client.wujie.lab.segment(picture, positive_points=[(10, 10)], threshold=5),
        client.wujie.lab.infinite_zoom(picture, video_second=1),
        client.wujie.lab.vectorize(picture, quantize=4),
    ]
    assert [j.ai_type for j in jobs] == [
        LabAiType.AI_LAB_SEGMENTATION.value,
        LabAiType.AI_LAB_INFINITE_ZOOM.value,
        LabAiType.VECTOR.value,
    ]
    for job in jobs:
        info = until(
            lambda j=job: client.wujie.lab.info(j.key or "", j.ai_type or ""),
            lambda i: is_terminal(LabStatus, i.status),
        )
        assert info.status == LabStatus.SUCCESS and info.result_urls and info.problems == []


def test_account_exchange_spends_credits(fresh_client: Client) -> None:
    before = fresh_client.wujie.balance().balance or 0
    fresh_client.wujie.exchange_integral("13800000000", 5)
    assert fresh_client.wujie.balance().balance == before - 5
    with pytest.raises(InsufficientBalance):
        fresh_client.wujie.exchange_integral("13800000000", before * 2)


def test_api_errors_and_bad_arguments(client: Client) -> None:
    with pytest.raises(SensitivePrompt):
        client.wujie.tools.supersize("http://x/[sensitive].png", 2)
    with pytest.raises(InvalidArgument):
        client.wujie.tools.supersize("http://x/a.png", 0.5)
    with pytest.raises(InvalidArgument):
        client.wujie.video.svd_create("http://x/a.png", camera_move_type="SPIN")


def test_async_client_reaches_the_same_routes(sandbox: Any) -> None:
    async def main() -> None:
        async with AsyncClient(sandbox=sandbox) as aio:
            models = await aio.wujie.pro.model_base_infos()
            assert models[0].controlnet_support in ("SUPPORT", "NOT_SUPPORT")
            key = await aio.wujie.tools.spell_analysis("http://x/picture.png")
            while True:
                info = await aio.wujie.tools.spell_analysis_info(key)
                if is_terminal(SpellAnalysisStatus, info.status):
                    break
                await asyncio.sleep(0.01)
            assert info.tag_names
            lab = await aio.wujie.lab.vectorize("http://x/picture.png")
            assert lab.key and (await aio.wujie.lab.info(lab.key, LabAiType.VECTOR)).service_key
            assert (await aio.avatar.camera_templates())[0].category

    asyncio.run(main())


def test_models_read_the_corrected_shapes_without_crashing() -> None:
    """§10: string enums, plain-text failure messages, float multiples, unknown fields."""
    info = ModelBaseInfo.from_dict({"type": 1, "model_code": 1, "controlnet_support": "SUPPORT"})
    assert info.controlnet_support == "SUPPORT" and info.problems == []
    legacy = ModelBaseInfo.from_dict({"controlnet_support": True, "support_cutdiffusion": True})
    assert legacy.controlnet_support is True and legacy.support_cutdiffusion is True
    failure = WujieCallback.from_dict(
        {"key": "K", "success": False, "code": 1, "fail_message": "generation failed"}
    )
    assert failure.fail_message == FailMessage(fail_message="generation failed")
    assert failure.problems == []
    size = Resolution.from_dict({"width": 1, "super_size_multiple": 1.5, "prefine_multiples": 2.0})
    assert size.super_size_multiple == 1.5 and size.prefine_multiples == 2.0
    assert YouthifyResult.from_dict({"keys": ["A", "B"]}).key_list == ["A", "B"]
    assert YouthifyResult.from_dict({"keys": "A,B"}).key_list == ["A", "B"]
    odd = VideoPoll.from_dict({"list": [{"status": "x", "new": 1}], "next_polling_time": 2.0})
    assert odd.infos and odd.infos[0].status is None and odd.infos[0].extra == {"new": 1}
    assert odd.next_polling_time == 2
