"""What a Midjourney proxy says about its accounts, applied to the scheduler once.

The flavour sets the stuck timeouts (trueai also gives up queued tasks); where a route
shows the accounts (novicezk ``/account/list``, plus ``/account/query``), their
``coreSize`` + ``queueSize`` is the capacity (unless the client was given one), their
``coreSize`` the workers the drain plan replays, ``timeoutMinutes`` the run timeout, and
a ``dayDrawLimit`` on every account (where shown) caps what is sent today.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..errors import Unsupported, WjnbError
from ..models import MjAccount
from .stuck import TIMEOUT_MINUTES, StuckPolicy

if TYPE_CHECKING:
    from ..client import AsyncClient
    from .capacity import Slots
    from .drain import DrainPlan
    from .stuck import StuckWatch

log = logging.getLogger("wjnb.capacity")


async def learn_limits(
    api: AsyncClient, slots: Slots, plan: DrainPlan, watch: StuckWatch, *, sized: bool
) -> list[MjAccount]:
    """Read the proxy's flavour and accounts and apply them; ``sized``: the capacity was
    given, so the accounts are not asked (the flavour's timeouts stand). Returns the enabled
    accounts read (none where no route shows them)."""
    flavor = await api.mj.flavor()
    accounts: list[MjAccount] = []
    try:
        if not sized:
            accounts = [a for a in await api.mj.accounts() if a.enable is not False]
    except Unsupported:
        pass
    except WjnbError as exc:  # the defaults stand; submits go on
        log.info("the proxy's account settings could not be read: %s", exc)
    minutes = max((a.timeout_minutes or 0 for a in accounts), default=0) or TIMEOUT_MINUTES
    if not watch.configured:
        watch.policy = StuckPolicy.of(flavor, minutes)
    limits = [a.day_draw_limit for a in accounts]
    if accounts and all(limit is not None and limit >= 0 for limit in limits):
        slots.day_left = sum(
            max(0, (a.day_draw_limit or 0) - (a.day_draw_count or 0)) for a in accounts
        )
    cores = sum(max(0, a.core_size or 0) for a in accounts)
    if cores:
        plan.core = cores
        await slots.resize(cores + sum(max(0, a.queue_size or 0) for a in accounts))
    return accounts
