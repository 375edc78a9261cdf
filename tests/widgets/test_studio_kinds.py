"""The Studio's kind selector, headless against the sandbox: pro choices read from the API,
a pro ControlNet artwork and a Midjourney imagine sent through ``generate_nowait``."""

from __future__ import annotations

from collections.abc import Callable

import wjnb
import wjnb.sandbox
from wjnb.widgets import JobCard, MjCard, Studio
from wjnb.widgets.style import shown as visible


def sent(studio: Studio, until: Callable[..., None]) -> None:
    """Click Generate and wait for the submission to come back (button enabled again)."""
    studio.submit_button.click()
    until(lambda: not studio.submit_button.disabled, studio)


def requests(sandbox: wjnb.sandbox.Sandbox, route: str) -> int:
    return int(sandbox.counters()["requests"].get(route, 0))


def test_pro_kind_offers_the_apis_models_and_controlnet_options(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    client = fresh_client
    source = client.generate("a red bicycle on a blue wall", seed="3")[0].wait(30)
    studio = Studio(client)
    assert ("Kind", "Normal") in studio.form_values() and not visible(studio.pro_row)
    studio.kind.value = "pro"
    models = client.wujie.pro.model_base_infos()
    until(lambda: len(studio.pro.model.options) == len(models), studio)
    assert [code for _, code in studio.pro.model.options] == [m.model_code for m in models]
    options = client.wujie.pro.controlnet_options()
    until(lambda: len(studio.pro.control.options) == 1 + len(options), studio)
    assert [label for label, _ in studio.pro.control.options] == ["None"] + [
        o.name for o in options
    ]
    assert visible(studio.pro_row) and not visible(studio._boxes["model"])
    assert visible(studio._boxes["steps"]) and not visible(studio._boxes["image_url"])

    studio.prompt.value = "a quiet harbour"
    studio.steps.value = 12
    studio.pro.control.value = options[0].code
    assert visible(studio._boxes["image_url"])
    studio.submit_button.click()  # no control picture: refused in the form, nothing sent
    assert "picture ControlNet follows" in studio.errors["image_url"].value
    assert requests(fresh_sandbox, "POST /ai/pro/create") == 0

    studio.pro.image_url.value = str(source.picture_url)
    studio.pro.weight.value = 2
    sent(studio, until)
    assert requests(fresh_sandbox, "POST /ai/pro/create") == 1
    job = studio.jobs[0].wait(60)
    assert job.kind == "pro" and job.status_name == "success"
    assert job.request["control_net_params"][0]["type"] == options[0].code
    assert job.record["control_weight"] == 2 and job.record["model_code"] == models[0].model_code
    values = studio.form_values()
    assert ("Kind", "Pro") in values and ("Control weight", "2") in values
    assert ("Model", "General v5.0") not in values  # the normal model menu is not pro's
    page = studio.static_html()
    assert "Pro model" in page and "Control picture" in page
    studio.close()


def test_midjourney_kind_imagines_and_shows_a_midjourney_card(
    fresh_sandbox: wjnb.sandbox.Sandbox, fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(fresh_client)
    studio.kind.value = "mj"
    assert not visible(studio.model_row) and not visible(studio.steps_row)
    assert not visible(studio._boxes["uc_prompt"]) and visible(studio._boxes["prompt"])
    studio.prompt.value = "a pig in a field --v 6.1"
    until(lambda: "Midjourney task" in studio.cost.value, studio)
    sent(studio, until)
    assert requests(fresh_sandbox, "POST /mj/submit/imagine") == 1
    assert requests(fresh_sandbox, "POST /ai/create") == 0
    task = studio.jobs[0]
    assert task.kind == "mj" and task.request["prompt"] == "a pig in a field --v 6.1"
    card = studio.gallery.cards[0]
    assert isinstance(card, MjCard)
    task.wait(60)
    assert studio.form_values() == [("Kind", "Midjourney"), ("Prompt", "a pig in a field --v 6.1")]
    assert "Midjourney" in studio.static_html()
    studio.close()


def test_use_as_prompt_puts_tags_and_optimised_prompts_into_the_prompt_box(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    studio = Studio(client)
    studio.prompt.value = "a lighthouse at dusk"
    sent(studio, until)
    source = studio.jobs[0].wait(30)
    card = studio.gallery.cards[0]
    until(lambda: card.job.done and card.picture.value, card, source)
    describe = next(b for action, b in card._chains if action == "describe")
    describe.click()  # a chained job made from a Studio card joins the Studio's gallery
    until(lambda: len(studio.jobs) == 2, studio)
    tags = studio.jobs[0]
    assert tags.kind == "describe" and tags.record["parent_key"] == source.key
    tags.wait(30)
    tag_card = studio.gallery.cards[0]
    until(lambda: visible(tag_card.prompt_button), tag_card, tags)
    text = tags.record["tags"]
    assert text and wjnb.html.esc(text) in tag_card.placeholder.value  # the text, shown
    tag_card.prompt_button.click()
    assert studio.prompt.value == text
    assert not visible(JobCard(tags).prompt_button)  # no Studio to fill: no button

    studio.prompt.value = "a cat on a roof"
    studio.optimize_button.click()
    until(lambda: len(studio.jobs) == 3 and not studio.optimize_button.disabled, studio)
    better = studio.jobs[0].wait(30)
    assert better.kind == "optimize"
    better_card = studio.gallery.cards[0]
    until(lambda: visible(better_card.prompt_button), better_card, better)
    better_card.prompt_button.click()
    assert studio.prompt.value == better.record["optimized_prompt"] != "a cat on a roof"
    studio.close()
