"""One-line notices for the user: a calm info line in a notebook, a log record elsewhere.

Jupyter shows anything on stderr as a red box, which reads as an error; a notice (such as
"using the embedded sandbox") is news, not a problem. In an IPython kernel it is displayed
as a grey one-line output; in a script or console it goes to the ``wjnb`` logger at INFO.
"""

from __future__ import annotations

import logging
from typing import Any

from .html import FONT, esc

log = logging.getLogger("wjnb")


def _kernel_shell() -> Any:
    """The running IPython shell when it is a kernel's (a notebook front end), else None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def notice_html(text: str) -> str:
    """``text`` as a one-line grey info line (escaped)."""
    return f'<div style="font:12px {FONT};color:#4b5563;padding:2px 0">ℹ️ {esc(text)}</div>'


def announce(text: str) -> None:
    """Tell the user ``text`` once: a rich info line in a notebook, else an INFO log record."""
    if _kernel_shell() is None:
        log.info("%s", text)
        return
    from IPython.display import display

    display({"text/plain": text, "text/html": notice_html(text)}, raw=True)  # type: ignore[no-untyped-call]
