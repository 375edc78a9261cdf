"""The Studio, driven headless: backend choices, estimate, balance, inline errors, submit, reuse."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from html import escape as html_escape
from typing import Any

import wjnb
import wjnb.sandbox
from wjnb import html
from wjnb.widgets import Studio
from wjnb.widgets.style import shown as visible


def sent(studio: Studio, until: Callable[..., None]) -> None:
    """Click Generate and wait for the submission to come back (button enabled again)."""
    studio.submit_button.click()
    until(lambda: not studio.submit_button.disabled, studio)


def test_choices_come_from_the_backend(client: wjnb.Client, until: Callable[..., None]) -> None:
    studio = Studio(client)
    assert [label for label, _ in studio.model.options] == [
        "General v5.0",
        "Comic v3.0",
        "Style v2.1",
        "Midjourney v6.1",
    ]
    assert studio.model.value == 1
    resource = client.wujie.default_resource(1).create_option_menu
    assert [v for _, v in studio.size.options] == [(r.width, r.height) for r in resource.resolution]
    assert [label for label, _ in studio.sampler.options] == [
        s.sampler_model_name for s in resource.sampler_models
    ]
    assert studio.size.options[0][0] == "512×512  (1:1)"
    until(lambda: "credits" in studio.balance.value, studio)
    studio.model.value = 3  # another model's menu loads without blocking
    until(lambda: studio.size.options and studio.size.value is not None, studio)
    studio.close()


def test_cost_estimate_is_debounced(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(fresh_client, debounce=0.3)
    assert studio.cost.value == ""  # nothing to price without a prompt
    for text in ("a", "a li", "a lighthouse", "a lighthouse at dusk"):
        studio.prompt.value = text
    studio.steps.value = 40
    until(lambda: "credits" in studio.cost.value, studio)
    priced = fresh_sandbox.counters()["requests"].get("POST /ai/price_info", 0)
    assert 1 <= priced <= 2  # five edits within the debounce: one estimate (two on a slow box)
    expected = fresh_client.wujie.price_info("a lighthouse at dusk", **studio.params()).total
    assert f"<b>{expected:,} credits</b>" in studio.cost.value
    studio.num.value = 4
    until(
        lambda: (
            f"<b>{fresh_client.wujie.price_info('x', **studio.params()).total:,} credits</b>"
            in studio.cost.value
        ),
        studio,
    )
    studio.close()


def test_a_late_estimate_after_the_client_closed_asks_nothing(
    fresh_sandbox: wjnb.sandbox.Sandbox, tmp_path: Any, monkeypatch: Any
) -> None:
    """A debounce timer that fires after its client closed is quiet (it raised on its thread)."""
    monkeypatch.setenv("WJNB_HOME", str(tmp_path / "home"))
    client = wjnb.Client(sandbox=fresh_sandbox)
    studio = Studio(client, debounce=60)
    studio.prompt.value = "a lighthouse"
    client.close()
    priced = fresh_sandbox.counters()["requests"].get("POST /ai/price_info", 0)
    studio.estimate()  # what the timer thread does when it fires
    assert fresh_sandbox.counters()["requests"].get("POST /ai/price_info", 0) == priced
    studio.close()


def test_submit_stays_responsive_and_adds_live_cards(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(client)
    studio.prompt.value = "a lighthouse at dusk"
    studio.num.value = 2
    states: list[tuple[bool, str]] = []
    studio.submit_button.observe(
        lambda c: states.append((c["new"], studio.submit_button.description)), "disabled"
    )
    sent(studio, until)
    assert states[0] == (True, "Sending…") and states[-1][0] is False
    assert studio.submit_button.description == "Generate"
    assert len(studio.gallery.cards) == 2
    cards = studio.gallery.cards
    until(
        lambda: all(c.job.done and c.picture.value for c in cards), studio, *[c.job for c in cards]
    )
    assert all("Done" in c.badges.value for c in cards)

    studio.prompt.value = "a second picture"
    studio.num.value = 1
    sent(studio, until)
    assert studio.gallery.cards[0].job.request["prompt"] == "a second picture"  # newest first
    assert len(studio.jobs) == 3
    for job in studio.jobs:
        job.wait(30)
    studio.close()


def test_errors_are_shown_next_to_their_field(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(fresh_client)
    creates = fresh_sandbox.counters()["creates"]

    studio.prompt.value = "   "
    sent(studio, until)
    assert visible(studio.errors["prompt"]) and "empty" in studio.errors["prompt"].value
    assert fresh_sandbox.counters()["creates"] == creates  # refused before any request

    studio.prompt.value = "a [sensitive] slogan"
    sent(studio, until)
    assert visible(studio.errors["prompt"]) and studio.errors["prompt"].value.strip()
    assert not studio.gallery.cards

    studio.prompt.value = "a lighthouse"
    studio.seed.value = "9" * 65  # the service refuses seeds over 64 characters
    sent(studio, until)
    assert visible(studio.errors["seed"]) and "seed" in studio.errors["seed"].value
    assert not visible(studio.errors["prompt"])

    studio.seed.value = ""
    fresh_sandbox.set_balance(0)
    sent(studio, until)
    assert "Not enough credits" in studio.message.value
    until(lambda: "0 credits" in studio.balance.value, studio)
    assert not studio.gallery.cards

    fresh_sandbox.set_balance(1000)
    sent(studio, until)
    assert len(studio.gallery.cards) == 1
    assert not any(visible(e) for e in studio.errors.values()) and studio.message.value == ""
    studio.jobs[0].wait(30)
    studio.close()


def test_reuse_fills_the_form_from_a_card(client: wjnb.Client, until: Callable[..., None]) -> None:
    studio = Studio(client)
    studio.prompt.value = "a red bicycle"
    studio.uc_prompt.value = "blurry"
    studio.model.value = 3
    until(lambda: (768, 1024) in [v for _, v in studio.size.options], studio)
    studio.size.value = (768, 1024)
    studio.sampler.value = 2
    studio.steps.value = 42
    studio.cfg.value = 9.5
    studio.num.value = 1
    sent(studio, until)
    card = studio.gallery.cards[0]
    until(lambda: card.job.done, card.job)

    studio.prompt.value = "something else"
    studio.uc_prompt.value = ""
    studio.model.value = 1
    studio.steps.value = 10
    studio.cfg.value = 3.0
    until(lambda: studio.size.options and studio.model.value == 1, studio)
    card.reuse_button.click()
    until(lambda: studio.model.value == 3 and studio.size.value == (768, 1024), studio)
    assert studio.prompt.value == "a red bicycle" and studio.uc_prompt.value == "blurry"
    assert (studio.steps.value, studio.cfg.value, studio.sampler.value) == (42, 9.5, 2)
    assert studio.seed.value == ""  # the request left the seed random

    card.seed_button.click()
    assert studio.seed.value == str(card.job.record["seed"]) != ""
    studio.close()


def held_creates(client: wjnb.Client) -> threading.Event:
    """Hold the client's creates until the returned event is set (a slow service)."""
    gate = threading.Event()
    real = client.runner.generate

    async def held_generate(*args: Any, **kwargs: Any) -> Any:
        await asyncio.to_thread(gate.wait, 10)
        return await real(*args, **kwargs)

    client.runner.generate = held_generate  # type: ignore[method-assign]
    return gate


def test_submitting_twice_quickly_sends_once(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(client)
    studio.prompt.value = "a lone tree"
    gate = held_creates(client)
    studio.submit_button.click()
    assert studio.submit_button.disabled and studio.submit_button.description == "Sending…"
    studio.submit()  # a second click while sending is ignored
    gate.set()
    assert studio.sending is not None
    jobs = studio.sending.result(30)
    assert jobs is not None and len(studio.jobs) == 1 == len(studio.gallery.cards)
    assert not studio.submit_button.disabled
    studio.jobs[0].wait(30)
    studio.close()


def test_the_submission_line_moves_from_sending_to_done(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    """``studio.sending`` is a live line: Sending, then Submitted, then Done, and a display
    of it (its static HTML included) is replaced in place once the job is done."""
    studio = Studio(client)
    studio.prompt.value = "a lone tree"
    gate = held_creates(client)

    class Handle:  # records what IPython's display handle would send
        def __init__(self) -> None:
            self.updates: list[str] = []

        def update(self, bundle: dict[str, Any], raw: bool) -> None:
            self.updates.append(bundle["text/html"])

    studio.submit()
    sending = studio.sending
    assert sending is not None and sending.stage == "sending"
    assert "Sending" in sending.static_html() and not sending.done()
    handle = Handle()
    sending._handles.append(handle)
    gate.set()
    jobs = sending.result(30)
    assert jobs is not None and sending.stage in ("submitted", "done")
    key = jobs[0].key[:8]
    until(lambda: sending.stage == "done", sending)
    assert "Done: 1 job" in sending.static_html() and key in sending.static_html()
    assert "Done: 1 job" in sending._line.value
    assert sending.wait(30) is jobs and jobs.done
    assert "Done: 1 job" in handle.updates[-1]  # the display's static HTML says Done too
    studio.close()


def test_balance_follows_jobs_made_outside_the_studio(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    """A job made in another cell moves the badge too; a one-credit balance is singular."""
    fresh_sandbox.set_balance(1)
    studio = Studio(fresh_client)
    until(lambda: ">1 credit<" in studio.balance.value, studio)
    fresh_sandbox.set_balance(500)
    jobs = fresh_client.generate("a lighthouse at dusk", num=2)  # not through the Studio
    jobs.wait(30)
    left = fresh_client.wujie.balance().balance
    assert left is not None and left < 500
    until(lambda: f">{left:,} credits<" in studio.balance.value, studio)
    asked = fresh_sandbox.counters()["requests"].get("GET /account/availableIntegralBalance", 0)
    assert asked <= 1 + 2 * 4  # folded: never more than one read per job event
    studio.close()


def test_static_view_shows_the_form_and_its_pictures(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    """What GitHub or nbviewer show: the form's current values over the gallery's thumbnails."""
    studio = Studio(client)
    assert "wjnb Studio" in studio.static_html() and "0 jobs" in studio.static_html()
    studio.prompt.value = "a <red> bicycle & a blue wall"
    studio.seed.value = "11"
    studio.steps.value = 24
    sent(studio, until)
    studio.jobs[0].wait(30)
    page = studio.static_html()
    assert "a &lt;red&gt; bicycle &amp; a blue wall" in page and "<red>" not in page
    for label, value in studio.form_values():
        assert html_escape(label) in page and html_escape(value) in page
    assert ("Seed", "11") in studio.form_values() and ("Steps", "24") in studio.form_values()
    assert ("Model", "General v5.0") in studio.form_values()
    assert "1 job · 1 done" in page and page.count("data:image/jpeg;base64,") == 1
    one = client.generate("a pear", num=1)
    assert repr(one).endswith(" 1 job, 0 done>") and "1 jobs" not in html.jobset_html(one)
    one.wait(30)
    bundle = studio._repr_mimebundle_()
    assert bundle is not None and bundle["text/html"].count("<img") == 1
    studio.close()
