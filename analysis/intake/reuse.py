"""Only what changed is read. The staged rows of every workbook an ingestion read are kept
beside the tables (`data/processed/staged/<table>`, with the cells each workbook's fields
are in), so that the next ingestion parses only new or changed files: a file whose
occasion, name and SHA-256 it already holds, read under the same goal catalogues and the
same code version, gives the same staged rows without being parsed. Likewise a file's
findings: each file keeps the digest of what its findings were made from
(analysis.checks.validation.check_inputs: its rows, the catalogues, the code and the rule
table, and the budgets and council-assignment answers of its board across the run), and
the rules run only on files whose digest changed; the rules across files are pandas over
every file, so a budget sent again re-checks the follow-ups of its board. The tables and
findings come out the same as from a full read. `ingest --force` reads and checks every
file.

The staged rows are kept as text, exactly as staged (they may hold what a board wrote
that is not valid, which the typed history tables cannot): an internal table, not one
to analyse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator

import pandas as pd

from analysis.boards.layout import DETAILS_SHEET
from analysis.boards.submission import TABLES, table_columns
from analysis.config import Paths
from analysis.stamps import catalogue_hashes, code_version, digest
from analysis.vocabulary import file_key

STAGED = "staged"
CELLS = "cells"
MADE_WITH = "made_with"  # the digest of the catalogues and code a file's rows were staged under
CHECKED_WITH = "checked_with"  # the digest of what a file's findings were made from (validation.check_inputs)
DATE_TEXT = "submitted_on_text"  # a submission date written as text (submitted_on then holds none)
CELL_COLUMNS = ["sha256", "sheet", "field", "cell"]
ORDER = {CELLS: CELL_COLUMNS[:3], "submissions": ["occasion", "source_file"],
         **{t: ["occasion", "source_file", "excel_row"] for t in TABLES[1:]}}

FileKey = tuple[str, str, str]  # occasion, file name, SHA-256


@dataclass
class KnownFile:
    """A workbook read before: where its staged rows are in Known.columns (table ->
    start and stop), and where its fields are in the workbook."""

    rows: dict[str, tuple[int, int]]
    letters: dict[str, dict[str, str]]
    details_cells: dict[str, str]


@dataclass
class Known:
    """The workbooks read before that can be reused, by occasion, name and SHA-256; their
    staged rows as plain columns (table -> column -> values)."""

    made_with: str = ""
    files: dict[FileKey, KnownFile] = field(default_factory=dict)
    columns: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def get(self, occasion: str, name: str, sha256: str) -> KnownFile | None:
        return self.files.get((occasion, name, sha256))


def made_with(paths: Paths) -> str:
    """What staged rows depend on besides the file: the goal catalogues and the code."""
    return digest({"catalogues": catalogue_hashes(paths.reference), "code": code_version()})


def _plain_columns(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[Any]]:
    """The frame's columns as lists of plain values, missing as None."""
    out = {}
    for c in columns:
        values = frame[c].astype(object)
        out[c] = values.where(values.notna(), None).tolist()
    return out


def _runs(frame: pd.DataFrame) -> dict[FileKey, tuple[int, int]]:
    """Each file's rows (start, stop) in a frame sorted by file."""
    runs: dict[FileKey, tuple[int, int]] = {}
    keys = list(zip(frame["occasion"], frame["source_file"], frame["sha256"]))
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs[keys[start]] = (start, i)
            start = i
    return runs


def known_files(stored: dict[str, pd.DataFrame | None], current: str) -> Known:
    """The reusable files among the staged tables as stored (table -> frame or None)."""
    subs = stored.get("submissions")
    if subs is None or subs.empty:
        return Known(current)
    subs = subs[subs[MADE_WITH] == current]
    if subs.empty:
        return Known(current)
    subs = subs.sort_values(ORDER["submissions"], kind="stable").reset_index(drop=True)
    plain = _plain_columns(subs, [*table_columns("submissions"), DATE_TEXT])
    plain["submitted_on"] = [text if text is not None else (d.date() if isinstance(d, dt.datetime) else d)
                             for d, text in zip(plain["submitted_on"], plain.pop(DATE_TEXT))]
    columns = {"submissions": plain}
    files = {key: KnownFile({"submissions": run}, {}, {}) for key, run in _runs(subs).items()}
    for table in TABLES[1:]:
        frame = stored.get(table)
        if frame is None or frame.empty:
            continue
        frame = frame[frame["sha256"].isin(subs["sha256"].unique())]
        frame = frame.sort_values(ORDER[table], kind="stable").reset_index(drop=True)
        columns[table] = _plain_columns(frame, table_columns(table))
        for key, run in _runs(frame).items():
            if key in files:
                files[key].rows[table] = run
    by_sha: dict[str, list[KnownFile]] = {}
    for (_, _, sha), known in files.items():
        by_sha.setdefault(sha, []).append(known)
    cells = stored.get(CELLS)
    for sha, sheet, name, cell in (cells.itertuples(index=False) if cells is not None else ()):
        for known in by_sha.get(sha, ()):
            if sheet == DETAILS_SHEET:
                known.details_cells[name] = cell
                known.letters.setdefault(DETAILS_SHEET, {})[name] = cell[0]
            else:
                known.letters.setdefault(sheet, {})[name] = cell
    return Known(current, files, columns)


def checked_before(stored: dict[str, pd.DataFrame | None]) -> dict[str, str]:
    """File key -> the digest of the check inputs its stored findings were made from."""
    subs = stored.get("submissions")
    if subs is None or subs.empty or CHECKED_WITH not in subs.columns:
        return {}
    return dict(zip(file_key(subs), subs[CHECKED_WITH]))


def staged_store(staged: dict[str, pd.DataFrame], letters: dict[str, dict[str, dict[str, str]]],
                 details_cells: dict[str, dict[str, str]], current: str,
                 stored: dict[str, pd.DataFrame | None], checked: dict[str, str]) -> Iterator[tuple[str, pd.DataFrame]]:
    """The staged tables to store, one at a time (table, frame): those `stored` before,
    with the occasions of `staged` replaced by its rows of readable files, and where every
    kept file's fields are. `checked`: per file key, the digest of its check inputs."""
    subs = staged["submissions"]
    occasions = set(subs["occasion"].astype(object))
    subs = subs[subs["board_code"].notna()]
    dates = subs["submitted_on"].astype(object)
    is_date = dates.map(lambda v: isinstance(v, dt.date))
    subs = subs.assign(
        submitted_on=pd.to_datetime(dates.where(is_date, None)).astype("datetime64[ms]"),
        **{DATE_TEXT: dates.where(~is_date & dates.notna(), None).astype("string"), MADE_WITH: current,
           CHECKED_WITH: file_key(subs).map(checked).astype("string")},
    ).reset_index(drop=True)
    subs = _with_stored("submissions", subs, stored.get("submissions"), occasions)
    kept = subs["sha256"].unique()
    yield "submissions", subs
    del subs
    for table in TABLES[1:]:
        frame = staged[table].reindex(columns=table_columns(table))
        frame = frame.astype({c: "string" for c in frame.columns if c != "excel_row"}).astype({"excel_row": "int64"})
        yield table, _with_stored(table, frame, stored.get(table), occasions)
    cells = [(sha, sheet, name, letter) for sha, sheets in letters.items() for sheet, fields in sheets.items()
             for name, letter in fields.items() if sheet != DETAILS_SHEET]
    cells += [(sha, DETAILS_SHEET, name, cell) for sha, fields in details_cells.items() for name, cell in fields.items()]
    frame = pd.DataFrame(cells, columns=CELL_COLUMNS, dtype="string")
    old = stored.get(CELLS)
    if old is not None and list(old.columns) == list(frame.columns):
        old = old[~old["sha256"].isin(frame["sha256"].unique())]
        frame = pd.concat([old.astype(frame.dtypes.to_dict()), frame], ignore_index=True)
    yield CELLS, _in_order(frame[frame["sha256"].isin(kept)], CELLS)


def _with_stored(table: str, frame: pd.DataFrame, old: pd.DataFrame | None, occasions: set[str]) -> pd.DataFrame:
    """The rows of a staged table to store: `old`'s of other occasions, and `frame`'s."""
    if old is not None and list(old.columns) == list(frame.columns):
        old = old[~old["occasion"].isin(occasions)]
        frame = pd.concat([old.astype(frame.dtypes.to_dict()), frame], ignore_index=True)
    return _in_order(frame, table)


def _in_order(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame in one order whatever was reused, so the same files always give the same
    bytes (not copied when it is in that order already)."""
    order = frame[ORDER[table]].sort_values(ORDER[table], kind="stable").index
    return (frame if order.equals(frame.index) else frame.loc[order]).reset_index(drop=True)
