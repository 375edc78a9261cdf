"""wjnb's sandbox: a faithful local HTTP service speaking the Wujie open API and the
Midjourney-proxy protocol, with its own image CDN.

It is the embedded default backend (no credentials needed) and the server every test talks
to over real loopback HTTP::

    import wjnb.sandbox
    srv = wjnb.sandbox.start(speed=100)      # background thread, free port, 127.0.0.1 only
    srv.env()                                # WJNB_BASE_URL, WJNB_APP_ID, WJNB_PRIVATE_KEY, ...
    srv.stop()

or standalone: ``python -m wjnb.sandbox --port 8765``. It serves every route of both Wujie
references (artworks, pro artworks, upscale, prompt tools, video, SVD, avatar training and
camera, lab, account) and the Midjourney proxy. Behaviour, trigger words, prices and
the fault plan are described in ``wjnb/sandbox/README.md``; in short:

* prompt trigger words ``[nsfw]``, ``[review]``, ``[block]``, ``[sensitive]``, ``[fail]``,
  ``[drawfail]`` and ``[slow]`` (see ``wjnb.sandbox.triggers``);
* a virtual clock (``speed``) for every timing field, so durations look real;
* RSA-signed Wujie auth and MJ tokens that are really verified;
* a credit balance priced as ``wjnb.sandbox.pricing`` documents;
* a seeded fault plan (``wjnb.sandbox.faults``); admin routes under ``/_sandbox``.

Images over 2048x2048 pixels also get a ``mini_picture_url`` (a JPEG): the real service
makes that compressed copy for images over 20 MB, which the sandbox's never are.
"""

from __future__ import annotations

from .server import Sandbox, start

__all__ = ["Sandbox", "start"]
