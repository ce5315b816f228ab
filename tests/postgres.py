"""A throw-away PostgreSQL server for the tests: its own data folder, port and socket."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the "postgres" user then.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_server(base: Path) -> Iterator[str]:
    """Start a server in `base`; yields a SQLAlchemy URL of an empty database."""
    binaries = postgres_bin()
    assert binaries is not None, "PostgreSQL is not installed (.ci/run installs it)"
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data = base / "data"
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": 60}
    subprocess.run(
        _as_owner([str(binaries / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"]),
        **run,  # type: ignore[call-overload]
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(binaries / "pg_ctl")
    subprocess.run(
        _as_owner(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
        ),
        **run,  # type: ignore[call-overload]
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )
