"""How fast the sandbox answers: batch polls, a trivial admin route, and cold CDN renders.

Runs the sandbox as a separate process (``python -m wjnb.sandbox``, so the clients do not
share its GIL) and, for comparison, embedded in this process as a notebook would. For each
it prints the sustained rate of ``POST /ai/generating_info`` with 50 keys from a few
concurrent clients, and — measured in the same run as a baseline — the rate of
``GET /_sandbox/counters`` (no auth, tiny handler), so the auth/handler overhead is
visible. Then the time to render + encode a 1024x1024 and a 2048x2048 artwork through the
CDN route, cold. Prints the targets; no pass/fail.

    .venv/bin/python bench/bench_sandbox.py [--seconds 5] [--clients 4]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import wjnb.sandbox

KEYS = 50
POLL_TARGET = 500.0
RENDER_TARGET_MS = 150.0


def sign(app_id: str, private_key: str) -> str:
    """A Wujie Authorization value (own code: the bench measures the server only)."""
    key = serialization.load_der_private_key(base64.b64decode(private_key), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    original = json.dumps({"appId": app_id, "timestamp": int(time.time())})
    signature = key.sign(original.encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.dumps(
        {
            "sign": base64.b64encode(signature).decode(),
            "secretKeyVersion": "1",
            "appId": app_id,
            "original": original,
        }
    )


def rate(
    root: str,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    clients: int,
    seconds: float,
) -> float:
    """Requests per second completed by ``clients`` threads, each on its own keep-alive
    connection. ``http.client`` rather than httpx: a lighter client leaves more of this
    2-core machine to the server being measured."""
    done = [0] * clients
    stop = time.monotonic() + seconds
    host, port = urlsplit(root).hostname, urlsplit(root).port

    def request(conn: http.client.HTTPConnection) -> None:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        payload = reply.read()
        assert reply.status == 200 and payload, payload[:200]

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host or "127.0.0.1", port, timeout=10)
        request(conn)  # connect outside the measured count
        while time.monotonic() < stop:
            request(conn)
            done[i] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def measure_polls(env: dict[str, str], root: str, clients: int, seconds: float) -> None:
    base = env["WJNB_BASE_URL"]
    auth = {"Authorization": sign(env["WJNB_APP_ID"], env["WJNB_PRIVATE_KEY"])}
    keys: list[str] = []
    with httpx.Client(trust_env=False) as http:
        while len(keys) < KEYS:
            body = {"model": 1, "prompt": f"[slow] bench {len(keys)}", "num": 10}
            reply = http.post(f"{base}/ai/create", json=body, headers=auth).json()
            keys += reply["data"]["keys"]

    poll_path = urlsplit(base).path + "/ai/generating_info"
    headers = {**auth, "Content-Type": "application/json"}
    polls = rate(root, "POST", poll_path, json.dumps(keys).encode(), headers, clients, seconds)
    baseline = rate(root, "GET", "/_sandbox/counters", None, {}, clients, seconds)
    print(
        f"  /ai/generating_info ({KEYS} keys): {polls:7.0f} polls/s   (target >= {POLL_TARGET:.0f})"
    )
    print(f"  GET /_sandbox/counters baseline:  {baseline:7.0f} req/s")


def measure_renders() -> None:
    srv = wjnb.sandbox.start(speed=10000, faults="")
    try:
        auth = {"Authorization": sign(srv.app_id, srv.private_key)}
        with httpx.Client(trust_env=False, timeout=60) as http:
            for side in (1024, 2048):
                body = {"model": 1, "prompt": "a lighthouse at dusk", "width": side, "height": side}
                key = http.post(f"{srv.wujie_base_url}/ai/create", json=body, headers=auth).json()
                key = key["data"]["keys"][0]
                while True:
                    entry = http.post(
                        f"{srv.wujie_base_url}/ai/generating_info", json=[key], headers=auth
                    ).json()["data"]["list"][0]
                    if entry["status"] == 4:
                        break
                    time.sleep(0.01)
                started = time.perf_counter()
                image = http.get(entry["picture_url"])
                cold = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                http.get(entry["picture_url"])
                warm = (time.perf_counter() - started) * 1000
                target = f"(target <= {RENDER_TARGET_MS:.0f} ms)" if side == 1024 else ""
                print(
                    f"  {side}x{side}: cold {cold:6.0f} ms, cached {warm:5.1f} ms, "
                    f"{len(image.content) / 1e6:.1f} MB PNG {target}"
                )
    finally:
        srv.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    print("sandbox in its own process (python -m wjnb.sandbox):")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wjnb.sandbox", "--port", "0", "--faults", ""],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        env = dict(proc.stdout.readline().rstrip("\n").split("=", 1) for _ in range(5))
        root = env["WJNB_BASE_URL"].removesuffix("/wj-open/v1")
        measure_polls(env, root, args.clients, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    print("sandbox embedded in this process (as in a notebook):")
    srv = wjnb.sandbox.start(faults="")
    try:
        measure_polls(srv.env(), srv.url, args.clients, args.seconds)
    finally:
        srv.stop()

    print("cold render + encode through the CDN route:")
    measure_renders()


if __name__ == "__main__":
    main()
