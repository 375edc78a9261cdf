"""Protocol enums and lenient models for the Wujie open API and the Midjourney proxy.

This module is the only code the client and the sandbox share: both read and write the
wire shapes described in ``shared/reference``. Readers are lenient on purpose: unknown
fields are kept in ``extra``, a missing or mistyped field becomes ``None`` (and is noted in
``problems``) instead of raising, and ``audit_info`` is read whether it arrives as JSON
text, as an object, or as the unescaped text of the service's own documentation sample.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, Union

M = TypeVar("M", bound="Model")


# --------------------------------------------------------------------------- enums


class ArtworkStatus(enum.IntEnum):
    """Wujie artwork status codes (``status``)."""

    CANCELLED = -1
    SUBMITTED = 0
    QUEUED = 1
    GENERATING = 2
    FAILED = 3
    SUCCESS = 4
    SUBMITTED_ALT = 11
    DRAW_FAILED = 12

    @property
    def terminal(self) -> bool:
        """True once the artwork can no longer change."""
        return self in TERMINAL_STATUSES

    @property
    def failed(self) -> bool:
        """True for the two failure codes."""
        return self in (ArtworkStatus.FAILED, ArtworkStatus.DRAW_FAILED)

    @classmethod
    def parse(cls, value: object) -> ArtworkStatus | None:
        """The enum member for a wire value, or None when it is not a known code."""
        try:
            return cls(int(value))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None


TERMINAL_STATUSES = frozenset(
    {
        ArtworkStatus.FAILED,
        ArtworkStatus.SUCCESS,
        ArtworkStatus.CANCELLED,
        ArtworkStatus.DRAW_FAILED,
    }
)


class ModelType(enum.IntEnum):
    """Wujie model families (``model`` / ``type``)."""

    GENERAL = 1
    COMIC = 3
    STYLE = 4
    MIDJOURNEY = 7


class ErrorCode(str, enum.Enum):
    """Wujie envelope codes (strings on the wire)."""

    OK = "200"
    INVALID_PARAMETER = "20010001"
    UNSUPPORTED_SIZE = "20010015"
    LOCK_RACE = "20010018"
    TRANSLATION_FAILED = "20110000"
    SENSITIVE_PROMPT = "20110001"
    BAD_INIT_IMAGE = "20110002"
    SENSITIVE_INIT_IMAGE = "20110003"
    STATUS_CHANGED = "20110009"
    INSUFFICIENT_BALANCE = "20110010"
    NOT_CANCELLABLE = "20110011"
    RESOURCE_CHECK_FAILED = "20110017"
    IMAGE_RECOGNITION = "20110018"
    NO_FACE = "20110019"
    SEVERAL_FACES = "20110020"
    SIDE_FACE = "20110021"


class IntegralCostMessage(str, enum.Enum):
    """The service's credit (积分) messages, verbatim."""

    DEDUCTED = "积分已扣除"
    REFUNDED = "积分已退还"
    INSUFFICIENT = "积分不足, 部分扣款失败"
    PENDING = "积分扣除中,请稍后查询"
    FREE = "不需要积分"


class AuditSuggestion(str, enum.Enum):
    """Audit verdicts, mildest first."""

    PASS = "PASS"
    REVIEW = "REVIEW"
    BLOCK = "BLOCK"


class PretreatmentMethod(str, enum.Enum):
    """How an init image is pre-processed."""

    INVERT_SCRIBBLE = "INVERT_SCRIBBLE"
    FAKE_SCRIBBLE = "FAKE_SCRIBBLE"
    SCRIBBLE = "SCRIBBLE"
    NONE = "NONE"


class MjStatus(str, enum.Enum):
    """Midjourney-proxy task states."""

    NOT_START = "NOT_START"
    SUBMITTED = "SUBMITTED"
    MODAL = "MODAL"
    IN_PROGRESS = "IN_PROGRESS"
    FAILURE = "FAILURE"
    SUCCESS = "SUCCESS"
    CANCEL = "CANCEL"

    @property
    def terminal(self) -> bool:
        """True once the task can no longer change."""
        return self in (MjStatus.FAILURE, MjStatus.SUCCESS, MjStatus.CANCEL)

    @classmethod
    def parse(cls, value: object) -> MjStatus | None:
        """The enum member for a wire value, or None when unknown."""
        try:
            return cls(str(value))
        except ValueError:
            return None


class MjAction(str, enum.Enum):
    """Midjourney-proxy task actions."""

    IMAGINE = "IMAGINE"
    UPSCALE = "UPSCALE"
    VARIATION = "VARIATION"
    REROLL = "REROLL"
    DESCRIBE = "DESCRIBE"
    BLEND = "BLEND"
    ZOOM = "ZOOM"
    PAN = "PAN"
    SHORTEN = "SHORTEN"
    SWAP_FACE = "SWAP_FACE"
    UPSCALE_HD = "UPSCALE_HD"
    EDIT = "EDIT"
    RETEXTURE = "RETEXTURE"
    VIDEO = "VIDEO"


class MjSubmitCode(enum.IntEnum):
    """Reply codes of the proxy's submit routes."""

    ACCEPTED = 1
    EXISTS = 21
    QUEUED = 22
    QUEUE_FULL = 23
    BANNED_PROMPT = 24


class MjBotType(str, enum.Enum):
    """Which Discord bot a task goes to."""

    MID_JOURNEY = "MID_JOURNEY"
    NIJI_JOURNEY = "NIJI_JOURNEY"


class MjDimensions(str, enum.Enum):
    """Aspect choices of a blend."""

    PORTRAIT = "PORTRAIT"
    SQUARE = "SQUARE"
    LANDSCAPE = "LANDSCAPE"


# --------------------------------------------------------------------------- lenient JSON


_AUDIT_TEXT = re.compile(r'"audit_info"\s*:\s*"(?=\{)')


def repair_json(text: str) -> Any:
    """Parse JSON, repairing the unescaped ``audit_info`` text of the service's samples.

    The documented ``/ai/info`` sample embeds the audit JSON inside a string without
    escaping its quotes. When plain parsing fails we re-quote every such span and retry.
    Raises ``ValueError`` when the text is not JSON even after repair.
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    out: list[str] = []
    pos = 0
    for match in _AUDIT_TEXT.finditer(text):
        start = match.end()
        if start < pos:
            continue
        end = _matching_brace(text, start)
        if end is None or end + 1 >= len(text) or text[end + 1] != '"':
            continue
        out.append(text[pos : match.start()])
        out.append('"audit_info":' + json.dumps(text[start : end + 1], ensure_ascii=False))
        pos = end + 2
    if not out:
        raise ValueError("not JSON")
    out.append(text[pos:])
    return json.loads("".join(out))


def _matching_brace(text: str, start: int) -> int | None:
    """Index of the ``}`` closing the ``{`` at ``start``, ignoring braces in strings."""
    depth = 0
    in_str = False
    i = start
    while i < len(text):
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


# --------------------------------------------------------------------------- model base


def alias(name: str) -> Any:
    """Declare a field whose wire name differs from its Python name (MJ's camelCase)."""
    return field(default=None, metadata={"alias": name})


@dataclass(repr=False)
class Model:
    """Base of every wire model: typed fields read leniently, nothing lost.

    ``raw`` is the mapping the model was read from (kept for the ledger), ``extra`` the
    fields this model does not know, ``problems`` the fields that could not be read as
    their declared type (they are None on the model, untouched in ``raw``).
    """

    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    problems: list[str] = field(default_factory=list, compare=False)

    _specs: ClassVar[dict[type, list[tuple[str, str, Coercer]]]] = {}
    _indexes: ClassVar[dict[type, dict[str, tuple[str, Coercer]]]] = {}
    _BASE_FIELDS: ClassVar[frozenset[str]] = frozenset({"raw", "extra", "problems"})

    @classmethod
    def _fields(cls) -> list[tuple[str, str, Coercer]]:
        """(python name, wire name, coercer) of every declared field, built once per class."""
        spec = Model._specs.get(cls)
        if spec is None:
            hints = typing.get_type_hints(cls)
            spec = [
                (f.name, f.metadata.get("alias", f.name), _coercer(hints[f.name]))
                for f in dataclasses.fields(cls)
                if f.name not in Model._BASE_FIELDS
            ]
            Model._specs[cls] = spec
        return spec

    @classmethod
    def _index(cls) -> dict[str, tuple[str, Coercer]]:
        """Wire name -> (python name, coercer), built once per class."""
        index = Model._indexes.get(cls)
        if index is None:
            index = Model._indexes[cls] = {w: (n, c) for n, w, c in cls._fields()}
        return index

    @classmethod
    def from_dict(cls: type[M], data: object) -> M:
        """Read a model from a wire mapping (or JSON text); never raises on bad fields."""
        if type(data) is not dict:  # replies are dicts: the ABC checks only for the rest
            if isinstance(data, (str, bytes)):
                try:
                    data = repair_json(data.decode() if isinstance(data, bytes) else data)
                except (ValueError, UnicodeDecodeError):
                    data = {}
            if not isinstance(data, Mapping):
                obj = cls()
                obj.problems.append(f"expected an object, got {type(data).__name__}")
                return obj
        index = cls._index()
        values: dict[str, Any] = {}
        problems: list[str] = []
        extra: dict[str, Any] = {}
        for wire, value in data.items():  # one pass over the reply (polls read thousands)
            spec = index.get(wire)
            if spec is None:
                extra[wire] = value
            elif value is not None:
                ok, value = spec[1](value)
                if ok:
                    values[spec[0]] = value
                else:
                    problems.append(wire)
        return cls(**values, raw=dict(data), extra=extra, problems=problems)

    @classmethod
    def _read(cls, value: Any) -> tuple[bool, Any]:
        """Read a nested field's value; subclasses may accept more shapes."""
        if type(value) is dict or isinstance(value, Mapping):
            return True, cls.from_dict(value)
        return False, None

    def to_dict(self) -> dict[str, Any]:
        """The wire mapping: the raw input overlaid with the model's current values."""
        out = dict(self.raw)
        for name, wire, _ in self._fields():
            value = getattr(self, name)
            if value is None and wire not in out:
                continue
            out[wire] = _dump(value)
        return out

    def __repr__(self) -> str:
        shown = [
            f"{name}={getattr(self, name)!r}"
            for name, _, _ in self._fields()
            if getattr(self, name) is not None
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


def _dump(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


Coercer = Callable[[Any], tuple[bool, Any]]


def _coercer(tp: Any) -> Coercer:
    """A function reading a wire value as ``tp``: (True, value) or (False, None)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [_coercer(a) for a in typing.get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return options[0]

        def first(value: Any) -> tuple[bool, Any]:
            for option in options:
                ok, out = option(value)
                if ok:
                    return True, out
            return False, None

        return first
    if origin is list:
        (item_tp,) = typing.get_args(tp) or (Any,)
        item = _coercer(item_tp)

        def items(value: Any) -> tuple[bool, Any]:
            if not isinstance(value, list):
                return False, None
            out = []
            for v in value:
                ok, c = item(v)
                if ok:
                    out.append(c)
            return True, out

        return items
    if origin is dict or tp is dict:
        return lambda v: (True, dict(v)) if isinstance(v, Mapping) else (False, None)
    if isinstance(tp, type) and issubclass(tp, Model):
        return tp._read
    return _SCALARS.get(tp, _as_is)


def _as_is(value: Any) -> tuple[bool, Any]:
    return True, value


def _to_str(value: Any) -> tuple[bool, Any]:
    if isinstance(value, str):
        return True, value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True, str(value)
    return False, None


def _to_int(value: Any) -> tuple[bool, Any]:
    if type(value) is int:  # the common case first: polls read thousands of these
        return True, value
    if isinstance(value, bool):
        return True, int(value)
    if isinstance(value, int):
        return True, value
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, str):
        try:
            return True, int(value.strip())
        except ValueError:
            try:
                f = float(value)
            except ValueError:
                return False, None
            return (True, int(f)) if f.is_integer() else (False, None)
    return False, None


def _to_float(value: Any) -> tuple[bool, Any]:
    if type(value) is float:
        return True, value
    if isinstance(value, bool):
        return False, None
    if isinstance(value, (int, float)):
        return True, float(value)
    if isinstance(value, str):
        try:
            return True, float(value.strip().rstrip("%"))
        except ValueError:
            return False, None
    return False, None


def _to_bool(value: Any) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return True, value
    if isinstance(value, (int, float)) and value in (0, 1):
        return True, bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
        return True, value.lower() in ("true", "1")
    return False, None


_SCALARS: dict[Any, Coercer] = {bool: _to_bool, int: _to_int, float: _to_float, str: _to_str}


# --------------------------------------------------------------------------- Wujie models


@dataclass(repr=False)
class FailMessage(Model):
    """Why an artwork failed (``fail_code`` 0 means success)."""

    fail_code: int | None = None
    fail_message: str | None = None

    @classmethod
    def _read(cls, value: Any) -> tuple[bool, Any]:
        """Accept the object, or the plain text a failure callback carries (§10.4)."""
        if isinstance(value, str):
            return True, cls(fail_message=value)
        return super()._read(value)


@dataclass(repr=False)
class TechnologyInfo(Model):
    """The GPU that made a successful artwork."""

    machine_no: str | None = None
    gpu_type: str | None = None
    power_consumption: float | None = None


@dataclass(repr=False)
class AuditScene(Model):
    """One scene of the content audit (``TERRORISM`` or ``PORN``)."""

    rate: float | None = None
    suggestion: str | None = None
    label: str | None = None
    label_desc: str | None = None
    scene: str | None = None


@dataclass(repr=False)
class AuditInfo(Model):
    """Content-audit result; ``verdict`` is the effective PASS/REVIEW/BLOCK."""

    check_fail: bool | None = None
    hit: bool | None = None
    data_id: str | None = None
    total_suggestion: str | None = None
    scan_scene_d_t_o_s: list[AuditScene] | None = None
    url: str | None = None
    vendor: int | None = None
    result: str | None = None

    @classmethod
    def _read(cls, value: Any) -> tuple[bool, Any]:
        """Accept an object, JSON text, the seed's unescaped text, or an empty string."""
        if isinstance(value, Mapping):
            return True, cls.from_dict(value)
        if isinstance(value, str):
            if not value.strip():
                return True, cls()
            try:
                parsed = repair_json(value)
            except ValueError:
                return False, None
            if isinstance(parsed, Mapping):
                return True, cls.from_dict(parsed)
        return False, None

    @property
    def verdict(self) -> AuditSuggestion | None:
        """PASS, REVIEW or BLOCK; a failed check counts as BLOCK, as the service advises."""
        if self.check_fail:
            return AuditSuggestion.BLOCK
        if self.total_suggestion:
            try:
                return AuditSuggestion(self.total_suggestion.upper())
            except ValueError:
                return None
        scenes = [s.suggestion.upper() for s in self.scan_scene_d_t_o_s or [] if s.suggestion]
        if not scenes:
            return None
        if "BLOCK" in scenes:
            return AuditSuggestion.BLOCK
        if "REVIEW" in scenes:
            return AuditSuggestion.REVIEW
        return AuditSuggestion.PASS


@dataclass(repr=False)
class CreateResultItem(Model):
    """One created artwork: its key and the expected wait."""

    key: str | None = None
    expected_second: int | None = None
    batch_task_key: str | None = None
    template_key: str | None = None


@dataclass(repr=False)
class CreateResult(Model):
    """Reply of ``/ai/create*`` and ``/avatar/artwork/create``."""

    keys: list[str] | None = None
    results: list[CreateResultItem] | None = None
    expected_integral_cost: int | None = None


@dataclass(repr=False)
class GeneratingInfo(Model):
    """One element of ``/ai/generating_info``'s ``list``: the batch poll."""

    key: str | None = None
    status: int | None = None
    picture_url: str | None = None
    expected_seconds: int | None = None
    start_gen_time: int | None = None
    complete_time: int | None = None
    complete_percent: float | None = None
    queue_before_num: int | None = None
    reduce_time: int | None = None
    involve_yellow: int | None = None
    audit_info: AuditInfo | None = None
    fail_message: FailMessage | None = None
    model_prompt: str | None = None
    integral_cost: int | None = None
    integral_cost_message: str | None = None

    @property
    def status_enum(self) -> ArtworkStatus | None:
        """The status as an enum, None when missing or unknown."""
        return ArtworkStatus.parse(self.status)


@dataclass(repr=False)
class NamedWeight(Model):
    """A model-fusion entry in an artwork's detail."""

    name: str | None = None
    key: str | None = None
    weight: float | None = None


@dataclass(repr=False)
class ArtworkInfo(Model):
    """``/ai/info``: one artwork's full detail (seed 000)."""

    key: str | None = None
    prompt: str | None = None
    uc_prompt: str | None = None
    type: int | None = None
    model: int | None = None
    width: int | None = None
    height: int | None = None
    status: int | None = None
    picture_url: str | None = None
    mini_picture_url: str | None = None
    init_image_url: str | None = None
    init_image_similarity: float | None = None
    creativity_degree: float | None = None
    artist: str | None = None
    style: str | None = None
    image_type: str | None = None
    element_magic: list[str] | None = None
    generate_time: int | None = None
    start_gen_time: int | None = None
    complete_time: int | None = None
    involve_yellow: int | None = None
    audit_info: AuditInfo | None = None
    technology_info: TechnologyInfo | None = None
    fail_message: FailMessage | None = None
    model_prompt: str | None = None
    character_options: list[str] | None = None
    model_fusion: list[NamedWeight] | None = None
    style_model: str | None = None
    pretreatment_image: str | None = None
    pretreatment_method: str | None = None
    steps: int | None = None
    cfg: float | None = None
    sampler_index: int | None = None
    seed: str | None = None
    integral_cost: int | None = None
    integral_cost_message: str | None = None
    multi_diffusion: dict[str, Any] | None = None
    hr_second_pass_strength: float | None = None
    layer_diffusion: dict[str, Any] | None = None
    pattern: str | None = None
    cut_diffusion: dict[str, Any] | None = None

    @property
    def status_enum(self) -> ArtworkStatus | None:
        """The status as an enum, None when missing or unknown."""
        return ArtworkStatus.parse(self.status)


@dataclass(repr=False)
class ModelBaseInfo(Model):
    """One entry of ``/ai/model_base_infos``."""

    type: int | None = None
    model_code: str | None = None
    model_version: str | None = None
    model_desc: str | None = None
    controlnet_support: str | bool | None = None  # a string enum ("SUPPORT"), §10.1
    support_patterns: list[Any] | None = None
    support_cutdiffusion: bool | None = None


@dataclass(repr=False)
class Resolution(Model):
    """A size the model supports."""

    width: int | None = None
    height: int | None = None
    size_ratio: str | None = None
    super_size_multiple: float | None = None
    super_size_multiples: list[float] | None = None
    prefine_multiples: list[float] | float | None = None


@dataclass(repr=False)
class SamplerModel(Model):
    """A sampler the model supports."""

    sampler_model_name: str | None = None
    sampler_index: int | None = None


@dataclass(repr=False)
class CreateOptionMenu(Model):
    """The choices ``/ai/default_resource`` offers for one model."""

    image_type: list[Any] | None = None
    prompt_tips: list[Any] | None = None
    resolution: list[Resolution] | None = None
    style: list[Any] | None = None
    artist: list[Any] | None = None
    element_magic: list[Any] | None = None
    style_decoration: list[Any] | None = None
    character: list[Any] | None = None
    model_fusion: list[Any] | None = None
    patterns: list[Any] | None = None
    sampler_models: list[SamplerModel] | None = None


@dataclass(repr=False)
class DefaultResource(Model):
    """Reply of ``/ai/default_resource``."""

    create_option_menu: CreateOptionMenu | None = None


@dataclass(repr=False)
class StyleModel(Model):
    """One entry of ``/ai/default_resource_style_model``."""

    key: str | None = None
    name: str | None = None
    model_code: str | None = None
    sample_image_url: str | None = None


@dataclass(repr=False)
class IntegralUse(Model):
    """Credits a create would use, by cause; ``total`` is what it charges."""

    integral_use_on_create: int | None = None
    integral_use_on_resolution: int | None = None
    integral_use_on_style_model: int | None = None
    integral_use_on_steps: int | None = None
    integral_use_on_accelerate: int | None = None
    integral_use_on_super_size: int | None = None
    discount_integral: int | None = None

    @property
    def total(self) -> int:
        """Sum of the per-cause credits less the discount."""
        parts = (
            self.integral_use_on_create,
            self.integral_use_on_resolution,
            self.integral_use_on_style_model,
            self.integral_use_on_steps,
            self.integral_use_on_accelerate,
            self.integral_use_on_super_size,
        )
        return sum(p or 0 for p in parts) - (self.discount_integral or 0)


@dataclass(repr=False)
class PriceInfo(Model):
    """Reply of ``/ai/price_info``."""

    user_rights_use: dict[str, Any] | None = None
    vip_rights_use: dict[str, Any] | None = None
    integral_use: IntegralUse | None = None

    @property
    def total(self) -> int:
        """Credits the priced request would charge."""
        return self.integral_use.total if self.integral_use else 0


@dataclass(repr=False)
class ModelQueueInfo(Model):
    """Reply of ``/ai/model_info``: the model's queue."""

    expected_seconds: int | None = None
    queue_num: int | None = None
    reduce_time: int | None = None


@dataclass(repr=False)
class Balance(Model):
    """Reply of ``/account/availableIntegralBalance``."""

    balance: int | None = None


@dataclass(repr=False)
class AvatarTemplateOption(Model):
    """A template of the avatar camera."""

    template_key: str | None = None
    template_name: str | None = None
    theme_key: str | None = None
    theme_name: str | None = None
    sample_image_url: str | None = None


@dataclass(repr=False)
class AvatarResource(Model):
    """Reply of ``/avatar/artwork/default_resource``."""

    avatar_key: str | None = None
    template_options: list[AvatarTemplateOption] | None = None


@dataclass(repr=False)
class WujieCallback(Model):
    """Body the service POSTs to ``notify_url`` when an artwork finishes (seed 001)."""

    key: str | None = None
    batch_task_key: str | None = None
    success: bool | None = None
    code: int | None = None
    artwork_url: str | None = None
    audit_info: AuditInfo | None = None
    complete_time: int | None = None
    integral_cost: int | None = None
    integral_cost_message: str | None = None
    involve_yellow: int | None = None
    fail_message: FailMessage | None = None


# --------------------------------------------------------------------------- MJ models


@dataclass(repr=False)
class MjButton(Model):
    """A button under a finished task (U1..U4, V1..V4, reroll...)."""

    custom_id: str | None = alias("customId")
    emoji: str | None = None
    label: str | None = None
    type: int | None = None
    style: int | None = None


@dataclass(repr=False)
class MjTaskInfo(Model):
    """A Midjourney-proxy task as the proxy reports it (times are unix milliseconds)."""

    id: str | None = None
    action: str | None = None
    custom_id: str | None = alias("customId")
    bot_type: str | None = alias("botType")
    prompt: str | None = None
    prompt_en: str | None = alias("promptEn")
    description: str | None = None
    state: str | None = None
    submit_time: int | None = alias("submitTime")
    start_time: int | None = alias("startTime")
    finish_time: int | None = alias("finishTime")
    image_url: str | None = alias("imageUrl")
    status: str | None = None
    progress: str | None = None
    fail_reason: str | None = alias("failReason")
    buttons: list[MjButton] | None = None
    mask_base64: str | None = alias("maskBase64")
    properties: dict[str, Any] | None = None

    @property
    def status_enum(self) -> MjStatus | None:
        """The status as an enum, None when missing or unknown."""
        return MjStatus.parse(self.status)

    @property
    def percent(self) -> float | None:
        """Progress as a number (``"45%"`` -> 45.0)."""
        ok, value = _to_float(self.progress) if self.progress else (False, None)
        return value if ok else None

    def button(self, label: str) -> MjButton | None:
        """The button with this label (``"U2"``) or emoji (``"🔄"``), if the task has it."""
        if not isinstance(label, str):
            return None
        for b in self.buttons or []:
            if label in (b.label, b.emoji) or (label.lower() == "reroll" and b.emoji == "🔄"):
                return b
        return None


@dataclass(repr=False)
class MjAccount(Model):
    """One Discord account of a proxy as its account routes show it (N ``/account/list``,
    P ``/account/query``): what it may run at once, queue, and for how long. The account's
    ``userToken`` is dropped before this is read (see ``wjnb.api.mj``)."""

    id: str | None = None
    channel_id: str | None = alias("channelId")
    enable: bool | None = None
    core_size: int | None = alias("coreSize")
    queue_size: int | None = alias("queueSize")
    timeout_minutes: float | None = alias("timeoutMinutes")
    #: trueai's per-account day limit (-1: none) and today's count, where shown.
    day_draw_limit: int | None = alias("dayDrawLimit")
    day_draw_count: int | None = alias("dayDrawCount")


#: The former name of ``MjTaskInfo`` (kept for one release; the tracked task is
#: ``wjnb.MjTask``).
MjTask = MjTaskInfo


@dataclass(repr=False)
class MjSubmitReply(Model):
    """Reply of ``/mj/submit/*`` and task cancel: ``{code, description, result, properties}``."""

    code: int | None = None
    description: str | None = None
    result: str | None = None
    properties: dict[str, Any] | None = None
