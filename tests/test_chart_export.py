"""The chart browser must never hang a scheduled run: a browser that does not start in
time is abandoned (its processes ended) and tried once more, and a second failure is a
clear Swedish error. The browsers here are stand-ins put on BROWSER_PATH: a script that
never answers, or one that does not answer the first time and then starts Chromium."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest

from analysis.report import export as chart_export
from analysis.report.export import ChartBrowser, ChartExport
from analysis.report.plots import Chart
from analysis.report.notebook import ReportFailed

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Chromium saknas")


def _chart() -> Chart:
    import plotly.graph_objects as go

    return Chart("prov", "Prov", go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "Stapeldiagram: a 1, b 2.")


def export_charts(charts, folder, browser, earlier=None, earlier_folder=None):
    """Every chart through one ChartExport, as the report does it: (files, digests)."""
    with ChartExport(folder, browser, earlier, earlier_folder) as export:
        for chart in charts:
            export.add(chart)
        return export.finish()


def _stand_in(tmp_path: Path, monkeypatch, hanging: int, timeout_s: int) -> Path:
    """A browser whose first `hanging` starts never answer (each writes its process id to
    a file and sleeps); later starts run Chromium. Returns the folder of the id files."""
    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "chromium"
    script.write_text(
        "#!/bin/sh\n"
        f'n=$(ls "{pids}" | wc -l)\n'
        f'echo $$ > "{pids}/$n"\n'
        f'if [ "$n" -lt {hanging} ]; then exec sleep 3600; fi\n'
        f'exec "{CHROMIUM}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(script))
    monkeypatch.setattr(chart_export, "OPEN_TIMEOUT_S", timeout_s)
    return pids


def _gone(pid_file: Path) -> bool:
    """The process is no longer there (a few seconds allowed for exiting)."""
    pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie is gone too
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.2)
    return False


def test_a_browser_start_that_hangs_is_abandoned_and_tried_again(monkeypatch, tmp_path):
    pids = _stand_in(tmp_path, monkeypatch, hanging=1, timeout_s=20)  # room for the real start
    out = tmp_path / "diagram"
    with ChartBrowser() as browser:
        files, _ = export_charts([_chart()], out, browser)
    assert sorted(p.name for p in pids.iterdir()) == ["0", "1"]
    assert files[0].png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in files[0].svg.read_text(encoding="utf-8")
    assert [_gone(p) for p in sorted(pids.iterdir())] == [True, True]


def test_a_browser_that_never_starts_is_a_clear_error_and_leaves_nothing_running(monkeypatch, tmp_path):
    pids = _stand_in(tmp_path, monkeypatch, hanging=2, timeout_s=5)
    out = tmp_path / "diagram"
    with ChartBrowser() as browser, pytest.raises(ReportFailed, match="startade inte inom 5 s, 2 försök"):
        export_charts([_chart()], out, browser)
    assert sorted(p.name for p in pids.iterdir()) == ["0", "1"]
    assert [_gone(p) for p in sorted(pids.iterdir())] == [True, True]
    assert list(out.iterdir()) == []


def test_the_images_are_plotly_s_own_at_print_resolution(tmp_path):
    """PNG 1,890 px wide (the figure's 900 px at scale 2.1), SVG at the figure's size,
    and the same bytes from the same figure: a rerun that redraws changes no file."""
    import struct

    with ChartBrowser() as browser:
        first, _ = export_charts([_chart()], tmp_path / "a", browser)
        again, _ = export_charts([_chart()], tmp_path / "b", browser)
    width, height = struct.unpack(">II", first[0].png.read_bytes()[16:24])
    assert (width, height) == (1890, round(500 * 1890 / 900))
    svg = first[0].svg.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'width="900" height="500"' in svg
    assert first[0].png.read_bytes() == again[0].png.read_bytes()
    # plotly.js writes the root element's attributes in either order (seen under load):
    # the same picture, compared in canonical XML (attributes sorted).
    assert canonicalize(svg) == canonicalize(again[0].svg.read_text(encoding="utf-8").replace(*_ids(again[0].svg, first[0].svg)))


def test_the_png_is_the_one_plotly_js_would_draw_from_the_same_svg(tmp_path):
    """The PNG is drawn from the SVG of the same drawing; it must be Plotly.toImage's own
    PNG byte for byte (asked here of a browser of the test's own), also where the scaled
    height is not a whole number of pixels (566 px at 1890/900 is 1188.6)."""
    import base64

    import plotly.graph_objects as go
    from playwright.sync_api import sync_playwright
    from plotly.offline import get_plotlyjs

    figure = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["å", "ä"], y=["ö", "<b>"]), layout={"width": 900, "height": 566})
    with ChartBrowser() as browser:
        files, _ = export_charts([Chart("prov", "Prov", figure, "Värmekarta: fyra rutor.")], tmp_path, browser)
    with sync_playwright() as playwright:
        own = playwright.chromium.launch(executable_path=CHROMIUM)
        page = own.new_page()
        page.add_script_tag(content=get_plotlyjs())
        drawn = page.evaluate("async ([figure, options]) => { const f = JSON.parse(figure); return await Plotly.toImage("
                              "{data: f.data, layout: f.layout, config: f.config || {}}, options); }",
                              [figure.to_json(remove_uids=False),
                               {"format": "png", "width": 900, "height": 566, "scale": 1890 / 900, "imageDataOnly": True}])
        own.close()
    assert files[0].png.read_bytes() == base64.b64decode(drawn)
    assert files[0].svg.read_text(encoding="utf-8").startswith("<svg")


def _ids(one: Path, other: Path) -> tuple[str, str]:
    """plotly.js gives each drawing a random id of six hex digits (defs-<id>): the pair
    to replace so that two drawings of one figure compare equal."""
    import re

    pick = lambda p: re.search(r'id="defs-([0-9a-f]+)"', p.read_text(encoding="utf-8")).group(1)
    return pick(one), pick(other)


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


def test_each_chart_goes_to_the_browser_as_soon_as_it_is_added(tmp_path):
    """The browser draws a chart while the next one is built: `add` hands it over at once,
    and `finish` writes the files in the order the charts were added."""
    import concurrent.futures

    class Recording:
        def __init__(self):
            self.jobs, self.drawings = [], []

        def draw(self, job):
            self.jobs.append(job)
            self.drawings.append(concurrent.futures.Future())
            return self.drawings[-1]

    browser = Recording()
    export = ChartExport(tmp_path, browser)
    first = _chart()
    second = Chart("andra", "Andra", first.figure, "Stapeldiagram: andra.")
    export.add(first)
    assert len(browser.jobs) == 1 and not (tmp_path / "prov.png").exists()
    export.add(second)
    assert len(browser.jobs) == 2
    for n, drawing in enumerate(browser.drawings):
        drawing.set_result((f"<svg>{n}</svg>", f"png {n}".encode()))
    files, _ = export.finish()
    assert [f.png.read_bytes() for f in files] == [b"png 0", b"png 1"]
    assert [f.svg.read_text(encoding="utf-8") for f in files] == ["<svg>0</svg>", "<svg>1</svg>"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "andra.alt.txt", "andra.png", "andra.svg", "prov.alt.txt", "prov.png", "prov.svg"]


def test_an_abandoned_export_leaves_no_files_even_when_a_drawing_ends_later(tmp_path):
    import concurrent.futures

    drawing = concurrent.futures.Future()

    class Slow:
        def draw(self, job):
            return drawing

    with pytest.raises(RuntimeError, match="avbrutet"), ChartExport(tmp_path, Slow()) as export:
        export.add(_chart())
        raise RuntimeError("avbrutet")
    assert drawing.cancelled() and list(tmp_path.iterdir()) == []
