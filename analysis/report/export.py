"""Static chart files for council documents: every chart as PNG (print resolution) and
SVG, with its Swedish alt text in a sidecar file. One browser serves the whole report,
opened and closed in a `with` block, and only when a chart must be drawn.

The browser is Debian's Chromium driven through Playwright's public API, with one page
that loads plotly.js once; each image is plotly.js's own `Plotly.toImage` (what kaleido
calls too). Kaleido reloads its page after every image, and with twenty images of a
period-end report those reloads were most of the export's time."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import ReportFailed, UsageError

PNG_WIDTH_PX = 1890  # print resolution: 300 dpi over the council document's text width (A4, 160 mm: 1889.8 px)
OPEN_TIMEOUT_S = 60  # a normal start takes 1-3 s
IMAGE_TIMEOUT_S = 90  # one image; a normal one takes a tenth of a second

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Diagram</title>
<script src="plotly.min.js"></script></head><body></body></html>
"""
# One figure (its JSON text, as plotly.py writes it) to its two images in one drawing:
# the SVG from Plotly.toImage, and the PNG made from that SVG as Plotly.toImage makes a
# PNG (plotly.js's svgToImg: the SVG as an image, drawn on a canvas `scale` times as large,
# the canvas's PNG), the same bytes as Plotly.toImage's own PNG (a test compares them)
# without laying the figure out a second time. Returns [SVG text, PNG as base64].
TO_IMAGES = """async ([figure, width, height, scale, timeout]) => {
  const f = JSON.parse(figure);
  const expired = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeout));
  const svg = await Promise.race([expired, Plotly.toImage({data: f.data, layout: f.layout, config: f.config || {}},
                                   {format: "svg", width: width, height: height, imageDataOnly: true})]);
  const url = URL.createObjectURL(new Blob([svg], {type: "image/svg+xml;charset=utf-8"}));
  try {
    const image = new Image();
    await Promise.race([expired, new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error("the SVG could not be drawn"));
      image.src = url;
    })]);
    const canvas = document.createElement("canvas");
    canvas.width = scale * width;
    canvas.height = scale * height;
    canvas.getContext("2d").drawImage(image, 0, 0, scale * width, scale * height);
    return [svg, canvas.toDataURL("image/png").replace(/^data:image\\/png;base64,/, "")];
  } finally {
    URL.revokeObjectURL(url);
  }
}"""


@dataclass(frozen=True)
class ChartFile:
    name: str
    png: Path
    svg: Path
    alt: Path


def browser_path() -> str:
    """The Chromium that draws the charts; a clear message when it is missing."""
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    raise UsageError("Chromium saknas, så diagrammen kan inte sparas som bilder. Kör 'make setup' "
                     "(installerar paketet chromium) eller sätt BROWSER_PATH.")


@contextmanager
def chart_browser() -> Iterator[Callable[[str, int, int, float], tuple[str, bytes]]]:
    """One headless Chromium, through Playwright's public sync API, with one page that has
    plotly.js loaded, for the `with` block; yields draw(figure JSON, width, height, scale)
    -> (SVG text, PNG bytes). A browser that does not start, or an image that takes too
    long, is ReportFailed; the browser is closed when the block ends, however it ends."""
    from playwright.sync_api import Error as PlaywrightError, sync_playwright
    from plotly.offline import get_plotlyjs

    path = browser_path()
    with tempfile.TemporaryDirectory(prefix="malstyrning-diagram-") as folder:
        (Path(folder) / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
        (Path(folder) / "index.html").write_text(PAGE, encoding="utf-8")
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=path, timeout=OPEN_TIMEOUT_S * 1000)
            except PlaywrightError as exc:
                raise ReportFailed(f"Webbläsaren som sparar diagrammen (Chromium) startade inte: "
                                   f"{str(exc).splitlines()[0]} Diagrammen sparades inte; kör igen.") from None
            try:
                page = browser.new_page()
                page.goto((Path(folder) / "index.html").as_uri())
                page.wait_for_function("() => typeof Plotly === 'object'", timeout=OPEN_TIMEOUT_S * 1000)
                # A first drawing: plotly.js sets up the page on it (its styles), and writes the
                # SVG's attributes in another order than in every drawing after it. Every chart
                # of the report is then drawn the same way, wherever it comes in the order.
                page.evaluate(TO_IMAGES, ['{"data": [{"type": "bar", "y": [1]}], "layout": {}}', 100, 100, 1,
                                          IMAGE_TIMEOUT_S * 1000])

                def draw(figure: str, width: int, height: int, scale: float) -> tuple[str, bytes]:
                    try:
                        svg, png = page.evaluate(TO_IMAGES, [figure, width, height, scale, IMAGE_TIMEOUT_S * 1000])
                    except PlaywrightError as exc:
                        raise ReportFailed(f"Webbläsaren ritade inte ett diagram: {str(exc).splitlines()[0]} "
                                           "Diagrammen sparades inte; kör igen.") from None
                    return svg, base64.b64decode(png)

                yield draw
            finally:
                browser.close()


def chart_digest(figure_json: str, alt_text: str) -> str:
    """What decides a chart's files: its figure, its alt text and the export settings."""
    import hashlib

    text = f"{PNG_WIDTH_PX}\n{alt_text}\n{figure_json}"
    return hashlib.sha256(text.encode()).hexdigest()


def chart_files(name: str, folder: Path) -> ChartFile:
    """Where `ChartExport` writes a chart's files in `folder`."""
    return ChartFile(name, folder / f"{name}.png", folder / f"{name}.svg", folder / f"{name}.alt.txt")


def export_charts(charts: Iterable, folder: Path, earlier: Mapping[str, str] | None = None,
                  earlier_folder: Path | None = None) -> tuple[list[ChartFile], dict[str, str]]:
    """`<name>.png`, `<name>.svg` and `<name>.alt.txt` for each chart (objects with name,
    figure and alt_text) in `folder`; returns the files and each chart's digest. A chart
    whose digest is in `earlier` (those of the files in `earlier_folder`) is copied from
    there; the browser starts only when something must be drawn."""
    folder.mkdir(parents=True, exist_ok=True)
    earlier = earlier or {}
    files, digests, to_draw = [], {}, []
    for chart in charts:
        out = chart_files(chart.name, folder)
        files.append(out)
        figure = chart.figure.to_json(remove_uids=False)  # the uids name the SVG's classes: the same file each run
        digests[chart.name] = digest = chart_digest(figure, chart.alt_text)
        if earlier_folder is not None and earlier.get(chart.name) == digest and all(
                (earlier_folder / p.name).is_file() for p in (out.png, out.svg)):
            shutil.copyfile(earlier_folder / out.png.name, out.png)
            shutil.copyfile(earlier_folder / out.svg.name, out.svg)
        else:
            to_draw.append((chart, out, figure))
        out.alt.write_text(chart.alt_text + "\n", encoding="utf-8")
    if to_draw:
        with chart_browser() as draw:
            for chart, out, figure in to_draw:
                width = chart.figure.layout.width or 900
                height = chart.figure.layout.height or 500
                svg, png = draw(figure, width, height, PNG_WIDTH_PX / width)
                out.png.write_bytes(png)
                out.svg.write_text(svg, encoding="utf-8")
    return files, digests
