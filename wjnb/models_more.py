"""Enums and lenient wire models of the rest of the Wujie open API (``wujie-api-more.md``).

Pro artworks, upscale (supersize) and youthify, prompt tools, video, SVD, avatar training,
the personal camera, the lab and the account. Shared by the client and the sandbox, like
``wjnb.models``: readers keep unknown fields and never fail on a field's type. Status enums
the references leave undocumented are the sandbox's assumptions (see its README).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .models import AuditInfo, CreateResultItem, FailMessage, Model, alias

# --------------------------------------------------------------------------- status enums


class SupersizeStatus(enum.IntEnum):
    """``/ai/supersize`` job status (Apifox)."""

    RUNNING = 1
    SUCCESS = 2
    FAILED = 3
    QUEUED = 4


class SpellAnalysisStatus(enum.IntEnum):
    """``/ai/spell_analysis`` job status (Apifox)."""

    FAILED = -1
    RUNNING = 0
    DONE = 1


class OptimizeCode(enum.IntEnum):
    """``/ai/optimize/prompt/result`` ``data.code`` (undocumented: the sandbox's assumption)."""

    FAILED = -1
    RUNNING = 0
    DONE = 1


class VideoStatus(enum.IntEnum):
    """Video-to-video and SVD status (undocumented: the sandbox uses the artwork codes)."""

    QUEUED = 1
    GENERATING = 2
    FAILED = 3
    SUCCESS = 4


class AvatarStatus(enum.IntEnum):
    """Avatar training status (Apifox)."""

    CREATED = 0
    QUEUED = 3
    QUEUE_TIMEOUT = 4
    TRAINING = 7
    SUCCESS = 10
    FAILED = 14


class CameraStatus(enum.IntEnum):
    """Personal-camera artwork status (Apifox)."""

    CANCELLED = -1
    SUBMITTED = 0
    QUEUED = 1
    GENERATING = 2
    FAILED = 3
    SUCCESS = 4
    NIGHT_QUEUE = 5


class LabStatus(str, enum.Enum):
    """Lab job status, a string (undocumented: the sandbox's assumption)."""

    WAITING = "WAITING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


TERMINAL: dict[type[enum.Enum], frozenset[Any]] = {
    SupersizeStatus: frozenset({SupersizeStatus.SUCCESS, SupersizeStatus.FAILED}),
    SpellAnalysisStatus: frozenset({SpellAnalysisStatus.DONE, SpellAnalysisStatus.FAILED}),
    OptimizeCode: frozenset({OptimizeCode.DONE, OptimizeCode.FAILED}),
    VideoStatus: frozenset({VideoStatus.SUCCESS, VideoStatus.FAILED}),
    AvatarStatus: frozenset(
        {AvatarStatus.SUCCESS, AvatarStatus.FAILED, AvatarStatus.QUEUE_TIMEOUT}
    ),
    CameraStatus: frozenset({CameraStatus.SUCCESS, CameraStatus.FAILED, CameraStatus.CANCELLED}),
    LabStatus: frozenset({LabStatus.SUCCESS, LabStatus.FAILED}),
}


def is_terminal(enum_type: type[enum.Enum], value: object) -> bool:
    """True when ``value`` is a terminal member of ``enum_type`` (unknown values are not)."""
    try:
        member = enum_type(value)
    except ValueError:
        return False
    return member in TERMINAL[enum_type]


# --------------------------------------------------------------------------- request enums


class SupersizeType(str, enum.Enum):
    """``super_size_type`` of ``/ai/supersize``."""

    GENERAL = "GENERAL"
    ANIME = "ANIME"


class CostType(str, enum.Enum):
    """``cost_type`` of ``/ai/supersize``: integral (积分) or the pro time balance."""

    INTEGRAL = "INTEGRAL"
    DURATION = "DURATION"


class OptimizeType(enum.IntEnum):
    """``type`` of ``/ai/optimize/prompt/submit``."""

    COMMON = 1
    COLOR = 2
    ANIME = 3


class OptimizeLanguage(enum.IntEnum):
    """``language`` of ``/ai/optimize/prompt/submit``."""

    CHINESE = 0
    ENGLISH = 1


class MagicDiceType(str, enum.Enum):
    """``type`` of ``/ai/magic_dice/search``."""

    MAGIC_DICE = "MAGIC_DICE"
    SMART_MAGIC = "SMART_MAGIC"


class MagicDiceModel(str, enum.Enum):
    """``model`` of ``/ai/magic_dice/search``."""

    STABLE_DIFFUSION = "STABLE_DIFFUSION"
    ANIME_DIFFUSION = "ANIME_DIFFUSION"
    STYLE = "STYLE"


class MagicDiceLanguage(str, enum.Enum):
    """``language`` of ``/ai/magic_dice/search``."""

    CHINESE = "CHINESE"
    ENGLISH = "ENGLISH"


class CameraMove(str, enum.Enum):
    """``camera_move_type`` of ``/ai/pro/svd/create``."""

    DEFAULT = "DEFAULT"
    MOVE_UP = "MOVE_UP"
    MOVE_DOWN = "MOVE_DOWN"
    MOVE_LEFT = "MOVE_LEFT"
    MOVE_RIGHT = "MOVE_RIGHT"
    MOVE_ZOOMIN = "MOVE_ZOOMIN"
    MOVE_ZOOMOUT = "MOVE_ZOOMOUT"


class LabOptionType(str, enum.Enum):
    """``optionType`` of ``/ai/pro/lab/options``."""

    INFINITE_ZOOM_MODEL = "INFINITE_ZOOM_MODEL"
    INFINITE_ZOOM_SAMPLER = "INFINITE_ZOOM_SAMPLER"
    SEGMENT_ANYTHING_MODEL = "SEGMENT_ANYTHING_MODEL"
    VECTOR_STUDIO_STYLE = "VECTOR_STUDIO_STYLE"


class LabAiType(str, enum.Enum):
    """``aiType`` of the lab routes."""

    AI_LAB_INFINITE_ZOOM = "AI_LAB_INFINITE_ZOOM"
    AI_LAB_SEGMENTATION = "AI_LAB_SEGMENTATION"
    MJ_DESCRIBE = "MJ_DESCRIBE"
    PICTURE = "PICTURE"
    SUPER_SIZE = "SUPER_SIZE"
    VECTOR = "VECTOR"
    VIDEO = "VIDEO"


# --------------------------------------------------------------------------- account, pro


@dataclass(repr=False)
class ProBalance(Model):
    """``/ai/pro/account/balance``: the pro time balance (unit not documented)."""

    resource_balance: int | None = alias("resourceBalance")


@dataclass(repr=False)
class ProModelInfo(Model):
    """One entry of ``/ai/pro/model_base_infos`` (``controlnet_support`` is a string enum)."""

    type: int | None = None
    model_code: int | None = None
    model_version: str | None = None
    model_desc: str | None = None
    controlnet_support: str | bool | None = None


@dataclass(repr=False)
class SliderSpec(Model):
    """Bounds of a ControlNet preprocessor slider."""

    name: str | None = None
    min: int | None = None
    max: int | None = None
    step: int | None = None
    value: int | None = None
    name_cn: str | None = None


@dataclass(repr=False)
class ControlNetChoice(Model):
    """A ControlNet model (its ``code`` goes into ``control_net_params[].model``)."""

    code: int | None = None
    name: str | None = None
    is_default: bool | None = None


@dataclass(repr=False)
class ControlNetPreprocessor(Model):
    """A ControlNet preprocessor and its sliders."""

    code: int | None = None
    name: str | None = None
    resolution: SliderSpec | None = None
    threshold_a: SliderSpec | None = None
    threshold_b: SliderSpec | None = None
    is_default: bool | None = None


@dataclass(repr=False)
class ControlNetOption(Model):
    """One ControlNet type of ``/ai/pro/controlNetOption``."""

    code: int | None = None
    name: str | None = None
    model: list[ControlNetChoice] | None = None
    preprocessor: list[ControlNetPreprocessor] | None = None


@dataclass(repr=False)
class ProCreateResult(Model):
    """``/ai/pro/create``: one key per image."""

    results: list[CreateResultItem] | None = None

    @property
    def keys(self) -> list[str]:
        """The created keys, in order."""
        return [r.key for r in self.results or [] if r.key]


@dataclass(repr=False)
class ProGeneratingInfo(Model):
    """One element of ``/ai/pro/generating_info``'s ``infos``."""

    key: str | None = None
    status: int | None = None
    picture_url: str | None = None
    expected_seconds: int | None = None
    start_gen_time: int | None = None
    complete_time: int | None = None
    complete_percent: float | None = None
    involve_yellow: int | None = None
    audit_info: AuditInfo | None = None
    fail_message: FailMessage | None = None


@dataclass(repr=False)
class ProArtworkInfo(Model):
    """``/ai/pro/info``: the parameters a pro artwork ran with, and its time cost."""

    model_code: int | None = None
    prompt: str | None = None
    width: int | None = None
    height: int | None = None
    supersize_multiple: float | None = None
    prefine_multiple: float | None = None
    picture_url: str | None = None
    option_info: dict[str, Any] | None = None
    advanced_info: dict[str, Any] | None = None
    img_to_img_info: dict[str, Any] | None = None
    control_net_info: list[dict[str, Any]] | None = None
    cost_info: dict[str, Any] | None = None
    inpainting_plugin: dict[str, Any] | None = None
    tiled_diffusion: dict[str, Any] | None = None
    face_editor: dict[str, Any] | None = None
    ultimate_upscale: dict[str, Any] | None = None
    adetailer: list[dict[str, Any]] | None = None

    @property
    def duration_cost(self) -> int | None:
        """The charge in the pro time balance."""
        value = (self.cost_info or {}).get("duration_cost")
        return value if isinstance(value, int) else None


# --------------------------------------------------------------------------- upscale, youthify


@dataclass(repr=False)
class KeyReply(Model):
    """A create reply that names one job: ``{key}``."""

    key: str | None = None


@dataclass(repr=False)
class SupersizeInfo(Model):
    """One element of ``GET /ai/supersize``."""

    key: str | None = None
    url: str | None = None
    sr_url: str | None = None
    multiple: float | None = None
    status: int | None = None
    integral: int | None = None
    duration: int | None = None


@dataclass(repr=False)
class YouthifyResult(Model):
    """``/ai/youthify``: artwork keys (``keys`` may be a string or a list)."""

    keys: list[str] | str | None = None
    results: list[CreateResultItem] | None = None
    expected_integral_cost: int | None = None

    @property
    def key_list(self) -> list[str]:
        """The artwork keys whichever form ``keys`` took."""
        if isinstance(self.keys, list):
            return self.keys
        if self.results:
            return [r.key for r in self.results if r.key]
        return [k for k in (self.keys or "").split(",") if k]


# --------------------------------------------------------------------------- prompt tools


@dataclass(repr=False)
class OptimizeResult(Model):
    """``/ai/optimize/prompt/result``."""

    task_id: str | None = None
    code: int | None = None
    result: str | None = None


@dataclass(repr=False)
class Spell(Model):
    """One ready-made prompt snippet of ``/ai/spell``."""

    spell_name: str | None = None
    spell_en_name: str | None = None
    icon: str | None = None
    category: str | None = None
    label: str | None = None


@dataclass(repr=False)
class SpellAnalysisInfo(Model):
    """``/ai/spell_analysis/info``: tags read from a picture."""

    spell_analysis_info_key: str | None = None
    tags: str | None = None
    image_url: str | None = None
    status: int | None = None
    tag_list: list[str] | None = None

    @property
    def tag_names(self) -> list[str]:
        """The tags as a list (from ``tag_list`` or the comma-separated ``tags``)."""
        if self.tag_list:
            return self.tag_list
        return [t.strip() for t in (self.tags or "").split(",") if t.strip()]


@dataclass(repr=False)
class MagicDiceTheme(Model):
    """A theme of the magic dice."""

    theme_id: int | None = None
    name: str | None = None


@dataclass(repr=False)
class MagicDiceResult(Model):
    """``/ai/magic_dice/search``: a prompt with suggested create parameters."""

    prompt_chinese: str | None = None
    prompt_english: str | None = None
    model: str | None = None
    model_code: int | None = None
    cfg: float | None = None
    image_type: list[str] | None = None
    style: list[str] | None = None
    artists: list[str] | None = None
    element_magic: list[str] | None = None
    character: list[str] | None = None
    model_fusion: list[dict[str, Any]] | None = None


# --------------------------------------------------------------------------- video, SVD


@dataclass(repr=False)
class VideoModelOption(Model):
    """A video-to-video model."""

    model_code: int | None = None
    name: str | None = None


@dataclass(repr=False)
class VideoPayInfo(Model):
    """Video prices: the normal and the night queue."""

    price: int | None = None
    night_price: int | None = None


@dataclass(repr=False)
class VideoOptionMenu(Model):
    """``/ai/video/option_menu``."""

    ai_video_model_option_vos: list[VideoModelOption] | None = None
    pay_info_vo: VideoPayInfo | None = None


@dataclass(repr=False)
class VideoWaitTime(Model):
    """``/ai/video/wait_time``."""

    free_expected_seconds: int | None = None
    night_expected_time: int | None = None
    queue_num: int | None = None


@dataclass(repr=False)
class VideoMeta(Model):
    """The result clip's format, size, duration and cover."""

    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    size: int | None = None
    codec_type: str | None = None
    frame_rate: int | None = None
    cover: dict[str, Any] | None = None


@dataclass(repr=False)
class VideoInfo(Model):
    """One video-to-video job (``/ai/video/info`` and the batch poll's ``list``)."""

    key: str | None = None
    model_name: str | None = None
    origin_video_url: str | None = None
    ai_video_url: str | None = None
    model_code: int | None = None
    status: int | None = None
    create_time: int | None = None
    complete_time: int | None = None
    expected_seconds: int | None = None
    queue_type: int | None = None
    complete_percent: float | None = None
    ai_video_meta_info: VideoMeta | None = None
    violation: bool | None = None
    violation_info: dict[str, Any] | None = None
    fail_message: FailMessage | None = None


@dataclass(repr=False)
class VideoPoll(Model):
    """``/ai/video/generating_info``: the jobs and when to poll next."""

    infos: list[VideoInfo] | None = alias("list")  # noqa: RUF009
    next_polling_time: int | None = None


@dataclass(repr=False)
class SvdInfo(Model):
    """``/ai/pro/svd/info``: an image-to-video job."""

    key: str | None = None
    video_url: str | None = None
    init_image_url: str | None = None
    duration: int | None = None
    motion_amplitude: int | None = None
    noise_intensity: float | None = None
    random_seed: str | None = None
    status: int | None = None
    fail_message: FailMessage | None = None


# --------------------------------------------------------------------------- avatar, camera


@dataclass(repr=False)
class ImageCheck(Model):
    """One photo's verdict from ``/avatar/image_check_batch``."""

    image_url: str | None = None
    passed: bool | None = alias("pass")
    status: str | None = None
    message: str | None = None
    similarity: float | None = None


@dataclass(repr=False)
class ImageCheckResult(Model):
    """``/avatar/image_check_batch``."""

    image_check_info_list: list[ImageCheck] | None = None


@dataclass(repr=False)
class AvatarTraining(Model):
    """``/avatar/create``: the avatar's key and the expected training time."""

    key: str | None = None
    expected_second: int | None = None


@dataclass(repr=False)
class AvatarInfo(Model):
    """``/avatar/info``: training status and the LoRA name (``lora:NAME:weight``)."""

    key: str | None = None
    model_fusion_name: str | None = None
    status: int | None = None


@dataclass(repr=False)
class CameraTemplate(Model):
    """A personal-camera template."""

    key: str | None = alias("_key")
    category: str | None = None
    url: str | None = None


@dataclass(repr=False)
class CameraCreateResult(Model):
    """``/avatar/camera/create``: artwork keys and the time they will cost."""

    keys: list[str] | None = None
    expected_duration_cost: int | None = None


@dataclass(repr=False)
class CameraGeneratingInfo(Model):
    """One element of the camera batch poll's ``infos``."""

    key: str | None = None
    status: int | None = None
    artwork_url: str | None = None
    expected_seconds: int | None = None
    start_gen_time: int | None = None
    complete_time: int | None = None
    complete_percent: float | None = None
    fail_message: FailMessage | None = None


@dataclass(repr=False)
class CameraInfo(Model):
    """``/avatar/camera/info``: one camera artwork."""

    key: str | None = None
    status: int | None = None
    artwork_url: str | None = None
    width: int | None = None
    height: int | None = None
    seed: str | None = None
    fail_message: FailMessage | None = None


# --------------------------------------------------------------------------- lab


@dataclass(repr=False)
class LabOption(Model):
    """A model, sampler or style a lab tool offers."""

    code: int | None = None
    name: str | None = None


@dataclass(repr=False)
class LabCreated(Model):
    """A lab create reply: the job's key and ``aiType`` (read it with ``lab.info``)."""

    key: str | None = None
    ai_type: str | None = alias("aiType")


@dataclass(repr=False)
class LabInfo(Model):
    """``/ai/pro/lab/info``: one lab job and the tool's own result object."""

    ai_type: str | None = alias("aiType")
    service_key: str | None = alias("serviceKey")
    check_is_violation: int | None = alias("checkIsViolation")
    complete_percent: float | None = alias("completePercent")
    fail_message: Any = alias("failMessage")  # noqa: RUF009
    status: str | None = None
    segment_info: dict[str, Any] | None = alias("segmentInfo")  # noqa: RUF009
    infinite_zoom_info: dict[str, Any] | None = alias("infiniteZoomInfo")  # noqa: RUF009
    vector_info: dict[str, Any] | None = alias("vectorInfo")  # noqa: RUF009

    @property
    def result_urls(self) -> list[str]:
        """The result files: masks, the zoom video, or the vector files."""
        seg = self.segment_info or {}
        zoom = self.infinite_zoom_info or {}
        vec = self.vector_info or {}
        urls = [u for u in seg.get("imageUrls") or [] if isinstance(u, str)]
        if isinstance(zoom.get("videoUrl"), str) and zoom["videoUrl"]:
            urls.append(zoom["videoUrl"])
        urls += [
            r["url"]
            for r in vec.get("vectorRes") or []
            if isinstance(r, dict) and isinstance(r.get("url"), str)
        ]
        return urls
