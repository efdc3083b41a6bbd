"""Static chart files for council documents: every chart as PNG (print resolution) and
SVG, with its Swedish alt text in a sidecar file. All charts of a run are exported in
one kaleido call, which drives one browser session for the whole batch."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import UsageError

PNG_SCALE = 3  # 3 x 800 px wide = 2,400 px: 300 dpi over 8 inches


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


def export_charts(charts: list, folder: Path) -> list[ChartFile]:
    """Write `<name>.png`, `<name>.svg` and `<name>.alt.txt` for each chart (objects with
    name, figure and alt_text) into `folder`. Files are written beside their targets and
    renamed into place."""
    os.environ["BROWSER_PATH"] = browser_path()
    import kaleido

    folder.mkdir(parents=True, exist_ok=True)
    jobs, files = [], []
    for chart in charts:
        out = ChartFile(chart.name, folder / f"{chart.name}.png", folder / f"{chart.name}.svg", folder / f"{chart.name}.alt.txt")
        width = chart.figure.layout.width or 900
        height = chart.figure.layout.height or 500
        jobs.append({"fig": chart.figure, "path": str(out.png) + ".tmp.png",
                     "opts": {"format": "png", "scale": PNG_SCALE, "width": width, "height": height}})
        jobs.append({"fig": chart.figure, "path": str(out.svg) + ".tmp.svg",
                     "opts": {"format": "svg", "width": width, "height": height}})
        files.append(out)
    errors = kaleido.write_fig_from_object_sync(jobs, kopts={"mathjax": False})
    failures = [e for e in (errors or []) if isinstance(e, BaseException)]
    if failures:
        for job in jobs:
            Path(job["path"]).unlink(missing_ok=True)
        raise UsageError(f"Diagrammen kunde inte sparas som bilder: {failures[0]}")
    for chart, out in zip(charts, files):
        os.replace(str(out.png) + ".tmp.png", out.png)
        os.replace(str(out.svg) + ".tmp.svg", out.svg)
        out.alt.write_text(chart.alt_text + "\n", encoding="utf-8")
    return files
