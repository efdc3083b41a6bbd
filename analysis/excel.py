"""Writing Excel files: board templates, feedback workbooks and report tables all go
through these helpers, so untrusted text never becomes a formula and a half-written
file never replaces a good one."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook

from analysis.files import write_bytes

FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
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


def note_row(ws: Any, row: int, text: str, columns: int) -> None:
    """A line of help across a table's first `columns` columns: one merged, wrapped cell,
    so that a long text stays within the table on screen and on paper."""
    cell = ws.cell(row, 1)
    set_value(cell, text)
    cell.font = NOTE_FONT
    cell.alignment = WRAP
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save atomically: the workbook is made in memory, written beside the target and
    renamed over it. (Made in memory, a workbook whose file cannot be written, on a full
    disk, leaves no half-written archive behind to fail again when it is collected.)"""
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes(path, buffer.getvalue())


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


LINK_FONT = Font(color="0563C1", underline="single")
# Characters Excel percent-encodes in a hyperlink's file path; everything else (å, ä, ö, –) stays as written.
_URL_ESCAPES = {c: f"%{ord(c):02X}" for c in '% "<>#[]^`{}|'}


def link_target(from_folder: Path, target: Path) -> str:
    """A link to `target` relative to the folder of the workbook it is written in, as
    Excel writes one: forward slashes, reserved characters percent-encoded. A relative
    link keeps working when the whole project folder is moved or shared."""
    relative = Path(os.path.relpath(target, from_folder)).as_posix()
    return "".join(_URL_ESCAPES.get(c, c) for c in relative)


def set_link(cell: Any, text: str, target: str | None = None, location: str | None = None, tooltip: str | None = None) -> None:
    """A clickable cell: to another file (`target`), to a place in it (`location`, e.g.
    "'Mänskliga rättigheter'!A7"), or both. The shown text is never a formula."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    set_value(cell, text)
    cell.hyperlink = Hyperlink(ref=cell.coordinate, target=target, location=location, tooltip=(tooltip or "")[:255] or None)
    cell.font = LINK_FONT


def table_header(ws: Any, row: int, headers: list[tuple[str, int]]) -> None:
    """Header cells (text, column width) on `row`, the rows above them frozen."""
    from openpyxl.utils import get_column_letter

    for c, (text, width) in enumerate(headers, 1):
        cell = ws.cell(row, c)
        set_value(cell, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row + 1, 1)


def table_filter(ws: Any, header_row: int, columns: int, last_row: int) -> None:
    """A filter over a table whose headers are on `header_row`."""
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"
