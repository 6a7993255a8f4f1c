"""The scale benchmark's moving parts: subprocesses, a fresh database, and /proc accounting."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from fincoach.migrations import runner

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_database(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def fresh_database(admin_url: str) -> tuple[str, str]:
    """A new database migrated to head: (name, url)."""
    name = f"fincoach_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    runner.upgrade(url)
    return name, url


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- /proc ---------------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces; everything after its closing parenthesis is fields.
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int, *, with_reaped_children: bool = False) -> float:
    """User + system CPU of a process (and of its children it has waited for, if asked)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def processes_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def machine_busy_seconds() -> float:
    """CPU seconds spent not idle by the whole machine since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU of a set of process trees between `start()` and `read()`; processes may come and go."""

    roots: dict[str, int]
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    group_of: dict[int, str] = field(default_factory=dict)

    def _tree(self) -> Iterable[tuple[str, int, bool]]:
        for group, root in self.roots.items():
            yield group, root, True
            for child in children(root):
                yield group, child, False

    def sample(self) -> None:
        for group, pid, is_root in self._tree():
            seconds = cpu_seconds(pid, with_reaped_children=is_root)
            self.group_of[pid] = group
            self.first.setdefault(pid, seconds)
            self.last[pid] = seconds

    def by_group(self) -> dict[str, float]:
        totals: dict[str, float] = dict.fromkeys(self.roots, 0.0)
        for pid, seconds in self.last.items():
            totals[self.group_of[pid]] += seconds - self.first[pid]
        return totals

    def peak_rss(self, group: str) -> dict[int, float]:
        return {
            pid: peak_rss_mb(pid)
            for g, pid, _ in self._tree()
            if g == group and peak_rss_mb(pid) > 0
        }


# -- subprocesses --------------------------------------------------------------------------------


class Stack:
    """Subprocesses in their own process groups, logs in `logs/`, stopped together."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], *, stdout_pipe: bool = False) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            command,
            env=self.env,
            stdout=subprocess.PIPE if stdout_pipe else log,
            stderr=log,
            start_new_session=True,
            cwd=ROOT,
        )

    def fincoach(self, name: str, *args: str) -> None:
        self.start(name, [sys.executable, "-c", "from fincoach.cli import main; main()", *args])

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def wait_until(check: object, *, timeout: float, what: str, stack: Stack | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if stack is not None:
            stack.check_alive()
        try:
            if callable(check) and check():
                return
        except Exception:  # not up yet
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up in {timeout:.0f} s")
        time.sleep(0.2)
