"""Writing Excel files: board templates, feedback workbooks and report tables all go
through these helpers, so untrusted text never becomes a formula and a half-written
file never replaces a good one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook

FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def set_value(cell: Any, value: Any) -> None:
    """Put a value in a cell; text that Excel would read as a formula stays text."""
    if value is None or (isinstance(value, float) and value != value):
        cell.value = None
        return
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save atomically: write beside the target, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.tmp", dir=path.parent)
    os.close(fd)
    try:
        workbook.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
