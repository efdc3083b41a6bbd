"""Reading one board workbook from its bytes. The container is checked first
(analysis.boards.container: the format, zip bombs, encryption, sheets too large to be a
submission), then calamine reads the cells of the sheets the template has, in any of the
formats a board may send (.xlsx, .xlsm, .ods, .xls), and they are returned as plain
records with their Excel row and the column each field was found in, so every later
finding can point at a cell, the same in every format."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from analysis.boards.container import check_container
from analysis.boards.submission import RawSheet, RawSubmission
from analysis.errors import SubmissionError
from analysis.boards.layout import (
    DATA_SHEETS,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    PERIOD_END_ONLY,
    REQUIRED_SHEETS,
    Field,
    column_letter,
    normalise_header,
)
from analysis.text import content

HEADER_SEARCH_ROWS = 15
DETAILS_SEARCH_ROWS = 40
READ_SHEETS = (DETAILS_SHEET, *DATA_SHEETS)
_READ = {normalise_header(s) for s in READ_SHEETS}
_DETAILS_LABELS = {normalise_header(f.header): f for f in DETAILS_FIELDS}


def reads_sheet(name: str) -> bool:
    """Whether the reader parses a sheet of this name."""
    return normalise_header(name) in _READ


def read_workbook(data: bytes, source_file: str, sha256: str, modified: dt.datetime) -> RawSubmission:
    """The raw cells of a submission workbook from the file's bytes; SubmissionError
    names what is wrong."""
    from python_calamine import CalamineWorkbook

    check_container(data, reads_sheet)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        by_name = {normalise_header(n): n for n in workbook.sheet_names}
        missing = [s for s in REQUIRED_SHEETS if normalise_header(s) not in by_name]
        if missing:
            raise SubmissionError(
                f"Fliken '{missing[0]}' saknas. Använd stadskontorets mall och ändra inte flikarnas namn.",
                sheet=missing[0],
            )
        grids = {
            sheet: workbook.get_sheet_by_name(by_name[normalise_header(sheet)]).to_python(skip_empty_area=False)
            for sheet in READ_SHEETS
            if normalise_header(sheet) in by_name
        }
    except SubmissionError:
        raise
    except Exception as exc:  # calamine raises CalamineError, ZipError, XmlError and others for broken parts
        raise SubmissionError(f"Filen kunde inte läsas som arbetsbok ({type(exc).__name__}: {exc}).") from None

    details, cells = _read_details(grids[DETAILS_SHEET])
    sheets = {
        name: _read_table(name, grids[name], fields)
        for name, fields in DATA_SHEETS.items()
        if name in grids
    }
    return RawSubmission(source_file, sha256, modified, details, cells, sheets)


def _clean(value: Any) -> Any:
    """Text trimmed of spacing and invisible characters; empty text is no value."""
    return content(value) if isinstance(value, str) else value


def _read_details(grid: list[list[Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    details: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r, row in enumerate(grid[:DETAILS_SEARCH_ROWS], 1):
        if not row:
            continue
        f = _DETAILS_LABELS.get(normalise_header(row[0])) if isinstance(row[0], str) else None
        if f is not None and f.key not in details:
            details[f.key] = _clean(row[1]) if len(row) > 1 else None
            cells[f.key] = f"B{r}"
    for key in ("board_code", "occasion", "template_version"):
        if details.get(key) in (None, ""):
            header = next(f.header for f in DETAILS_FIELDS if f.key == key)
            raise SubmissionError(
                f"Fliken '{DETAILS_SHEET}' saknar uppgiften '{header}'.",
                sheet=DETAILS_SHEET,
                cell=cells.get(key),
            )
    return details, cells


def _read_table(sheet: str, grid: list[list[Any]], fields: tuple[Field, ...]) -> RawSheet:
    """Find the header row by its texts (columns may be moved), then read every non-blank row."""
    wanted = {normalise_header(h): f for f in fields for h in f.headers}
    every = len({f.key for f in wanted.values()})
    best_row, best_hits = -1, {}
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = {wanted[h].key: c for c, v in enumerate(row) if isinstance(v, str) and (h := normalise_header(v)) in wanted}
        if len(hits) > len(best_hits):
            best_row, best_hits = r, hits
            if len(hits) == every:  # no later row can have more: the data rows are not searched
                break
    key_field = fields[0]
    if key_field.key not in best_hits:
        raise SubmissionError(
            f"Fliken '{sheet}' saknar kolumnrubriken '{key_field.header}'. Ändra inte mallens rubriker.",
            sheet=sheet,
            cell=f"A{best_row + 1 if best_row >= 0 else 3}",
        )
    for f in fields:
        # The period-end column exists only in the last annual report's template.
        if f.required and f.key not in best_hits and f.key not in PERIOD_END_ONLY:
            raise SubmissionError(
                f"Fliken '{sheet}' saknar kolumnen '{f.header}' (rubrikrad {best_row + 1}). Ändra inte mallens rubriker.",
                sheet=sheet,
                cell=f"A{best_row + 1}",
            )
    found = list(best_hits.items())
    records = []
    for r in range(best_row + 1, len(grid)):
        row = grid[r]
        width = len(row)
        values = {key: (_clean(row[c]) if c < width else None) for key, c in found}
        if all(v is None for v in values.values()):
            continue
        values["excel_row"] = r + 1
        records.append(values)
    letters = {key: column_letter(c + 1) for key, c in found}
    return RawSheet(sheet, records, letters)
