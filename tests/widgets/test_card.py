"""Job cards, driven headless against the sandbox: every state and every button."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageStat

import wjnb
import wjnb.sandbox
from wjnb import thumbs
from wjnb.errors import ImageError
from wjnb.models import ArtworkStatus
from wjnb.widgets import JobCard
from wjnb.widgets.style import shown as visible


def pic(card: Any) -> bytes:
    """The picture bytes a card's image widget holds (ipywidgets keeps a memoryview)."""
    return bytes(card.picture.value)


def edges(data: bytes) -> float:
    """Mean edge strength of a picture: little is left once it is blurred beyond recognition.

    The outer pixel ring is left out: PIL's 3x3 filters copy it unfiltered (alone it scores ~3)."""
    with Image.open(io.BytesIO(data)) as img:
        found = img.convert("L").filter(ImageFilter.FIND_EDGES)
        return float(ImageStat.Stat(found.crop((1, 1, found.width - 1, found.height - 1))).mean[0])


def detail(data: bytes) -> float:
    """Mean difference between a picture and its 12-px-grid outline: what a veil must not
    carry (unlike ``edges``, JPEG noise on a smooth picture barely counts)."""
    with Image.open(io.BytesIO(data)) as img:
        grey = img.convert("L")
        outline = grey.resize((12, 12), Image.Resampling.BOX).resize(
            grey.size, Image.Resampling.BICUBIC
        )
        return float(ImageStat.Stat(ImageChops.difference(grey, outline)).mean[0])


def showing_picture(card: JobCard) -> bool:
    return visible(card.picture) and bool(card.picture.value)


def finished_card(
    client: wjnb.Client, until: Callable[..., None], prompt: str, **params: Any
) -> JobCard:
    job = client.generate(prompt, **params)[0]
    card = JobCard(job)
    until(
        lambda: job.done and (showing_picture(card) or job.failed or job.picture_url is None),
        job,
        card,
    )
    return card


def test_a_finished_card_shows_a_small_thumbnail_and_enlarges_on_demand(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    card = finished_card(client, until, "a lighthouse at dusk", width=1024, height=1024)
    job = card.job
    assert job.status == ArtworkStatus.SUCCESS
    assert "Done" in card.badges.value
    assert thumbs.mime_type(pic(card)) == "image/jpeg"
    assert len(pic(card)) <= thumbs.MAX_THUMB_BYTES
    assert not visible(card.cancel_button) and not visible(card.accelerate_button)
    assert not visible(card.reveal_button)
    assert visible(card.enlarge_button)
    assert "a lighthouse at dusk" in card.details.value and "1024×1024" in card.details.value

    small = pic(card)
    card.enlarge_button.value = True
    until(lambda: pic(card) != small, card)
    large = pic(card)
    assert thumbs.mime_type(large) == "image/jpeg"  # a larger JPEG, never the PNG
    assert len(small) < len(large) <= thumbs.MAX_PREVIEW_BYTES
    assert "wjnb-wide" in card._dom_classes
    card.enlarge_button.value = False
    assert pic(card) == small
    assert "wjnb-wide" not in card._dom_classes

    html = card.static_html()
    assert thumbs.data_uri(small) in html
    card.close()


def test_progress_then_queue_position_then_cancel(
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
    tmp_path: Any,
    monkeypatch: Any,
    until: Callable[..., None],
) -> None:
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    srv = sandbox_factory(gpus=1, speed=5)
    with wjnb.Client(sandbox=srv) as client:
        jobs = client.generate("[slow] a very slow cathedral", num=3)
        running, queued = JobCard(jobs[0]), JobCard(jobs[2])
        until(lambda: jobs[2].queue_position, jobs[2], timeout=60)
        assert jobs[2].status in (ArtworkStatus.QUEUED, ArtworkStatus.SUBMITTED)
        assert "ahead in queue" in queued.placeholder.value
        assert "left" in queued.placeholder.value  # the ETA
        assert visible(queued.cancel_button) and visible(queued.accelerate_button)
        assert "Queued" in queued.badges.value or "Submitted" in queued.badges.value

        until(lambda: (jobs[0].progress or 0) > 0, jobs[0], timeout=60)
        assert "Generating" in running.badges.value
        assert not visible(running.cancel_button)  # only while queued
        assert "width:0.0%" not in running.placeholder.value

        queued.cancel_button.click()
        until(lambda: jobs[2].done, jobs[2])
        until(
            lambda: "Cancelled" in queued.badges.value and not queued.cancel_button.disabled, queued
        )
        assert not visible(queued.cancel_button) and not visible(queued.accelerate_button)
        jobs.cancel()
        running.close()
        queued.close()


def test_accelerate_reaches_the_service(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    job = fresh_client.generate("[slow] a slow harbour")[0]
    card = JobCard(job)
    card.accelerate_button.click()
    until(lambda: not card.accelerate_button.disabled, card)
    assert fresh_sandbox.counters()["requests"].get("POST /ai/accelerate") == 1
    assert "#b91c1c" not in card.details.value  # no error shown
    job.wait(60)
    card.close()


def test_nsfw_is_blurred_in_the_kernel_until_revealed(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    card = finished_card(client, until, "[nsfw] a portrait")
    job = card.job
    assert job.nsfw
    assert "NSFW" in card.badges.value
    veil = pic(card)
    assert visible(card.reveal_button)
    assert not visible(card.enlarge_button)

    card.reveal_button.value = True
    until(lambda: pic(card) != veil, card)
    assert edges(veil) < edges(pic(card))  # the sandbox's NSFW picture is a plain placeholder
    assert card.reveal_button.description == "Hide"
    assert visible(card.enlarge_button)
    assert len(pic(card)) <= thumbs.MAX_THUMB_BYTES
    # A saved notebook never gets the revealed picture.
    assert thumbs.data_uri(veil) in card.static_html()
    assert thumbs.data_uri(pic(card)) not in card.static_html()
    card.reveal_button.value = False
    assert pic(card) == veil
    card.close()


def test_audit_block_is_marked_and_veiled_review_is_marked(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    # A fixed seed: the picture (and so any measure of it) must not depend on test order.
    blocked = finished_card(client, until, "[block] a busy market street", seed="20")
    assert "Blocked" in blocked.badges.value
    assert visible(blocked.reveal_button) and not visible(blocked.enlarge_button)
    veil = pic(blocked)
    # The veil is made from the final picture, and the browser never had the sharp one.
    final = blocked.job.thumbnail(JobCard.size)
    assert final is not None and veil == thumbs.blurred(final, JobCard.size)
    assert blocked._sharp is None
    blocked.reveal_button.value = True
    until(lambda: pic(blocked) != veil, blocked)
    # The browser first gets a picture with almost none of the real one's detail.
    assert detail(veil) < 0.3 * detail(pic(blocked))
    review = finished_card(client, until, "[review] a beach")
    assert "Review" in review.badges.value
    assert not visible(review.reveal_button) and visible(review.enlarge_button)
    blocked.close()
    review.close()


def test_failure_shows_the_reason_and_the_refund(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    for prompt, label in (("[fail] a bridge", "Failed"), ("[drawfail] a bridge", "Drawing failed")):
        card = finished_card(client, until, prompt)
        job = card.job
        until(lambda job=job: job.failed and job.refunded, job)
        until(lambda card=card: "Refunded" in card.badges.value, card)
        assert label in card.badges.value
        assert "credits refunded" in card.details.value
        assert job.fail_message and wjnb.html.esc(job.fail_message) in card.details.value
        assert not showing_picture(card) and label in card.placeholder.value
        assert not visible(card.cancel_button) and not visible(card.enlarge_button)
        card.close()


def test_reuse_buttons_call_back_with_the_job(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    calls: list[tuple[Any, bool]] = []
    job = client.generate("a quiet lake", seed="1234")[0]
    card = JobCard(job, on_reuse=lambda j, seed_only: calls.append((j, seed_only)))
    assert visible(card.reuse_button) and visible(card.seed_button)
    card.reuse_button.click()
    card.seed_button.click()
    assert calls == [(job, False), (job, True)]
    assert not visible(JobCard(job).reuse_button)  # no Studio, no reuse
    job.wait(30)
    card.close()


def test_closing_a_card_stops_observing(client: wjnb.Client, until: Callable[..., None]) -> None:
    job = client.generate("a windmill")[0]
    card = JobCard(job)
    card.close()
    badges = card.badges.value
    job.wait(30)
    assert card.badges.value == badges
    assert card.comm is None


def test_a_picture_that_failed_to_load_is_tried_again_on_the_next_change(
    client: wjnb.Client, until: Callable[..., None], monkeypatch: Any
) -> None:
    job = client.generate("a windmill in a tulip field")[0]
    job.wait(30)
    real = job.thumbnail

    def unreachable(size: int = 256) -> bytes:
        raise ImageError("image download failed: ConnectError")

    monkeypatch.setattr(job, "thumbnail", unreachable)
    card = JobCard(job)
    until(lambda: "picture unavailable" in card.details.value, card)
    assert not showing_picture(card)
    monkeypatch.setattr(job, "thumbnail", real)
    job.notify()  # any change of the job, e.g. its picture being cached again
    until(lambda: showing_picture(card), card)
    assert "picture unavailable" not in card.details.value
    card.close()
