"""Static chart files for council documents: every chart as PNG (print resolution) and
SVG, with its Swedish alt text in a sidecar file. One browser serves the whole run: it is
started ahead (its start-up overlaps the ingestion) and every chart goes through it.

The browser is Debian's Chromium driven through Playwright's public API, with one page
that loads plotly.js once; each image is plotly.js's own `Plotly.toImage` (what kaleido
calls too). Kaleido reloads its page after every image, and with twenty images of a
period-end report those reloads were most of the export's time."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import ReportFailed, UsageError

PNG_WIDTH_PX = 1890  # print resolution: 300 dpi over the council document's text width (A4, 160 mm: 1889.8 px)
CLOSE_TIMEOUT_S = 30
OPEN_TIMEOUT_S = 60  # a normal start takes 1-3 s
OPEN_ATTEMPTS = 2
IMAGE_TIMEOUT_S = 90  # one image; a normal one takes a tenth of a second
EXPORT_TIMEOUT_S = 600  # a backstop for the whole export

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Diagram</title>
<script src="plotly.min.js"></script></head><body></body></html>
"""
# One figure (its JSON text, as plotly.py writes it) to its two images in one drawing:
# the SVG from Plotly.toImage, and the PNG made from that SVG as Plotly.toImage makes a
# PNG (plotly.js's svgToImg: the SVG as an image, drawn on a canvas `scale` times as large,
# the canvas's PNG), the same bytes as Plotly.toImage's own PNG (a test compares them)
# without laying the figure out a second time. Returns [SVG text, PNG as base64].
TO_IMAGES = """async ([figure, width, height, scale]) => {
  const f = JSON.parse(figure);
  const svg = await Plotly.toImage({data: f.data, layout: f.layout, config: f.config || {}},
                                   {format: "svg", width: width, height: height, imageDataOnly: true});
  const url = URL.createObjectURL(new Blob([svg], {type: "image/svg+xml;charset=utf-8"}));
  try {
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error("the SVG could not be drawn"));
      image.src = url;
    });
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


class ChartBrowser:
    """One headless Chromium with one page that has plotly.js loaded, on its own thread
    and event loop. It starts when created and is used by `ChartExport`; `close` ends
    it. A browser that cannot start is reported when charts are exported, not before."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="malstyrning-diagram-"))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="diagram-browser", daemon=True)
        self._thread.start()
        self._playwright = None
        self._browser = None
        self._page = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        self._drawing = asyncio.Lock()

    def when_started(self, callback) -> None:
        """Call `callback()` (on the browser's thread) once the browser has started or
        failed to."""
        self._page.add_done_callback(lambda _: callback())

    async def _open(self):
        """The page, ready to draw. A start that takes too long (or fails) is abandoned,
        its browser stopped, and tried once more: a scheduled run must not hang."""
        from plotly.offline import get_plotlyjs

        path = browser_path()
        (self._folder / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
        (self._folder / "index.html").write_text(PAGE, encoding="utf-8")
        reason = ""
        for _ in range(OPEN_ATTEMPTS):
            try:
                return await asyncio.wait_for(self._start(path), OPEN_TIMEOUT_S)
            except Exception as exc:  # a timeout, or a start that failed
                reason = "" if isinstance(exc, asyncio.TimeoutError) else f" ({exc.__class__.__name__})"
                await self._stop()
        raise ReportFailed(f"Webbläsaren som sparar diagrammen (Chromium) startade inte inom {OPEN_TIMEOUT_S} s, "
                           f"{OPEN_ATTEMPTS} försök{reason}. Diagrammen sparades inte; kör igen.")

    async def _start(self, path: str):
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=path, timeout=OPEN_TIMEOUT_S * 1000)
        page = await self._browser.new_page()
        await page.goto((self._folder / "index.html").as_uri())
        await page.wait_for_function("() => typeof Plotly === 'object'")
        # A first drawing: plotly.js sets up the page on it (its styles), and writes the
        # SVG's attributes in another order than in every drawing after it. Every chart of
        # the report is then drawn the same way, wherever it comes in the order.
        await page.evaluate(TO_IMAGES, ['{"data": [{"type": "bar", "y": [1]}], "layout": {}}', 100, 100, 1])
        return page

    async def _stop(self) -> None:
        """Close the browser and Playwright's driver; the driver ends the browsers it
        started when it ends, so a browser that will not close goes with it."""
        browser, playwright, self._browser, self._playwright = self._browser, self._playwright, None, None
        for step in ((browser.close if browser else None), (playwright.stop if playwright else None)):
            if step is not None:
                try:
                    await asyncio.wait_for(step(), CLOSE_TIMEOUT_S)
                except Exception:  # a browser that will not close is not worth failing the run for
                    pass

    async def _draw_one(self, job: dict) -> tuple[str, bytes]:
        page = await asyncio.wrap_future(self._page)
        async with self._drawing:  # one drawing at a time, in the order they were asked for
            svg, png = await asyncio.wait_for(
                page.evaluate(TO_IMAGES, [job["figure"], job["width"], job["height"], job["scale"]]), IMAGE_TIMEOUT_S)
        return svg, base64.b64decode(png)

    def draw(self, job: dict) -> concurrent.futures.Future:
        """Start drawing a job ({figure: the figure's JSON text, width and height in pixels,
        scale: the PNG's size over that}) once the browser is up, after the jobs asked for
        before it; `wait` for the images (SVG text, PNG bytes)."""
        return asyncio.run_coroutine_threadsafe(self._draw_one(job), self._loop)

    @staticmethod
    def wait(drawings: list[concurrent.futures.Future]) -> list[tuple[str, bytes]]:
        """The images of drawings (`draw`), in their order; a browser that did not start,
        an image that took too long or failed is ReportFailed, with the drawings not yet
        done cancelled."""
        deadline = time.monotonic() + EXPORT_TIMEOUT_S
        try:
            return [drawing.result(timeout=max(0.0, deadline - time.monotonic())) for drawing in drawings]
        except concurrent.futures.TimeoutError:
            raise ReportFailed(f"Webbläsaren som sparar diagrammen svarade inte på {EXPORT_TIMEOUT_S} s. "
                               "Diagrammen sparades inte; kör igen.") from None
        except asyncio.TimeoutError:
            raise ReportFailed(f"Webbläsaren ritade inte ett diagram på {IMAGE_TIMEOUT_S} s. "
                               "Diagrammen sparades inte; kör igen.") from None
        except ReportFailed:
            raise
        except Exception as exc:
            raise ReportFailed(f"Diagrammen kunde inte sparas som bilder: {exc}") from None
        finally:
            for drawing in drawings:
                drawing.cancel()

    def close(self) -> None:
        try:
            self._page.result(timeout=CLOSE_TIMEOUT_S)
        except Exception:  # a browser that never started has stopped itself
            pass
        try:
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=3 * CLOSE_TIMEOUT_S)
        except Exception:
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=CLOSE_TIMEOUT_S)
            shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> ChartBrowser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def chart_digest(figure_json: str, alt_text: str) -> str:
    """What decides a chart's files: its figure, its alt text and the export settings."""
    import hashlib

    text = f"{PNG_WIDTH_PX}\n{alt_text}\n{figure_json}"
    return hashlib.sha256(text.encode()).hexdigest()


def chart_files(name: str, folder: Path) -> ChartFile:
    """Where `ChartExport` writes a chart's files in `folder`."""
    return ChartFile(name, folder / f"{name}.png", folder / f"{name}.svg", folder / f"{name}.alt.txt")


class ChartExport:
    """Writes `<name>.png`, `<name>.svg` and `<name>.alt.txt` for each chart `add`ed
    (objects with name, figure and alt_text) into `folder`; `finish` waits for the
    drawings and returns the files with each chart's digest. A chart is handed to the
    browser as soon as it is added, so that the browser draws while the next chart is
    built. A chart whose digest is in `earlier` (those of the files in `earlier_folder`)
    is copied from there instead of drawn again; the browser (or the function that starts
    it) is asked for only when something must be drawn. The files are written by `finish`
    alone (a drawing returns its images); when anything fails (or the export is left
    without `finish`, as a context manager), none of them is left."""

    def __init__(self, folder: Path, browser: Callable[[], ChartBrowser] | ChartBrowser,
                 earlier: Mapping[str, str] | None = None, earlier_folder: Path | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.browser = folder, browser
        self.earlier, self.earlier_folder = earlier or {}, earlier_folder
        self.made: list[tuple] = []
        self.copied: list[tuple] = []
        self.drawings: list[concurrent.futures.Future] = []
        self.digests: dict[str, str] = {}
        self.files: list[ChartFile] = []
        self._browser: ChartBrowser | None = None

    def add(self, chart) -> None:
        try:
            out = chart_files(chart.name, self.folder)
            self.files.append(out)
            figure = chart.figure.to_json(remove_uids=False)  # the uids name the SVG's classes: the same file each run
            self.digests[chart.name] = digest = chart_digest(figure, chart.alt_text)
            if self.earlier_folder is not None and self.earlier.get(chart.name) == digest and all(
                    (self.earlier_folder / p.name).is_file() for p in (out.png, out.svg)):
                self.copied.append((chart, out))
                return
            self.made.append((chart, out))
            if self._browser is None:
                self._browser = self.browser() if callable(self.browser) else self.browser
            width = chart.figure.layout.width or 900
            height = chart.figure.layout.height or 500
            self.drawings.append(self._browser.draw({
                "figure": figure, "width": width, "height": height, "scale": PNG_WIDTH_PX / width}))
        except BaseException:
            self.abandon()
            raise

    def finish(self) -> tuple[list[ChartFile], dict[str, str]]:
        try:
            images = ChartBrowser.wait(self.drawings) if self.drawings else []
            self.drawings = []
            for (chart, out), (svg, png) in zip(self.made, images):
                out.png.write_bytes(png)
                out.svg.write_text(svg, encoding="utf-8")
            for chart, out in self.copied:
                shutil.copyfile(self.earlier_folder / out.png.name, out.png)
                shutil.copyfile(self.earlier_folder / out.svg.name, out.svg)
            for chart, out in (*self.made, *self.copied):
                out.alt.write_text(chart.alt_text + "\n", encoding="utf-8")
        except BaseException:
            self.abandon()
            raise
        return self.files, self.digests

    def abandon(self) -> None:
        """Stop the drawings not yet done (a drawing writes no file: `finish` does) and
        remove every file written so far."""
        for drawing in self.drawings:
            drawing.cancel()
        self.drawings = []
        for _, out in (*self.made, *self.copied):
            for path in (out.png, out.svg, out.alt):
                path.unlink(missing_ok=True)

    def __enter__(self) -> ChartExport:
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is not None:
            self.abandon()

