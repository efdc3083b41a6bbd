"""One writer at a time. Every command that writes under a root (ingest, aggregate, report,
run, template, demo) holds an exclusive lock on it: `fcntl.flock` on `data/.malstyrning.lock`,
which the kernel releases when the process ends, however it ends, so a killed holder never
blocks anyone. The holder writes its process id, command and start time into the file, for
the line a second writer prints while it waits. The wait has a limit (`MALSTYRNING_LAS_VANTAN_S`
seconds, 600 unless set); then the command gives up with exit status 2.

Readers (`analysis.load_tables`, the notebooks, `malstyrning katalog`) never take the lock:
they read the current snapshot, which a writer replaces in one atomic step."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from analysis.config import Paths
from analysis.errors import UsageError
from analysis.files import writing

WAIT_VARIABLE = "MALSTYRNING_LAS_VANTAN_S"
DEFAULT_WAIT_S = 600.0
POLL_S = 0.1


class Busy(UsageError):
    """Another command kept writing under the root for longer than the wait limit."""


def wait_limit() -> float:
    """How long a second writer waits, in seconds (the environment variable, or 600)."""
    text = os.environ.get(WAIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_WAIT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise UsageError(f"{WAIT_VARIABLE} ska vara ett antal sekunder (till exempel 600), inte '{text}'.")
    return seconds


def _take(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    """Who holds the lock, in Swedish, from what the holder wrote into the file."""
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"'{record['command']}' (process {int(record['pid'])}, startad {record['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "ett annat kommando"


@contextmanager
def writer_lock(paths: Paths, command: str, wait_s: float | None = None) -> Iterator[None]:
    """Hold the root's writer lock for the block; wait for it up to `wait_s` seconds
    (default: `wait_limit()`), saying on stderr what it waits for, then raise Busy."""
    wait_s = wait_limit() if wait_s is None else wait_s
    path = paths.lock_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if not _take(fd):
            print(f"malstyrning: väntar på att {_holder(fd)} ska bli klart i {paths.root} "
                  f"(högst {wait_s:g} s, ändras med {WAIT_VARIABLE}) …", file=sys.stderr, flush=True)
            deadline = time.monotonic() + wait_s
            while not _take(fd):
                if time.monotonic() >= deadline:
                    raise Busy(f"gav upp efter {wait_s:g} s: {_holder(fd)} skriver fortfarande i {paths.root}. "
                               f"Kör igen när det är klart (väntetiden ändras med {WAIT_VARIABLE}).")
                time.sleep(POLL_S)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        record = json.dumps({"pid": os.getpid(), "command": command, "started": started}, ensure_ascii=False)
        with writing(f"låsfilen {path}"):
            os.ftruncate(fd, 0)
            os.pwrite(fd, record.encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)
