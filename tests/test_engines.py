"""No engine outlives a killed report: `malstyrning report` (the part of `run` that starts
the engines) killed with SIGKILL before its charts, while the browser draws them (`--force`:
a forced report draws its charts anew), and while its notebook runs with LibreOffice
converting beside it (its charts copied from the last report, as unchanged charts are)
leaves no browser, kernel or LibreOffice of its own alive 10 s later.
The engines end by their own public means: the browser with Playwright's driver, whose
pipe closes with the run; the kernel by ipykernel's watch of its parent; LibreOffice's
conversion ends by itself. (A whole `run` killed at a random step: tests/test_store.py.)

The run's processes are found by a mark in their environment, which every process it
starts inherits (Linux's /proc, read by the test only)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.config import REPOSITORY_ROOT

from conftest import copy_city

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")]
MARK = "MALSTYRNING_TESTMARKE"
ENGINES = {"webbläsare": ("chrom", "playwright", "node"), "kärna": ("ipykernel",), "LibreOffice": ("soffice", "oosplash")}


def _marked(token: str) -> dict[int, str]:
    """The living processes (not zombies) whose environment holds the mark: pid -> engine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"{MARK}={token}".encode() not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        kind = next((k for k, words in ENGINES.items() if any(w in command for w in words)), "annat")
        found[int(entry.name)] = kind
    return found


def _kill_when(paths, token: str, engines: set[str], after_s: float = 0.0, force: bool = True) -> float:
    """Start `report` (`force`: with --force, its charts drawn anew), kill it (SIGKILL) once
    every one of `engines` of its own runs (none: after `after_s` seconds), and return how
    long any process it started lived after the kill (at most 10 s are waited for)."""
    env = {**os.environ, MARK: token, "PYTHONPATH": str(REPOSITORY_ROOT)}
    report = ["report", "--period", "2026-delar", *(["--force"] if force else [])]
    run = subprocess.Popen([sys.executable, "-m", "analysis.cli", "--root", str(paths.root), *report], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        while time.monotonic() - started < 600 and run.poll() is None:
            if not engines and time.monotonic() - started >= after_s:
                break
            if engines and engines <= set(_marked(token).values()):
                time.sleep(0.5)  # well into their work
                break
            time.sleep(0.05)
        assert run.poll() is None, f"the run ended before {engines} ran"
    finally:
        run.kill()
        run.wait()
    killed = time.monotonic()
    while _marked(token) and time.monotonic() - killed < 10:
        time.sleep(0.1)
    left = _marked(token)
    assert left == {}, f"alive 10 s after the kill ({engines}): {left}"
    return time.monotonic() - killed


def test_no_engine_outlives_a_killed_report(reported_city, tmp_path):
    """Three kills: before the charts; while the browser draws them; while the kernel runs
    the notebook and, beside it, LibreOffice converts the Word file (analysis.report.produce
    starts the two together; not forced, so its charts are copied and no browser is
    started first: the copy's last report has the same charts)."""
    paths = copy_city(reported_city[0], tmp_path / "stad")
    last = {"kärna", "LibreOffice"} if shutil.which("soffice") else {"kärna"}
    lived = {}
    kills = (("före diagrammen", set(), 2.0, True), ("under diagrammen", {"webbläsare"}, 0, True),
             ("under notebooken och PDF-konverteringen", last, 0, False))
    for moment, engines, after, force in kills:
        lived[moment] = _kill_when(paths, secrets.token_hex(8), engines, after, force)
    print("längsta tid en motor levde efter döden:", {k: round(v, 1) for k, v in lived.items()})
    assert max(lived.values()) < 10
