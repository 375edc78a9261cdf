"""The live card of one Wujie job: status, progress, thumbnail and the actions on it.

A card observes its job and redraws from it on every notification (on the client's loop
thread); it owns nothing but what it displays. Pictures are loaded on a worker thread
once the job says its thumbnail is cached, so an observer never blocks. NSFW and blocked
pictures are blurred in the kernel; the real thumbnail is only made and sent when the
user presses Reveal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import html, thumbs
from ..errors import WjnbError
from ..kindview import result_text
from ..models import ArtworkStatus
from .chains import chain_buttons
from .face import Face
from .style import CARD_WIDTH, THUMB, View, act, background, box, button, show, toggle

if TYPE_CHECKING:
    from ..surface import JobLike as Job

#: Called with (job, seed_only) when the user asks to reuse a job's parameters or seed.
ReuseCallback = Callable[["Job", bool], None]
#: Called with a job's text result (tags, an optimised prompt) to use it as a prompt.
PromptCallback = Callable[[str], None]

_CANCELLABLE = (ArtworkStatus.SUBMITTED, ArtworkStatus.SUBMITTED_ALT, ArtworkStatus.QUEUED)


class JobCard(Face, View):
    """A live view of one ``Job``; ``on_reuse`` connects Reuse/Seed and ``on_prompt`` the
    Use-as-prompt button of a text result to a Studio form."""

    size = THUMB
    area = CARD_WIDTH

    def __init__(
        self,
        job: Job,
        *,
        on_reuse: ReuseCallback | None = None,
        on_prompt: PromptCallback | None = None,
    ) -> None:
        self.job: Job = job
        self._on_reuse = on_reuse
        self._on_prompt = on_prompt
        self._sharp: bytes | None = None  # the real thumbnail (for veiled jobs: once revealed)
        self._veil: bytes | None = None  # the blurred one shown first for NSFW / BLOCK
        self._large: bytes | None = None  # the enlarged preview, only while enlarged
        face = [self._face(), self._text()]
        self.cancel_button = button("Cancel", "Cancel while it is still queued", kind="danger")
        self.accelerate_button = button("Speed up", "Accelerate generation (costs credits)")
        self.reuse_button = button("Reuse", "Fill the Studio form with these parameters")
        self.seed_button = button("Seed", "Put this picture's seed into the Studio form")
        self.prompt_button = button("Use as prompt", "Put this text into the Studio's prompt")
        self.reveal_button = toggle("Reveal", "Show the flagged picture unblurred")
        self.enlarge_button = toggle("Enlarge", "Show a larger preview")

        self.cancel_button.on_click(lambda _: act(self.cancel_button, job.cancel, self._acted))
        self.accelerate_button.on_click(
            lambda _: act(self.accelerate_button, job.accelerate, self._acted)
        )
        self.reuse_button.on_click(lambda _: self._reuse(False))
        self.seed_button.on_click(lambda _: self._reuse(True))
        self.prompt_button.on_click(lambda _: self._use_as_prompt())
        #: The chain buttons (Upscale, Describe, Animate...), shown while the job offers them.
        self._chains = chain_buttons(job, self._acted)
        self.chain_buttons = [b for _, b in self._chains]
        self.reveal_button.observe(lambda _: self._want_sharp(), "value")
        self.enlarge_button.observe(lambda _: self._want_large(), "value")

        actions = box(
            [
                self.cancel_button,
                self.accelerate_button,
                self.reveal_button,
                self.enlarge_button,
                self.reuse_button,
                self.seed_button,
                self.prompt_button,
                *self.chain_buttons,
            ],
            "wjnb-actions",
        )
        super().__init__([*face, actions], "wjnb-card")
        show(self.reuse_button, on_reuse is not None and job.kind == "artwork")  # the form's own
        self._watch(job.observe(self._changed))
        self._changed(job, construct=True)

    def _render(self) -> None:
        job = self.job
        with self._lock:
            shown = self.shown()
            self._show_picture(shown)
            self.badges.value = html.badges(job)
            self.details.value = html.job_details_html(job) + html.line_html(
                self._problems(), "#b91c1c"
            )
            veiled = html.veiled(job)
            revealed = bool(self.reveal_button.value)
            show(self.cancel_button, not job.done and job.status in _CANCELLABLE)
            show(self.accelerate_button, not job.done)
            seed = job.record.get("seed") not in (None, "")  # a random seed is known once made
            show(self.seed_button, self._on_reuse is not None and seed)
            show(self.prompt_button, self._on_prompt is not None and self._result() is not None)
            show(self.reveal_button, veiled and self._veil is not None)
            offered = set(job.actions) if job.done else set()
            for action, chain in self._chains:
                show(chain, action in offered)
            self.reveal_button.description = "Hide" if revealed else "Reveal"
            show(self.enlarge_button, shown is not None and (not veiled or revealed))
            (self.add_class if self.enlarge_button.value else self.remove_class)("wjnb-wide")

    def shown(self) -> bytes | None:
        """The picture bytes the card is showing now (None: the status placeholder)."""
        if self.enlarge_button.value and self._large is not None:
            return self._large
        if html.veiled(self.job) and not self.reveal_button.value:
            return self._veil
        return self._sharp

    # ------------------------------------------------------------------ pictures (worker thread)

    def _took(self, data: bytes) -> None:
        if html.veiled(self.job):
            self._veil = thumbs.blurred(data, THUMB)
        else:
            self._sharp = thumbs.bounded(data, THUMB)

    def _want_sharp(self) -> None:
        """Reveal: make the real thumbnail from the full image, once, on a worker thread."""
        if self.reveal_button.value and self._sharp is None:
            background(self._load_full, "_sharp", lambda img: thumbs.thumbnail(img, THUMB))
        self._render()

    def _want_large(self) -> None:
        """Enlarge: a bigger JPEG preview while on; dropped when off so the notebook stays light."""
        if self.enlarge_button.value:
            background(self._load_full, "_large", thumbs.preview)
        else:
            self._large = None
        self._render()

    def _load_full(self, slot: str, encode: Callable[[Any], bytes]) -> None:
        try:
            setattr(self, slot, encode(self.job.image()))
        except (WjnbError, OSError) as exc:
            self._picture_error = f"picture unavailable: {exc}"
        self._render()

    def _result(self) -> str | None:
        """The finished job's text result (tags, an optimised prompt), if it has one."""
        return result_text(self.job.record) if self.job.done else None

    def _use_as_prompt(self) -> None:
        text = self._result()
        if self._on_prompt is not None and text is not None:
            self._on_prompt(text)

    def _reuse(self, seed_only: bool) -> None:
        if self._on_reuse is not None:
            self._on_reuse(self.job, seed_only)

    def static_html(self) -> str:
        """The static card, with the (veiled) thumbnail this card holds."""
        return html.job_html(self.job, self._veil if html.veiled(self.job) else self._sharp)
