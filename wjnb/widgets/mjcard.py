"""The live card of a Midjourney-proxy task: the 2x2 grid and its U/V/reroll buttons.

Pressing a button submits the action on a worker thread (``task.press``); the task then
lists the child in ``task.children`` and the card shows the child's own card beneath, so a
whole upscale/variation tree grows in place (also for presses made in code). The seed
button asks the proxy for the task's seed and shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from .. import html, thumbs
from .face import Face
from .mjtools import ModalTools
from .style import MJ_CARD_WIDTH, View, act, box, button, show, shown

if TYPE_CHECKING:
    from ..surface import MjTaskLike as MjTask

#: Side (px) of the grid thumbnail: the four quadrants stay legible.
MJ_THUMB = 384
_ROWS = (("U1", "U2", "U3", "U4"), ("V1", "V2", "V3", "V4"))
_TIPS = {"U": "Upscale quadrant {}", "V": "Variation of quadrant {}"}


class MjCard(Face, View):
    """A live view of one ``MjTask``; the cards of its child tasks appear beneath it."""

    size = MJ_THUMB
    area = MJ_CARD_WIDTH

    def __init__(self, task: MjTask) -> None:
        self.job = self.task = task
        self._thumb: bytes | None = None
        self._seed: str | None = None
        face = [self._face(), self._text()]
        self.action_buttons: dict[str, widgets.Button] = {}
        rows = [
            box([self._key(label, _TIPS[label[0]].format(label[1])) for label in row])
            for row in _ROWS
        ]
        self.reroll_button = self._key("Reroll", "Run the same prompt again", press="reroll")
        self.seed_button = button("Seed", "Ask the proxy for this task's seed")
        self.seed_button.on_click(lambda _: self._ask_seed())
        #: Vary (Region) and Custom Zoom, each opening its picker inside the card.
        self.tools = ModalTools(task, self._acted)
        rows.append(box([self.reroll_button, self.seed_button, *self.tools.buttons.values()]))
        self.button_rows = rows
        self.keys_box = box(rows, "wjnb-keys", vertical=True)
        self.children_box = box([], "wjnb-children")
        card = box([*face, self.keys_box, self.tools.panel], "wjnb-card", "wjnb-mj", vertical=True)
        super().__init__([card, self.children_box])
        self._watch(task.observe(self._changed))
        self._changed(task, construct=True)

    def _key(self, label: str, tip: str, *, press: str | None = None) -> widgets.Button:
        b = button(label, tip)
        b.add_class("wjnb-key")
        b.on_click(lambda _: self._press(b, press or label))
        self.action_buttons[press or label] = b
        return b

    # ------------------------------------------------------------------ drawing

    def _render(self) -> None:
        task = self.task
        with self._lock:
            self._show_picture(self._thumb)
            self.badges.value = html.mj_badges(task)
            seed = f"seed {self._seed}" if self._seed else ""
            self.details.value = (
                html.mj_prompt_html(task)
                + html.line_html(seed, "#374151", 12)
                + html.line_html(html.outcome_text(task) or self._problems(), "#b91c1c")
            )
            offered = {name.lower() for name in html.button_names(task)}
            for name, b in self.action_buttons.items():
                show(b, name.lower() in offered)
            show(self.seed_button, task.done and not task.failed)
            self.tools.render()
            for row in self.button_rows:
                show(row, any(shown(c) for c in row.children))
            show(self.keys_box, any(shown(row) for row in self.button_rows))
            self._sync_children()

    def _sync_children(self) -> None:
        """One card per child task, in the order the buttons were pressed."""
        cards = {id(c.task): c for c in self.children_box.children}
        if len(cards) != len(self.task.children):
            self.children_box.children = tuple(
                cards.get(id(t)) or MjCard(t) for t in self.task.children
            )

    def _took(self, data: bytes) -> None:
        self._thumb = thumbs.bounded(data, MJ_THUMB)

    # ------------------------------------------------------------------ actions (worker thread)

    def _press(self, btn: widgets.Button, label: str) -> None:
        """Submit the button's action; the task then notifies with the child in ``children``."""
        act(btn, lambda: self.task.press(label), lambda e: self._acted(e and f"{label}: {e}"))

    def _ask_seed(self) -> None:
        def fetch() -> None:
            self._seed = self.task.seed()

        act(self.seed_button, fetch, lambda e: self._acted(e and f"seed: {e}"))

    def static_html(self) -> str:
        """The static card, with the grid thumbnail this card holds."""
        return html.mj_html(self.task, self._thumb) + self.tools.static_html()
