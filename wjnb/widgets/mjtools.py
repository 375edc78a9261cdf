"""The Vary (Region) and Custom Zoom buttons of a finished Midjourney card: shown where the
task offers the action, each opens its picker (``region.py``) inside the card; the picker's
own button confirms through the proxy's modal, and the child's card grows beneath."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import WjnbError
from .region import Modal, RegionPicker, ZoomPicker
from .style import background, box, button, show

if TYPE_CHECKING:
    from ..surface import MjTaskLike as MjTask

#: The ``customId`` prefix of each modal button (``mj-proxy-api.md``), and its picker.
PICKERS: dict[str, tuple[str, Callable[[MjTask], Modal]]] = {
    "region": ("MJ::Inpaint::", lambda task: RegionPicker(task, (0.25, 0.25, 0.75, 0.75))),
    "zoom": ("MJ::CustomZoom::", ZoomPicker),
}


def offers(task: MjTask, action: str) -> bool:
    """True when the finished task has the button of ``action`` (``"region"``, ``"zoom"``)."""
    prefix = PICKERS[action][0]
    done = task.done and not task.failed
    return done and any((b.custom_id or "").startswith(prefix) for b in task.buttons)


class ModalTools:
    """The two buttons and the panel holding the open picker (one at a time)."""

    def __init__(self, task: MjTask, failed: Callable[[str], None]) -> None:
        self.task = task
        self._failed = failed
        self.buttons = {
            "region": button("Vary (Region)", "Choose a region of the picture to redraw"),
            "zoom": button("Custom Zoom", "Zoom out by a factor you choose"),
        }
        self.panel = box([], "wjnb-tools", vertical=True)
        self.picker: Modal | None = None
        self.open_action: str | None = None
        for action, b in self.buttons.items():
            b.on_click(lambda _, action=action: self.toggle(action))
        show(self.panel, False)

    def render(self) -> None:
        """Show the buttons the task offers now."""
        for action, b in self.buttons.items():
            show(b, offers(self.task, action))

    def toggle(self, action: str) -> None:
        """Open ``action``'s picker (closing another), or close it when it is open."""
        was = self.open_action
        self.close_picker()
        if was != action:
            self.open_action = action
            self.buttons[action].disabled = True
            background(self._open, action)

    def _open(self, action: str) -> None:
        """Worker thread: make the picker (the region picker downloads the picture)."""
        try:
            picker = PICKERS[action][1](self.task)
        except (WjnbError, OSError) as exc:
            self.open_action = None
            self._failed(f"{self.buttons[action].description}: {exc}")
        else:
            if self.open_action == action:
                self.picker = picker
                self.panel.children = (picker,)
                show(self.panel, True)
            else:
                picker.close()
        finally:
            self.buttons[action].disabled = False

    def close_picker(self) -> None:
        """Close the open picker, if any."""
        self.open_action = None
        if self.picker is not None:
            self.picker.close()
            self.picker = None
        self.panel.children = ()
        show(self.panel, False)

    def static_html(self) -> str:
        """The open picker's static view (empty when none is open)."""
        return self.picker.static_html() if self.picker is not None else ""
