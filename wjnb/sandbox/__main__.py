"""``python -m wjnb.sandbox``: run the sandbox in the foreground until SIGINT/SIGTERM.

Prints the ``WJNB_*`` variables that point a client at it, one per line (these include the
demo account's private key and token: printing them is the point of this command).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .mj_flavors import NAMES as MJ_FLAVORS
from .server import is_loopback_host, start


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wjnb.sandbox",
        description="Local Wujie open API + Midjourney-proxy sandbox (loopback only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--speed", type=float, default=1.0, help="virtual clock speed factor")
    parser.add_argument(
        "--faults", default=None, help="fault plan: JSON or e.g. '5xx=0.1,429=0.05'"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for keys, credentials, faults")
    parser.add_argument("--balance", type=int, default=100000, help="starting credit balance")
    parser.add_argument("--gpus", type=int, default=4, help="simulated GPUs per protocol")
    parser.add_argument(
        "--mj-flavor",
        choices=MJ_FLAVORS,
        default=None,
        help="play one Midjourney proxy exactly (default: the embedded sandbox's own shape)",
    )
    parser.add_argument(
        "--mj-video", action="store_true", help="turn trueai's video feature on (EnableVideo)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, start, print the environment, wait for a signal, stop."""
    args = _parser().parse_args(argv)
    if not is_loopback_host(args.host):
        print(
            f"error: refusing to bind {args.host!r}: the sandbox only listens on loopback "
            "addresses (127.0.0.1, ::1, localhost)",
            file=sys.stderr,
        )
        return 2
    try:
        srv = start(
            host=args.host,
            port=args.port,
            speed=args.speed,
            faults=args.faults,
            seed=args.seed,
            balance=args.balance,
            gpus=args.gpus,
            mj_flavor=args.mj_flavor,
            mj_video=args.mj_video,
        )
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for name, value in srv.env().items():
        print(f"{name}={value}")
    sys.stdout.flush()
    try:
        while not done.wait(1.0):
            pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
