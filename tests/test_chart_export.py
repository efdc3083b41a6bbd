"""The chart files: plotly.js's own images at print resolution, drawn by one browser in a
`with` block, unchanged charts copied without a browser, and a browser that does not start
in time is a clear Swedish error that leaves nothing running (the browser here is a
stand-in put on BROWSER_PATH: a script that never answers)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest

from analysis.report import export as chart_export
from analysis.report.export import export_charts
from analysis.report.plots import Chart
from analysis.report.notebook import ReportFailed

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM, reason="Chromium saknas")]


def _chart() -> Chart:
    import plotly.graph_objects as go

    return Chart("prov", "Prov", go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "Stapeldiagram: a 1, b 2.")


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


def test_a_browser_that_never_starts_is_a_clear_error_and_leaves_nothing_running(monkeypatch, tmp_path):
    pids = _stand_in(tmp_path, monkeypatch, hanging=1, timeout_s=5)
    out = tmp_path / "diagram"
    with pytest.raises(ReportFailed, match="Webbläsaren som sparar diagrammen \\(Chromium\\) startade inte"):
        export_charts([_chart()], out)
    assert sorted(p.name for p in pids.iterdir()) == ["0"]
    assert [_gone(p) for p in sorted(pids.iterdir())] == [True]


def test_the_images_are_plotly_s_own_at_print_resolution(tmp_path):
    """PNG 1,890 px wide (the figure's 900 px at scale 2.1), SVG at the figure's size,
    and the same bytes from the same figure: a rerun that redraws changes no file."""
    import struct

    first, _ = export_charts([_chart()], tmp_path / "a")
    again, _ = export_charts([_chart()], tmp_path / "b")
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
    files, _ = export_charts([Chart("prov", "Prov", figure, "Värmekarta: fyra rutor.")], tmp_path)
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


def test_an_unchanged_chart_is_copied_and_a_changed_one_drawn(tmp_path, monkeypatch):
    """A report whose charts did not change (say only the judgement file did) copies the
    files it made before and starts no browser; a changed chart is drawn again."""
    first, second = tmp_path / "first", tmp_path / "second"
    files, digests = export_charts([_chart()], first)

    def no_browser():
        raise AssertionError("the browser was asked for")

    monkeypatch.setattr(chart_export, "chart_browser", no_browser)
    again, same = export_charts([_chart()], second, digests, first)
    assert same == digests
    assert again[0].png.read_bytes() == files[0].png.read_bytes()
    assert again[0].alt.read_text(encoding="utf-8") == files[0].alt.read_text(encoding="utf-8")

    changed = Chart("prov", "Prov", _chart().figure, "Stapeldiagram: a 1, b 2, nu med annan text.")
    with pytest.raises(AssertionError, match="the browser was asked for"):
        export_charts([changed], tmp_path / "third", digests, first)
