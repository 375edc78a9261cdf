"""Static HTML views: everything escaped, small inline thumbnails, nothing downloaded."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import wjnb
from wjnb import html, thumbs

HOSTILE = "<img src=x onerror=alert(1)> & \"quotes\" 'too'"


def inline_images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page)]


def test_job_html_escapes_and_embeds_a_small_thumbnail(client: wjnb.Client) -> None:
    job = client.generate(HOSTILE, uc_prompt="<b>bold</b>", width=1024, height=1024)[0].wait(30)
    page = job._repr_html_()
    assert "<img src=x" not in page and "<b>bold" not in page
    assert html.esc(HOSTILE) in page
    (thumb,) = inline_images(page)
    assert len(thumb) <= thumbs.MAX_THUMB_BYTES
    assert "Done" in page and "General · 1024×1024" in page


def test_a_job_without_a_cached_picture_is_drawn_without_downloading(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    job = client.generate("[slow] a distant island")[0]
    page = html.job_html(job)
    assert not inline_images(page)
    assert "Submitted" in page or "Queued" in page or "Generating" in page
    job.wait(60)


def test_failure_text_from_the_server_is_escaped(client: wjnb.Client) -> None:
    job = client.generate("[fail] <script>x()</script>")[0].wait(30)
    page = html.job_html(job)
    assert "<script>" not in page
    assert "Failed" in page and "Refunded" in page and "credits refunded" in page
    assert html.esc(job.fail_message) in page


def test_jobset_html_shows_a_limited_page_and_counts(client: wjnb.Client) -> None:
    jobs = client.sweep(
        "a kite", grid={"cfg": [3, 5, 7, 9]}, seeds=[1, 2, 3], experiment="<kites & co>"
    ).wait(60)
    page = jobs._repr_html_()
    assert "&lt;kites &amp; co&gt; · 12 jobs · 12 done" in page
    page = html.jobset_html(jobs, limit=5)
    assert len(inline_images(page)) == 5 and "… and 7 more" in page
    assert all(len(t) <= thumbs.MAX_THUMB_BYTES for t in inline_images(page))


def test_nsfw_static_thumbnail_is_veiled(client: wjnb.Client) -> None:
    job = client.generate("[nsfw] a portrait")[0].wait(30)
    (shown,) = inline_images(html.job_html(job))
    raw = job.thumbnail(256)
    assert raw is not None and shown != thumbs.bounded(raw, 256)
    assert shown == html.shareable(job, raw, 256)
    assert "NSFW" in html.job_html(job)
