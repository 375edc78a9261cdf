"""The Studio: a generation form whose choices come from the backend, over a live gallery.

Models, sizes and samplers are what the service offers (``model_base_infos`` and
``default_resource``); the cost estimate (``price_info``, debounced) and the credit
balance stay current while the user edits. Nothing here blocks the kernel: requests go to
the client's loop thread (``client.submit``) or a worker thread, and their answers update
the widgets when they arrive. Errors are shown next to the field they concern, never as a
traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, cast

import ipywidgets as widgets

from .. import html
from ..errors import (
    ApiError,
    InsufficientBalance,
    InvalidArgument,
    SensitivePrompt,
    TranslationFailed,
    UnsupportedSize,
    WjnbError,
)
from ..models import DefaultResource, ModelBaseInfo, ModelType
from .gallery import Gallery
from .studio_kinds import COST_NOTES, KINDS, ProFields, kind_label
from .style import View, box, button, show, shown, text
from .submission import Submission

if TYPE_CHECKING:
    from ..jobclient import Client
    from ..surface import JobLike as Job
    from ..surface import JobSetLike as JobSet
    from ..surface import MjTaskLike as MjTask

#: Form fields, in the order they are laid out; errors are shown under each.
FIELDS = (
    "prompt",
    "uc_prompt",
    "model",
    "size",
    "sampler",
    "steps",
    "cfg",
    "seed",
    "num",
    "pro_model",
    "control",
    "weight",
    "image_url",
)
#: The fields each kind shows (the rest are hidden while it is chosen).
KIND_FIELDS = {
    "artwork": frozenset(FIELDS[:9]),
    "pro": frozenset(FIELDS) - {"model", "sampler"},
    "mj": frozenset({"prompt"}),
}
#: Request arguments shown in a field of another name.
_ARGUMENT_FIELD = {
    "width": "size",
    "height": "size",
    "sampler_index": "sampler",
    "model_code": "pro_model",
    "control_net_params": "image_url",
    "original": "prompt",
}
#: Service errors that concern one field.
_ERROR_FIELD: dict[type[ApiError], str] = {
    SensitivePrompt: "prompt",
    TranslationFailed: "prompt",
    UnsupportedSize: "size",
}
_RED = "#b91c1c"


def _pick(wanted: Any, options: list[tuple[str, Any]]) -> Any:
    """``wanted`` when it is among ``options``' values, else the first value (None if none)."""
    values = [v for _, v in options]
    return wanted if wanted in values else (values[0] if values else None)


def _field_of(argument: str) -> str | None:
    """The form field showing a request argument, if the form has one."""
    name = _ARGUMENT_FIELD.get(argument, argument)
    return name if name in FIELDS else None


def _model_label(info: ModelBaseInfo) -> str:
    """``General v5.0``: an English family name where the type is known, else the service's."""
    try:
        name = html.MODEL_NAMES[ModelType(info.type or 0)]
    except (ValueError, KeyError):
        name = info.model_desc or f"Model {info.type}"
    return f"{name} {info.model_version}" if info.model_version else name


def _label(label: str) -> widgets.HTML:
    return text(f'<span style="font:600 12px {html.FONT};color:#374151">{label}</span>')


class Studio(View):
    """The interactive form and live gallery (``wjnb.Studio()``).

    ``client`` defaults to ``wjnb.default_client()`` (the embedded sandbox without
    credentials). Its work is recorded under ``experiment`` (so it shows in
    ``wjnb.experiments()`` and ``wjnb.load("studio")``). ``debounce`` is how long edits
    settle before the cost is re-estimated.
    """

    def __init__(
        self,
        client: Client | None = None,
        *,
        experiment: str = "studio",
        page_size: int = 8,
        debounce: float = 0.3,
    ) -> None:
        if client is None:
            from .. import default_client

            client = default_client()
        self.client = client
        self.experiment = experiment
        self.debounce = debounce
        self.jobs: list[Job | MjTask] = []  # submitted from this Studio, newest first
        self._lock = threading.RLock()
        self._resources: dict[int, DefaultResource] = {}
        self._wanted: dict[str, Any] = {}  # size/sampler to select once a model's menu loads
        self._timer: threading.Timer | None = None
        self._estimate_seq = 0
        self._balance_asked = False  # a balance request is on its way
        self._balance_again = False  # ...and another was wanted meanwhile
        self.sending: Submission | None = None

        full = widgets.Layout(width="100%")
        self.prompt = widgets.Textarea(placeholder="Describe the picture…", rows=3, layout=full)
        self.uc_prompt = widgets.Textarea(
            placeholder="What to keep out (optional)", rows=2, layout=full
        )
        self.model = widgets.Dropdown(layout=widgets.Layout(width="190px"))
        self.size = widgets.Dropdown(layout=widgets.Layout(width="170px"))
        self.sampler = widgets.Dropdown(layout=widgets.Layout(width="180px"))
        self.num = widgets.IntSlider(value=1, min=1, max=4, layout=widgets.Layout(width="170px"))
        self.steps = widgets.IntSlider(
            value=30, min=1, max=150, layout=widgets.Layout(width="260px")
        )
        self.cfg = widgets.FloatSlider(
            value=7.0, min=0.0, max=30.0, step=0.5, layout=widgets.Layout(width="260px")
        )
        self.seed = widgets.Text(placeholder="random", layout=widgets.Layout(width="170px"))
        #: Normal artworks, pro artworks or Midjourney imagines.
        self.kind = widgets.ToggleButtons(options=list(KINDS), value="artwork")
        self.kind.add_class("wjnb-kinds")
        self.pro = ProFields()
        self._boxes: dict[str, widgets.Box] = {}
        self.submit_button = widgets.Button(description="Generate", button_style="primary")
        self.submit_button.add_class("wjnb-submit")
        self.optimize_button = button(
            "Optimise prompt", "Ask the service to rewrite the prompt (a text card to use)"
        )
        self.cost = text()
        self.balance = text()
        self.message = text()
        self.errors = {name: text() for name in FIELDS}
        for error in self.errors.values():
            show(error, False)

        field = self._field
        header = box(
            [
                text(f'<span style="font:700 16px {html.FONT};color:#111827">wjnb Studio</span>'),
                text(html.badge(client.backend, "gray")),
                self.balance,
            ],
            "wjnb-pager",
        )
        pro = self.pro
        self.pro_row = box(
            [
                field("Pro model", "pro_model", pro.model),
                field("ControlNet", "control", pro.control),
                field("Control weight", "weight", pro.weight),
                field("Control picture", "image_url", pro.image_url),
            ],
            "wjnb-row",
        )
        self.model_row = box(
            [
                field("Model", "model", self.model),
                field("Size", "size", self.size),
                field("Sampler", "sampler", self.sampler),
                field("Images", "num", self.num),
            ],
            "wjnb-row",
        )
        self.steps_row = box(
            [
                field("Steps", "steps", self.steps),
                field("CFG scale", "cfg", self.cfg),
                field("Seed", "seed", self.seed),
            ],
            "wjnb-row",
        )
        form = box(
            [
                header,
                self.kind,
                field("Prompt", "prompt", self.prompt, full=True),
                field("Negative prompt", "uc_prompt", self.uc_prompt, full=True),
                self.model_row,
                self.steps_row,
                self.pro_row,
                box(
                    [self.submit_button, self.optimize_button, self.cost, self.message],
                    "wjnb-pager",
                ),
            ],
            "wjnb-studio",
            vertical=True,
        )
        self.gallery = Gallery(
            self.jobs, page_size=page_size, on_reuse=self.reuse, on_prompt=self.use_as_prompt
        )
        super().__init__([form, self.gallery])

        self.submit_button.on_click(lambda _: self.submit())
        self.optimize_button.on_click(lambda _: self.optimize())
        self.model.observe(lambda _: self._model_changed(), "value")
        self.kind.observe(lambda _: self._kind_changed(), "value")
        pro.model.observe(lambda _: self._kind_changed(), "value")
        pro.control.observe(lambda _: self._kind_changed(), "value")
        self._kind_changed()
        for w in (
            self.prompt,
            self.uc_prompt,
            self.size,
            self.sampler,
            self.num,
            self.steps,
            self.cfg,
            self.seed,
        ):
            w.observe(lambda _: self._schedule_estimate(), "value")
        self._load_models()
        # Any job of this client (made here or in another cell) moves the balance; jobs
        # chained from the Studio's cards (Upscale, Describe...) join its gallery.
        self._watch(client.runner.observe(self._activity))
        self.refresh_balance()

    def _field(
        self, label: str, name: str, widget: widgets.Widget, *, full: bool = False
    ) -> widgets.Box:
        """A labelled control with its error line beneath."""
        classes = ("wjnb-field", "wjnb-full") if full else ("wjnb-field",)
        made = box([_label(label), widget, self.errors[name]], *classes, vertical=True)
        self._boxes[name] = made
        return made

    def _kind_changed(self) -> None:
        """Show the chosen kind's fields (loading the pro choices the first time)."""
        kind = self.kind.value
        if kind == "pro":
            self.pro.load(self.client, self._run)
        wanted = set(KIND_FIELDS[kind])
        if not self.pro.controlnet_supported:
            wanted -= {"control", "weight", "image_url"}
        elif self.pro.control.value is None:
            wanted -= {"weight", "image_url"}
        for name, field in self._boxes.items():
            show(field, name in wanted)
        for row in (self.model_row, self.steps_row, self.pro_row):
            show(row, any(shown(field) for field in row.children))
        self._schedule_estimate()

    # ------------------------------------------------------------------ choices from the backend

    def _load_models(self) -> None:
        """Fill the model menu (a blocking call, once, when the Studio is made)."""
        try:
            infos = self.client.wujie.model_base_infos()
        except WjnbError as exc:
            self.show_error(exc)
            return
        options = [(_model_label(i), i.type) for i in infos if i.type is not None]
        if options:
            first = options[0][1]
            try:  # the first model's menu now, so the form is complete when it is shown
                self._resources[first] = self.client.wujie.default_resource(first)
            except WjnbError as exc:
                self.show_error(exc)
        self.model.options = options
        if options:
            self.model.value = options[0][1]  # _model_changed fills in its menu

    def _model_changed(self) -> None:
        model = self.model.value
        if model is None:
            return
        cached = self._resources.get(model)
        if cached is not None:
            self._apply_resource(model, cached)
        else:
            self._run(
                self.client.aio.wujie.default_resource(model),
                lambda r: self._apply_resource(model, r),
            )

    def _apply_resource(self, model: int, resource: DefaultResource) -> None:
        """Offer the sizes and samplers of ``model`` (keeping the current or wanted choice)."""
        self._resources[model] = resource
        if self.model.value != model:
            return
        menu = resource.create_option_menu
        sizes = [
            (
                f"{r.width}×{r.height}" + (f"  ({r.size_ratio})" if r.size_ratio else ""),
                (r.width, r.height),
            )
            for r in (menu.resolution if menu and menu.resolution else [])
            if r.width and r.height
        ]
        samplers = [
            (s.sampler_model_name or f"Sampler {s.sampler_index}", s.sampler_index)
            for s in (menu.sampler_models if menu and menu.sampler_models else [])
            if s.sampler_index is not None
        ]
        size = self._wanted.pop("size", self.size.value)
        sampler = self._wanted.pop("sampler", self.sampler.value)
        self.size.options = sizes
        self.sampler.options = samplers
        self.size.value = _pick(size, sizes)
        self.sampler.value = _pick(sampler, samplers)
        self._schedule_estimate()

    # ------------------------------------------------------------------ the request

    def params(self) -> dict[str, Any]:
        """The create parameters the form holds now for the chosen kind (without the prompt)."""
        if self.kind.value == "mj":
            return {}
        common = self._artwork_params()
        return self.pro.params(common) if self.kind.value == "pro" else common

    def _artwork_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model.value}
        if self.uc_prompt.value.strip():
            out["uc_prompt"] = self.uc_prompt.value
        if self.size.value:
            out["width"], out["height"] = self.size.value
        if self.sampler.value is not None:
            out["sampler_index"] = self.sampler.value
        out["steps"] = self.steps.value
        out["cfg"] = self.cfg.value
        if self.seed.value.strip():
            out["seed"] = self.seed.value.strip()
        out["num"] = self.num.value
        return out

    def fill(self, request: dict[str, Any], *, seed_only: bool = False) -> None:
        """Put a request's parameters into the form (what the cards' Reuse and Seed do)."""
        if request.get("seed") not in (None, ""):
            self.seed.value = str(request["seed"])
        if seed_only:
            return
        if request.get("prompt") is not None:
            self.prompt.value = str(request["prompt"])
        self.uc_prompt.value = str(request.get("uc_prompt") or "")
        for name in ("steps", "num"):
            if request.get(name) is not None:
                getattr(self, name).value = int(request[name])
        if request.get("cfg") is not None:
            self.cfg.value = float(request["cfg"])
        if request.get("width") and request.get("height"):
            self._wanted["size"] = (int(request["width"]), int(request["height"]))
        if request.get("sampler_index") is not None:
            self._wanted["sampler"] = int(request["sampler_index"])
        model = request.get("model")
        if model is not None and model != self.model.value:
            self.model.value = int(model)  # its menu loads, then the wanted size/sampler apply
        elif self.model.value in self._resources:
            self._apply_resource(self.model.value, self._resources[self.model.value])

    def reuse(self, job: Job, seed_only: bool) -> None:
        """A card's Reuse (all parameters) or Seed (the seed the picture was made with)."""
        request = dict(job.request)
        seed = job.record.get("seed")
        if seed_only:
            request["seed"] = seed
        self.fill(request, seed_only=seed_only)

    def use_as_prompt(self, text: str) -> None:
        """A card's Use as prompt: its text (tags, an optimised prompt) into the prompt box."""
        self.prompt.value = text

    def _activity(self, job: Job) -> None:
        """A job of this client moved: re-read the balance; adopt a job chained from one of
        the Studio's pictures (a Midjourney card shows its own children)."""
        self.refresh_balance()
        parent = job.record.get("parent_key") if job.kind != "mj" else None
        with self._lock:
            known = {j.key for j in self.jobs}
            adopt = bool(parent) and parent in known and job.key not in known
            if adopt:
                self.jobs.insert(0, job)
        if adopt:
            self.gallery.show_page(0)

    @property
    def jobset(self) -> JobSet:
        """Every job of the Studio's experiment (earlier sessions' too), as a live JobSet."""
        jobs: JobSet = self.client.experiment(self.experiment)
        return jobs

    # ------------------------------------------------------------------ submit

    def submit(self) -> None:
        """Send the form (the button's action) without blocking the kernel.

        The create runs on the client's loop (``client.generate_nowait``, under the Studio's
        experiment); the button stays disabled until it is answered. ``sending`` (a
        ``Submission``) is answered once the new cards are in the gallery, and shows itself
        as a live status line.
        """
        with self._lock:
            if self.sending is not None and not self.sending.done():
                return
            self.clear_errors()
            try:
                answer = self.client.generate_nowait(
                    self.prompt.value,
                    kind=self.kind.value,
                    experiment=self.experiment,
                    **self.params(),
                )
            except WjnbError as exc:  # refused before anything was sent
                self.show_error(exc)
                return
            self.submit_button.description = "Sending…"
            self.submit_button.disabled = True
            self.sending = Submission()
            cast("Future[JobSet]", answer).add_done_callback(self._created)

    def optimize(self) -> None:
        """Send the prompt to prompt optimisation (never blocks): its card joins the gallery,
        and its Use as prompt button puts the rewritten prompt back into the form."""
        self.clear_errors()
        try:
            answer = self.client.create_nowait(
                "optimize", {"original": self.prompt.value}, experiment=self.experiment
            )
        except WjnbError as exc:
            self.show_error(exc)
            return
        self.optimize_button.disabled = True
        cast("Future[JobSet]", answer).add_done_callback(self._optimised)

    def _optimised(self, answer: Future[JobSet]) -> None:
        try:
            jobs = answer.result()
        except WjnbError as exc:
            self.show_error(exc)
        else:
            with self._lock:
                self.jobs[0:0] = list(jobs)
            self.gallery.show_page(0)
        finally:
            self.optimize_button.disabled = False

    def _created(self, answer: Future[JobSet]) -> None:
        """On the loop thread: show the new jobs' cards, or the error next to its field."""
        sending = self.sending
        jobs: JobSet | None = None
        error: str | None = None
        try:
            jobs = answer.result()
        except WjnbError as exc:
            error = str(exc)
            self.show_error(exc)
        except Exception as exc:  # a bug or a closed client: say so instead of hanging
            error = f"{type(exc).__name__}: {exc}"
            self.message.value = html.line_html(error, _RED, 12)
        else:
            self.jobs[0:0] = list(jobs)
            self.gallery.show_page(0)
        finally:
            with self._lock:  # a click sees either "sending" or a finished submission
                self.submit_button.description = "Generate"
                self.submit_button.disabled = False
                if sending is not None:
                    sending.resolve(jobs, error)
            self.refresh_balance()

    # ------------------------------------------------------------------ estimate and balance

    def _schedule_estimate(self) -> None:
        """Re-estimate the cost once edits have settled for ``debounce`` seconds."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self.estimate)
            self._timer.daemon = True
            self._timer.start()

    def estimate(self) -> None:
        """Ask ``price_info`` for the form's cost (any thread; the answer arrives later)."""
        with self._lock:
            self._estimate_seq += 1
            seq = self._estimate_seq
        prompt = self.prompt.value
        note = COST_NOTES.get(self.kind.value)
        if not prompt.strip() or note:
            self.cost.value = "" if note is None else html.line_html(note, "#374151", 13)
            return

        def done(price: Any) -> None:
            if seq == self._estimate_seq:
                self.cost.value = (
                    f'<span style="font:13px {html.FONT};color:#374151">'
                    f"≈ <b>{html.plural(price.total, 'credit')}</b></span>"
                )
                self.clear_errors()

        self._run(self.client.aio.wujie.price_info(prompt, **self.params()), done, seq=seq)

    def refresh_balance(self) -> None:
        """Fetch the credit balance (never blocks; shown when it arrives).

        Asks made while a request is on its way fold into one more request after it, so a
        sweep of a hundred jobs costs a few balance reads, not a hundred.
        """
        with self._lock:
            if self._balance_asked:
                self._balance_again = True
                return
            self._balance_asked = True
        self.client.submit(self.client.aio.wujie.balance()).add_done_callback(self._got_balance)

    def _got_balance(self, answer: Future[Any]) -> None:
        try:
            value = answer.result().balance
            tone = "red" if not value else "slate"
            self.balance.value = html.badge(
                html.plural(value, "credit") if value is not None else "balance unknown", tone
            )
        except WjnbError:
            pass  # the badge keeps its last value; the next job's change asks again
        finally:
            with self._lock:
                again, self._balance_asked, self._balance_again = self._balance_again, False, False
            if again:
                self.refresh_balance()

    def _run(
        self,
        coro: Coroutine[Any, Any, Any],
        then: Callable[[Any], None],
        *,
        seq: int | None = None,
    ) -> None:
        """Run ``coro`` on the client's loop; ``then(result)`` there, errors shown inline."""

        def finished(fut: Future[Any]) -> None:
            if seq is not None and seq != self._estimate_seq:
                return  # a newer estimate is on its way
            try:
                result = fut.result()
            except WjnbError as exc:
                self.show_error(exc)
                return
            then(result)

        try:
            future = self.client.submit(coro)
        except RuntimeError:  # the client is closed: a late debounce timer has nothing to ask
            return
        future.add_done_callback(finished)

    # ------------------------------------------------------------------ errors

    def show_error(self, exc: WjnbError) -> None:
        """Show ``exc`` next to the field it concerns (or under the button) instead of raising."""
        field = None
        if isinstance(exc, InvalidArgument):
            field = _field_of(exc.argument.split("[")[0])
            text = str(exc).split(": ", 1)[-1]
        elif isinstance(exc, ApiError):
            # The service names the parameter first ("cfg must be between...").
            field = next((f for t, f in _ERROR_FIELD.items() if isinstance(exc, t)), None)
            field = field or _field_of(exc.message.split(" ", 1)[0])
            text = exc.message
            if isinstance(exc, InsufficientBalance):
                text = f"Not enough credits: {exc.message}"
                self.refresh_balance()
        else:
            text = str(exc)
        target = self.errors.get(field or "", self.message)
        target.value = f'<span style="font:12px {html.FONT};color:{_RED}">{html.esc(text)}</span>'
        show(target, True)

    def clear_errors(self) -> None:
        """Remove every inline error message."""
        for error in self.errors.values():
            error.value = ""
            show(error, False)
        self.message.value = ""

    def form_values(self) -> list[tuple[str, str]]:
        """The chosen kind, then each of its fields' label and the value it shows now (menus
        by their labels)."""
        kind = self.kind.value
        shown = [("Kind", kind_label(kind)), ("Prompt", self.prompt.value or "—")]
        if kind == "mj":
            return shown
        values = self._artwork_values()
        if kind == "pro":
            hidden = {"Model", "Sampler"}
            values = [v for v in values if v[0] not in hidden] + self.pro.values()
        return shown + values

    def _artwork_values(self) -> list[tuple[str, str]]:
        return [
            ("Negative prompt", self.uc_prompt.value or "—"),
            ("Model", self.model.label or "—"),
            ("Size", self.size.label or "—"),
            ("Sampler", self.sampler.label or "—"),
            ("Images", str(self.num.value)),
            ("Steps", str(self.steps.value)),
            ("CFG scale", f"{self.cfg.value:g}"),
            ("Seed", self.seed.value.strip() or "random"),
        ]

    def static_html(self) -> str:
        """Static viewers see the form as it is filled now, over the gallery's visible cards."""
        badges = html.badge(self.client.backend, "gray") + self.balance.value
        form = html.form_html("wjnb Studio", badges, self.form_values())
        return form + self.gallery.static_html()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        super().close()
