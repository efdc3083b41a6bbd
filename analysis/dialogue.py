"""The dialogue with the boards, kept by the city office: one workbook per occasion,
`data/reference/dialog/<occasion>.xlsx`, with a row per question the dialogue rules raise
(analysis.checks.dialogue_rules, the table `dialogue`), and the board's reply, the status
and the office's comment beside it.

Every run merges the occasion's questions into the workbook, matched by each question's
key (a narrow hidden column), so rows sorted, moved or deleted by hand lose nothing:
- a new question gets a row, status Öppen;
- a question still raised keeps its reply, status and comment; its question text and
  cells are the workbench's and are written anew;
- a question whose cause has gone (the board sent its workbook again) is marked
  Inaktuell, never deleted (one the office has closed, Avslutad, stays so); should the
  cause come back, the question is open again (Besvarad when it has a reply);
- a row deleted by hand is put back from the workbench's own copy of the rows (a very
  hidden sheet, written with every merge), with what it held then.
The office's columns are written only in those two ways, and a reply read from a board's
file fills an empty reply only (a different one is reported, never written over).
Columns the office adds are left as they are.

One file per board can be written for sending (`reports/<occasion>/dialog/<BOARD>.xlsx`,
a new version of the occasion's outputs, analysis.versions), holding its open and answered
questions with an unlocked reply column; the replies typed into those files are read back
into the office's workbook. A workbook open in Excel or LibreOffice (its lock file beside
it) is refused before anything is written. Every write is atomic, and text never becomes a
formula (analysis.excel.set_value): a reply typed as '=1+1', or a real formula cell, is
kept as its text."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from analysis.boards.template import fit_rows
from analysis.catalogue import Catalogue
from analysis.config import Paths
from analysis.errors import UsageError
from analysis.excel import HEADER_FILL, HEADER_FONT, TITLE_FONT, WRAP, note_row, save_workbook, set_value
from analysis.occasion import Occasion
from analysis.text import content, plain

SHEET = "Frågor"
RECORD_SHEET = "Arbetsbänkens kopia"  # very hidden: every row as last written, to put back rows deleted by hand
OPEN, ANSWERED, CLOSED, INACTIVE = "Öppen", "Besvarad", "Avslutad", "Inaktuell"
STATUSES = (OPEN, ANSWERED, CLOSED, INACTIVE)
PLURAL = {OPEN: "Öppna", ANSWERED: "Besvarade", CLOSED: "Avslutade", INACTIVE: "Inaktuella"}
SENT = (OPEN, ANSWERED)  # the statuses of the questions a board's file holds
TITLE_ROW, HELP_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
HEADER_SEARCH_ROWS = 10
VALIDATED_ROWS = 5000  # the status list covers this many rows below the headers
BOARD_FOLDER = "dialog"
WORKBENCH, OFFICE = "workbench", "office"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    owner: str  # WORKBENCH: written anew with every merge; OFFICE: never written over


COLUMNS: tuple[Column, ...] = (
    Column("board_code", "Nämnd/bolag (kod)", 10, WORKBENCH),
    Column("board_name", "Nämnd/bolag", 22, WORKBENCH),
    Column("goal_code", "KF-mål", 8, WORKBENCH),
    Column("contribution_id", "Bidrags-id", 11, WORKBENCH),
    Column("rule_label", "Regel", 20, WORKBENCH),
    Column("question", "Fråga", 70, WORKBENCH),
    Column("cells", "Källceller", 36, WORKBENCH),
    Column("reply", "Svar från nämnden/bolaget", 50, OFFICE),
    Column("status", "Status", 12, OFFICE),
    Column("comment", "Kommentar från stadskontoret", 40, OFFICE),
    Column("key", "Frågans nyckel", 3, WORKBENCH),
)
BY_KEY = {c.key: c for c in COLUMNS}
QUESTION_KEYS = tuple(c.key for c in COLUMNS if c.owner == WORKBENCH)
# A board's file: what the board needs to answer, and its reply.
BOARD_COLUMNS = ("goal_code", "contribution_id", "question", "cells", "reply", "key")


# --- the rows: pure ------------------------------------------------------------------------


def question_rows(table: pd.DataFrame) -> list[dict]:
    """The dialogue table's rows of one occasion as the workbook's rows (workbench columns)."""
    rows = []
    for rec in table.astype(object).to_dict("records"):
        first = f"{rec['source_file']}, flik {rec['sheet']}, cell {rec['cell']}" if isinstance(rec["source_file"], str) else None
        others = rec["other_cells"] if isinstance(rec["other_cells"], str) else None
        rows.append({"board_code": rec["board_code"], "board_name": rec["board_name"], "goal_code": rec["goal_code"],
                     "contribution_id": rec["contribution_id"] if isinstance(rec["contribution_id"], str) else None,
                     "rule_label": rec["rule_label"], "question": rec["question"],
                     "cells": "; ".join(c for c in (first, others) if c), "key": rec["question_key"]})
    return rows


@dataclass
class Merged:
    """The workbook's rows after a merge, in the sheet's order: each existing row (with
    `_row`, its row in the sheet) and then the rows added (restored, then new)."""

    rows: list[dict]
    new: int = 0
    restored: int = 0
    inactive: int = 0
    reopened: int = 0


def _current(row: dict, question: dict | None) -> tuple[dict, str | None]:
    """A row with the workbench's columns of its question, and its status as the merge
    leaves it; returns the row and what changed its status ('inactive', 'reopened')."""
    out = dict(row)
    status = row.get("status")
    if question is not None:
        out.update({k: question.get(k) for k in QUESTION_KEYS})
        if status in (None, INACTIVE):
            out["status"] = ANSWERED if row.get("reply") else OPEN
            return out, "reopened" if status == INACTIVE else None
    elif status in (None, OPEN, ANSWERED):
        out["status"] = INACTIVE
        return out, "inactive"
    return out, None


def merge(existing: list[dict], record: list[dict], questions: list[dict]) -> Merged:
    """Merge the occasion's questions into the workbook's rows (`existing`, in sheet
    order; `record`, the workbench's copy from the last merge); see the module docstring.
    A row without a key, or a second row with a key already seen, is left as it is."""
    wanted = {q["key"]: q for q in questions}
    seen: set[str] = set()
    merged = Merged([])

    def add(row: dict, question: dict | None) -> None:
        out, change = _current(row, question)
        merged.inactive += change == "inactive"
        merged.reopened += change == "reopened"
        merged.rows.append(out)

    for row in existing:
        key = row.get("key")
        if not key or key in seen:
            merged.rows.append(row)
            continue
        seen.add(key)
        add(row, wanted.get(key))
    for row in record:
        if row.get("key") and row["key"] not in seen:
            seen.add(row["key"])
            merged.restored += 1
            add({k: v for k, v in row.items() if k != "_row"}, wanted.get(row["key"]))
    for question in questions:
        if question["key"] not in seen:
            seen.add(question["key"])
            merged.new += 1
            merged.rows.append({**{c.key: None for c in COLUMNS}, **question, "status": OPEN})
    return merged


@dataclass
class Replies:
    """What reading the boards' replies did: how many were taken in, and every reply not
    taken, in Swedish (a conflict with a reply already there, an unknown question)."""

    taken: int = 0
    same: int = 0
    notes: list[str] = field(default_factory=list)


def _same_text(a: object, b: object) -> bool:
    return plain(str(a)) == plain(str(b))


def take_replies(rows: list[dict], replies: Iterable[tuple[str, str, str]], occasion: Occasion) -> Replies:
    """Put each reply (file name, question key, reply) into the row of its question where
    that row has no reply yet (an open question becomes Besvarad); a reply already there
    is never written over: a different one is reported."""
    by_key = {}
    for row in rows:
        if row.get("key"):
            by_key.setdefault(row["key"], row)
    outcome = Replies()
    for name, key, reply in replies:
        row = by_key.get(key)
        if not key.startswith(f"{occasion.code}:"):
            outcome.notes.append(f"{name}: frågan {key} hör inte till {occasion.label}; svaret har inte lästs in.")
        elif row is None:
            outcome.notes.append(f"{name}: frågan {key} finns inte i stadskontorets arbetsbok; svaret har inte lästs in.")
        elif not row.get("reply"):
            row["reply"] = reply
            if row.get("status") in (None, OPEN):
                row["status"] = ANSWERED
            outcome.taken += 1
        elif _same_text(row["reply"], reply):
            outcome.same += 1
        else:
            outcome.notes.append(f"{name}: svaret på frågan {key} skiljer sig från svaret som redan står i stadskontorets "
                                 f"arbetsbok; det befintliga svaret har behållits. Svaret i filen: \"{_short(reply)}\"")
    return outcome


def _short(text: str, limit: int = 200) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# --- cells as text -------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """A cell as the text a person typed: trimmed, a whole number without decimals, a date
    as ÅÅÅÅ-MM-DD, a formula as its text ('=1+1'); empty as None."""
    if value is None:
        return None
    value = getattr(value, "text", value)  # an array formula: its text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return content(str(value))


# --- the office's workbook: I/O --------------------------------------------------------------


def lock_file(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps beside a workbook it has open, if any."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def check_not_open(path: Path, what: str = "Dialogarbetsboken") -> None:
    lock = lock_file(path)
    if lock is not None:
        raise UsageError(f"{what} {path} är öppen i Excel eller LibreOffice (låsfilen {lock.name} finns bredvid den). "
                         "Spara och stäng den och kör igen; inget har skrivits.")


def _unreadable(path: Path, exc: Exception) -> UsageError:
    return UsageError(f"Dialogarbetsboken {path} kan inte läsas som Excel-arbetsbok ({type(exc).__name__}). Spara den som "
                      "Excel-arbetsbok (.xlsx) och kör igen; filen har inte ändrats.")


def _new_workbook(occasion: Occasion, example: bool):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    set_value(ws.cell(TITLE_ROW, 1), f"Frågor till nämnderna och bolagen – {occasion.label}")
    ws.cell(TITLE_ROW, 1).font = TITLE_FONT
    help_text = ("En rad per fråga där en nämnds eller ett bolags egna svar motsäger varandra. Skriv nämndens eller "
                 "bolagets svar, välj status och skriv stadskontorets kommentar: arbetsbänken skriver aldrig över dem. "
                 "Fråga och Källceller skrivs om vid varje körning. En fråga vars orsak har försvunnit markeras Inaktuell; "
                 "ingen fråga tas bort (sätt Avslutad när den är klar). Sortera och filtrera fritt."
                 + (" Exempeldata." if example else ""))
    for c, column in enumerate(COLUMNS, 1):
        _header(ws, c, column)
    _help(ws, help_text, COLUMNS.index(BY_KEY["comment"]) + 1)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    _status_list(ws, COLUMNS.index(BY_KEY["status"]) + 1)
    return wb


def _alignment(key: str):
    """Text wraps in its column, except the hidden key's (which would make its rows tall)."""
    from openpyxl.styles import Alignment

    return Alignment(vertical="top") if key == "key" else WRAP


def _help(ws, text: str, columns: int) -> None:
    """The help line across the visible columns, wrapped, three lines high; the sheet
    prints on A4 landscape, fitted to the page width."""
    note_row(ws, HELP_ROW, text, columns)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _header(ws, c: int, column: Column) -> None:
    from openpyxl.utils import get_column_letter

    cell = ws.cell(HEADER_ROW, c)
    set_value(cell, column.header)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, _alignment(column.key)
    letter = get_column_letter(c)
    ws.column_dimensions[letter].width = column.width
    if column.key == "key":
        ws.column_dimensions[letter].hidden = True


def _status_list(ws, c: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(c)
    dv = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                        errorTitle="Ogiltig status", error="Välj en status i listan: " + ", ".join(STATUSES) + ".")
    ws.add_data_validation(dv)
    dv.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + VALIDATED_ROWS}")


def _find_headers(ws, path: Path) -> tuple[int, dict[str, int]]:
    """The header row and the column of each of the workbook's columns (headers may be
    moved); a column missing (other than the key) is added after the last."""
    names = {c.header.casefold(): c.key for c in COLUMNS}
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        found = {}
        for c in range(1, ws.max_column + 1):
            value = ws.cell(r, c).value
            if isinstance(value, str) and value.strip().casefold() in names:
                found.setdefault(names[value.strip().casefold()], c)
        if "key" in found:
            last = ws.max_column
            for column in COLUMNS:
                if column.key not in found:
                    last += 1
                    _header(ws, last, column)
                    found[column.key] = last
            return r, found
    raise UsageError(f"Kolumnen '{BY_KEY['key'].header}' saknas i fliken {SHEET} i {path}; utan den går frågorna inte "
                     "att känna igen. Lägg tillbaka kolumnen (eller flytta filen, så skrivs en ny); filen har inte ändrats.")


def _read_rows(ws, header_row: int, where: Mapping[str, int]) -> list[dict]:
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        values = {k: cell_text(ws.cell(r, c).value) for k, c in where.items()}
        if any(v is not None for v in values.values()):
            rows.append({**values, "_row": r})
    return rows


def _read_record(wb) -> list[dict]:
    if RECORD_SHEET not in wb.sheetnames:
        return []
    ws = wb[RECORD_SHEET]
    keys = [cell_text(v) for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    out = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        rec = {k: cell_text(v) for k, v in zip(keys, values) if k in BY_KEY}
        if rec.get("key"):
            out.append(rec)
    return out


def _write_record(wb, rows: list[dict]) -> None:
    if RECORD_SHEET in wb.sheetnames:
        del wb[RECORD_SHEET]
    ws = wb.create_sheet(RECORD_SHEET)
    ws.sheet_state = "veryHidden"
    keys = [c.key for c in COLUMNS]
    for c, k in enumerate(keys, 1):
        set_value(ws.cell(1, c), k)
    seen = set()
    r = 2
    for row in rows:
        if row.get("key") and row["key"] not in seen:
            seen.add(row["key"])
            for c, k in enumerate(keys, 1):
                set_value(ws.cell(r, c), row.get(k))
            r += 1


@dataclass
class DialogueFile:
    """What a merge did to the office's workbook, for one line to the person running it."""

    path: Path
    merged: Merged
    replies: Replies | None
    written: bool
    created: bool

    @property
    def rows(self) -> list[dict]:
        return self.merged.rows

    def note(self) -> str:
        keyed = [r for r in self.rows if r.get("key")]
        counts = {s: sum(r.get("status") == s for r in keyed) for s in STATUSES}
        parts = [f"{counts[s]} {(s if counts[s] == 1 else PLURAL[s]).lower()}" for s in STATUSES if counts[s]]
        what = "skapad" if self.created else "uppdaterad" if self.written else "oförändrad"
        changes = [f"{n} {one if n == 1 else many}" for n, one, many in (
            (self.merged.new, "ny", "nya"), (self.merged.inactive, "blev inaktuell", "blev inaktuella"),
            (self.merged.reopened, "aktuell igen", "aktuella igen"),
            (self.merged.restored, "borttagen för hand och återställd", "borttagna för hand och återställda")) if n]
        text = f"Dialogarbetsbok {what}: {self.path} ({len(keyed)} frågor: {', '.join(parts) or 'inga'}"
        text += f"; {', '.join(changes)})." if changes else ")."
        if self.replies is not None:
            text += (f" Svar inlästa: {self.replies.taken}" + (f", {self.replies.same} fanns redan" if self.replies.same else "")
                     + (f", {len(self.replies.notes)} inte inlästa (se nedan)" if self.replies.notes else "") + ".")
        return text


def update_workbook(path: Path, questions: list[dict], occasion: Occasion, example: bool = False,
                    replies: Iterable[tuple[str, str, str]] | None = None) -> DialogueFile:
    """Merge the questions (question_rows) into the office's workbook at `path` (made when
    missing), and take in `replies` (file name, key, reply) where given; written atomically,
    and only when something changed. A workbook open in Excel is refused first."""
    from openpyxl import load_workbook

    check_not_open(path)
    created = not path.exists()
    if created:
        wb = _new_workbook(occasion, example)
    else:
        try:
            wb = load_workbook(path)
        except Exception as exc:  # not a workbook openpyxl can read: zip, XML or format errors of every kind
            raise _unreadable(path, exc) from None
        if SHEET not in wb.sheetnames:
            raise UsageError(f"Fliken {SHEET} saknas i dialogarbetsboken {path}. Byt tillbaka namnet på fliken (eller "
                             "flytta filen, så skrivs en ny); filen har inte ändrats.")
    ws = wb[SHEET]
    columns_before = ws.max_column
    header_row, where = _find_headers(ws, path)
    existing = _read_rows(ws, header_row, where)
    record = _read_record(wb)
    merged = merge(existing, record, questions)
    taken = take_replies(merged.rows, replies, occasion) if replies is not None else None
    changed = _write_rows(ws, header_row, where, existing, merged.rows) or ws.max_column != columns_before
    new_record = [{k: r.get(k) for k in BY_KEY} for r in merged.rows if r.get("key")]
    changed |= new_record != [{k: r.get(k) for k in BY_KEY} for r in record]
    if created or changed:
        _write_record(wb, merged.rows)
        fit_rows(wb)
        save_workbook(wb, path)
    return DialogueFile(path, merged, taken, created or changed, created)


def _write_rows(ws, header_row: int, where: Mapping[str, int], before: list[dict], rows: list[dict]) -> bool:
    """Write the merged rows: changed cells of existing rows in place, added rows after
    the last; returns whether any cell changed."""
    old = {row["_row"]: row for row in before}
    changed = False
    last = max([header_row, *(r["_row"] for r in before)])
    for row in rows:
        r = row.get("_row")
        if r is None:
            last += 1
            r = last
            changed = True
        for key, c in where.items():
            value = row.get(key)
            if r in old and old[r].get(key) == value:
                continue
            cell = ws.cell(r, c)
            set_value(cell, value)
            cell.alignment = _alignment(key)
            changed = True
    return changed


def read_rows(path: Path) -> list[dict]:
    """The office's workbook's rows (key, status, reply, ...) without changing it: for the
    exploration notebook. Empty when there is no workbook."""
    if not path.exists():
        return []
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # see update_workbook
        raise _unreadable(path, exc) from None
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else None
        grid = [list(values) for values in ws.iter_rows(values_only=True)] if ws is not None else []
    finally:
        wb.close()
    names = {c.header.casefold(): c.key for c in COLUMNS}
    for r, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        where = {}
        for c, v in enumerate(values):
            if isinstance(v, str) and v.strip().casefold() in names:
                where.setdefault(names[v.strip().casefold()], c)
        if "key" in where:
            return [row for row in ({k: cell_text(values[c]) if c < len(values) else None for k, c in where.items()}
                                    for values in grid[r + 1:]) if row.get("key")]
    return []


# --- a board's file -------------------------------------------------------------------------


def board_workbook(occasion: Occasion, board_name: str, rows: list[dict], example: bool):
    """The questions to one board for sending: the board's open and answered questions,
    its reply column unlocked (the rest locked), the key hidden beside it."""
    from openpyxl import Workbook
    from openpyxl.styles import Protection

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    set_value(ws.cell(TITLE_ROW, 1), f"Frågor från stadskontoret till {board_name} – {occasion.label}")
    ws.cell(TITLE_ROW, 1).font = TITLE_FONT
    columns = [BY_KEY[k] for k in BOARD_COLUMNS]
    for c, column in enumerate(columns, 1):
        _header(ws, c, column)
    _help(ws, "Stadskontoret har läst era svar och har några frågor där svaren inte stämmer med varandra. Skriv ert svar "
              "i kolumnen 'Svar från nämnden/bolaget', spara filen och skicka den tillbaka till stadskontoret. Frågorna "
              "ändrar inte er bedömning." + (" Exempeldata." if example else ""), len(columns) - 1)
    for r, row in enumerate(rows, FIRST_ROW):
        for c, column in enumerate(columns, 1):
            cell = ws.cell(r, c)
            set_value(cell, row.get(column.key))
            cell.alignment = _alignment(column.key)
            if column.key == "reply":
                cell.protection = Protection(locked=False)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    return wb


def sent_rows(rows: list[dict], board: str) -> list[dict]:
    """The questions of the office's workbook a board's file holds: its open and answered ones."""
    return [r for r in rows if r.get("key") and r.get("board_code") == board and r.get("status") in SENT]


def read_reply_file(path: Path) -> tuple[list[tuple[str, str, str]], str | None]:
    """The replies typed into a board's file: (file name, key, reply) for each row with
    both; or a Swedish reason why the file could not be read."""
    from openpyxl import load_workbook

    lock = lock_file(path)
    if lock is not None:
        return [], f"{path.name} är öppen i Excel eller LibreOffice (låsfilen {lock.name} finns); den har inte lästs. " \
                   "Spara och stäng den och kör igen."
    from analysis.boards.container import MAX_FILE_BYTES, XLSM, XLSX, check_container
    from analysis.errors import SubmissionError

    unread = f"{path.name} har inte lästs:"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], f"{unread} filen är för stor ({path.stat().st_size / 1e6:.0f} MB) för en fil med frågor."
        data = path.read_bytes()
        kind = check_container(data, lambda name: True)  # a board's file is untrusted: its format and sizes first
        if kind not in (XLSX, XLSM):
            return [], f"{unread} den är ingen Excel-arbetsbok (.xlsx). Be nämnden eller bolaget spara den som .xlsx."
        wb = load_workbook(io.BytesIO(data))
    except SubmissionError as exc:
        return [], f"{unread} {exc.message}"
    except OSError as exc:
        return [], f"{unread} den kunde inte läsas ({exc.strerror or exc})."
    except Exception as exc:  # see update_workbook
        return [], f"{unread} den kan inte läsas som Excel-arbetsbok ({type(exc).__name__})."
    reply_header, key_header = BY_KEY["reply"].header.casefold(), BY_KEY["key"].header.casefold()
    for ws in wb.worksheets:
        for r in range(1, HEADER_SEARCH_ROWS + 1):
            headers = {str(ws.cell(r, c).value).strip().casefold(): c for c in range(1, ws.max_column + 1)
                       if isinstance(ws.cell(r, c).value, str)}
            if reply_header in headers and key_header in headers:
                found = []
                for row in range(r + 1, ws.max_row + 1):
                    key, reply = cell_text(ws.cell(row, headers[key_header]).value), cell_text(ws.cell(row, headers[reply_header]).value)
                    if key and reply:
                        found.append((path.name, key, reply))
                return found, None
    return [], (f"{path.name} har inga kolumner '{BY_KEY['reply'].header}' och '{BY_KEY['key'].header}'; den är ingen "
                "av arbetsbänkens filer med frågor och har inte lästs.")


def reply_files(source: Path) -> list[Path]:
    """The workbooks to read replies from: the file, or every .xlsx in the folder (lock
    and hidden files skipped)."""
    if source.is_dir():
        return sorted(p for p in source.iterdir() if p.suffix.lower() == ".xlsx" and p.is_file()
                      and not p.name.startswith(("~$", ".")))
    if source.is_file():
        return [source]
    raise UsageError(f"{source} finns inte. Ange en ifylld fil med frågor eller en mapp med sådana (--replies).")


# --- the edge: one occasion -----------------------------------------------------------------


def occasion_questions(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion) -> list[dict]:
    """The occasion's questions from its aggregate tables (stored ones when current)."""
    from analysis.aggregates import aggregates_for

    tables, _ = aggregates_for(paths, catalogues, occasion)
    frame = tables["dialogue"]
    return question_rows(frame[frame["occasion"].astype(object) == occasion.code])


def refresh(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion,
            replies: Iterable[tuple[str, str, str]] | None = None) -> DialogueFile:
    """Merge the occasion's questions (and `replies`) into the office's workbook. The
    caller holds the root's lock."""
    from analysis.catalogue import catalogue_for

    path = paths.dialogue_for(occasion.code)
    check_not_open(path)
    catalogue = catalogue_for(occasion, catalogues)
    return update_workbook(path, occasion_questions(paths, catalogues, occasion), occasion, catalogue.example_data, replies)


def write_board_files(paths: Paths, occasion: Occasion, catalogue: Catalogue, rows: list[dict],
                      board: str | None = None) -> list[Path]:
    """One file per board with open or answered questions (or only `board`'s) in
    reports/<occasion>/dialog/, as a new version of the occasion's outputs; the files of
    boards that have none now are left out of it. Returns the files written."""
    from analysis.versions import report_versions

    folder = paths.report_for(occasion.code) / BOARD_FOLDER
    boards = [board] if board else [b for b in catalogue.board_codes if sent_rows(rows, b)]
    versions = report_versions(paths, occasion.code)
    written = []
    with versions.stage() as stage:
        staged = stage.folder / BOARD_FOLDER
        staged.mkdir()
        for code in boards:
            mine = sent_rows(rows, code)
            if not mine:
                continue
            buffer = io.BytesIO()  # made in memory: on a full disk nothing half-written is left behind
            wb = board_workbook(occasion, catalogue.board_name(code), mine, catalogue.example_data)
            fit_rows(wb)
            wb.save(buffer)
            data = buffer.getvalue()
            try:
                (staged / f"{code}.xlsx").write_bytes(data)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror or str(exc), str(folder / f"{code}.xlsx")) from None
            written.append(folder / f"{code}.xlsx")
        current = versions.current()
        earlier = current / BOARD_FOLDER if current is not None else None
        stale = []
        if board is None and earlier is not None and earlier.is_dir():
            stale = [f"{BOARD_FOLDER}/{p.name}" for p in earlier.glob("*.xlsx") if folder / p.name not in written]
        if written or stale:
            stage.publish(leave_out=stale)
    return written
