"""The Studio's kinds of work: normal artworks, pro artworks (their models and ControlNet
options read from ``/ai/pro/*`` once pro is first chosen) and Midjourney imagines.

``ProFields`` owns the pro-only controls and turns the form's shared values (prompt, size,
steps, CFG, seed, count) into a pro create's fields; the Studio lays its fields out.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import InvalidArgument
from ..models_more import ControlNetOption, ProModelInfo

if TYPE_CHECKING:
    from ..jobclient import Client

#: (label, kind) of the Studio's kind selector, in order.
KINDS = (("Normal", "artwork"), ("Pro", "pro"), ("Midjourney", "mj"))
#: What the cost line says for kinds that ``price_info`` does not price.
COST_NOTES = {"pro": "charged in pro time", "mj": "one Midjourney task"}

#: Runs a coroutine on the client's loop, then a callback with its result (errors shown).
Runner = Callable[[Coroutine[Any, Any, Any], Callable[[Any], None]], None]


def kind_label(kind: str) -> str:
    """The selector's label of ``kind``."""
    return next(label for label, value in KINDS if value == kind)


def _pro_label(info: ProModelInfo) -> str:
    return info.model_version or info.model_desc or f"Pro model {info.model_code}"


def _default_code(choices: list[Any] | None) -> int | None:
    """The code of the default entry of a ControlNet model or preprocessor list."""
    entries = choices or []
    chosen = next((c for c in entries if c.is_default), entries[0] if entries else None)
    return chosen.code if chosen is not None else None


class ProFields:
    """Pro model, ControlNet type, weight and control picture, with choices from the API."""

    def __init__(self) -> None:
        self.model = widgets.Dropdown(layout=widgets.Layout(width="190px"))
        self.control = widgets.Dropdown(
            options=[("None", None)], layout=widgets.Layout(width="150px")
        )
        self.weight = widgets.IntSlider(value=1, min=0, max=2, layout=widgets.Layout(width="170px"))
        self.image_url = widgets.Text(
            placeholder="URL of the picture to follow", layout=widgets.Layout(width="300px")
        )
        self.loaded = False
        self._supports: dict[int, bool] = {}
        self._options: dict[int, ControlNetOption] = {}

    def load(self, client: Client, run: Runner) -> None:
        """Ask for the pro models and ControlNet options (once; answers fill the menus)."""
        if self.loaded:
            return
        self.loaded = True
        run(client.aio.wujie.pro.model_base_infos(), self._models)
        run(client.aio.wujie.pro.controlnet_options(), self._controls)

    def _models(self, infos: list[ProModelInfo]) -> None:
        codes = [(_pro_label(i), i.model_code) for i in infos if i.model_code is not None]
        self._supports = {
            i.model_code: i.controlnet_support in ("SUPPORT", True)
            for i in infos
            if i.model_code is not None
        }
        self.model.options = codes
        if codes:
            self.model.value = codes[0][1]

    def _controls(self, options: list[ControlNetOption]) -> None:
        self._options = {o.code: o for o in options if o.code is not None}
        self.control.options = [("None", None)] + [
            (o.name or f"type {o.code}", o.code) for o in self._options.values()
        ]

    @property
    def controlnet_supported(self) -> bool:
        """True when the chosen pro model takes ControlNet units."""
        return self._supports.get(self.model.value, False)

    def params(self, common: dict[str, Any]) -> dict[str, Any]:
        """A pro create's fields from the form's shared values (``params`` of a normal form)."""
        advanced: dict[str, Any] = {
            "uc_prompt": common.get("uc_prompt", ""),
            "cfg": round(common["cfg"]),
            "sampler_steps": common["steps"],
            "seed": common.get("seed", "-1"),
        }
        out: dict[str, Any] = {
            "model_code": self.model.value,
            "batch_count": common["num"],
            "advanced_param": advanced,
            "control_net_params": None,
        }
        if "width" in common:
            out["width"], out["height"] = common["width"], common["height"]
        option = self._options.get(self.control.value)
        if option is not None and self.controlnet_supported:
            if not self.image_url.value.strip():
                raise InvalidArgument("control_net_params", "give the picture ControlNet follows")
            unit = {
                "type": option.code,
                "model": _default_code(option.model),
                "preprocessor": _default_code(option.preprocessor),
                "control_weight": self.weight.value,
                "image_url": self.image_url.value.strip(),
            }
            out["control_net_params"] = [unit]
        return out

    def values(self) -> list[tuple[str, str]]:
        """Each pro field's label and shown value (for the static form)."""
        out = [("Pro model", self.model.label or "—"), ("ControlNet", self.control.label or "—")]
        if self.control.value is not None:
            out += [
                ("Control weight", str(self.weight.value)),
                ("Control picture", self.image_url.value.strip() or "—"),
            ]
        return out
