"""A throwaway PostgreSQL cluster for the database tests: ``initdb`` + ``pg_ctl`` on a free local port.

The cluster lives in a temporary folder, listens on 127.0.0.1 only, asks for a password over TCP
(scram-sha-256) and is stopped and deleted at the end of the session. PostgreSQL refuses to run as root,
so under root the server runs as ``nobody`` (``runuser -u nobody --``) in a folder that user owns. The tests
skip, saying why, only where no PostgreSQL binaries exist (``.ci/run`` installs Debian's ``postgresql``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD = "kt", "s3cret-pw"


@dataclass(frozen=True)
class Server:
    port: int
    user: str = USER
    password: str = PASSWORD

    def url(self, *, password: bool = True, database: str = "postgres") -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{secret}@127.0.0.1:{self.port}/{database}"


def postgres_bin() -> Path | None:
    """The newest folder of PostgreSQL server binaries (Debian's /usr/lib/postgresql/*/bin, else PATH)."""
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip(
            "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH; "
            "install Debian's postgresql package (.ci/run does)"
        )
    root = Path(tempfile.mkdtemp(prefix="kt-postgres-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        prefix = ["runuser", "-u", "nobody", "--"]
    (root / "pw").write_text(PASSWORD + "\n")
    if prefix:
        os.chown(root / "pw", nobody.pw_uid, nobody.pw_gid)
    data, port = root / "data", free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}\n{done.stderr}")

    run(
        str(binaries / "initdb"),
        "-D",
        str(data),
        "-U",
        USER,
        f"--pwfile={root / 'pw'}",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(root / "log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
    )
    try:
        yield Server(port)
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
