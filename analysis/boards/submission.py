"""From the raw cells of one workbook to the tidy rows of each table.

Two forms of each table exist. The *staged* form keeps what the board wrote, with
harmless variation removed (spacing, letter case, label instead of code) but meaning not
guessed: a value that is not a known code stays as written, so validation can show it.
The *typed* form (categoricals, nullable integers, real dates) is made only for accepted
submissions, whose values are known to be valid."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import SubmissionError
from analysis.occasion import Occasion
from analysis.text import plain
from analysis.vocabulary import real_dates
from analysis.boards.layout import (
    BASE_MISSION,
    CONTRIBUTION_FIELDS,
    CONTRIBUTIONS_SHEET,
    DETAILS_SHEET,
    FOLLOW_UP_FIELDS,
    FOLLOW_UPS_SHEET,
    HUMAN_RIGHTS_FIELDS,
    HUMAN_RIGHTS_SHEET,
    INDICATOR_FIELDS,
    INDICATORS_SHEET,
    ASSIGNMENT_FIELDS,
    ASSIGNMENTS_SHEET,
    Field,
)

PROVENANCE = ["source_file", "sha256", "sheet", "excel_row"]
KEYS = ["occasion", "mandate_period", "board_code"]

# Table name -> (sheet, fields). The order of TABLES is the order tables are written in.
SHEET_TABLES: dict[str, tuple[str, tuple[Field, ...]]] = {
    "contributions": (CONTRIBUTIONS_SHEET, CONTRIBUTION_FIELDS),
    "follow_ups": (FOLLOW_UPS_SHEET, FOLLOW_UP_FIELDS),
    "human_rights": (HUMAN_RIGHTS_SHEET, HUMAN_RIGHTS_FIELDS),
    "indicators": (INDICATORS_SHEET, INDICATOR_FIELDS),
    "assignment_follow_ups": (ASSIGNMENTS_SHEET, ASSIGNMENT_FIELDS),
}
SUBMISSION_COLUMNS = [
    *KEYS, "board_name", "declared_occasion", "declared_mandate_period", "template_version", "contact", "email",
    "submitted_on", "example_data", "file_modified", *PROVENANCE,
]
TABLES = ("submissions", *SHEET_TABLES)
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class RawSheet:
    """Cells of one data sheet: one record per non-blank row (field -> raw value, and
    `excel_row`), and where each field's column is (letter), so a finding can name its cell."""

    name: str
    rows: list[dict[str, Any]]
    columns: dict[str, str]


@dataclass(frozen=True)
class RawSubmission:
    source_file: str
    sha256: str
    modified: dt.datetime
    details: dict[str, Any]
    details_cells: dict[str, str]
    sheets: dict[str, RawSheet] = field(default_factory=dict)


def table_columns(table: str) -> list[str]:
    """The columns of a tidy table, in order."""
    if table == "submissions":
        return list(SUBMISSION_COLUMNS)
    fields = [f.key for f in SHEET_TABLES[table][1]]
    if table == "human_rights":
        fields = ["scope", *fields]
    return [*KEYS, *fields, *PROVENANCE]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    text = " ".join(str(value).split())
    return text or None


def _code(value: Any) -> str | None:
    """A code, id or number as typed, without invisible characters (analysis.text.plain)."""
    text = _text(value)
    return (plain(text) or None) if text is not None else None


def _goal_code(value: Any) -> str | None:
    """The goal code from a dropdown text such as '1.2 Fler unga …' or a bare code."""
    if isinstance(value, float):
        return repr(value)
    text = _code(value)
    return text.split()[0].rstrip(":–-") if text else None


def _scale_code(value: Any, catalogue: Catalogue, scale: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return catalogue.scales[scale].code_for(text) or text


def _number_text(value: Any) -> str | None:
    """A number as text in the C locale ('1 234,5' -> '1234.5'); non-numbers stay as written."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))
    text = _code(value)
    if text is None:
        return None
    compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    return compact if _NUMBER.match(compact) else text


def _board_list(value: Any) -> str | None:
    text = _code(value)
    if text is None:
        return None
    return ", ".join(p.upper() for p in re.split(r"[,;\s]+", text) if p)


def _date(value: Any) -> dt.date | str | None:
    """A date cell, or a date written as ÅÅÅÅ-MM-DD, as a date; anything else as written
    (text is never guessed to be a date: the checks report it)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if text:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
    return None


def _staged_value(f: Field, value: Any, catalogue: Catalogue) -> Any:
    if f.scale:
        return _scale_code(value, catalogue, f.scale)
    if f.kind == "goal":
        return _goal_code(value)
    if f.kind == "board_list":
        return _board_list(value)
    if f.kind in ("int", "number"):
        return _number_text(value)
    if f.kind == "id":
        return _code(value)
    return _text(value)


def submission_row(raw: RawSubmission, occasion: Occasion, catalogue: Catalogue) -> dict[str, Any]:
    """The submissions-table row for a workbook. The board must be one the catalogue knows:
    without it nothing in the file can be attributed."""
    d = raw.details
    board = (_code(d.get("board_code")) or "").upper()
    if not catalogue.has_board(board):
        raise SubmissionError(
            f"Nämnd/bolag '{d.get('board_code')}' finns inte i målkatalogen för {catalogue.mandate_period}. "
            "Använd den förifyllda mallen för er nämnd eller ert bolag.",
            sheet=DETAILS_SHEET,
            cell=raw.details_cells.get("board_code"),
            rule="okand_namnd",
        )
    return {
        "occasion": occasion.code,
        "mandate_period": catalogue.mandate_period,
        "board_code": board,
        "board_name": catalogue.board_name(board),
        "declared_occasion": (_code(d.get("occasion")) or "").lower(),
        "declared_mandate_period": _code(d.get("mandate_period")),
        "template_version": _code(d.get("template_version")),
        "contact": _text(d.get("contact")),
        "email": _text(d.get("email")),
        "submitted_on": _date(d.get("submitted_on")),
        "example_data": (_code(d.get("example_data")) or "").casefold() == "ja",
        "file_modified": raw.modified,
        "source_file": raw.source_file,
        "sha256": raw.sha256,
        "sheet": DETAILS_SHEET,
        "excel_row": int(raw.details_cells.get("board_code", "B0")[1:]),
    }


def staged_rows(raw: RawSubmission, occasion: Occasion, catalogue: Catalogue) -> dict[str, list[dict[str, Any]]]:
    """Every table's staged rows for one workbook, as records (see module docstring)."""
    sub = submission_row(raw, occasion, catalogue)
    tables: dict[str, list[dict[str, Any]]] = {"submissions": [sub]}
    stamp = {k: sub[k] for k in (*KEYS, "source_file", "sha256")}
    for table, (sheet, fields) in SHEET_TABLES.items():
        raw_sheet = raw.sheets.get(sheet)
        records = []
        if raw_sheet is not None:
            for rec in raw_sheet.rows:
                row = {**stamp, "sheet": sheet, "excel_row": rec["excel_row"]}
                for f in fields:
                    row[f.key] = _staged_value(f, rec.get(f.key), catalogue)
                if table == "human_rights":
                    base = (row["contribution_id"] or "").casefold() == BASE_MISSION.casefold()
                    row["scope"] = "base_mission" if base else "contribution"
                    if base:
                        row["contribution_id"] = None
                records.append(row)
        tables[table] = records
    return tables


def staged_columns(table: str) -> dict[str, list[Any]]:
    """An empty staged table as plain columns, to gather the rows of many workbooks in
    (a list per column holds a table's rows in a tenth of the memory a dict per row takes)."""
    return {c: [] for c in table_columns(table)}


def add_records(columns: dict[str, list[Any]], records: list[dict[str, Any]]) -> None:
    """Append one workbook's records of a table to its plain columns."""
    for name, values in columns.items():
        values.extend(rec[name] for rec in records)


def staged_frame(table: str, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """One staged table from the plain columns of any number of workbooks."""
    return pd.DataFrame(columns, columns=table_columns(table), dtype=object) if columns and next(iter(columns.values())) else _empty(table)


def cell_columns(raw: RawSubmission) -> dict[str, dict[str, str]]:
    """Per sheet, the column letter of each field as this workbook has it."""
    out = {sheet: dict(s.columns) for sheet, s in raw.sheets.items()}
    out[DETAILS_SHEET] = {k: v[0] for k, v in raw.details_cells.items()}
    return out


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in table_columns(table)})


def typed_table(table: str, staged: pd.DataFrame, catalogue_scales: dict | None) -> pd.DataFrame:
    """The typed form of a staged table: categoricals for codes, nullable integers and
    floats, real dates. Without scales (the history, which keeps rejected submissions as
    written) coded answers stay text. Returns a new frame; the input is not changed (pandas
    copies on write, so no column is copied before it is replaced)."""
    out = staged.reindex(columns=table_columns(table))
    fields = {f.key: f for f in SHEET_TABLES[table][1]} if table in SHEET_TABLES else {}
    for col in out.columns:
        f = fields.get(col)
        if f is not None and f.scale and catalogue_scales is not None:
            out[col] = pd.Categorical(out[col].astype(object).where(out[col].notna(), None),
                                      categories=list(catalogue_scales[f.scale].codes), ordered=True)
        elif f is not None and f.kind == "int":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64").round().astype("Int64")
        elif f is not None and f.kind == "number":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64")
        elif col == "excel_row":
            out[col] = out[col].astype("Int64")
        elif col == "submitted_on":
            out[col] = real_dates(out[col]).astype("datetime64[ms]")
        elif col == "file_modified":
            out[col] = pd.to_datetime(out[col]).astype("datetime64[ms]")
        elif col == "example_data":
            out[col] = out[col].astype("boolean")
        elif col in ("occasion", "mandate_period", "board_code", "sheet", "scope", "goal_code"):
            out[col] = out[col].astype("category")
        else:
            out[col] = out[col].astype("string")
    return out
