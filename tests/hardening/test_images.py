"""Image guards against a hostile server: only absolute http(s) URLs are fetched, downloads
have a byte cap and a timeout, Pillow's decompression-bomb limit is enforced with a clear
``ImageError``, and cache files are named by hashes (a URL with ``../`` never writes
outside ``<home>/images``). A tiny loopback server plays the hostile image host.
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from hardening_support import REPORT, hostile, tally
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from wjnb.errors import ImageError
from wjnb.images import MAX_PIXELS, ImageStore, check_url, decode


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


class Hostile(BaseHTTPRequestHandler):
    """Serves each path as a different kind of hostile reply."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "image/png", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", headers.pop("length", str(len(body))))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        name = self.path.rsplit("/", 1)[-1].split("?")[0]
        if name == "ok.png":
            self._send(200, small_png())
        elif name == "bomb.png":
            self._send(200, png_header(50_000, 50_000))
        elif name == "big.png":
            self._send(200, png_header(9_000, 9_000))  # over wjnb's limit, under Pillow's
        elif name == "declared.png":
            self._send(200, b"\x89PNG", length=str(10**12))
        elif name == "endless.png":  # no length: streams until the client gives up
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(4096):
                    self.wfile.write(b"\x00" * 65536)
            except OSError:
                pass
        elif name == "stall.png":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"\x89PNG")
            self.wfile.flush()
            time.sleep(3)
        elif name == "page.png":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        elif name == "redirect.png":
            self._send(302, b"", Location="file:///etc/passwd")
        else:
            self._send(404, b"")


HOSTS: dict[str, ThreadingHTTPServer] = {}


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    HOSTS[url] = server
    yield url
    del HOSTS[url]
    server.shutdown()
    server.server_close()


def host_paths(host: str) -> list[str]:
    """The paths the hostile host has been asked for, oldest first."""
    return list(HOSTS[host].paths)  # type: ignore[attr-defined]


def fetch(store: ImageStore, url: Any, timeout: float = 5.0) -> bytes:
    async def go() -> bytes:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
            return await store.fetch(http, url, timeout=timeout)

    return asyncio.run(go())


def files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x.png",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "/cdn/ai/KEY-01.png",
        "../images/x.png",
        "//127.0.0.1/x.png",
        "http://",
        "http://[::1",
        "https://127.0.0.1:99999/x.png",
        "http://127.0.0.1/x\n.png",
        " http://127.0.0.1/x.png",
        "",
        None,
        42,
        b"http://127.0.0.1/x.png",
    ],
)
def test_only_absolute_http_urls_are_fetched(tmp_path: Path, url: Any) -> None:
    store = ImageStore(tmp_path)
    with pytest.raises(ImageError):
        fetch(store, url)
    assert files(tmp_path) == set()


@settings(max_examples=150, deadline=None)
@given(
    url=st.one_of(
        hostile(),
        st.text(max_size=40),
        st.from_regex(r"[a-zA-Z]{0,6}:.{0,30}"),
        st.builds(
            "{}://{}{}/{}".format,
            st.sampled_from(["http", "https", "HTTP", "ftp", "file"]),
            st.one_of(st.from_regex(r"[a-z0-9.-]{1,12}", fullmatch=True), st.text(max_size=8)),
            st.sampled_from(["", ":80", ":0", ":70000", ":x"]),
            st.one_of(st.from_regex(r"[a-z0-9/.%]{0,12}", fullmatch=True), st.text(max_size=8)),
        ),
    )
)
def test_check_url_returns_an_http_url_or_raises_image_error(url: Any) -> None:
    try:
        checked = check_url(url)
    except ImageError:
        tally("wjnb")
        return
    tally("ok")
    assert checked == url and url.lower().startswith(("http://", "https://"))


# --------------------------------------------------------------------------- downloads


def test_a_good_image_is_cached_under_its_hash(tmp_path: Path, host: str) -> None:
    store = ImageStore(tmp_path)
    data = fetch(store, f"{host}/ok.png")
    assert decode(data).size == (8, 8)
    (cached,) = files(tmp_path)
    assert cached == store.path_for(f"{host}/ok.png")
    assert cached.parent.parent == tmp_path / "images" and len(cached.stem) == 64


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("bomb.png", "decompression bomb"),
        ("big.png", f"exceeds the {MAX_PIXELS} pixel limit"),
        ("page.png", "could not be decoded"),
        ("redirect.png", "HTTP 302"),
        ("missing.png", "HTTP 404"),
        ("declared.png", "exceeds"),
    ],
)
def test_hostile_images_are_refused_clearly_and_never_cached(
    tmp_path: Path, host: str, name: str, says: str
) -> None:
    store = ImageStore(tmp_path)
    with pytest.raises(ImageError, match=says):
        fetch(store, f"{host}/{name}")
    assert files(tmp_path) == set()
    REPORT["hostile_replies"] += 1


def test_bomb_limit_holds_even_if_pillow_s_is_switched_off(
    tmp_path: Path, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(ImageError, match="pixel limit"):
        fetch(ImageStore(tmp_path), f"{host}/bomb.png")


def test_an_endless_download_stops_at_the_byte_cap(tmp_path: Path, host: str) -> None:
    store = ImageStore(tmp_path, max_bytes=1 << 20)
    started = time.monotonic()
    with pytest.raises(ImageError, match="byte cap"):
        fetch(store, f"{host}/endless.png")
    assert time.monotonic() - started < 10
    assert files(tmp_path) == set()


def test_a_stalled_download_times_out(tmp_path: Path, host: str) -> None:
    started = time.monotonic()
    with pytest.raises(ImageError, match="timed out"):
        fetch(ImageStore(tmp_path), f"{host}/stall.png", timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert files(tmp_path) == set()


# --------------------------------------------------------------------------- concurrency


def test_one_image_wanted_by_many_at_once_is_downloaded_once(tmp_path: Path, host: str) -> None:
    store = ImageStore(tmp_path)
    url = f"{host}/ok.png?at-once={tmp_path.name}"

    async def many() -> list[bytes]:
        async with httpx.AsyncClient(trust_env=False) as http:
            return await asyncio.gather(*(store.fetch(http, url) for _ in range(12)))

    got = asyncio.run(many())
    assert len(set(got)) == 1 and decode(got[0]).size == (8, 8)
    asked = [p for p in host_paths(host) if p.endswith(f"at-once={tmp_path.name}")]
    assert len(asked) == 1
    assert files(tmp_path) == {store.path_for(url)}  # no temporary file left behind


def test_threads_writing_one_thumbnail_at_once_all_get_it(tmp_path: Path, host: str) -> None:
    store = ImageStore(tmp_path)
    url = f"{host}/ok.png"
    fetch(store, url)
    start = threading.Barrier(8)
    out: list[bytes | None] = []
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            for size in (16, 24, 32, 48):
                out.append(store.thumbnail(url, size))
        except BaseException as exc:  # collected: the test fails on any
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(out) == 32 and all(out)
    assert not [p for p in files(tmp_path) if p.suffix == ".tmp"]


# --------------------------------------------------------------------------- cache paths


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../tmp/evil.png",
        "/a/%2e%2e/%2e%2e/evil.png",
        "/..%2f..%2fevil.png",
        "/ok.png?name=../../../evil.png",
        "/..\\..\\evil.png",
        "/" + "x" * 3000 + "/ok.png",
    ],
)
def test_cache_names_never_come_from_the_url(tmp_path: Path, host: str, path: str) -> None:
    home = tmp_path / "home"
    store = ImageStore(home)
    before = files(tmp_path)
    url = host + path
    assert store.path_for(url) is None  # known only by the content hash once downloaded
    for size, blur in ((64, False), (64, True)):
        assert store.thumb_path(url, size, blur).parent.parent == home / "images"
    try:
        fetch(store, url)
        store.thumbnail(url, 64)
    except ImageError:
        pass  # refused or not found: either way nothing may land outside
    outside = {p for p in files(tmp_path) - before if not p.is_relative_to(home / "images")}
    assert outside == set()
    assert all(os.path.basename(p).split(".")[0].isalnum() for p in files(home))


# --------------------------------------------------------------------------- through the job layer


def test_a_job_with_a_hostile_picture_url_stays_done_and_says_why(
    fresh_sandbox: Any, make_jclient: Any, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The detail's picture URL is mangled (200 KB longer): the job still finishes, the
    background prefetch logs instead of crashing, ``image()`` raises ``ImageError``; the
    runner's own download client refuses redirects and bombs too."""
    client = make_jclient(fresh_sandbox, prefetch=True, callbacks=False)
    fresh_sandbox.set_faults(
        {"rules": [{"kind": "garbage", "variant": "huge", "routes": ["/ai/info"]}]}
    )
    (job,) = client.generate("a kite", width=64, height=64).wait(timeout=30)
    assert job.done and job.status_name == "success" and len(job.picture_url or "") > 200_000
    with pytest.raises(ImageError):
        job.image()
    runner = client.runner
    for name in ("redirect.png", "bomb.png"):
        with pytest.raises(ImageError):
            runner.call(runner.fetch_image(f"{host}/{name}"))
    assert not any(r.exc_info for r in caplog.records)
    assert files(runner.ledger.home / "images") == set()
