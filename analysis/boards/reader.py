"""Reading one board workbook from disk. Checks the container before parsing (not a
workbook, old .xls, password-protected, broken or zip-bomb files are refused with a
Swedish message), then reads the cells with calamine and returns them as raw frames
with their Excel row and column, so every later finding can point at a cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from analysis.boards.submission import RawSheet, RawSubmission
from analysis.errors import SubmissionError
from analysis.files import file_sha256
from analysis.boards.layout import (
    DATA_SHEETS,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    PERIOD_END_ONLY,
    REQUIRED_SHEETS,
    Field,
    normalise_header,
)

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH_ROWS = 15
DETAILS_SEARCH_ROWS = 40


def check_container(path: Path) -> None:
    """Refuse anything that is not a plain .xlsx workbook before a parser touches it."""
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError("Filen är tom.")
    if size > MAX_FILE_BYTES:
        raise SubmissionError(f"Filen är för stor ({size / 1e6:.0f} MB); en inlämning ska vara högst {MAX_FILE_BYTES // 2**20} MB.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        if _is_encrypted_ole(path):
            raise SubmissionError("Filen är lösenordsskyddad (krypterad). Ta bort lösenordet och skicka in den igen.")
        raise SubmissionError("Filen är i det gamla Excel-formatet (.xls). Spara den som Excel-arbetsbok (.xlsx) och skicka in den igen.")
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):
            raise SubmissionError("Filen är skadad (ofullständig ZIP-struktur) och kan inte öppnas. Spara om den och skicka in den igen.")
        raise SubmissionError("Filen är inte en Excel-arbetsbok (.xlsx). Använd mallen från stadskontoret.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES or any(
                m.compress_size and m.file_size > 1_000_000 and m.file_size / m.compress_size > MAX_RATIO for m in members
            ):
                raise SubmissionError("Filen packas upp till orimligt stor storlek (misstänkt zip-bomb) och läses inte.")
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"Filen är skadad och kan inte öppnas ({exc}).") from None
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise SubmissionError("Filen är ett Word-dokument, inte en Excel-arbetsbok. Använd mallen från stadskontoret.")
        raise SubmissionError("Filen är ett ZIP-arkiv men ingen Excel-arbetsbok (.xlsx).")


def _is_encrypted_ole(path: Path) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:
        return False


def read_workbook(path: Path, source_file: str) -> RawSubmission:
    """The raw cells of a submission workbook; SubmissionError names what is wrong."""
    from python_calamine import CalamineWorkbook

    check_container(path)
    sha = file_sha256(path)
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        by_name = {normalise_header(n): n for n in workbook.sheet_names}
        missing = [s for s in REQUIRED_SHEETS if normalise_header(s) not in by_name]
        if missing:
            raise SubmissionError(
                f"Fliken '{missing[0]}' saknas. Använd stadskontorets mall och ändra inte flikarnas namn.",
                sheet=missing[0],
            )
        grids = {
            sheet: workbook.get_sheet_by_name(by_name[normalise_header(sheet)]).to_python(skip_empty_area=False)
            for sheet in (DETAILS_SHEET, *DATA_SHEETS)
            if normalise_header(sheet) in by_name
        }
    except SubmissionError:
        raise
    except Exception as exc:  # calamine raises CalamineError, ZipError, XmlError and others for broken parts
        raise SubmissionError(f"Filen kunde inte läsas som Excel-arbetsbok ({type(exc).__name__}: {exc}).") from None

    details, cells = _read_details(grids[DETAILS_SHEET])
    sheets = {
        name: _read_table(name, grids[name], fields)
        for name, fields in DATA_SHEETS.items()
        if name in grids
    }
    return RawSubmission(source_file, sha, modified, details, cells, sheets)


def _clean(value: Any) -> Any:
    """Trim text; empty text is no value."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_details(grid: list[list[Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    labels = {normalise_header(f.header): f for f in DETAILS_FIELDS}
    details: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r, row in enumerate(grid[:DETAILS_SEARCH_ROWS], 1):
        if not row:
            continue
        f = labels.get(normalise_header(row[0])) if isinstance(row[0], str) else None
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
    best_row, best_hits = -1, {}
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = {wanted[h].key: c for c, v in enumerate(row) if isinstance(v, str) and (h := normalise_header(v)) in wanted}
        if len(hits) > len(best_hits):
            best_row, best_hits = r, hits
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
    records = []
    for r in range(best_row + 1, len(grid)):
        row = grid[r]
        values = {key: (_clean(row[c]) if c < len(row) else None) for key, c in best_hits.items()}
        if all(v is None for v in values.values()):
            continue
        values["excel_row"] = r + 1
        records.append(values)
    columns = [f.key for f in fields] + ["excel_row"]
    frame = pd.DataFrame(records, columns=columns, dtype=object) if records else pd.DataFrame(columns=columns, dtype=object)
    letters = {key: get_column_letter(c + 1) for key, c in best_hits.items()}
    return RawSheet(sheet, frame.astype(object).assign(excel_row=frame["excel_row"].astype("int64")), letters)
