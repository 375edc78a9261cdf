"""The media kinds over loopback: video, image to video, avatar training, camera, lab tools
and youthify — each submitted, shown on a live card, finished, turned into a DataFrame row,
and resumed with ``load`` after a restart without being submitted again; plus Animate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import wjnb
from wjnb import html
from wjnb.client import AsyncClient
from wjnb.jobs import Job, Phase, PollPolicy, Reading
from wjnb.jobs.kinds import AvatarTrainingKind, CameraKind, LabKind, SvdKind, VideoKind
from wjnb.jobs.schedule import Entry, Schedule
from wjnb.models_more import AvatarInfo, CameraGeneratingInfo, LabInfo, SvdInfo, VideoInfo
from wjnb.widgets import ClipCard, JobCard, card_view
from wjnb.widgets.style import shown

SMALL = {"width": 256, "height": 256}
TIMEOUT = 60.0


def _until(cond: Callable[[], bool], what: str) -> None:
    """Wait for a view's state (drawn on worker threads) with a generous deadline."""
    deadline = time.monotonic() + TIMEOUT
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def picture(sandbox: Any, tmp_path_factory: Any) -> str:
    """A finished artwork's picture URL (the source of the image-based kinds)."""
    with wjnb.Client(sandbox=sandbox, home=tmp_path_factory.mktemp("source")) as client:
        job = client.generate("a lighthouse at dusk", **SMALL)[0].wait(TIMEOUT)
        assert job.picture_url
        return job.picture_url


def _avatar_key(sandbox: Any) -> str:
    with wjnb.Client(sandbox=sandbox) as client:
        key = client.avatar.default_resource().avatar_key
    assert key
    return key


#: kind -> (route or None for the kind's first, body builder, a parameter column and value,
#: the media types a finished job has)
CASES: dict[str, tuple[str | None, Callable[[Any, str], dict[str, Any]], tuple[str, Any], set[str]]]
CASES = {
    "svd": (
        None,
        lambda s, p: {"init_image_url": p, "duration": 1},
        ("duration", 1),
        {"video", "image"},
    ),
    "video": (
        None,
        lambda s, p: {"origin_video_url": p, "model_code": 1, "video_duration": 1},
        ("video_duration", 1),
        {"video", "image"},
    ),
    "avatar": (
        None,
        lambda s, p: {"image_urls": [p, p]},
        ("photos", 2),
        {"text"},
    ),
    "camera": (None, lambda s, p: {"avatar_key": _avatar_key(s)}, ("kind", "camera"), {"image"}),
    "lab-segment": (
        "/ai/pro/lab/create/segmentation",
        lambda s, p: {"image_url": p, "positive_points": [(10, 10)], "threshold": 5},
        ("tool", "segment"),
        {"image"},
    ),
    "lab-zoom": (
        "/ai/pro/lab/createInfiniteZoom",
        lambda s, p: {"init_image_url": p, "video_second": 1},
        ("tool", "infinite zoom"),
        {"video", "image"},
    ),
    "lab-vector": (
        "/ai/pro/lab/createVectorsStudio",
        lambda s, p: {"init_image": p, "quantize": 4},
        ("tool", "vectorize"),
        {"svg", "image"},
    ),
    "youthify": (None, lambda s, p: {"image_url": p}, ("image_url", None), {"image"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_media_kind_submit_card_row_and_resume(
    case: str, sandbox: Any, make_client: Any, picture: str
) -> None:
    route, build, (column, value), media = CASES[case]
    kind = case.split("-")[0]
    experiment = f"media-{case}"
    client: wjnb.Client = make_client(sandbox)
    made = client.create(kind, build(sandbox, picture), route=route, experiment=experiment)
    job = made[0]
    assert job.kind == kind and job.request_id
    card = card_view(job)  # the live card, made while the job is pending
    assert isinstance(card, ClipCard if kind in ("svd", "video", "lab") else JobCard)

    job.wait(TIMEOUT)
    assert job.phase is Phase.SUCCEEDED, job.fail_message
    assert {m.type for m in job.media} == media
    _until(lambda: "Done" in card.badges.value, "the live card to show Done")
    assert html.MEDIA_KINDS[kind][0] in card.details.value
    if "video" in media:
        _until(lambda: card.picture.format == "webp", "the clip to play on the card")
        assert card.picture.value[8:12] == b"WEBP"
    elif "image" in media or kind == "avatar":  # an avatar's card shows its training photos
        _until(lambda: card.shown() is not None, "the picture on the card")

    row = made.to_dataframe().set_index("key").loc[job.key]
    assert row["kind"] == kind and str(row["status_name"]) == job.status_name
    assert row[column] == (picture if value is None else value)

    # A kernel restart: a new client on the same home resumes from the ledger alone.
    creates = sandbox.counters()["creates"]
    client.close()
    again: wjnb.Client = make_client(sandbox)
    loaded = again.load(experiment)
    assert [j.key for j in loaded] == [j.key for j in made]
    loaded.wait(TIMEOUT)
    assert sandbox.counters()["creates"] == creates  # nothing submitted again
    back = loaded[0]
    assert back.kind == kind and back.phase is Phase.SUCCEEDED
    assert {m.type for m in back.media} == media and back.record["kind"] == kind
    static = back._repr_html_()
    assert back.key in static and html.MEDIA_KINDS[kind][0] in static
    assert ('<img src="data:image/' in static) == ("image" in media or kind == "avatar")


@pytest.mark.parametrize(
    ("kind", "route", "speed"),
    [("avatar", None, 20), ("lab", "/ai/pro/lab/createVectorsStudio", 2)],
)
def test_unfinished_media_jobs_resume_without_resubmit(
    kind: str, route: str | None, speed: int, sandbox_factory: Any, make_client: Any, picture: str
) -> None:
    """The kernel dies while the job runs: ``load`` polls it to its end (the lab's read
    needs the job's ``aiType``, which only the ledger's row still knows)."""
    slow = sandbox_factory(speed=speed)
    body = {"image_urls": [picture]} if kind == "avatar" else {"init_image": picture}
    client: wjnb.Client = make_client(slow, callbacks=False)
    made = client.create(kind, body, route=route, experiment="unfinished")
    key = made[0].key
    assert not made[0].done
    client.close()
    creates = slow.counters()["creates"]
    loaded = make_client(slow, callbacks=False).load("unfinished")
    assert [j.key for j in loaded] == [key] and not loaded[0].done
    loaded.wait(TIMEOUT)
    assert loaded[0].phase is Phase.SUCCEEDED and loaded[0].media
    assert slow.counters()["creates"] == creates


def test_video_batch_poll_carries_next_polling_time(sandbox_factory: Any, picture: str) -> None:
    """The video kind's batch poll hands the reply's ``next_polling_time`` to each reading."""
    slow = sandbox_factory(speed=1)

    async def run() -> list[Reading]:
        async with AsyncClient(sandbox=slow) as api:
            key = await api.wujie.video.create(picture, model_code=1, video_duration=1)
            return await VideoKind().poll(api, [key, "NO-SUCH-KEY"])

    readings = asyncio.run(run())
    assert len(readings) == 1 and readings[0].phase in (Phase.WAITING, Phase.RUNNING)
    assert readings[0].next_poll_s is not None and readings[0].next_poll_s >= 1


def test_schedule_never_polls_sooner_than_the_service_asks() -> None:
    schedule = Schedule(PollPolicy(), callbacks=False)
    job: Any = SimpleNamespace(eta_s=None, kind="video", submitted_at=time.time())
    entry = Entry(job, due=0.0)
    schedule.observe(entry, Reading("K", None, Phase.RUNNING, next_poll_s=7.0), now=100.0)
    assert entry.due >= 107.0
    schedule.observe(entry, Reading("K", None, Phase.RUNNING), now=200.0)
    assert entry.due < 207.0  # without a request the schedule's own interval applies


def test_a_silent_kind_is_polled_less_often_and_then_at_its_typical_end() -> None:
    schedule = Schedule(PollPolicy(), callbacks=False)
    job: Any = SimpleNamespace(eta_s=None, kind="svd", submitted_at=time.time())
    entry = Entry(job, due=0.0)
    waits = []
    for now in (0.0, 10.0, 20.0, 30.0):  # readings with neither progress nor an ETA
        schedule.observe(entry, Reading("K", None, Phase.RUNNING), now=now)
        waits.append(entry.due - now)
    assert waits == sorted(waits) and waits[-1] > 2 * waits[0]
    done: Any = SimpleNamespace(kind="svd", submitted_at=time.time() - 8.0)
    schedule.learn(done, Reading("D", None, Phase.SUCCEEDED))  # an svd job took 8 s
    fresh: Any = SimpleNamespace(eta_s=None, kind="svd", submitted_at=time.time() - 2.0)
    young = Entry(fresh, due=0.0)
    schedule.observe(young, Reading("F", None, Phase.RUNNING), now=0.0)
    assert 5.5 < young.due < 6.5  # polled when a typical svd job ends, not every second


def test_animate_chains_an_svd_job_with_its_parent(sandbox: Any, make_client: Any) -> None:
    client: wjnb.Client = make_client(sandbox)
    source = client.generate("a harbour at dawn", experiment="animate", **SMALL)[0]
    card = card_view(source)
    (button,) = [b for b in card.chain_buttons if b.description == "Animate"]
    assert source.done or not shown(button)  # offered only once there is a picture
    source.wait(TIMEOUT)
    assert "animate" in source.actions
    _until(lambda: shown(button), "the Animate button")

    child = source.animate(duration=1, motion_amplitude=3)
    assert isinstance(child, Job) and child.kind == "svd" and child.parent is source
    assert child in source.children and child.request["init_image_url"] == source.picture_url
    child.wait(TIMEOUT)
    assert child.phase is Phase.SUCCEEDED and child.record["parent_key"] == source.key

    # The card's button makes one more child the same way.
    button.click()
    _until(lambda: len(source.children) == 2, "the Animate button's child job")

    # Lineage survives a restart: one groupby over parent_key.
    client.close()
    loaded = make_client(sandbox).load("animate")
    loaded.wait(TIMEOUT)
    frame = loaded.to_dataframe()
    lineage = frame.groupby("parent_key")["key"].count()
    assert lineage.to_dict() == {source.key: 2}
    assert set(frame["kind"]) == {"artwork", "svd"}


@pytest.mark.parametrize(
    ("kind", "wire"),
    [
        (SvdKind(), SvdInfo(key="K", status=99)),
        (VideoKind(), VideoInfo(key="K", status=-7)),
        (AvatarTrainingKind(), AvatarInfo(key="K", status=12)),
        (CameraKind(), CameraGeneratingInfo(key="K", status=42)),
        (LabKind(), LabInfo(service_key="K", status="PAUSED")),
    ],
    ids=lambda v: type(v).__name__,
)
def test_an_undocumented_status_reads_as_no_phase(kind: Any, wire: Any) -> None:
    """The tracker keeps polling a job whose status it cannot read, up to its limit."""
    reading = kind.read("K", wire)
    assert reading.status is None and reading.phase is None and reading.media == ()
