"""Everything one running sandbox knows, created on (and only touched from) its event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from . import catalog
from .auth import Credentials, WujieVerifier, demo_credentials
from .callbacks import CallbackSender
from .clock import VirtualClock
from .counters import Counters
from .engine import Ledger, WujieEngine
from .faults import FaultPlan
from .ids import Ids
from .images import ImageCache
from .mj import MjEngine
from .mj_flavors import Flavor
from .scheduler import GpuPool
from .tasks import TaskEngine

PRO_TIME_BALANCE = 360_000  # pro time (seconds of GPU) the demo account starts with


class SandboxState:
    """Clock, credentials, fault plan, counters, credits, engines and the image cache."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop,
        public_url: str,
        speed: float,
        seed: int,
        balance: int,
        gpus: int,
        faults: FaultPlan,
        mj_queue_size: int,
        mj_core_size: int | None = None,
        mj_flavor: str | None = None,
        mj_timeout_minutes: float = 5.0,
        mj_video: bool = False,
    ) -> None:
        self.public_url = public_url
        #: trueai's ``EnableVideo``: whether ``/mj/submit/video`` makes tasks.
        self.mj_video = mj_video
        self.cdn_url = f"{public_url}/cdn"
        self.clock = VirtualClock(speed)
        self.ids = Ids(seed)
        self.credentials: Credentials = demo_credentials(seed)
        self.verifier = WujieVerifier(self.credentials.app_id, self.credentials.public_key)
        self.faults = faults
        self.counters = Counters()
        self.ledger = Ledger(balance)
        self.callbacks = CallbackSender(self.counters, self.clock)
        self.images = ImageCache()
        self.wujie_pool = GpuPool(loop, self.clock, gpus)
        self.wujie = WujieEngine(
            clock=self.clock,
            ids=self.ids,
            pool=self.wujie_pool,
            ledger=self.ledger,
            callbacks=self.callbacks,
            cdn_url=self.cdn_url,
            avatar_key=catalog.avatar_key(seed),
        )
        self.pro_time = Ledger(PRO_TIME_BALANCE)
        self.tasks_pool = GpuPool(loop, self.clock, gpus)
        self.tasks = TaskEngine(
            clock=self.clock,
            ids=self.ids,
            pool=self.tasks_pool,
            integral=self.ledger,
            duration=self.pro_time,
            callbacks=self.callbacks,
            cdn_url=self.cdn_url,
        )
        self.mj_pool = GpuPool(loop, self.clock, mj_core_size or gpus)
        self.mj = MjEngine(
            loop=loop,
            clock=self.clock,
            ids=self.ids,
            pool=self.mj_pool,
            callbacks=self.callbacks,
            cdn_url=self.cdn_url,
            queue_size=mj_queue_size,
            flavor=Flavor(mj_flavor) if mj_flavor else None,
            timeout_minutes=mj_timeout_minutes,
        )

    def counters_snapshot(self) -> dict[str, Any]:
        """``GET /_sandbox/counters``."""
        return self.counters.snapshot(self.clock.speed, self.ledger.balance)

    def artworks_snapshot(self) -> dict[str, Any]:
        """``GET /_sandbox/artworks``: every artwork, MJ task and other job with its charge."""
        return {
            "artworks": self.wujie.ledger_rows(),
            "tasks": self.mj.ledger_rows(),
            "jobs": self.tasks.ledger_rows(),
        }

    async def aclose(self) -> None:
        """Stop timers and close the callback client."""
        self.wujie_pool.close()
        self.mj_pool.close()
        self.tasks_pool.close()
        await self.callbacks.aclose()
