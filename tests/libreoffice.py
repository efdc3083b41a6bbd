"""LibreOffice headless for tests: converting workbooks (to PDF, or to .xlsx with every
formula recalculated) in a profile of the test's own, and reading a PDF's words with
their boxes (poppler's pdftotext) to see what a printed page holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
def needs_libreoffice(test):
    """A test that starts LibreOffice: slow, and skipped where LibreOffice or poppler is missing."""
    skip = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice (soffice) eller poppler (pdftotext) saknas")
    return pytest.mark.slow(skip(test))

# Recalculate every formula of an Excel file when it is loaded (0: always; the default is never).
_RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(sources: list[Path], target: str, outdir: Path, work: Path, timeout: int = 240) -> list[Path]:
    """Convert workbooks with LibreOffice (`target`: 'pdf', or 'xlsx' for an Excel file
    whose formulas LibreOffice has recalculated and stored with their values)."""
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ON_LOAD, encoding="utf-8")
    filter_ = {"pdf": "pdf", "xlsx": "xlsx:Calc MS Excel 2007 XML"}[target]
    done = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", filter_, "--outdir", str(outdir), *map(str, sources)],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    made = [outdir / f"{s.stem}.{target}" for s in sources]
    assert all(p.exists() for p in made), done.stdout + done.stderr
    return made


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def footer_centre(self) -> str:
        """The middle of the page's footer (the sheet's name in the board workbooks)."""
        bottom = [w for w in self.words if w.y0 > self.height - 36]
        middle = [w for w in bottom if abs((w.x0 + w.x1) / 2 - self.width / 2) < self.width / 6]
        return " ".join(w.text for w in sorted(middle, key=lambda w: w.x0))

    @property
    def body(self) -> list[Word]:
        """The words between the page's header and footer, in reading order."""
        return sorted((w for w in self.words if 36 < w.y0 < self.height - 36), key=lambda w: (round(w.y0), w.x0))


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with its words and their boxes (points, origin top left)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [Page(n, float(w), float(h), [Word(float(a), float(b), float(c), float(d), unescape(t))
                                         for a, b, c, d, t in _WORD.findall(body)])
            for n, (w, h, body) in enumerate(_PAGE.findall(html), 1)]


def pdf_layout_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def overlapping(words: list[Word], share: float = 0.35) -> list[tuple[Word, Word]]:
    """Pairs of words printed over each other: boxes that overlap across, and by more
    than `share` of their height down (a word's box holds the font's ascent and descent,
    so the boxes of two lines of one paragraph overlap a little)."""
    found = []
    ordered = sorted(words, key=lambda w: w.y0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.y0 >= a.y1:
                break
            down = min(a.y1, b.y1) - max(a.y0, b.y0)
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and down > share * min(a.y1 - a.y0, b.y1 - b.y0):
                found.append((a, b))
    return found


def in_order(needle: list[str], haystack: list[str]) -> bool:
    """Whether the words of `needle` occur in `haystack` in the same order (other words may come between)."""
    it = iter(haystack)
    return all(any(word == h for h in it) for word in needle)
