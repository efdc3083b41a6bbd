"""The chart browser must never hang a scheduled run: kaleido can wait without end for its
page when Chromium misses an event, so a start that takes too long is abandoned (its
processes killed) and tried once more, and a second failure is a clear Swedish error."""

from __future__ import annotations

import asyncio
import os
import shutil
import time

import pytest

from analysis.report import export as chart_export
from analysis.report.export import ChartBrowser, export_charts
from analysis.report.plots import Chart
from analysis.report.notebook import ReportFailed

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
        files, _ = export_charts([_chart()], tmp_path, browser)
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


def test_a_chart_that_cannot_be_made_stops_the_export_and_leaves_no_files(tmp_path):
    """A chart that fails to be made must not leave the charts before it half-written in
    the folder."""
    def charts():
        yield _chart()
        raise ValueError("diagrammet kunde inte göras")

    with ChartBrowser() as browser, pytest.raises(ValueError, match="kunde inte göras"):
        export_charts(charts(), tmp_path, browser)
    assert list(tmp_path.iterdir()) == []


def test_an_unchanged_chart_is_copied_and_a_changed_one_drawn(tmp_path):
    """A report whose charts did not change (say only the judgement file did) copies the
    files it made before and starts no browser; a changed chart is drawn again."""
    first, second = tmp_path / "first", tmp_path / "second"
    with ChartBrowser() as browser:
        files, digests = export_charts([_chart()], first, browser)

    def no_browser():
        raise AssertionError("the browser was asked for")

    again, same = export_charts([_chart()], second, no_browser, digests, first)
    assert same == digests
    assert again[0].png.read_bytes() == files[0].png.read_bytes()
    assert again[0].alt.read_text(encoding="utf-8") == files[0].alt.read_text(encoding="utf-8")

    changed = Chart("prov", "Prov", _chart().figure, "Stapeldiagram: a 1, b 2, nu med annan text.")
    with pytest.raises(AssertionError, match="the browser was asked for"):
        export_charts([changed], tmp_path / "third", no_browser, digests, first)
