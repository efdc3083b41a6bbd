"""Static chart files for council documents: every chart as PNG (print resolution) and
SVG, with its Swedish alt text in a sidecar file. One browser serves the whole run: it
is started ahead (its start-up overlaps ingestion) and every chart goes through it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import UsageError
from analysis.report_runner import ReportFailed

PNG_WIDTH_PX = 2400  # print resolution: 300 dpi over 8 inches, wider than an A4 page's text
CLOSE_TIMEOUT_S = 30
OPEN_TIMEOUT_S = 60  # a normal start takes 2-5 s
OPEN_ATTEMPTS = 2
EXPORT_TIMEOUT_S = 600  # a backstop: kaleido gives up on one image after 90 s itself


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


CAP_SYS_NICE, PR_CAPBSET_DROP = 23, 24  # linux/capability.h, linux/prctl.h
STARTING_NICENESS = 10  # while the browser starts beside the ingestion, which the run waits for first
DRAWING_NICENESS = 0  # while it draws the charts, which the run waits for last


def _no_raised_priority() -> None:
    """Chromium raises its main and GPU processes above everything else (nice -8) when it
    may, that is when run as root: this thread gives up that right (CAP_SYS_NICE) for
    what it starts. Linux keeps capabilities per thread; elsewhere nothing changes."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0)


def _set_niceness(browser, niceness: int) -> None:
    """The browser's share of the CPU. Chromium runs in a session of its own, and Linux
    with autogroup scheduling (the default) shares the CPU out between sessions first:
    the niceness of the session's group counts, its processes' own does not. Any user
    may set it to 0 or above. Without autogroups, or off Linux, nothing changes."""
    for _ in range(3):
        try:
            with open(f"/proc/{browser.subprocess.pid}/autogroup", "w") as group:
                group.write(str(niceness))
            return
        except OSError as exc:  # EAGAIN: Linux takes one such change per 0.1 s, machine-wide
            if exc.errno != errno.EAGAIN:
                return
            time.sleep(0.1)


# Headless Chromium still builds the omnibox popup of a browser window, a web page in a
# renderer process of its own: a fifth of the browser's start-up CPU, spent beside the
# ingestion, for a popup nobody sees. (Chromium ignores feature names it does not know.)
DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")


def _chromium_class():
    """kaleido's Chromium with `DISABLED_FEATURES` added to its command line (to a
    --disable-features it may already have: Chromium reads only one)."""
    from choreographer.browsers import Chromium

    class ReportChromium(Chromium):
        def get_cli(self):
            cli = list(super().get_cli())
            given = [i for i, arg in enumerate(cli) if arg.startswith("--disable-features=")]
            if given:
                cli[given[-1]] += "," + ",".join(DISABLED_FEATURES)
            else:
                cli.append("--disable-features=" + ",".join(DISABLED_FEATURES))
            return cli

    return ReportChromium


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
        _no_raised_priority()
        os.environ["BROWSER_PATH"] = browser_path()
        import kaleido

        class OneTabKaleido(kaleido.Kaleido):
            """Kaleido reloads its page, parsing plotly.js again, after every image (about
            0.15 s each, half the export). A report's charts leave nothing behind in the
            page that the next one could see: with and without the reload the images
            are pixel-identical, so the tab goes straight back to the queue."""

            async def _return_kaleido_tab(self, tab) -> None:
                await self.tabs_ready.put(tab)

            async def populate_targets(self) -> None:
                """Called first thing after Chromium is launched: from here it starts
                behind the ingestion (measured: ingestion 5.3 s beside it at the same
                niceness, 4.5 s behind it, 4.4 s alone)."""
                if not getattr(self, "_niceness_set", False):
                    self._niceness_set = True
                    _set_niceness(self, STARTING_NICENESS)
                await super().populate_targets()

        for _ in range(OPEN_ATTEMPTS):
            browser = OneTabKaleido(n=1, mathjax=False, browser_cls=_chromium_class())
            try:
                await asyncio.wait_for(browser.__aenter__(), OPEN_TIMEOUT_S)
                return browser
            except asyncio.TimeoutError:
                await _abandon(browser)
        raise ReportFailed(f"Webbläsaren som sparar diagrammen (Chromium) startade inte inom {OPEN_TIMEOUT_S} s, "
                           f"{OPEN_ATTEMPTS} försök. Diagrammen sparades inte; kör igen.", None)

    def write(self, jobs: Iterable[dict]) -> tuple:
        """Render kaleido jobs ({fig, path, opts}) as the caller makes them: the browser
        draws the first while the next is still being made. Returns the errors, if any."""
        browser = self._kaleido.result()
        _set_niceness(browser, DRAWING_NICENESS)
        queue: asyncio.Queue = asyncio.Queue()

        async def handed_over():
            while (job := await queue.get()) is not None:
                yield job

        done = asyncio.run_coroutine_threadsafe(browser.write_fig_from_object(handed_over()), self._loop)
        try:
            for job in jobs:
                self._loop.call_soon_threadsafe(queue.put_nowait, job)
        finally:  # also when making a job failed: what was handed over is finished, nothing keeps drawing
            self._loop.call_soon_threadsafe(queue.put_nowait, None)
            try:
                errors = done.result(timeout=EXPORT_TIMEOUT_S)
            except concurrent.futures.TimeoutError:
                done.cancel()
                raise ReportFailed(f"Webbläsaren som sparar diagrammen svarade inte på {EXPORT_TIMEOUT_S} s. "
                                   "Diagrammen sparades inte; kör igen.", None) from None
        return errors

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


def export_charts(charts: Iterable, folder: Path, browser: ChartBrowser) -> list[ChartFile]:
    """Write `<name>.png`, `<name>.svg` and `<name>.alt.txt` for each chart (objects with
    name, figure and alt_text) into `folder`, each chart going to the browser as soon as
    `charts` yields it. Files are written beside their targets and renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[tuple] = []

    def jobs() -> Iterator[dict]:
        for chart in charts:
            out = ChartFile(chart.name, folder / f"{chart.name}.png", folder / f"{chart.name}.svg", folder / f"{chart.name}.alt.txt")
            made.append((chart, out))
            width = chart.figure.layout.width or 900
            height = chart.figure.layout.height or 500
            yield {"fig": chart.figure, "path": f"{out.png}.tmp.png",
                   "opts": {"format": "png", "scale": PNG_WIDTH_PX / width, "width": width, "height": height}}
            yield {"fig": chart.figure, "path": f"{out.svg}.tmp.svg", "opts": {"format": "svg", "width": width, "height": height}}

    try:
        failures = [e for e in (browser.write(jobs()) or []) if isinstance(e, BaseException)]
        if failures:
            raise ReportFailed(f"Diagrammen kunde inte sparas som bilder: {failures[0]}", None)
    except BaseException:
        for _, out in made:
            Path(f"{out.png}.tmp.png").unlink(missing_ok=True)
            Path(f"{out.svg}.tmp.svg").unlink(missing_ok=True)
        raise
    for chart, out in made:
        os.replace(f"{out.png}.tmp.png", out.png)
        os.replace(f"{out.svg}.tmp.svg", out.svg)
        out.alt.write_text(chart.alt_text + "\n", encoding="utf-8")
    return [out for _, out in made]
