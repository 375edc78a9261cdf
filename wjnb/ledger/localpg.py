"""A throwaway PostgreSQL server for demos, tests and benchmarks on one machine.

It runs Debian's (or any installed) server binaries with ``initdb`` + ``pg_ctl`` in its
own temporary data folder, listening on 127.0.0.1 only, on a free port, with no password
(``trust`` for loopback: it is a scratch server that dies with its folder). PostgreSQL
refuses to run as root, so under root it runs as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from ..errors import LedgerError


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest Debian version first), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def available() -> bool:
    """True when a scratch server can be started here: server binaries and psycopg."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return find_bindir() is not None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


class LocalPostgres:
    """One scratch server: ``url`` to connect, ``restart()``, ``stop()`` (removes its data)."""

    def __init__(self, bindir: Path | None = None, *, user: str = "postgres") -> None:
        found = bindir or find_bindir()
        if found is None:
            raise LedgerError("no PostgreSQL server binaries: apt-get install postgresql")
        self.bindir = found
        self._run_as = user if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="wjnb-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.url = f"postgresql://wjnb@127.0.0.1:{self.port}/postgres"
        try:
            if self._run_as is not None:
                account = pwd.getpwnam(self._run_as)
                os.chown(self.root, account.pw_uid, account.pw_gid)
            self.root.chmod(0o700)
            self._cmd(
                "initdb", "-D", str(self.data), "-U", "wjnb", "--auth=trust", "-E", "UTF8",
                "--no-instructions",
            )  # fmt: skip
            self.start()
        except (OSError, KeyError, subprocess.SubprocessError) as exc:
            said = getattr(exc, "stderr", None) or b""
            log = said.decode(errors="replace")[-1000:] + self._log_tail()
            self.stop()
            raise LedgerError(f"the local PostgreSQL did not start: {exc}\n{log}") from None

    def __repr__(self) -> str:
        return f"<LocalPostgres {self.url}>"

    def _cmd(self, tool: str, *args: str) -> None:
        argv = [str(self.bindir / tool), *args]
        if self._run_as is not None:
            argv = ["runuser", "-u", self._run_as, "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        """Start the server (waits until it accepts connections)."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        self._cmd("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip

    def halt(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut), keeping its data."""
        self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop and start again on the same port and data."""
        self.halt()
        self.start()

    def create_database(self, name: str) -> str:
        """A new empty database on this server; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        """Stop the server and remove its data folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError, OSError):
                self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return (self.root / "log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
