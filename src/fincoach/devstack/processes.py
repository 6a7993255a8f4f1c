"""`fincoach` commands as subprocesses, each in its own process group, with their logs.

Used by `fincoach stack` and by the process tests (tests/integration, tests/faults).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

DEADLINE = 90.0  # seconds for any one wait for a process to be ready


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process may take it later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Services:
    """Started `fincoach` commands, their logs, and a clean stop."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        out = (self.logs / f"{name}.log").open("wb")
        command = [sys.executable, "-c", "from fincoach.cli import main; main()", *args]
        # Own process group: the worker's prefork children are stopped with their parent.
        proc = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append((name, proc))

    def check_alive(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def tail(self, name: str) -> str:
        return self.log(name)[-3000:]

    def tails(self) -> str:
        """The end of every log: what a failed wait shows."""
        return "\n".join(f"--- {name}\n{self.tail(name)}" for name, _ in self.procs)

    def json_lines(self, name: str, *, until_key: str) -> list[dict[str, Any]]:
        """The JSON lines `name` printed, once one of them holds `until_key` (a ready banner)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            self.check_alive()
            lines = []
            for line in self.log(name).splitlines():
                if line.startswith("{"):
                    lines.append(json.loads(line))
            if any(until_key in line for line in lines):
                return lines
            assert time.monotonic() < deadline, self.tail(name)
            time.sleep(0.1)

    def wait_http(self, url: str, *, name: str) -> None:
        """Until `url` answers 200: the process behind it is serving."""
        deadline = time.monotonic() + DEADLINE
        while True:
            self.check_alive()
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.tail(name)
            time.sleep(0.2)

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
