"""Midjourney cards: the grid, its U/V/reroll buttons, children cards, the seed."""

from __future__ import annotations

from collections.abc import Callable

import wjnb
from wjnb import thumbs
from wjnb.models import MjStatus
from wjnb.widgets import MjCard
from wjnb.widgets.style import shown as visible


def test_buttons_press_seed_and_children(client: wjnb.Client, until: Callable[..., None]) -> None:
    task = client.mj.imagine("a pig in a spacesuit --v 6.1")
    card = MjCard(task)
    assert "Submitted" in card.badges.value or "In progress" in card.badges.value
    assert not any(visible(b) for b in card.action_buttons.values())  # no buttons before it is done

    until(lambda: task.done and bool(card.picture.value), task, card)
    assert task.status == MjStatus.SUCCESS
    assert "Done" in card.badges.value and "Imagine" in card.badges.value
    assert len(bytes(card.picture.value)) <= thumbs.MAX_THUMB_BYTES
    for label in ("U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4", "reroll"):
        assert visible(card.action_buttons[label]), label
    assert visible(card.seed_button)

    card.action_buttons["V1"].click()
    until(lambda: len(card.children_box.children) == 1, card)
    child = card.children_box.children[0]
    assert isinstance(child, MjCard) and child.task.action == "VARIATION"
    until(lambda: child.task.done and bool(child.picture.value), child.task, child)
    assert "Variation" in child.badges.value
    until(lambda: not card.action_buttons["V1"].disabled, card)

    # A press made in code shows up as a card too: the view follows the task.
    upscaled = task.press("U2")
    until(lambda: len(card.children_box.children) == 2, card)
    assert card.children_box.children[1].task is upscaled

    card.seed_button.click()
    until(lambda: "seed " in card.details.value, card)
    assert f"seed {task.seed()}" in card.details.value
    upscaled.wait(30)
    card.close()
    assert child.comm is None  # children's cards close with their parent


def test_static_html_shows_buttons_and_escapes(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    task = client.mj.imagine('<img src=x onerror="alert(1)"> a cat')
    card = MjCard(task)
    until(lambda: task.done and bool(card.picture.value), task, card)
    page = card.static_html()
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    for label in ("U1", "V4", "Reroll"):
        assert f">{label}</span>" in page
    assert thumbs.data_uri(bytes(card.picture.value)) in page
    card.close()
