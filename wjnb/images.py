"""Image download, disk cache and thumbnails, with guards against hostile servers.

Only http(s) URLs are fetched; a download has a byte cap and a timeout; Pillow's
decompression-bomb limit is enforced. Pictures are stored content-addressed (the file name
is the SHA-256 of the bytes, never server text) with atomic writes, so several machines can
share one folder (``WJNB_IMAGES``); an index (the ledger's picture hashes) maps each URL to
its hash, and a picture missing or damaged in this cache is fetched again. Thumbnails are
small JPEGs so saved notebooks stay light.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from PIL import Image

from .errors import ImageError, InvalidArgument
from .http import download
from .validate import positive

#: Largest download accepted (bytes).
MAX_BYTES = 64 * 1024 * 1024
#: Largest decoded image accepted (pixels): a 8192 x 8192 canvas.
MAX_PIXELS = 8192 * 8192
#: Largest thumbnail side accepted (pixels).
MAX_THUMB = 8192


def check_url(url: object) -> str:
    """Return ``url`` when it is an absolute http(s) URL; raise ``ImageError`` otherwise.

    The URL comes from the service, so anything goes: not text, a bad port or IPv6 literal,
    spaces or control characters (which ``urlsplit`` would silently drop) are all refused.
    """
    if not isinstance(url, str):
        raise ImageError(f"an image URL is text, not {type(url).__name__}")
    shown = repr(url[:80])
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ImageError(f"refusing an image URL with spaces or control characters: {shown}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ImageError(f"refusing a malformed image URL: {shown}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageError(f"refusing to fetch a non-http(s) image URL: {shown}")
    return url


def decode(data: bytes) -> Image.Image:
    """Decode image bytes with the decompression-bomb limit turned into a clear error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(
                    f"image of {img.width}x{img.height} pixels exceeds the {MAX_PIXELS} pixel limit"
                )
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from None
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises many types for broken data
        raise ImageError(f"image could not be decoded: {type(exc).__name__}") from None
    return img


def thumbnail_bytes(img: Image.Image, size: int = 256, *, blur: bool = False) -> bytes:
    """A JPEG of at most ``size`` px per side within the thumbnail byte bound.

    ``blur`` hides the content (NSFW results) before it ever leaves the kernel.
    """
    from .thumbs import thumbnail

    return thumbnail(img, size, blur=blur)


class PictureIndex(Protocol):
    """Which content hash each picture URL had (the ledger's ``pictures``)."""

    def record(self, url: str, sha256: str, size: int) -> None: ...

    def hash_of(self, url: str) -> str | None: ...


class _MemoryIndex:
    """An index for a store with no ledger (it forgets at exit)."""

    def __init__(self) -> None:
        self._hashes: dict[str, str] = {}

    def record(self, url: str, sha256: str, size: int) -> None:
        self._hashes.setdefault(url, sha256)

    def hash_of(self, url: str) -> str | None:
        return self._hashes.get(url)


def images_root(home: str | os.PathLike[str]) -> Path:
    """``WJNB_IMAGES`` (a folder a team may share) or ``<home>/images``."""
    shared = os.environ.get("WJNB_IMAGES")
    return Path(shared) if shared else Path(home) / "images"


class ImageStore:
    """Disk cache of full images (content-addressed) and thumbnails."""

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        max_bytes: int = MAX_BYTES,
        index: PictureIndex | None = None,
    ) -> None:
        self.root = images_root(home)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.index: PictureIndex = index or _MemoryIndex()
        self._hashes: dict[str, str] = {}  # url -> content hash, as the index said
        self._downloads: dict[str, asyncio.Task[bytes]] = {}  # url -> the download under way

    def blob_path(self, sha256: str) -> Path:
        """Where the picture with this content hash is stored."""
        return self.root / sha256[:2] / f"{sha256}.img"

    def hash_of(self, url: str) -> str | None:
        """The content hash recorded for ``url`` (None before its first download)."""
        sha = self._hashes.get(url)
        if sha is None:
            sha = self.index.hash_of(url)
            if sha is not None:
                self._hashes[url] = sha
        return sha

    def path_for(self, url: str) -> Path | None:
        """Where the picture at ``url`` is cached, once its hash is known."""
        sha = self.hash_of(url)
        return self.blob_path(sha) if sha else None

    def thumb_path(self, url: str, size: int, blur: bool) -> Path:
        """Where a thumbnail of ``url`` is cached."""
        digest = hashlib.sha256(f"{url}|{size}|{int(blur)}".encode()).hexdigest()
        return self.root / digest[:2] / f"{digest}.jpg"

    def cached(self, url: str) -> bytes | None:
        """The cached bytes of ``url``: None when missing here or not the recorded content."""
        sha = self.hash_of(url)
        if sha is None:
            return None
        try:
            data = self.blob_path(sha).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha else None

    async def fetch(self, http: httpx.AsyncClient, url: str, *, timeout: float = 30.0) -> bytes:
        """Download ``url`` (once: later calls read the cache, and calls made while it is
        under way share it) within the byte cap and timeout."""
        check_url(url)
        data = self.cached(url)
        if data is not None:
            return data
        task = self._downloads.get(url)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._download(http, url, timeout))
            self._downloads[url] = task
            task.add_done_callback(functools.partial(self._forget, url))
        return await asyncio.shield(task)  # one caller giving up does not stop the others

    def _forget(self, url: str, task: asyncio.Task[bytes]) -> None:
        """Drop a finished download (its error is read here, so none goes unreported)."""
        if self._downloads.get(url) is task:
            del self._downloads[url]
        if not task.cancelled():
            task.exception()

    async def _download(self, http: httpx.AsyncClient, url: str, timeout: float) -> bytes:
        """Download ``url`` (the transport retries what is transient) into the cache,
        refusing what is too big or not a safe image."""
        data = await download(http, url, timeout=timeout, max_bytes=self.max_bytes)
        decode(data)  # refuse what is not a safe image before it is cached
        sha = hashlib.sha256(data).hexdigest()
        self._write(self.blob_path(sha), data)
        self.index.record(url, sha, len(data))
        self._hashes.setdefault(url, sha)
        return data

    def thumbnail(self, url: str, size: int = 256, *, blur: bool = False) -> bytes | None:
        """A cached JPEG thumbnail of an already downloaded image (None if not downloaded)."""
        if positive("size", size) > MAX_THUMB:
            raise InvalidArgument("size", f"at most {MAX_THUMB} pixels, got {size}")
        path = self.thumb_path(url, size, blur)
        if path.exists():
            return path.read_bytes()
        data = self.cached(url)
        if data is None:
            return None
        thumb = thumbnail_bytes(decode(data), size, blur=blur)
        self._write(path, thumb)
        return thumb

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Write atomically, so a crash never leaves a half image in the cache. Each write
        has its own temporary file: threads and processes may write the same image at once
        (the same bytes), and the last rename wins."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
