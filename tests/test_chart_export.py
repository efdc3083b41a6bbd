"""The chart browser must never hang a scheduled run: kaleido can wait without end for its
page when Chromium misses an event, so a start that takes too long is abandoned (its
processes killed) and tried once more, and a second failure is a clear Swedish error."""

from __future__ import annotations

import asyncio
import os
import shutil
import time

import pytest

from analysis import chart_export
from analysis.chart_export import ChartBrowser, export_charts
from analysis.charts import Chart
from analysis.report_runner import ReportFailed

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium saknas")


def _chart() -> Chart:
    import plotly.graph_objects as go

    return Chart("prov", "Prov", go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "Stapeldiagram: a 1, b 2.")


def _hang_on_starts(monkeypatch, hanging: int, timeout_s: int) -> list:
    """Let the first `hanging` starts launch Chromium and then never finish; the started
    browsers are returned, to check that they were stopped."""
    import kaleido

    real = kaleido.Kaleido.__aenter__
    started = []

    async def start(self):
        started.append(self)
        if len(started) <= hanging:
            await real(self)
            await asyncio.sleep(3600)
        return await real(self)

    monkeypatch.setattr(kaleido.Kaleido, "__aenter__", start)
    monkeypatch.setattr(chart_export, "OPEN_TIMEOUT_S", timeout_s)
    return started


def _gone(browser) -> bool:
    """No process of the browser's group is left (a few seconds allowed for exiting)."""
    for _ in range(50):
        try:
            os.killpg(browser.subprocess.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_a_browser_start_that_hangs_is_abandoned_and_tried_again(monkeypatch, tmp_path):
    started = _hang_on_starts(monkeypatch, hanging=1, timeout_s=20)  # room for the real start
    with ChartBrowser() as browser:
        files = export_charts([_chart()], tmp_path, browser)
    assert len(started) == 2
    assert files[0].png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in files[0].svg.read_text(encoding="utf-8")
    assert [_gone(b) for b in started] == [True, True]


def test_a_browser_that_never_starts_is_a_clear_error_and_leaves_nothing_running(monkeypatch, tmp_path):
    started = _hang_on_starts(monkeypatch, hanging=2, timeout_s=5)
    with ChartBrowser() as browser, pytest.raises(ReportFailed, match="startade inte inom 5 s, 2 försök"):
        export_charts([_chart()], tmp_path, browser)
    assert len(started) == 2
    assert [_gone(b) for b in started] == [True, True]
    assert list(tmp_path.iterdir()) == []


def _browser_processes(browser) -> list[str]:
    """The command lines of the browser's processes (its process group)."""
    group = os.getpgid(browser.subprocess.pid)
    lines = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) == group:
                lines.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode())
        except (OSError, ProcessLookupError):
            continue
    return lines


def test_the_browser_starts_no_omnibox_page(tmp_path):
    """The popup page of the address bar costs a renderer process at every start; a
    Chromium that renamed the feature would bring it back unnoticed."""
    with ChartBrowser() as browser:
        export_charts([_chart()], tmp_path, browser)
        processes = _browser_processes(browser._kaleido.result())
    assert any("--type=renderer" in p for p in processes)  # the page that draws the charts
    assert not [p for p in processes if "--top-chrome-webui" in p]


def _autogroups() -> bool:
    try:
        return open("/proc/sys/kernel/sched_autogroup_enabled").read().strip() == "1"
    except OSError:
        return False


def _group_niceness(browser) -> int:
    return int(open(f"/proc/{browser.subprocess.pid}/autogroup").read().split("nice")[1])


@pytest.mark.skipif(not _autogroups(), reason="Linux utan autogroup-schemaläggning")
def test_the_browser_starts_behind_the_run_and_draws_beside_it(tmp_path):
    """Chromium runs in a session of its own, whose group's niceness decides its share of
    the CPU: behind the ingestion while it starts, level with the notebook as it draws."""
    with ChartBrowser() as browser:
        started = browser._kaleido.result()
        assert _group_niceness(started) == 10
        export_charts([_chart()], tmp_path, browser)
        assert _group_niceness(started) == 0


def test_a_chart_that_cannot_be_made_stops_the_export_and_leaves_no_files(tmp_path):
    """Charts go to the browser as they are made; one that fails must not leave the
    charts before it half-written in the folder."""
    def charts():
        yield _chart()
        raise ValueError("diagrammet kunde inte göras")

    with ChartBrowser() as browser, pytest.raises(ValueError, match="kunde inte göras"):
        export_charts(charts(), tmp_path, browser)
    assert list(tmp_path.iterdir()) == []
