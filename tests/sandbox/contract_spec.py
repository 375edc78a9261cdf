"""A strict JSON decoder generated from the types of ``wujie-api.md`` + ``wujie-api-more.md``.

Each reply type is written in the references' own vocabulary — ``string``, ``int``,
``float``, ``bool``, ``any``, ``[T]`` (array of T), ``{name: T, ...}`` — and parsed into a
checker. The rules are Go's ``encoding/json`` as the reference describes them, minus its
forgiveness: an ``int`` accepts only a JSON number with no fractional part written as an
integer (never ``1.0``, never ``"1"``), a ``float`` any JSON number, a ``string`` only a
string, a ``bool`` only ``true``/``false``; ``null`` is accepted only where Go has a nil
(arrays, objects, ``any``). Every listed field must be present unless marked ``name?``;
unknown fields are allowed (the SDK ignores them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any, str], list[str]]

_TOKEN = re.compile(r"\s*([{}\[\],:?]|[A-Za-z_][A-Za-z0-9_]*)")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SyntaxError(f"bad type text at {text[pos : pos + 20]!r}")
        out.append(match.group(1))
        pos = match.end()
    return out


def _scalar(name: str) -> Check:
    def check(value: Any, where: str) -> list[str]:
        if name == "any":
            return []
        if value is None:
            return [f"{where}: null where {name} is typed"]
        ok = {
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        }[name]
        return [] if ok else [f"{where}: expected {name}, got {value!r:.60}"]

    return check


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.i]
        if expected is not None and token != expected:
            raise SyntaxError(f"expected {expected!r}, got {token!r} in {self.tokens}")
        self.i += 1
        return token

    def peek(self) -> str:
        return self.tokens[self.i]

    def type(self) -> Check:
        token = self.take()
        if token == "[":
            item = self.type()
            self.take("]")

            def array(value: Any, where: str) -> list[str]:
                if value is None:
                    return []
                if not isinstance(value, list):
                    return [f"{where}: expected an array, got {value!r:.60}"]
                return [e for i, v in enumerate(value) for e in item(v, f"{where}[{i}]")]

            return array
        if token == "{":
            fields: dict[str, tuple[Check, bool]] = {}
            while self.peek() != "}":
                name = self.take()
                optional = self.peek() == "?"
                if optional:
                    self.take("?")
                self.take(":")
                fields[name] = (self.type(), optional)
                if self.peek() == ",":
                    self.take(",")
            self.take("}")

            def obj(value: Any, where: str) -> list[str]:
                if value is None:
                    return []
                if not isinstance(value, dict):
                    return [f"{where}: expected an object, got {value!r:.60}"]
                errors = []
                for name, (check, optional) in fields.items():
                    if name not in value:
                        if not optional:
                            errors.append(f"{where}.{name}: missing")
                        continue
                    errors += check(value[name], f"{where}.{name}")
                return errors

            return obj
        if token in ("string", "int", "float", "bool", "any"):
            return _scalar(token)
        raise SyntaxError(f"unknown type {token!r}")


def decoder(text: str) -> Check:
    """The checker of one type text."""
    parser = _Parser(text)
    check = parser.type()
    if parser.i != len(parser.tokens):
        raise SyntaxError(f"trailing tokens in {text!r}")
    return check


# --------------------------------------------------------------------------- the types

FAIL = "{fail_code: int, fail_message: string}"
ENVELOPE = "{code: string, message: string, success?: bool, data: any}"
CREATE = (
    "{keys: [string], results: [{key: string, expected_second: int}], expected_integral_cost: int}"
)
AVATAR_CREATE = (
    "{keys: [string], results: [{template_key: string, key: string, expected_second: int}],"
    " expected_integral_cost: int}"
)
GENERATING = (
    "{key: string, status: int, picture_url: string, expected_seconds: int, start_gen_time: int,"
    " complete_time: int, complete_percent: float, queue_before_num: int, reduce_time: int,"
    f" involve_yellow: int, audit_info: string, fail_message: {FAIL}, model_prompt: string,"
    " integral_cost: int, integral_cost_message: string}"
)
INFO = (
    "{prompt: string, uc_prompt: string, type: int, model: int, width: int, height: int,"
    " status: int, picture_url: string, mini_picture_url: string, init_image_url: string,"
    " init_image_similarity: int, creativity_degree: int, artist: string, style: string,"
    " image_type: string, element_magic: [string], generate_time: int, start_gen_time: int,"
    " complete_time: int, involve_yellow: int, audit_info: string,"
    " technology_info: {machine_no: string, gpu_type: string, power_consumption: float},"
    f" fail_message: {FAIL}, model_prompt: string, character_options: [string],"
    " model_fusion: [{name: string, weight: float}], style_model: string,"
    " pretreatment_image: string, pretreatment_method: string, steps: int, cfg: float,"
    " sampler_index: int, seed: string, integral_cost: int, integral_cost_message: string,"
    " multi_diffusion: any, hr_second_pass_strength: float,"
    " layer_diffusion: {method: int, weight: float, ending_step: float}, pattern: string,"
    " cut_diffusion: {cutdiff_proportion: float, cfg_scale1: float, cfg_scale2: float}}"
)
_PARAMS_STRINGS = [
    "key",
    "artwork_url",
    "pattern",
    "prompt",
    "uc_prompt",
    "init_image_url",
    "pretreatment_method",
    "mask_image_url",
    "mask_zone_image_url",
    "size",
    "style_decoration",
    "character",
    "model_fusion",
    "style_model",
    "resolution_info",
    "sampler_index",
    "seed",
    "consumed_time",
]
_PARAMS_TYPED = {
    **dict.fromkeys(
        [
            "model",
            "model_code",
            "creativity_degree",
            "init_width",
            "init_height",
            "nature",
            "prompt_optimize",
            "steps",
            "super_type",
            "clip_skip",
        ],
        "int",
    ),
    "cfg": "float",
    "ensd": "float",
    "chat_gpt_optimize": "bool",
    "repair_the_hand": "bool",
}
CREATE_PARAMS = (
    "[{"
    + ", ".join(
        [f"{n}: string" for n in _PARAMS_STRINGS]
        + [f"{n}: {t}" for n, t in _PARAMS_TYPED.items()]
        + [f"{n}_as_string: string" for n in _PARAMS_TYPED]
    )
    + "}]"
)
AUDIT = (
    "{check_fail: bool, hit: bool, data_id: string, total_suggestion: string,"
    " scan_scene_d_t_o_s: [{rate: float, suggestion: string, label: string, label_desc: string,"
    " scene: string}], url: string}"
)
# Seed 001 (which wins over the SDK) has no ``batch_task_key`` in its success callback.
SUCCESS_CALLBACK = (
    "{key: string, batch_task_key?: string, success: bool, code: int, artwork_url: string,"
    f" audit_info: {AUDIT}, complete_time: int, integral_cost: int,"
    " integral_cost_message: string, involve_yellow: int}"
)
FAILURE_CALLBACK = (
    "{key: string, batch_task_key: string, success: bool, code: int, fail_message: string,"
    " integral_cost: int, integral_cost_message: string}"
)
NAMED = "{name: string, url: string, category: string}"
KEYED = "{key: string, name: string, choice_key: string}"
LORA = (
    "{key: string, name: string, category: string, recommended_weight: float,"
    " support_model_versions: [string]}"
)
DETAILS = "[{multiple: float, integral_price: int}]"
DEFAULT_RESOURCE = (
    "{create_option_menu: {image_type: [" + NAMED + "], prompt_tips: [{name: string}],"
    " resolution: [{width: int, height: int, super_size_multiple: float,"
    " super_size_multiples: [float], prefine_multiples: [float],"
    f" super_size_details: {DETAILS}, prefine_details: {DETAILS}, url: string,"
    " size_ratio: string}],"
    " resolution_new: {resolution_key: string, resolution_list: [{width: int, height: int,"
    " super_size_multiple: float, prefine_multiples: float, display_resolution: string,"
    " url: string, size_ratio: string}]},"
    f" style: [{NAMED}], artist: [{NAMED}], element_magic: [{KEYED}],"
    f" style_decoration: [{KEYED}], character: [{LORA}], model_fusion: [{LORA}],"
    " patterns: [{name: string}], sampler_models: [{sampler_model_name: string,"
    " sampler_index: int}]}}"
)
PRICE = (
    "{user_rights_use: {daily_free_create_times_use: int, deserved_create_times_use: int},"
    " vip_rights_use: {create_times_use: int, accelerate_times_use: int,"
    " super_size_times_use: int}, integral_use: {integral_use_on_create: int,"
    " integral_use_on_resolution: int, integral_use_on_style_model: int,"
    " integral_use_on_steps: int, integral_use_on_accelerate: int,"
    " integral_use_on_super_size: int, discount_integral: int}}"
)
MODEL_BASE = (
    "[{type: int, model_code: int, model_version: string, model_desc: string,"
    " controlnet_support: string}]"
)
SLIDER = "{name: string, min: int, max: int, step: int, value: int, name_cn: string}"
CONTROLNET = (
    "[{code: int, name: string, model: [{code: int, name: string, is_default: bool}],"
    f" preprocessor: [{{code: int, name: string, resolution: {SLIDER}, threshold_a: {SLIDER},"
    f" threshold_b: {SLIDER}, is_default: bool}}]}}]"
)
PRO_GENERATING = (
    "{infos: [{key: string, status: int, picture_url: string, expected_seconds: int,"
    " start_gen_time: int, complete_time: int, complete_percent: float, involve_yellow: int,"
    f" audit_info: string, fail_message: {FAIL}}}]}}"
)
UNIT = (
    "type: int, preprocessor: int, model: int, control_weight: int,"
    " starting_control_step: int, ending_control_step: int, control_mode: int,"
    " image_url: string, image_width: int, image_height: int, mask_url: string,"
    " processor_res: int, threshold_a: int, threshold_b: int, resize_mode: int,"
    " pixel_perfect: bool"
)
INPAINT = (
    "mask_zone_image_url: string, mask_blur: int, inpainting_fill: int,"
    " inpainting_mask_invert: bool, inpaint_full_res_padding: int, inpaint_full_res: bool"
)
FACE = (
    "enabled: bool, use_minimal_area: bool, affected_areas: [string], mask_size: int,"
    " mask_blur: int, max_face_count: int, confidence: float, face_margin: float,"
    " face_size: int, ignore_larger_faces: bool, strength1: float,"
    " apply_inside_mask_only: bool, strength2: float, prompt_for_face: string"
)
UPSCALE = (
    "{enabled: bool, target_size_type: int, upscaler_index: int, redraw_mode: int,"
    " tile_width: int, tile_height: int, mask_blur: int, seams_fix_type: int,"
    " seams_fix_width: int, seams_fix_denoise: float, seams_fix_padding: int}"
)
FUSION = "[{name: string, weight: float}]"
PRO_INFO = (
    "{model_code: int, prompt: string, width: int, height: int, supersize_multiple: float,"
    " prefine_multiple: float, picture_url?: string,"
    f" option_info: {{style_model: string, character: [string], model_fusion: {FUSION}}},"
    " advanced_info: {uc_prompt: string, restore_faces: bool, tilling: bool, seed: string,"
    " vae_file: string, cfg: float, sampler_steps: int, sampler_index: int, clip_skip: int,"
    " ensd: float, hires_fix_info: {denoising_strength: float}},"
    " img_to_img_info: {init_image_url: string, creativity_degree: int, resize_mode: string},"
    f" control_net_info: [{{{UNIT}, pretreatment_image_url: string}}],"
    " cost_info: {duration_cost: int},"
    f" inpainting_plugin: {{{INPAINT}, mask_image_url: string}},"
    " tiled_diffusion: {enabled: bool, draw_background: bool, bbox_control_states: [{"
    " enabled: bool, x: float, y: float, w: float, h: float, prompt: string,"
    " neg_prompt: string, blend_mode: string, seed: int, option_info: {"
    f" character_options: [{{key: string}}], model_fusion: {FUSION}}}}}]}},"
    f" face_editor: {{{FACE}}}, ultimate_upscale: {UPSCALE},"
    " adetailer: [{ad_model: string, ad_negative_prompt: string, ad_prompt: string}]}"
)
SUPERSIZE = (
    "[{key: string, url: string, sr_url: string, multiple: float, status: int,"
    " integral: int, duration: int}]"
)
YOUTHIFY = (
    "{keys: string, results: [{key: string, expected_second: int}], expected_integral_cost: int}"
)
VIDEO_INFO = (
    "{key: string, model_name: string, origin_video_url: string, ai_video_url: string,"
    " model_code: int, status: int, create_time: int, complete_time: int,"
    " expected_seconds: int, queue_type: int, complete_percent: float,"
    " ai_video_meta_info: {format: string, width: int, height: int, duration: int, size: int,"
    " codec_type: string, frame_rate: int, cover: {url: string, width: int, height: int}},"
    " violation: bool, violation_info: {check_fail: bool, total_suggestion: string,"
    " data_id: string, task_id: string, url: string, source_result: string,"
    " vendor_app: string, _screenshot_nums: int, screenshot_infos: [{url: string,"
    " scan_scene_d_t_o_s: [{scene: string, label: string, label_desc: string,"
    " suggestion: string, rate: float, sub_labels: [{sub_label: string,"
    f" sub_label_desc: string, rate: float}}]}}]}}]}}, fail_message: {FAIL}}}"
)
CAMERA_POLL = (
    "{infos: [{key: string, status: int, artwork_url: string, expected_seconds: int,"
    " start_gen_time: int, complete_time: int, complete_percent: float,"
    f" fail_message: {FAIL}}}]}}"
)
CAMERA_INFO = (
    "{key: string, status: int, artwork_url: string, width: int, height: int, seed: string,"
    f" fail_message: {FAIL}}}"
)
ZOOM_FIELDS = (
    "cfg: int, creativity: int, exitImageUrl: string, fps: [{prompt: string, second: int}],"
    " imageHeight: int, imageSeed: int, imageWidth: int, initImageUrl: string,"
    " maskFeathering: int, modelCode: int, movementSpeed: int, promptPrefix: string,"
    " promptSuffix: string, sampler: int, ucPrompt: string, videoEndFreezeFrameNumber: int,"
    " videoFrameRate: int, videoSecond: int, videoStartFreezeFrameNumber: int,"
    " videoUrl: string, videoZoomMode: int"
)
LAB_INFO = (
    "{aiType: string, serviceKey: string, checkIsViolation: int, completePercent: int,"
    " failMessage: any, status: string,"
    " segmentInfo: {imageUrl: string, modelCode: int, modelName: string,"
    " negativePoints: [string], positivePoints: [{x: int, y: int}], prompt: any,"
    " threshold: int, imageUrls: [string]},"
    f" infiniteZoomInfo: {{{ZOOM_FIELDS}, modelName: string, samplerName: string}},"
    " vectorInfo: {miniArtWorkUrl: string, vectorization: bool, style: int,"
    " styleName: string, threshold: int, whiteOpaque: bool, whiteMarginFormat: bool,"
    " transparentPNG: bool, noiseTolerance: int, quantize: int, aiArtworkId: any,"
    " vectorRes: [{url: string, showName: string, type: string}]}}"
)
SVD_INFO = (
    "{key: string, video_url: string, init_image_url: string, duration: int,"
    " motion_amplitude: int, noise_intensity: float, random_seed: string, status: int,"
    f" fail_message: {FAIL}}}"
)
KEY = "{key: string}"

# (method, route) -> the type of ``data`` in a success envelope
ROUTES: dict[tuple[str, str], str] = {
    # wujie-api.md
    ("GET", "/ai/model_base_infos"): MODEL_BASE,
    ("GET", "/ai/default_resource"): DEFAULT_RESOURCE,
    ("GET", "/ai/default_resource_style_model"): (
        "{style_model: [{key: string, name: string, model_code: int, sample_image_url: string}]}"
    ),
    ("POST", "/ai/create"): CREATE,
    ("POST", "/ai/create/midjourney"): CREATE,
    ("POST", "/ai/create/flux"): CREATE,
    ("POST", "/ai/generating_info"): "{list: [" + GENERATING + "]}",
    ("GET", "/ai/info"): INFO,
    ("POST", "/ai/price_info"): PRICE,
    ("GET", "/ai/model_info"): "{expected_seconds: int, queue_num: int, reduce_time: int}",
    ("POST", "/ai/cancel"): "string",
    ("POST", "/ai/accelerate"): "string",
    ("POST", "/ai/create_params"): CREATE_PARAMS,
    ("GET", "/account/availableIntegralBalance"): "{balance: int}",
    ("POST", "/avatar/artwork/create"): AVATAR_CREATE,
    ("GET", "/avatar/artwork/default_resource"): (
        "{avatar_key: string, template_options: [{template_key: string, template_name: string,"
        " theme_key: string, theme_name: string}]}"
    ),
    # wujie-api-more.md §1-§7
    ("POST", "/account/integral/exchange"): "any",
    ("POST", "/ai/pro/account/balance"): "{resourceBalance: int}",
    ("GET", "/ai/pro/model_base_infos"): MODEL_BASE,
    ("GET", "/ai/pro/controlNetOption"): CONTROLNET,
    ("POST", "/ai/pro/create"): "{results: [{key: string, expected_second: int}]}",
    ("POST", "/ai/pro/generating_info"): PRO_GENERATING,
    ("GET", "/ai/pro/info"): PRO_INFO,
    ("POST", "/ai/supersize"): KEY,
    ("GET", "/ai/supersize"): SUPERSIZE,
    ("POST", "/ai/youthify"): YOUTHIFY,
    ("POST", "/ai/optimize/prompt/submit"): "any",
    ("GET", "/ai/optimize/prompt/result"): "{task_id: string, code: int, result: string}",
    ("GET", "/ai/spell"): (
        "[{spell_name: string, spell_en_name: string, icon: string, category: string,"
        " label: string}]"
    ),
    ("POST", "/ai/spell_analysis/create"): KEY,
    ("GET", "/ai/spell_analysis/info"): (
        "{spell_analysis_info_key: string, tags: string, image_url: string, status: int,"
        " tag_list?: [string]}"
    ),
    ("GET", "/ai/magic_dice/theme"): "[{theme_id: int, name: string}]",
    ("POST", "/ai/magic_dice/search"): (
        "{prompt_chinese: string, prompt_english: string, model: string, model_code: int,"
        " cfg: int, image_type: [string], style: [string], artists: [string],"
        " element_magic: [string], character: [string],"
        " model_fusion: [{key: string, weight: float}]}"
    ),
    ("GET", "/ai/video/option_menu"): (
        "{ai_video_model_option_vos: [{model_code: int, name: string}],"
        " pay_info_vo: {price: int, night_price: int}}"
    ),
    ("GET", "/ai/video/wait_time"): (
        "{free_expected_seconds: int, night_expected_time: int, queue_num: int}"
    ),
    ("POST", "/ai/video/create"): KEY,
    ("POST", "/ai/video/generating_info"): f"{{list: [{VIDEO_INFO}], next_polling_time: int}}",
    ("GET", "/ai/video/info"): VIDEO_INFO,
    ("POST", "/avatar/image_check_batch"): (
        "{image_check_info_list: [{image_url: string, pass: bool, status: string,"
        " message: string, similarity: float}]}"
    ),
    ("POST", "/avatar/create"): "{key: string, expected_second: int}",
    ("GET", "/avatar/info"): "{key: string, model_fusion_name: string, status: int}",
    ("POST", "/avatar/delete"): "any",
    ("GET", "/avatar/camera/template_options"): "[{_key: string, category: string, url: string}]",
    ("POST", "/avatar/camera/create"): "{keys: [string], expected_duration_cost: int}",
    ("POST", "/avatar/camera/generating_info"): CAMERA_POLL,
    ("GET", "/avatar/camera/info"): CAMERA_INFO,
    ("POST", "/ai/camera/generating_info"): CAMERA_POLL,
    ("GET", "/ai/camera/info"): CAMERA_INFO,
    ("POST", "/ai/pro/lab/options"): "{aiLabQuery: {options: [{code: int, name: string}]}}",
    ("POST", "/ai/pro/lab/info"): LAB_INFO,
    ("POST", "/ai/pro/lab/create/segmentation"): (
        "{aiLabMutation: {segmentAnythingCreateV2: {aiType: string, key: string}}}"
    ),
    ("POST", "/ai/pro/lab/createInfiniteZoom"): (
        "{aiLabMutation: {infiniteZoomCreateV2: {key: string, aiType: string}}}"
    ),
    ("POST", "/ai/pro/lab/createVectorsStudio"): (
        "{aiLabMutation: {vectorStudioCreateV2: {key: string, aiType: string}}}"
    ),
    ("POST", "/ai/pro/svd/create"): KEY,
    ("GET", "/ai/pro/svd/info"): SVD_INFO,
}
