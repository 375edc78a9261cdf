"""The look of the live widgets: one stylesheet, small button and label helpers.

Widgets share one ``<style>`` widget (created once per kernel); every top-level view
includes it so cards look the same in a gallery, a Studio or on their own. Colours match
the static HTML views in ``wjnb.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import ToggleButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from ..errors import WjnbError
from ..html import FONT

#: Side (px) of a card's thumbnail.
THUMB = 256
#: Display width (px) of a card (and height of its picture area).
CARD_WIDTH = 236
#: Width and picture-area height (px) of a Midjourney card.
MJ_CARD_WIDTH = 300
#: Side (px) of a grid tile.
TILE_SIDE = 136

CSS = f"""
.wjnb-root {{ font-family: {FONT}; }}
.wjnb-root .wjnb-hidden {{ display: none !important; }}
.wjnb-full {{ width: 100%; }}
.wjnb-card {{
  width: {CARD_WIDTH}px; flex: 0 0 auto; margin: 0 12px 12px 0; overflow: hidden;
  background: #fff; border: 1px solid #e5e7eb; border-radius: 12px;
  box-shadow: 0 1px 3px rgba(16, 24, 40, .08);
}}
.wjnb-card.wjnb-wide {{ width: 560px; }}
.wjnb-card.wjnb-mj {{ width: {MJ_CARD_WIDTH}px; }}
.wjnb-pic {{
  width: 100%; height: {CARD_WIDTH}px; background: #f3f4f6; display: flex;
  align-items: center; justify-content: center; overflow: hidden;
}}
.wjnb-wide .wjnb-pic {{ height: 540px; }}
.wjnb-mj .wjnb-pic {{ height: {MJ_CARD_WIDTH}px; }}
.wjnb-pic img.widget-image {{ max-width: 100%; max-height: 100%; object-fit: contain; }}
.wjnb-pic .widget-html, .wjnb-pic .widget-html-content {{ width: 100%; }}
.wjnb-body {{ padding: 8px 12px 0; }}
.wjnb-body .widget-html-content {{ line-height: 1.4; }}
.wjnb-actions {{ padding: 6px 12px 12px; flex-wrap: wrap; gap: 6px; margin-top: auto; }}
.wjnb-actions:empty {{ display: none; }}
.wjnb-btn.jupyter-button {{
  height: 26px; line-height: 24px; width: auto; margin: 0; padding: 0 10px;
  font-size: 12px; border-radius: 6px;
}}
.wjnb-keys {{ padding: 8px 12px 12px; gap: 6px; }}
.wjnb-keys > .widget-hbox {{ gap: 6px; }}
.wjnb-key.jupyter-button {{ min-width: 56px; font-weight: 600; }}
.wjnb-children {{ flex-flow: row wrap; padding: 0 0 0 16px; border-left: 2px solid #e5e7eb; }}
.wjnb-children:empty {{ display: none; }}
.wjnb-wrap {{ flex-flow: row wrap; align-items: stretch; }}
.wjnb-pager {{ align-items: center; gap: 8px; margin: 4px 0 10px; }}
.wjnb-studio {{
  box-sizing: border-box; max-width: 980px; padding: 16px 18px 14px; margin-bottom: 14px;
  background: #fbfbfc; border: 1px solid #e5e7eb; border-radius: 12px;
}}
.wjnb-studio .wjnb-full {{ box-sizing: border-box; width: 100%; margin-right: 0; }}
.wjnb-field {{ margin: 0 12px 6px 0; }}
.wjnb-field .widget-html-content {{ line-height: 1.3; }}
.wjnb-field .widget-textarea textarea {{
  font: 13px/1.4 {FONT}; border-radius: 6px; padding: 6px 8px;
}}
.wjnb-row {{ flex-flow: row wrap; align-items: flex-start; }}
.wjnb-submit.jupyter-button {{
  height: 34px; padding: 0 22px; font-size: 14px; font-weight: 600;
  border-radius: 8px; width: auto;
}}
.wjnb-strip {{ padding: 6px 12px 0; }}
.wjnb-strip img.widget-image {{ width: 100%; border-radius: 4px; }}
.wjnb-kinds .widget-toggle-button {{ width: 130px; }}
.wjnb-tools {{ padding: 0 12px 12px; }}
.wjnb-tools .widget-image {{ max-width: 100%; border-radius: 4px; }}
.wjnb-tools .widget-slider, .wjnb-tools .widget-text {{ width: 100%; }}
.wjnb-tools .widget-slider {{ --jp-widgets-inline-label-width: 56px; }}
.wjnb-tools .widget-readout {{
  min-width: 84px; max-width: none; overflow: visible; font-size: 12px;
}}
.wjnb-grid {{ gap: 10px 14px; align-items: center; }}
.wjnb-cell {{ gap: 4px; }}
.wjnb-tile {{ width: {TILE_SIDE}px; height: {TILE_SIDE}px; background: #f3f4f6; border-radius: 8px;
  overflow: hidden; display: flex; align-items: center; justify-content: center; }}
.wjnb-tile img.widget-image {{ max-width: 100%; max-height: 100%; object-fit: contain; }}
"""

#: The class ``show`` toggles.
HIDDEN = "wjnb-hidden"

_sheet: widgets.HTML | None = None
_shared_parts: dict[str, Any] = {}
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wjnb-widgets")


def sheet() -> widgets.HTML:
    """The shared stylesheet widget (put it in every top-level view)."""
    global _sheet
    if _sheet is None:
        _sheet = widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(display="none"))
    return _sheet


def background(fn: Any, *args: Any) -> Future[Any]:
    """Run blocking work (downloads, HTTP actions, Pillow) off the kernel and loop threads."""
    return _pool.submit(fn, *args)


def act(btn: widgets.Button, action: Callable[[], Any], done: Callable[[str], None]) -> None:
    """Run a blocking action (an HTTP call) on a worker thread, ``btn`` disabled meanwhile;
    then ``done(error)`` with the error's text, empty on success.
    """
    btn.disabled = True

    def run() -> None:
        error = ""
        try:
            action()
        except WjnbError as exc:
            error = str(exc)
        finally:
            btn.disabled = False
            done(error)

    background(run)


def _shared(kind: str, make: Callable[[], widgets.Widget]) -> Any:
    """One Layout/Style instance per kernel for every view widget of a kind.

    A card would otherwise open two extra comms per control (its layout and style); sizes
    and visibility come from CSS classes instead, so nothing ever mutates these.
    """
    if kind not in _shared_parts:
        _shared_parts[kind] = make()
    return _shared_parts[kind]


def _layout() -> widgets.Layout:
    return _shared("layout", widgets.Layout)


def button(label: str, tooltip: str, *, kind: str = "") -> widgets.Button:
    """A compact action button."""
    b = widgets.Button(
        description=label,
        tooltip=tooltip,
        button_style=kind,
        layout=_layout(),
        style=_shared("button", widgets.ButtonStyle),
    )
    b.add_class("wjnb-btn")
    return b


def toggle(label: str, tooltip: str) -> widgets.ToggleButton:
    """A compact on/off button (reveal, enlarge)."""
    t = widgets.ToggleButton(
        description=label,
        tooltip=tooltip,
        layout=_layout(),
        style=_shared("toggle", ToggleButtonStyle),
    )
    t.add_class("wjnb-btn")
    return t


def text(value: str = "") -> widgets.HTML:
    """An HTML label (the caller escapes what goes in)."""
    return widgets.HTML(value, layout=_layout(), style=_shared("html", HTMLStyle))


def image() -> widgets.Image:
    """A JPEG picture sized by its container's CSS."""
    return widgets.Image(format="jpeg", layout=_layout())


def box(children: list[widgets.Widget], *cls: str, vertical: bool = False) -> widgets.Box:
    """A flex box with the given classes."""
    kind = widgets.VBox if vertical else widgets.HBox
    b: widgets.Box = kind(children, layout=_layout())
    for c in cls:
        b.add_class(c)
    return b


def show(widget: widgets.Widget, visible: bool) -> None:
    """Show or hide a widget without removing it (only sends when it changes)."""
    if visible == (HIDDEN in widget._dom_classes):
        (widget.remove_class if visible else widget.add_class)(HIDDEN)


def shown(widget: widgets.Widget) -> bool:
    """False when ``show`` hid the widget."""
    return HIDDEN not in widget._dom_classes


class View(widgets.VBox):  # type: ignore[misc]
    """Base of wjnb's views: the stylesheet, observer subscriptions ended on ``close``, and a
    static ``text/html`` fallback next to the widget view so saved notebooks show a picture.
    """

    def __init__(self, children: Sequence[widgets.Widget], *classes: str) -> None:
        super().__init__([sheet(), *children])
        for c in ("wjnb-root", *classes):
            self.add_class(c)
        self._subscriptions: list[Callable[[], None]] = []

    def _watch(self, unsubscribe: Callable[[], None]) -> None:
        """Remember an observer's unsubscribe so ``close`` ends it."""
        self._subscriptions.append(unsubscribe)

    def static_html(self) -> str:
        """What viewers without live widgets show (GitHub, nbviewer)."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop observing and close every widget of this view (nested views close themselves)."""
        subscriptions = getattr(self, "_subscriptions", [])  # absent if __init__ failed early
        while subscriptions:
            subscriptions.pop()()
        stack = list(self.children)
        while stack:
            w = stack.pop()
            if w is _sheet:
                continue
            if isinstance(w, View):
                w.close()
                continue
            stack.extend(getattr(w, "children", ()))
            w.close()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            data["text/html"] = self.static_html()
        return data
