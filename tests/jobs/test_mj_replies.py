"""wjnb's client reads every reply shape and HTTP status of reference §4.3 without surprise,
and sends the speed-mode prefix and ``botType`` it is asked for (against the sandbox).

One test per case: an empty 200 and a 204 for an unknown task, T's empty 200 to a cancel,
T's second envelope ``{success, code: -1, message}``, imagine's code 4 in its place, T's
404 with code 3 and 400 with code 4, the 401 of each flavour.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

import wjnb
import wjnb.sandbox
from wjnb.errors import AuthError, MjError, Unsupported
from wjnb.models import MjSubmitCode

WAIT = 30.0
UNKNOWN = "1234567890123456"


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, wjnb.sandbox.Sandbox]]:
    started = {
        f: wjnb.sandbox.start(speed=400, faults="", mj_flavor=f) for f in ("novicezk", "trueai")
    }
    yield started
    for srv in started.values():
        srv.stop()


@pytest.fixture
def trueai(servers: dict[str, wjnb.sandbox.Sandbox], tmp_path: Path) -> Iterator[wjnb.Client]:
    with _client(servers["trueai"], tmp_path) as client:
        yield client


def _client(srv: wjnb.sandbox.Sandbox, home: Path, **options: object) -> wjnb.Client:
    return wjnb.Client(
        home=home,
        mj_base_url=srv.mj_base_url,
        mj_token=srv.mj_token,
        **options,  # type: ignore[arg-type]
    )


def _png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 30)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_an_unknown_task_is_an_empty_200_on_novicezk(
    servers: dict[str, wjnb.sandbox.Sandbox], tmp_path: Path
) -> None:
    with _client(servers["novicezk"], tmp_path) as client:
        with pytest.raises(MjError) as unknown:
            client.mj.fetch(UNKNOWN)
        assert unknown.value.code == "3"


def test_an_unknown_task_is_a_204_on_trueai(trueai: wjnb.Client) -> None:
    with pytest.raises(MjError) as unknown:
        trueai.mj.fetch(UNKNOWN)
    assert unknown.value.code == "3"


def test_trueai_cancel_answers_an_empty_200(trueai: wjnb.Client) -> None:
    assert trueai.mj.cancel(UNKNOWN).code == MjSubmitCode.ACCEPTED  # even for unknown ids
    task = trueai.mj.imagine("[slow] a long night")
    task.cancel()
    assert task.wait(WAIT).status_name == "failure" and task.fail_message == "取消任务"


def test_the_second_envelope_is_an_mj_error(trueai: wjnb.Client) -> None:
    with pytest.raises(MjError) as refused:  # an oversize state is a business refusal
        trueai.loop.run(trueai.aio.mj.blend([_png(), _png()], state="s" * 256))
    assert refused.value.code == "-1" and "state" in str(refused.value)


def test_imagine_answers_code_4_where_others_send_the_second_envelope(
    trueai: wjnb.Client,
) -> None:
    with pytest.raises(MjError) as refused:
        trueai.loop.run(trueai.aio.mj.imagine("a fox", state="s" * 256))
    assert refused.value.code == "4"


def test_a_missing_parent_is_a_404_with_code_3(trueai: wjnb.Client) -> None:
    for call in (
        lambda: trueai.mj.modal(UNKNOWN, prompt="x"),
        lambda: trueai.mj.action(UNKNOWN, "MJ::JOB::upsample::1::abc"),
        lambda: trueai.mj.image_seed(UNKNOWN),
    ):
        with pytest.raises(MjError) as missing:
            call()
        assert missing.value.code == "3"


def test_a_seed_too_early_is_a_400_with_code_4(trueai: wjnb.Client) -> None:
    task = trueai.mj.imagine("[slow] a long night")
    with pytest.raises(MjError) as early:
        task.seed()
    assert early.value.code == "4"
    task.cancel()


@pytest.mark.parametrize("flavor", ["novicezk", "trueai"])
def test_a_refused_credential_is_an_auth_error(
    servers: dict[str, wjnb.sandbox.Sandbox], tmp_path: Path, flavor: str
) -> None:
    srv = servers[flavor]  # N: 401 with an empty body; T: 401 text/plain
    with _client(srv, tmp_path, mj_flavor=flavor) as client:
        assert client.mj.list_by_condition([UNKNOWN]) == []  # the right token works
    wrong = wjnb.Client(
        home=tmp_path / "w", mj_base_url=srv.mj_base_url, mj_token="nope", mj_flavor=flavor
    )
    with wrong, pytest.raises(AuthError):
        wrong.mj.list_by_condition([UNKNOWN])


def test_speed_modes_reach_trueai_and_nowhere_else(
    servers: dict[str, wjnb.sandbox.Sandbox], tmp_path: Path
) -> None:
    for mode in ("fast", "relax", "turbo"):
        with _client(servers["trueai"], tmp_path / mode, mj_mode=mode) as client:
            task = client.mj.imagine(f"a {mode} fox").wait(WAIT)
            assert task.task is not None and task.task.raw["mode"] == mode.upper()
    client = _client(servers["novicezk"], tmp_path / "n", mj_mode="relax")
    with client, pytest.raises(Unsupported, match=r"novicezk .*/mj-relax"):
        client.mj.imagine("a fox")


def test_bot_type_is_an_option(servers: dict[str, wjnb.sandbox.Sandbox], tmp_path: Path) -> None:
    with _client(servers["trueai"], tmp_path / "t") as client:
        niji = client.mj.imagine("a fox", bot_type="NIJI_JOURNEY").wait(WAIT)
        plain = client.mj.imagine("a fox").wait(WAIT)
        assert niji.task is not None and plain.task is not None
        assert (niji.task.bot_type, plain.task.bot_type) == ("NIJI_JOURNEY", "MID_JOURNEY")
        described = client.mj.describe(_png(), bot_type="NIJI_JOURNEY").wait(WAIT)
        assert described.task is not None and described.task.bot_type == "NIJI_JOURNEY"
        with pytest.raises(wjnb.errors.InvalidArgument):  # refused before anything is sent
            client.mj.imagine("a fox", bot_type="niji journey")
    with _client(servers["novicezk"], tmp_path / "n") as client:  # N ignores the field
        task = client.mj.imagine("a fox", bot_type="NIJI_JOURNEY").wait(WAIT)
        assert task.status_name == "success" and task.task is not None
        assert task.task.bot_type is None
