"""The sandbox's credit (积分) prices: what ``/ai/price_info`` predicts and a create charges.

Per image: ``create`` 2 for models 1 and 3, 3 for model 4 and for ``/ai/create/flux``, 6 for
model 7 (Midjourney); ``resolution`` +1 for every started 1024x1024 block beyond the first;
``steps`` +1 for every started 10 steps above 30; ``style_model`` +1 when one is set;
``accelerate`` +1 per ``accelerate_times``; ``super_size`` +2 per multiple above 1 (the
multiple is a float; the part is rounded up). Every part is multiplied by ``num``; no
discount. An avatar-camera artwork costs 1, and ``/ai/accelerate`` costs 1 per ``step_num``.
"""

from __future__ import annotations

import math

from .validate import CreateSpec

BASE = {1: 2, 3: 2, 4: 3, 7: 6}
FLUX_BASE = 3
AVATAR_PRICE = 1
ACCELERATE_PRICE = 1


def _per_image(spec: CreateSpec) -> dict[str, int]:
    blocks = math.ceil(spec.width * spec.height / (1024 * 1024))
    return {
        "integral_use_on_create": FLUX_BASE if spec.route.endswith("/flux") else BASE[spec.model],
        "integral_use_on_resolution": max(0, blocks - 1),
        "integral_use_on_style_model": 1 if spec.style_model else 0,
        "integral_use_on_steps": math.ceil(max(0, spec.steps - 30) / 10),
        "integral_use_on_accelerate": spec.accelerate_times,
        "integral_use_on_super_size": math.ceil(2 * (spec.super_size_multiple - 1)),
    }


def price_parts(spec: CreateSpec) -> dict[str, int]:
    """The ``integral_use`` object for one create request (all images, no discount)."""
    parts = {k: v * spec.num for k, v in _per_image(spec).items()}
    parts["discount_integral"] = 0
    return parts


def per_image_cost(spec: CreateSpec) -> int:
    """Credits one artwork of the request costs (the request costs ``num`` times this)."""
    return sum(_per_image(spec).values())
