"""Writing Excel files: board templates, feedback workbooks and report tables all go
through these helpers, so untrusted text never becomes a formula and a half-written
file never replaces a good one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

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


def write_table_sheet(ws: Any, frame: "pd.DataFrame", percent_columns: tuple[str, ...] = ("Andel",)) -> None:
    """A DataFrame as a formatted sheet: bold header row, frozen, with filters and widths
    from the content. Values keep their type; text never becomes a formula."""
    import pandas as pd
    from openpyxl.utils import get_column_letter

    columns = list(frame.columns)
    for c, header in enumerate(columns, 1):
        cell = ws.cell(1, c, str(header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(frame.itertuples(index=False), 2):
        for c, value in enumerate(row, 1):
            if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            elif hasattr(value, "item") and not isinstance(value, str):
                value = value.item()
            cell = ws.cell(r, c)
            set_value(cell, value)
            if isinstance(value, float) and str(columns[c - 1]).startswith(percent_columns):
                cell.number_format = "0 %"
            elif isinstance(value, float):
                cell.number_format = "#,##0.0"
    for c, header in enumerate(columns, 1):
        sample = [len(str(header))] + [len(str(v)) for v in frame.iloc[:200, c - 1] if v is not None]
        ws.column_dimensions[get_column_letter(c)].width = min(60, max(8, max(sample) + 2))
    ws.freeze_panes = "A2"
    if len(columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(frame) + 1)}"
