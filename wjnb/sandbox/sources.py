"""The picture behind a source URL that a request names (an upscale's ``url``, an SVD's
``init_image_url``...), resolved on the server loop into a drawing safe to run in a thread.

The sandbox's own CDN URLs resolve to the very picture they serve (an artwork, or a result
file of another job: an upscale of an upscale, a describe of a video's first frame). Any
other URL is never fetched: it stands for a picture rendered from the URL's text, so the
result still derives from the request and the sandbox reaches no other host.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from PIL import Image

from wjnb.models import ArtworkStatus

from . import render
from .cdn import artwork_image
from .images import Encoded, encode
from .state import SandboxState

Drawing = Callable[[], Image.Image]
_ARTWORK = re.compile(r"/cdn/ai/([0-9A-F]{32})-01\.(?:png|jpg|jpg-v800)$")
_FILE = re.compile(r"/cdn/x/([^/]+)$")
FOREIGN_SIDE = 768


def _decoded(produce: Callable[[], object]) -> Drawing:
    def draw() -> Image.Image:
        body = getattr(produce(), "body", b"")
        with Image.open(io.BytesIO(body)) as img:
            img.seek(0)
            return img.convert("RGB")

    return draw


def picture(state: SandboxState, url: str) -> Drawing:
    """The drawing of the picture ``url`` names (see the module docstring)."""
    path = urlsplit(url).path
    art_match = _ARTWORK.search(path)
    if art_match and url.startswith(state.cdn_url):
        art = state.wujie.artworks.get(art_match.group(1))
        if art is not None and art.status == ArtworkStatus.SUCCESS:
            return artwork_image(art)
    file_match = _FILE.search(path)
    if file_match and url.startswith(state.cdn_url):
        name = file_match.group(1)
        task = state.tasks.files.get(name)
        if task is not None and task.outcome == "success" and not name.endswith(".svg"):
            return _decoded(task.files[name])
    seed = int(hashlib.sha256(url.encode()).hexdigest()[:8], 16)
    text = urlsplit(url).path.rsplit("/", 1)[-1] or url

    def foreign() -> Image.Image:
        return render.render_artwork(text, seed, 1, 0, 20, 7.0, FOREIGN_SIDE, FOREIGN_SIDE)

    return foreign


def png(draw: Drawing) -> Callable[[], Encoded]:
    """A result file: ``draw`` encoded as PNG."""
    return lambda: encode(draw(), "png")
