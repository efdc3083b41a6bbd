"""Static chart files for council documents: every chart as PNG (print resolution) and
SVG, with its Swedish alt text in a sidecar file. One browser serves the whole run: it is
started ahead (its start-up overlaps the ingestion) and every chart goes through it.

Only kaleido's public API is used: a `kaleido.Kaleido` opened as an async context
manager on a thread of its own, and its `write_fig_from_object`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import ReportFailed, UsageError

PNG_WIDTH_PX = 2400  # print resolution: 300 dpi over 8 inches, wider than an A4 page's text
CLOSE_TIMEOUT_S = 30
OPEN_TIMEOUT_S = 60  # a normal start takes 2-5 s
OPEN_ATTEMPTS = 2
EXPORT_TIMEOUT_S = 600  # a backstop: kaleido gives up on one image after 90 s itself
# Two tabs: kaleido reloads a tab's page after every image, and the other tab draws
# meanwhile (the report's 14 images: 3.3 s with one tab, 2.3 s with two, 2.7 s with three).
TABS = 2


@dataclass(frozen=True)
class ChartFile:
    name: str
    png: Path
    svg: Path
    alt: Path


def browser_path() -> str:
    """The Chromium that kaleido drives; a clear message when it is missing (kaleido
    itself would wait forever for a browser that never starts)."""
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    raise UsageError("Chromium saknas, så diagrammen kan inte sparas som bilder. Kör 'make setup' "
                     "(installerar paketet chromium) eller sätt BROWSER_PATH.")


class ChartBrowser:
    """One headless Chromium (through kaleido) on its own thread and event loop. It starts
    when created and is used by `export_charts`; `close` ends it. A browser that cannot
    start is reported when charts are exported, not before."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="diagram-browser", daemon=True)
        self._thread.start()
        self._kaleido = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    @staticmethod
    async def _open():
        """Kaleido waits without end for its page when Chromium misses an event (seen
        about once in a few hundred starts), and a scheduled run must not hang: a start
        that takes too long is abandoned and tried once more."""
        path = browser_path()
        import kaleido

        reason = ""
        for _ in range(OPEN_ATTEMPTS):
            browser = kaleido.Kaleido(n=TABS, mathjax=False, path=path)
            try:
                await asyncio.wait_for(browser.__aenter__(), OPEN_TIMEOUT_S)
                return browser
            except Exception as exc:  # a timeout, or a start that failed (choreographer turns a cancelled start into one)
                reason = "" if isinstance(exc, asyncio.TimeoutError) else f" ({exc.__class__.__name__})"
                await _abandon(browser)
        raise ReportFailed(f"Webbläsaren som sparar diagrammen (Chromium) startade inte inom {OPEN_TIMEOUT_S} s, "
                           f"{OPEN_ATTEMPTS} försök{reason}. Diagrammen sparades inte; kör igen.")

    def write(self, jobs: list[dict]) -> tuple:
        """Render kaleido jobs ({fig, path, opts}); returns the errors, if any."""
        browser = self._kaleido.result()
        done = asyncio.run_coroutine_threadsafe(browser.write_fig_from_object(jobs), self._loop)
        try:
            return done.result(timeout=EXPORT_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            done.cancel()
            raise ReportFailed(f"Webbläsaren som sparar diagrammen svarade inte på {EXPORT_TIMEOUT_S} s. "
                               "Diagrammen sparades inte; kör igen.") from None

    def close(self) -> None:
        browser = None
        try:
            browser = self._kaleido.result(timeout=CLOSE_TIMEOUT_S)
            asyncio.run_coroutine_threadsafe(browser.__aexit__(None, None, None), self._loop).result(timeout=CLOSE_TIMEOUT_S)
        except Exception:  # a browser that never started, or will not close, is not worth failing the run for
            if browser is not None:
                _kill(browser)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=CLOSE_TIMEOUT_S)

    def __enter__(self) -> ChartBrowser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


async def _abandon(browser) -> None:
    """Stop a browser whose start did not finish."""
    try:
        await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
    except Exception:
        pass
    _kill(browser)


def _kill(browser) -> None:
    """End the browser's process if it is still there (closing it failed)."""
    process = getattr(browser, "subprocess", None)
    if process is None or process.poll() is not None:
        return
    try:  # the browser runs in a session of its own: the whole group is the browser
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, OSError):
        process.kill()
    process.wait(timeout=CLOSE_TIMEOUT_S)


def chart_digest(chart) -> str:
    """What decides a chart's files: its figure, its alt text and the export settings."""
    import hashlib

    text = f"{PNG_WIDTH_PX}\n{chart.alt_text}\n{chart.figure.to_json()}"
    return hashlib.sha256(text.encode()).hexdigest()


def export_charts(charts: Iterable, folder: Path, browser: Callable[[], ChartBrowser] | ChartBrowser,
                  earlier: Mapping[str, str] | None = None, earlier_folder: Path | None = None) -> tuple[list[ChartFile], dict[str, str]]:
    """Write `<name>.png`, `<name>.svg` and `<name>.alt.txt` for each chart (objects with
    name, figure and alt_text) into `folder`, and return them with each chart's digest.
    A chart whose digest is in `earlier` (those of the files in `earlier_folder`) is
    copied from there instead of drawn again; the browser (or the function that starts
    it) is asked for only when something must be drawn. Files are written beside their
    targets and renamed into place only when every image succeeded."""
    folder.mkdir(parents=True, exist_ok=True)
    earlier = earlier or {}
    made: list[tuple] = []
    copied: list[tuple] = []
    jobs: list[dict] = []
    digests: dict[str, str] = {}
    files: list[ChartFile] = []
    for chart in charts:
        out = ChartFile(chart.name, folder / f"{chart.name}.png", folder / f"{chart.name}.svg", folder / f"{chart.name}.alt.txt")
        files.append(out)
        digests[chart.name] = digest = chart_digest(chart)
        if earlier_folder is not None and earlier.get(chart.name) == digest and all(
                (earlier_folder / p.name).is_file() for p in (out.png, out.svg)):
            copied.append((chart, out))
            continue
        made.append((chart, out))
        width = chart.figure.layout.width or 900
        height = chart.figure.layout.height or 500
        jobs.append({"fig": chart.figure, "path": f"{out.png}.tmp.png",
                     "opts": {"format": "png", "scale": PNG_WIDTH_PX / width, "width": width, "height": height}})
        jobs.append({"fig": chart.figure, "path": f"{out.svg}.tmp.svg", "opts": {"format": "svg", "width": width, "height": height}})
    if jobs:
        drawer = browser() if callable(browser) else browser
        try:
            failures = [e for e in (drawer.write(jobs) or []) if isinstance(e, BaseException)]
            if failures:
                raise ReportFailed(f"Diagrammen kunde inte sparas som bilder: {failures[0]}")
        except BaseException:
            for _, out in made:
                Path(f"{out.png}.tmp.png").unlink(missing_ok=True)
                Path(f"{out.svg}.tmp.svg").unlink(missing_ok=True)
            raise
    for chart, out in made:
        os.replace(f"{out.png}.tmp.png", out.png)
        os.replace(f"{out.svg}.tmp.svg", out.svg)
    for chart, out in copied:
        shutil.copyfile(earlier_folder / out.png.name, out.png)
        shutil.copyfile(earlier_folder / out.svg.name, out.svg)
    for chart, out in (*made, *copied):
        out.alt.write_text(chart.alt_text + "\n", encoding="utf-8")
    return files, digests
