"""Galleries page through big job sets quickly; sweep grids label their axes."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import wjnb
import wjnb.sandbox
from wjnb import thumbs
from wjnb.widgets import Gallery, JobCard, SweepGrid, grid_view


def test_gallery_pages_and_only_the_visible_page_has_cards(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    jobs = client.generate("a row of houses", num=10)
    more = client.generate("a row of houses", num=10)
    everything = [*jobs, *more, *client.generate("a row of houses", num=7)]
    gallery = Gallery(everything, page_size=12)
    assert gallery.pages == 3
    assert [c.job for c in gallery.cards] == everything[:12]
    assert "1–12 of 27" in gallery.page_label.value
    assert gallery.prev_button.disabled and not gallery.next_button.disabled

    first = gallery.cards
    gallery.next_button.click()
    assert [c.job for c in gallery.cards] == everything[12:24]
    assert all(c.comm is None for c in first)  # cards of hidden pages are closed
    gallery.next_button.click()
    assert len(gallery.cards) == 3 and gallery.next_button.disabled
    assert "25–27 of 27" in gallery.page_label.value
    gallery.show_page(99)
    assert gallery.page == 2

    for job in everything:
        job.wait(60)
    until(lambda: all(c.picture.value for c in gallery.cards), *gallery.cards)
    page = gallery.static_html()
    assert page.count("data:image/jpeg;base64,") == 3  # the visible page, static
    assert "27 jobs" in page and "… and 24 more" in page
    gallery.close()


def test_a_thousand_jobs_open_in_well_under_a_second(
    sandbox_factory: Callable[..., wjnb.sandbox.Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A sandbox so slow that the jobs stay queued: creating 1,000 takes a second or two.
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    with wjnb.Client(sandbox=sandbox_factory(speed=0.01)) as client:
        made = [client.generate("a field of sunflowers", num=10) for _ in range(100)]
        everything = [j for jobs in made for j in jobs]
        assert len(everything) == 1000
        started = time.perf_counter()
        gallery = Gallery(everything, page_size=12)
        elapsed = time.perf_counter() - started
        assert len(gallery.cards) == 12
        assert elapsed < 0.5, f"first page took {elapsed:.3f} s"
        gallery.close()


def test_a_job_set_that_grows_updates_its_gallery(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    sweep = client.sweep("a teapot", grid={"cfg": [4, 7, 10]}, seeds=[1, 2], experiment="teapots")
    gallery = Gallery(sweep, page_size=4)
    sweep.wait(60)
    until(lambda: "6 jobs" in gallery.title.value, gallery)
    assert "teapots" in gallery.title.value
    assert len(gallery.cards) == 4 and gallery.pages == 2
    gallery.close()


def test_sweep_grid_labels_axes_and_renders_a_png(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    sweep = client.sweep(
        "a lighthouse at dusk",
        grid={"cfg": [4, 10], "steps": [20, 40, 60]},
        seeds=[1, 2],
        experiment="cfg-vs-steps",
    )
    sweep.wait(60)
    sheet = sweep.grid(x="cfg", y="steps")
    assert isinstance(sheet, SweepGrid)
    until(
        lambda: len(sheet.tiles) == 12 and all(t.picture.value for t in sheet.tiles), sheet, *sweep
    )
    labels = [w.value for w in sheet.table.children if hasattr(w, "value")]
    for value in ("4", "10", "20", "40", "60", "cfg", "steps"):
        assert any(value in text for text in labels), value
    assert sheet.table.layout.grid_template_columns == "max-content repeat(2, max-content)"
    # Each cell holds the two seeds of its (cfg, steps) pair.
    cells = [w for w in sheet.table.children if hasattr(w, "children") and w.children]
    assert [len(c.children) for c in cells] == [2] * 6
    for tile in sheet.tiles:
        assert len(bytes(tile.picture.value)) <= thumbs.MAX_THUMB_BYTES

    png = sheet.png()
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG"
        assert img.width > 2 * 2 * 160 and img.height > 3 * 160
    page = sheet.static_html()
    assert page.startswith('<img src="data:image/jpeg;base64,')
    assert len(page) < 12 * thumbs.MAX_THUMB_BYTES * 4 / 3 + 200
    sheet.close()


def test_grid_of_jobs_without_declared_axes_reads_their_requests(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    jobs = [
        client.generate("a kite", cfg=cfg, steps=steps)[0] for cfg in (5, 9) for steps in (10, 30)
    ]
    sheet = grid_view(jobs, "cfg", "steps")
    assert len(sheet.tiles) == 4
    for job in jobs:
        job.wait(60)
    with Image.open(io.BytesIO(sheet.png())) as img:
        assert img.width > 2 * 160
    sheet.close()


def test_cards_carry_a_static_fallback_next_to_the_widget(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    job = client.generate("<script>alert('x')</script> a lamp")[0]
    card = JobCard(job)
    until(lambda: job.done and bool(card.picture.value), job, card)
    bundle = card._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert thumbs.data_uri(bytes(card.picture.value)) in page
    card.close()
