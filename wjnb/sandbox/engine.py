"""Wujie artworks: creation, the queue lifecycle, credits and refunds, and their JSON views.

Lifecycle: status 0 (submitted, for ``ADMIT_SECONDS``) -> 1 (queued for a GPU, with
``queue_before_num``) -> 2 (generating, ``complete_percent`` rising) -> 4 (success), or 3 /
12 (failure, refunded) or -1 (cancelled while queued, refunded). Durations are virtual
seconds: about 10 s for 30 steps at 1024x1024, scaling with steps and pixels, with a little
deterministic jitter. Everything here runs on the server's event loop.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from wjnb.models import ArtworkStatus, ErrorCode, IntegralCostMessage

from . import catalog
from .callbacks import CallbackSender
from .clock import VirtualClock
from .ids import Ids
from .pricing import ACCELERATE_PRICE, AVATAR_PRICE, per_image_cost, price_parts
from .protocol import ApiFailure
from .scheduler import CANCELLED, DONE, RUNNING, WAITING, GpuPool, Job
from .shapes import conform
from .triggers import SLOW_FACTOR, Triggers, audit_info, strip_triggers
from .validate import CreateSpec, as_int, as_str, invalid, notify_url, parse_create

ADMIT_SECONDS = 0.5
_SUBMITTED, _QUEUED, _SUCCESS = (
    int(ArtworkStatus.SUBMITTED),
    int(ArtworkStatus.QUEUED),
    int(ArtworkStatus.SUCCESS),
)
MODEL_FACTOR = {1: 1.0, 3: 1.0, 4: 1.2, 7: 2.5}
MINI_ABOVE_PIXELS = 2048 * 2048
MAX_AVATAR_PROMPT = 500
MAX_AVATAR_TEMPLATES = 5
MAX_AVATAR_NUMBER = 4
GPUS = (  # (gpu_type, watts) of the simulated machines, by GPU index
    ("NVIDIA Tesla V100-16GB", 300),
    ("NVIDIA A100-40GB", 400),
    ("NVIDIA GeForce RTX 4090", 450),
    ("NVIDIA A10-24GB", 150),
)
FAILURES = {
    ArtworkStatus.FAILED: (3001, "生成失败: generation failed (sandbox trigger [fail])"),
    ArtworkStatus.DRAW_FAILED: (3002, "作画失败: drawing failed (sandbox trigger [drawfail])"),
}


def fraction(token: str) -> float:
    """A stable number in [0, 1) derived from ``token``."""
    return int(hashlib.sha256(token.encode()).hexdigest()[:12], 16) / 16**12


def gpu_seconds(spec: CreateSpec, token: str) -> float:
    """Virtual GPU time of one image: ~10 s for 30 steps at 1024², +-10 % jitter."""
    megapixels = spec.width * spec.height / (1024 * 1024)
    base = 2.0 + 8.0 * spec.steps / 30 * megapixels
    return base * MODEL_FACTOR[spec.model] * (0.9 + 0.2 * fraction(token))


def render_seed(seed: str) -> int:
    """The integer the renderer gets: the seed itself when numeric, else a stable hash."""
    if seed.isdigit():
        return int(seed) % 2**32
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)


class Ledger:
    """The account's credit balance."""

    def __init__(self, balance: int) -> None:
        self.balance = balance

    def charge(self, amount: int) -> bool:
        """Take ``amount``; False (and nothing taken) when the balance cannot cover it."""
        if amount > self.balance:
            return False
        self.balance -= amount
        return True

    def refund(self, amount: int) -> None:
        """Give ``amount`` back."""
        self.balance += amount


@dataclass(eq=False)
class Artwork:
    """One artwork (one image) and its progress."""

    key: str
    batch_task_key: str
    request_id: int
    params: dict[str, Any]
    spec: CreateSpec
    seed: str
    triggers: Triggers
    job: Job
    generate_time: float
    cost: int
    index: int = 0
    template_key: str | None = None
    status: int = ArtworkStatus.SUBMITTED
    start_gen_time: float = 0.0
    complete_time: float = 0.0
    refunded: int = 0
    reduce_time: float = 0.0
    audit: dict[str, Any] | None = None
    audit_text: str = ""
    fail: tuple[int, str] | None = None
    final_entry: dict[str, Any] | None = None  # the poll entry, once it can no longer change
    derived: Callable[[], Image.Image] | None = None  # drawn instead of the prompt (youthify)

    @functools.cached_property
    def model_prompt(self) -> str:
        """The prompt "the model received": triggers removed, styles appended."""
        text = strip_triggers(self.spec.prompt)
        styles = [s for s in self.params.get("style") or [] if isinstance(s, str)]
        return f"{text}; {', '.join(styles)}" if styles else text

    @property
    def render_seed(self) -> int:
        """Seed handed to the renderer (batch images of a non-numeric seed differ by index)."""
        return render_seed(self.seed) + (0 if self.seed.isdigit() else self.index)


class WujieEngine:
    """All Wujie artworks of one sandbox and the operations on them."""

    def __init__(
        self,
        *,
        clock: VirtualClock,
        ids: Ids,
        pool: GpuPool,
        ledger: Ledger,
        callbacks: CallbackSender,
        cdn_url: str,
        avatar_key: str,
    ) -> None:
        self.artworks: dict[str, Artwork] = {}
        self.avatar_key = avatar_key
        self._clock = clock
        self._ids = ids
        self._pool = pool
        self._ledger = ledger
        self._callbacks = callbacks
        self._cdn = cdn_url
        self._requests = 0
        self._jobs: dict[Job, Artwork] = {}

    # ------------------------------------------------------------------ create

    def price(self, body: object) -> dict[str, Any]:
        """``/ai/price_info``: what the same body would cost on ``/ai/create``."""
        spec = parse_create(body, "/ai/create")
        return {
            "user_rights_use": {"daily_free_create_times_use": 0, "deserved_create_times_use": 0},
            "vip_rights_use": {
                "create_times_use": 0,
                "accelerate_times_use": 0,
                "super_size_times_use": 0,
            },
            "integral_use": price_parts(spec),
        }

    def create(self, route: str, body: object) -> dict[str, Any]:
        """``/ai/create``, ``/ai/create/midjourney`` and ``/ai/create/flux``."""
        spec = parse_create(body, route)
        assert isinstance(body, Mapping)
        triggers = self._admissible(spec.prompt, spec.uc_prompt)
        per_image = per_image_cost(spec)
        self._charge(per_image * spec.num)
        self._requests += 1
        batch = self._ids.key()
        base_seed = spec.seed or str(self._ids.seed())
        results = []
        for index in range(spec.num):
            seed = str(int(base_seed) + index) if base_seed.isdigit() else base_seed
            art = self._add(spec, dict(body), seed, triggers, batch, per_image, index)
            results.append(
                {"key": art.key, "expected_second": self._eta(art), "batch_task_key": batch}
            )
        return {
            "keys": [r["key"] for r in results],
            "results": results,
            "expected_integral_cost": per_image * spec.num,
        }

    def avatar_resource(self) -> dict[str, Any]:
        """``/avatar/artwork/default_resource``."""
        return {
            "avatar_key": self.avatar_key,
            "template_options": catalog.avatar_templates(self._cdn),
        }

    def create_avatar(self, body: object) -> dict[str, Any]:
        """``/avatar/artwork/create``: ``number`` artworks per template (1 credit each)."""
        if not isinstance(body, Mapping):
            raise invalid("the request body must be a JSON object")
        key = as_str(body, "avatar_key", 64)
        if not key:
            raise invalid("avatar_key is required")
        if key != self.avatar_key:
            raise ApiFailure(ErrorCode.RESOURCE_CHECK_FAILED, "avatar_key is not a known avatar")
        prompt = as_str(body, "prompt", MAX_AVATAR_PROMPT) or ""
        templates = {t["template_key"]: t for t in catalog.avatar_templates(self._cdn)}
        chosen = body.get("artwork_templates")
        if chosen is None or chosen == []:
            chosen = [{"template_key": next(iter(templates)), "number": 1}]
        if not isinstance(chosen, list) or not all(isinstance(t, Mapping) for t in chosen):
            raise invalid("artwork_templates must be a list of {template_key, number}")
        if len(chosen) > MAX_AVATAR_TEMPLATES:
            raise invalid(f"at most {MAX_AVATAR_TEMPLATES} artwork_templates, got {len(chosen)}")
        plan = []
        for item in chosen:
            template = templates.get(item.get("template_key"))  # type: ignore[arg-type]
            if template is None:
                raise invalid(f"unknown template_key {item.get('template_key')!r}")
            plan.append((template, as_int(item, "number", 1, 1, MAX_AVATAR_NUMBER)))
        url = notify_url(body)
        triggers = self._admissible(prompt)
        self._charge(AVATAR_PRICE * sum(n for _, n in plan))
        self._requests += 1
        batch = self._ids.key()
        results = []
        for template, number in plan:
            full_prompt = f"{template['template_name']} portrait, {prompt}".rstrip(", ")
            spec = replace(
                _DEFAULT_SPEC, route="/avatar/artwork/create", prompt=full_prompt, notify_url=url
            )
            for _ in range(number):
                art = self._add(
                    spec, dict(body), str(self._ids.seed()), triggers, batch, AVATAR_PRICE
                )
                art.template_key = template["template_key"]
                results.append(
                    {
                        "template_key": art.template_key,
                        "key": art.key,
                        "expected_second": self._eta(art),
                    }
                )
        return {
            "keys": [r["key"] for r in results],
            "results": results,
            "expected_integral_cost": AVATAR_PRICE * len(results),
        }

    def _admissible(self, *texts: str) -> Triggers:
        triggers = Triggers.of(*texts)
        if triggers.sensitive:
            raise ApiFailure(
                ErrorCode.SENSITIVE_PROMPT, "prompt contains sensitive words: [sensitive]"
            )
        return triggers

    def _charge(self, amount: int) -> None:
        if not self._ledger.charge(amount):
            raise ApiFailure(
                ErrorCode.INSUFFICIENT_BALANCE,
                f"insufficient credit balance: the request costs {amount}, "
                f"the balance is {self._ledger.balance}",
            )

    def _add(
        self,
        spec: CreateSpec,
        params: dict[str, Any],
        seed: str,
        triggers: Triggers,
        batch: str,
        cost: int,
        index: int = 0,
    ) -> Artwork:
        key = self._ids.key()
        token = (
            f"{strip_triggers(spec.prompt)}|{seed}|{spec.width}x{spec.height}|{spec.steps}|{index}"
        )
        duration = gpu_seconds(spec, token) / (1 + spec.accelerate_times)
        if triggers.slow:
            duration *= SLOW_FACTOR
        if triggers.fails:
            duration *= 0.5
        now = self._clock.now()
        job = Job(duration, self._started, self._finished, ready_at=now + ADMIT_SECONDS)
        art = Artwork(
            key=key,
            batch_task_key=batch,
            request_id=self._requests,
            params=params,
            spec=spec,
            seed=seed,
            triggers=triggers,
            job=job,
            generate_time=now,
            cost=cost,
            index=index,
        )
        self.artworks[key] = art
        self._jobs[job] = art
        self._pool.submit(job)
        return art

    # ------------------------------------------------------------------ lifecycle

    def _started(self, job: Job) -> None:
        art = self._jobs[job]
        art.status = ArtworkStatus.GENERATING
        art.start_gen_time = job.started

    def _finished(self, job: Job) -> None:
        art = self._jobs.pop(job)
        art.complete_time = job.finish_at
        if art.triggers.fails:
            status = ArtworkStatus.FAILED if art.triggers.fail else ArtworkStatus.DRAW_FAILED
            art.status = status
            art.fail = FAILURES[status]
            self._refund(art)
        else:
            art.status = ArtworkStatus.SUCCESS
            art.audit = audit_info(
                art.triggers, art.key, self._ids.number(6), f"{self._cdn}/ai/{art.key}-01.jpg-v800"
            )
            art.audit_text = json.dumps(art.audit, ensure_ascii=False, separators=(",", ":"))
        url = art.spec.notify_url
        if url:
            self._callbacks.send(url, self.callback_body(art), retry_on_text=True)

    def _refund(self, art: Artwork) -> None:
        art.refunded = art.cost
        self._ledger.refund(art.cost)

    def cancel(self, body: object) -> str:
        """``/ai/cancel``: only a queued artwork can be cancelled (credits refunded)."""
        art = self._lookup(body)
        if not self._pool.cancel(art.job):
            raise ApiFailure(
                ErrorCode.NOT_CANCELLABLE,
                f"artwork is not queued (status {self.status(art)}), it cannot be cancelled",
            )
        self._jobs.pop(art.job, None)
        art.status = ArtworkStatus.CANCELLED
        self._refund(art)
        return "success"

    def accelerate(self, body: object) -> str:
        """``/ai/accelerate``: each step divides the remaining time further (1 credit/step)."""
        art = self._lookup(body)
        assert isinstance(body, Mapping)
        steps = as_int(body, "step_num", 1, 1, 10)
        if art.job.state not in (WAITING, RUNNING):
            raise ApiFailure(
                ErrorCode.STATUS_CHANGED,
                f"artwork status changed (now {self.status(art)}), refresh it",
            )
        self._charge(ACCELERATE_PRICE * steps)
        art.cost += ACCELERATE_PRICE * steps
        art.reduce_time += self._pool.shorten(art.job, 1 + steps)
        return "success"

    def _lookup(self, body: object) -> Artwork:
        if not isinstance(body, Mapping):
            raise invalid("the request body must be a JSON object with a key")
        key = body.get("key")
        return self.get(key if isinstance(key, str) else None)

    def get(self, key: str | None) -> Artwork:
        """The artwork of ``key`` or a 20010001 failure."""
        if not key:
            raise invalid("key is required")
        art = self.artworks.get(key)
        if art is None:
            raise invalid(f"no artwork with key {key[:64]!r}")
        return art

    # ------------------------------------------------------------------ views

    def status(self, art: Artwork) -> int:
        """The status now (0 and 1 are told apart by the admission time)."""
        if art.job.state == WAITING:
            if self._clock.now() < art.job.ready_at:
                return ArtworkStatus.SUBMITTED
            return ArtworkStatus.QUEUED
        return int(art.status)

    def _eta(self, art: Artwork) -> int:
        if art.job.state not in (WAITING, RUNNING):
            return 0
        _, finish = self._pool.estimate(art.job)
        return max(0, math.ceil(finish - self._clock.now()))

    def picture_url(self, art: Artwork) -> str:
        """The CDN URL of the image (empty until success)."""
        if art.status != ArtworkStatus.SUCCESS:
            return ""
        return f"{self._cdn}/ai/{art.key}-01.png"

    def _cost(self, art: Artwork) -> tuple[int, str]:
        if art.refunded:
            return art.cost - art.refunded, IntegralCostMessage.REFUNDED.value
        return art.cost, IntegralCostMessage.DEDUCTED.value

    def _fail_message(self, art: Artwork) -> dict[str, Any]:
        if art.fail is not None:
            return {"fail_code": art.fail[0], "fail_message": art.fail[1]}
        if art.status == ArtworkStatus.SUCCESS:
            return {"fail_code": 0, "fail_message": "success"}
        return {"fail_code": 0, "fail_message": ""}

    def generating_info(self, keys: list[str]) -> list[dict[str, Any]]:
        """``/ai/generating_info``: unknown keys are simply absent."""
        now = self._clock.now()
        artworks = self.artworks
        return [self._generating(artworks[k], now) for k in keys if k in artworks]

    def _generating(self, art: Artwork, now: float) -> dict[str, Any]:
        """One poll entry; the hot path of the sandbox, so kept to plain arithmetic."""
        if art.final_entry is not None:
            return art.final_entry
        job = art.job
        status = int(art.status)
        queue_before, percent, eta = 0, 0.0, 0
        if job.state == WAITING:
            status = _SUBMITTED if now < job.ready_at else _QUEUED
            queue_before, finish = self._pool.estimate(job)
            eta = max(0, math.ceil(finish - now))
        elif job.state == RUNNING:
            span = max(job.finish_at - job.started, 1e-9)
            percent = round(min(99.9, max(0.0, (now - job.started) / span * 100)), 1)
            eta = max(0, math.ceil(job.finish_at - now))
        elif status == _SUCCESS:
            percent = 100.0
        cost, message = self._cost(art)
        entry = {
            "key": art.key,
            "status": status,
            "picture_url": self.picture_url(art),
            "expected_seconds": eta,
            "start_gen_time": int(art.start_gen_time),
            "complete_time": int(art.complete_time),
            "complete_percent": percent,
            "queue_before_num": queue_before,
            "reduce_time": int(art.reduce_time),
            "involve_yellow": self._yellow(art),
            "audit_info": art.audit_text,
            "fail_message": self._fail_message(art),
            "model_prompt": art.model_prompt,
            "integral_cost": cost,
            "integral_cost_message": message,
        }
        if job.state in (DONE, CANCELLED):
            art.final_entry = entry
        return entry

    def _yellow(self, art: Artwork) -> int:
        return int(art.status == ArtworkStatus.SUCCESS and art.triggers.nsfw)

    def info(self, key: str | None) -> dict[str, Any]:
        """``/ai/info``: one artwork's full detail (seed 000)."""
        art = self.get(key)
        p, spec = art.params, art.spec
        big = spec.width * spec.height > MINI_ABOVE_PIXELS
        success = art.status == ArtworkStatus.SUCCESS
        cost, message = self._cost(art)
        method = p.get("pretreatment_method")
        technology = None
        if success:
            gpu_type, watts = GPUS[art.job.gpu % len(GPUS)]
            technology = {
                "machine_no": hashlib.sha256(f"gpu{art.job.gpu}".encode()).hexdigest()[:10],
                "gpu_type": gpu_type,
                "power_consumption": round(watts * art.job.duration / 3.6e6, 8),
            }
        return {
            "key": art.key,
            "prompt": spec.prompt,
            "uc_prompt": spec.uc_prompt,
            "type": spec.model,
            "model": spec.model,
            "width": spec.width,
            "height": spec.height,
            "status": self.status(art),
            "picture_url": self.picture_url(art),
            "mini_picture_url": f"{self._cdn}/ai/{art.key}-01.jpg" if success and big else "",
            "init_image_url": p.get("init_image_url") or "",
            "init_image_similarity": _whole(p.get("init_image_similarity")),
            "creativity_degree": _whole(p.get("creativity_degree")),
            "artist": _joined(p.get("artists") or p.get("artist")),
            "style": _joined(p.get("style")),
            "image_type": _joined(p.get("image_type")),
            "element_magic": list(p.get("element_magic") or []),
            "generate_time": int(art.generate_time),
            "start_gen_time": int(art.start_gen_time),
            "complete_time": int(art.complete_time),
            "involve_yellow": self._yellow(art),
            "audit_info": art.audit_text,
            "technology_info": technology,
            "fail_message": self._fail_message(art),
            "model_prompt": art.model_prompt,
            "character_options": list(p.get("character") or []),
            "model_fusion": [
                {"name": str(f.get("key") or ""), "weight": float(_number(f.get("weight")))}
                for f in p.get("model_fusion") or []
                if isinstance(f, Mapping)
            ],
            "style_model": spec.style_model or "",
            "pretreatment_image": str(p.get("init_image_url") or "")
            if method not in (None, "NONE")
            else "",
            "pretreatment_method": method or "NONE",
            "steps": spec.steps,
            "cfg": spec.cfg,
            "sampler_index": spec.sampler_index,
            "seed": art.seed,
            "integral_cost": cost,
            "integral_cost_message": message,
            "multi_diffusion": p.get("multi_diffusion"),
            "hr_second_pass_strength": float(_number(p.get("hr_second_pass_strength"))),
            "layer_diffusion": conform(p["layer_diffusion"], _LAYER)
            if p.get("layer_diffusion")
            else None,
            "pattern": p.get("pattern") or "",
            "cut_diffusion": conform(p["cut_diffusion"], _CUT) if p.get("cut_diffusion") else None,
        }

    def callback_body(self, art: Artwork) -> dict[str, Any]:
        """The ``notify_url`` body: seed 001 on success, §10.4's shorter body on failure.

        ``code`` is a JSON number (0 ok, 1 failed); a failure's ``fail_message`` is text.
        """
        cost, message = self._cost(art)
        body: dict[str, Any] = {
            "key": art.key,
            "batch_task_key": art.batch_task_key,
            "success": art.status == ArtworkStatus.SUCCESS,
            "code": 0 if art.status == ArtworkStatus.SUCCESS else 1,
        }
        if art.status == ArtworkStatus.SUCCESS:
            body.update(
                artwork_url=self.picture_url(art),
                audit_info=art.audit,
                complete_time=int(art.complete_time),
                involve_yellow=self._yellow(art),
            )
        else:
            body["fail_message"] = self._fail_message(art)["fail_message"]
        body.update(integral_cost=cost, integral_cost_message=message)
        return body

    def create_params(self, keys: list[str]) -> list[dict[str, Any]]:
        """``/ai/create_params``: §10.3's 46-field record per known key.

        Request fields outside the record (``mj_param``, ``style``, unknown ones) follow it
        untouched: a strict reader ignores them, a curious one sees what was sent.
        """
        return [self._params_record(self.artworks[k]) for k in keys if k in self.artworks]

    def _params_record(self, art: Artwork) -> dict[str, Any]:
        p, spec = art.params, art.spec
        fusion = [f for f in p.get("model_fusion") or [] if isinstance(f, Mapping)]
        done = art.status == ArtworkStatus.SUCCESS
        typed: dict[str, Any] = {
            "model": spec.model,
            "model_code": spec.model,
            "creativity_degree": _whole(p.get("creativity_degree")),
            "init_width": _whole(p.get("init_width")),
            "init_height": _whole(p.get("init_height")),
            "nature": 0,
            "prompt_optimize": 0,
            "steps": spec.steps,
            "super_type": 0,
            "clip_skip": _whole(p.get("clip_skip")),
            "cfg": float(spec.cfg),
            "ensd": 0.0,
            "chat_gpt_optimize": False,
            "repair_the_hand": False,
        }
        record: dict[str, Any] = {
            "key": art.key,
            "artwork_url": self.picture_url(art) if done else "",
            "pattern": str(p.get("pattern") or ""),
            "prompt": spec.prompt,
            "uc_prompt": spec.uc_prompt,
            "init_image_url": str(p.get("init_image_url") or ""),
            "pretreatment_method": str(p.get("pretreatment_method") or "NONE"),
            "mask_image_url": "",
            "mask_zone_image_url": "",
            "size": f"{spec.width}x{spec.height}",
            "style_decoration": _joined(p.get("style_decoration")),
            "character": _joined(p.get("character")),
            "model_fusion": ",".join(f"{f.get('key')}:{f.get('weight')}" for f in fusion),
            "style_model": spec.style_model or "",
            "resolution_info": f"{spec.width}*{spec.height}",
            "sampler_index": str(spec.sampler_index),
            "seed": art.seed,
            "consumed_time": str(round(art.complete_time - art.start_gen_time)) if done else "0",
            **typed,
        }
        for name, value in typed.items():
            record[f"{name}_as_string"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        return {**{k: v for k, v in p.items() if k not in record}, **record}

    def model_info(self, model: int) -> dict[str, Any]:
        """``/ai/model_info``: the wait a new default job of ``model`` would see."""
        spec = replace(_DEFAULT_SPEC, model=model)
        duration = gpu_seconds(spec, "model-info")
        finish = self._pool.estimate_new(duration)
        return {
            "expected_seconds": max(0, math.ceil(finish - self._clock.now())),
            "queue_num": self._pool.waiting,
            "reduce_time": int(duration / 2),
        }

    def ledger_rows(self) -> list[dict[str, Any]]:
        """Every artwork with its credits, for ``/_sandbox/artworks``."""
        return [
            {
                "key": a.key,
                "batch_task_key": a.batch_task_key,
                "request_id": a.request_id,
                "route": a.spec.route,
                "status": self.status(a),
                "cost_charged": a.cost,
                "cost_refunded": a.refunded,
            }
            for a in self.artworks.values()
        ]


_DEFAULT_SPEC = CreateSpec(  # a default 30-step 1024x1024 image (avatars, /ai/model_info)
    route="/ai/create",
    model=1,
    prompt="-",
    uc_prompt="",
    num=1,
    width=1024,
    height=1024,
    steps=30,
    cfg=7.0,
    sampler_index=0,
    seed=None,
    accelerate_times=0,
    super_size_multiple=1.0,
    style_model=None,
    notify_url=None,
)


_LAYER = {"method": int, "weight": float, "ending_step": float}
_CUT = {"cutdiff_proportion": float, "cfg_scale1": float, "cfg_scale2": float}


def _number(value: object) -> float:
    """A request number (0 when absent or not a finite number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


def _whole(value: object) -> int:
    """A request number as the int a reply field holds."""
    return int(_number(value))


def _joined(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return value if isinstance(value, str) else ""
