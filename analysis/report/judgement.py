"""The executive board's own judgement at every level: `data/reference/bedomning/<period>.xlsx`.

One sheet per level: the whole city (one text), each goal area (an assessment on the
movement scale and a text), each KF goal (the same, and at the period end whether the
desired movement has been reached) and the human-rights follow-up (one text per theme and
one for the base mission). Each sheet is a table under a title and a help line: the rows
the workbench knows, the computed evidence beside them (the boards' and companies'
assessments weighed together), and unlocked input cells for the executive board's own
words (assessments are dropdowns on the catalogue's scales).

The first report of an interim or annual report writes the file; later runs read it. A
file made by an earlier version of the workbench is upgraded: the sheets and columns it
lacks are added to a copy, which takes its place, the original is kept beside it, and no
cell that exists is changed, so every word an analyst wrote stays. A budget has no file:
it has no movement to judge."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import DiskFull, UsageError
from analysis.excel import HEADER_FILL, HEADER_FONT, WRAP, save_workbook, set_value
from analysis.files import replacing, writing
from analysis.occasion import Occasion
from analysis.report.content import goal_area_evidence, reached_evidence
from analysis.report.data import BASE_MISSION_SUBJECT, PENDING, Judgement
from analysis.tables.goal_signal import NAME as WEIGHED_TOGETHER
from analysis.vocabulary import BASE_MISSION_LABEL, CITY_LABEL

LISTS = "Listor"
TITLE_ROW, HELP_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
HEADER_SEARCH_ROWS = 10
BACKUP_SUFFIX = ".före-uppgradering"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    scale: str | None = None  # an input picked from the scale's labels
    text: bool = False  # an input of free text
    aliases: tuple[str, ...] = ()  # the header in files of earlier versions

    @property
    def is_input(self) -> bool:
        return self.scale is not None or self.text


@dataclass(frozen=True)
class Level:
    """One sheet: a row per thing judged, named by its `key` column."""

    sheet: str
    what: str  # in the sheet's title: "Kommunstyrelsens bedömning <what> – <occasion>"
    help: str
    key: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()  # the sheet's name in files of earlier versions

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.key == self.key)


def levels(period_end: bool) -> tuple[Level, ...]:
    """The sheets of the judgement workbook, in order; the KF-goal sheet asks at the period
    end also whether the desired movement has been reached."""
    return (
        Level(CITY_LABEL, "för hela staden",
              "Skriv Kommunstyrelsens sammanfattande bedömning för hela staden. Den står först i rapporten.", "level",
              (Column("level", "Del", 16), Column("wording", "Kommunstyrelsens bedömning (text)", 100, text=True))),
        Level("Målområden", "per målområde",
              f"Välj Kommunstyrelsens bedömning av förflyttningen och skriv texten. {WEIGHED_TOGETHER} är underlag, "
              "inte en bedömning.", "goal_area_code",
              (Column("goal_area_code", "Målområde", 12), Column("goal_area_name", "Namn", 40),
               Column("evidence", f"{WEIGHED_TOGETHER} (underlag)", 50),
               Column("assessment", "Kommunstyrelsens bedömning", 34, scale="movement"),
               Column("wording", "Kommunstyrelsens text", 70, text=True))),
        Level("KF-mål", "per KF-mål",
              f"Välj Kommunstyrelsens bedömning (lista) och skriv texten. {WEIGHED_TOGETHER} är underlag, inte en "
              "bedömning.", "goal_code",
              (Column("goal_area_code", "Målområde", 12), Column("goal_code", "KF-mål", 10), Column("goal_name", "Mål", 45),
               Column("suggested_level_label", WEIGHED_TOGETHER, 24, aliases=("Föreslagen signal",)),
               Column("reasons", "Skäl", 60, aliases=("Skäl till förslaget",)),
               *((Column("reached_evidence", "Nämndernas och bolagens bedömning: har önskad förflyttning nåtts? "
                                             "(underlag)", 40),) if period_end else ()),
               Column("assessment", "Kommunstyrelsens bedömning", 34, scale="movement", aliases=("KS bedömning",)),
               *((Column("reached", "Kommunstyrelsens bedömning: har önskad förflyttning nåtts?", 34, scale="reached"),)
                 if period_end else ()),
               Column("wording", "Kommunstyrelsens text i sammanställd analys", 70, text=True,
                      aliases=("KS formulering i sammanställd analys",))),
              aliases=("Bedömning",)),
        Level("Mänskliga rättigheter", "om mänskliga rättigheter",
              "Skriv Kommunstyrelsens text om uppföljningen av varje tema och av grunduppdraget.", "subject",
              (Column("subject", "Tema", 24), Column("wording", "Kommunstyrelsens text", 100, text=True))),
    )


# --- the rows the workbench knows ------------------------------------------------------


def _rows(level: Level, tables: dict[str, pd.DataFrame] | None, catalogue: Catalogue) -> list[dict]:
    """The level's rows: the key and the evidence columns (inputs are empty; without
    `tables`, the evidence too, apart from the names the catalogue gives)."""
    key = level.key
    if key == "level":
        return [{"level": CITY_LABEL}]
    if tables is None:
        if key == "goal_area_code":
            return [{"goal_area_code": a, "goal_area_name": n}
                    for a, n in zip(catalogue.goal_areas["goal_area_code"], catalogue.goal_areas["goal_area_name"])]
        if key == "goal_code":
            return [{"goal_code": g, "goal_area_code": a, "goal_name": n} for g, a, n in
                    zip(catalogue.goals["goal_code"], catalogue.goals["goal_area_code"], catalogue.goals["goal_name"])]
        return [{"subject": label} for label in (*catalogue.scales["theme"].labels, BASE_MISSION_LABEL)]
    if key == "goal_area_code":
        summary = tables["goal_area_summary"]
        return [{"goal_area_code": a, "goal_area_name": n, "evidence": goal_area_evidence(summary, a)}
                for a, n in zip(catalogue.goal_areas["goal_area_code"], catalogue.goal_areas["goal_area_name"])]
    if key == "goal_code":
        signals = tables["goal_signal"].astype({"goal_code": object}).set_index("goal_code")
        return [{"goal_code": g, "goal_area_code": a, "goal_name": n,
                 "suggested_level_label": signals["suggested_level_label"].get(g),
                 "reasons": signals["reasons"].get(g), "reached_evidence": reached_evidence(tables["movement_by_goal"], g)}
                for g, a, n in zip(catalogue.goals["goal_code"], catalogue.goals["goal_area_code"], catalogue.goals["goal_name"])]
    return [{"subject": label} for label in (*catalogue.scales["theme"].labels, BASE_MISSION_LABEL)]


# --- writing ---------------------------------------------------------------------------


def _lists_range(wb, catalogue: Catalogue, scale: str) -> str:
    """Where the scale's labels are on the hidden lists sheet (added when missing)."""
    from openpyxl.utils import get_column_letter

    labels = list(catalogue.scales[scale].labels)
    if LISTS in wb.sheetnames:
        ws = wb[LISTS]
    else:
        ws = wb.create_sheet(LISTS)
        ws.sheet_state = "hidden"
    used = ws.max_column if ws.cell(1, 1).value is not None else 0
    for c in range(1, used + 1):
        if [ws.cell(r, c).value for r in range(1, len(labels) + 1)] == labels:
            break
    else:
        c = used + 1
        for r, label in enumerate(labels, 1):
            set_value(ws.cell(r, c), label)
    letter = get_column_letter(c)
    return f"={LISTS}!${letter}$1:${letter}${len(labels)}"


def _fill_column(ws, c: int, column: Column, values: list, wb, catalogue: Catalogue) -> None:
    """Column `c`: the column's header on the header row, `values` in the rows below it,
    input cells unlocked, and a dropdown for a scale."""
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header = ws.cell(HEADER_ROW, c)
    set_value(header, column.header)
    header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, WRAP
    ws.column_dimensions[get_column_letter(c)].width = column.width
    for r, value in enumerate(values, FIRST_ROW):
        cell = ws.cell(r, c)
        set_value(cell, value)
        cell.alignment = WRAP
        if column.is_input:
            cell.protection = Protection(locked=False)
    if column.scale and values:
        letter = get_column_letter(c)
        dv = DataValidation(type="list", formula1=_lists_range(wb, catalogue, column.scale), allow_blank=True,
                            errorTitle="Ogiltigt värde", error="Välj en bedömning i listan.")
        ws.add_data_validation(dv)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + len(values) - 1}")


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False


def _add_sheet(wb, level: Level, rows: list[dict], catalogue: Catalogue, occasion: Occasion, note: str = "") -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(level.sheet)
    ws.cell(TITLE_ROW, 1, f"Kommunstyrelsens bedömning {level.what} – {occasion.label}").font = Font(bold=True, size=14)
    ws.cell(HELP_ROW, 1, level.help + (note or (" Exempeldata." if catalogue.example_data else ""))).font = Font(italic=True)
    for c, column in enumerate(level.columns, 1):
        _fill_column(ws, c, column, [rec.get(column.key) for rec in rows], wb, catalogue)
    last = FIRST_ROW + len(rows) - 1
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(level.columns))}{max(last, HEADER_ROW)}"
    _protect(ws)


# The executive board's words to write into a judgement workbook: by the level's key column
# ('level', 'goal_area_code', 'goal_code', 'subject'), by the row's key (CITY_LABEL, a goal area's
# or KF goal's code, a theme's label or BASE_MISSION_LABEL), the input columns' values
# ('assessment' and 'reached' as their scale's labels, 'wording' as text).
Words = dict[str, dict[str, dict[str, str]]]
EXAMPLE_NOTE = (" Exempeldata: bedömningarna och texterna är exempelstadens (malstyrning demo). Underlaget bredvid "
                "dem står i rapportens Excelfil, fliken Kommunstyrelsens bedömning.")


def judgement_workbook(tables: dict[str, pd.DataFrame] | None, catalogue: Catalogue, occasion: Occasion,
                       words: Words | None = None):
    """A new judgement workbook for the occasion, every level with its rows and evidence
    (none without `tables`), and the executive board's `words` where given."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for level in levels(catalogue.is_period_end(occasion)):
        rows = _rows(level, tables, catalogue)
        given = (words or {}).get(level.key, {})
        rows = [{**row, **given.get(row[level.key], {})} for row in rows]
        _add_sheet(wb, level, rows, catalogue, occasion, EXAMPLE_NOTE if words is not None else "")
    if LISTS in wb.sheetnames:
        wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    wb.active = 0
    return wb


def write_example_judgement(path: Path, catalogue: Catalogue, occasion: Occasion, words: Words) -> bool:
    """The example city's judgement workbook for a follow-up, with the executive board's
    words (analysis.boards.demo.example_judgement) and without the evidence, which the
    report's Excel file has: written where there is none (True), a file already there left
    as it is (False). Only for a catalogue of example data: the judgement workbook of a
    real city is never written by the demo."""
    if not catalogue.example_data:
        raise UsageError(not_example_data(catalogue))
    if path.exists():
        return False
    with writing(f"bedömningsfilen {path}"):
        save_workbook(judgement_workbook(None, catalogue, occasion, words), path)
    return True


def not_example_data(catalogue: Catalogue) -> str:
    """Why the demo writes nothing for a catalogue of a real city, in Swedish."""
    return (f"Målkatalogen för mandatperioden {catalogue.mandate_period} ({catalogue.source}) är inte exempeldata "
            "(example_data: true saknas). malstyrning demo fyller bara i exempelstadens arbetsböcker och "
            "bedömningsfiler och skriver aldrig i en verklig stads; inget har skrivits.")


# --- the file: created, upgraded, read ----------------------------------------------------


@dataclass
class JudgementFile:
    """What became of the judgement file of a report: `created`, `upgraded` (what was
    added, and where the original is kept), `read`, or `none` (a budget has no file)."""

    path: Path
    status: str
    added: list[str] = field(default_factory=list)
    original: Path | None = None

    def note(self) -> str:
        """One line for the person running the report, in Swedish."""
        if self.status == "created":
            return f"Bedömningsfil skapad: {self.path}"
        if self.status == "upgraded":
            return (f"Bedömningsfilen {self.path} har uppgraderats till dagens utformning: {'; '.join(self.added)}. "
                    f"Allt som redan stod i filen är kvar; originalet finns i {self.original}.")
        if self.status == "read":
            return f"Bedömningsfil (läst, inte ändrad): {self.path}"
        return "Ingen bedömningsfil: nämnds- och bolagsbudgeten har ingen förflyttning att bedöma."


def _names(column: Column) -> set[str]:
    return {h.casefold() for h in (column.header, *column.aliases)}


def _find_sheet(wb, level: Level):
    for name in (level.sheet, *level.aliases):
        if name in wb.sheetnames:
            return wb[name]
    return None


def _upgrade(wb, tables: dict[str, pd.DataFrame], catalogue: Catalogue, occasion: Occasion) -> list[str]:
    """Add to the workbook the sheets and columns of today's layout it lacks; returns what
    was added, in Swedish. A sheet of an earlier version under its old name gets today's
    name. No cell that exists is written, and a sheet whose headers are not where this
    workbench writes them is left as it is."""
    added = []
    for level in levels(catalogue.is_period_end(occasion)):
        rows = _rows(level, tables, catalogue)
        ws = _find_sheet(wb, level)
        if ws is None:
            _add_sheet(wb, level, rows, catalogue, occasion)
            added.append(f"fliken {level.sheet}")
            continue
        if ws.title != level.sheet:
            added.append(f"fliken {ws.title} heter nu {level.sheet}")
            ws.title = level.sheet
        headers = [str(v).strip().casefold() if v is not None else ""
                   for v in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())]
        key_names = _names(level.key_column)
        if not key_names & set(headers):
            continue
        key_column = next(i for i, h in enumerate(headers, 1) if h in key_names)
        keys = [_text(ws.cell(r, key_column).value) for r in range(FIRST_ROW, ws.max_row + 1)]
        while keys and keys[-1] is None:
            keys.pop()
        by_key = {_text(rec[level.key]): rec for rec in rows}
        for column in level.columns:
            if not _names(column) & set(headers):
                headers.append(column.header.casefold())
                _fill_column(ws, len(headers), column, [by_key.get(k, {}).get(column.key) for k in keys], wb, catalogue)
                added.append(f"kolumnen '{column.header}' i fliken {level.sheet}")
    if LISTS in wb.sheetnames:
        wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    return added


def _unreadable(path: Path, exc: Exception) -> UsageError:
    return UsageError(f"Bedömningsfilen {path} kan inte läsas som Excel-arbetsbok ({type(exc).__name__}). "
                      "Spara den som Excel-arbetsbok (.xlsx) och kör igen; filen har inte ändrats.")


def _backup_path(path: Path) -> Path:
    n = 1
    while True:
        candidate = path.with_name(f"{path.stem}{BACKUP_SUFFIX}{'' if n == 1 else f'-{n}'}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def ensure_judgement_file(path: Path, tables: dict[str, pd.DataFrame], catalogue: Catalogue,
                          occasion: Occasion) -> JudgementFile:
    """The occasion's judgement file: written when missing, upgraded when it lacks a part of
    today's layout (the original kept beside it), otherwise left as it is. A budget has none."""
    if not occasion.is_follow_up:
        return JudgementFile(path, "none")
    label = f"bedömningsfilen {path}"
    if not path.exists():
        with writing(label):
            save_workbook(judgement_workbook(tables, catalogue, occasion), path)
        return JudgementFile(path, "created")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception as exc:  # not a workbook openpyxl can read: zip, XML or format errors of every kind
        raise _unreadable(path, exc) from None
    added = _upgrade(wb, tables, catalogue, occasion)
    if not added:
        return JudgementFile(path, "read")
    original = _backup_path(path)
    with writing(f"kopian {original}"), replacing(original) as copy:
        shutil.copy2(path, copy)
    try:
        with writing(label):
            save_workbook(wb, path)
    except DiskFull:  # the file is as it was: no copy of it left beside it
        original.unlink()
        raise
    return JudgementFile(path, "upgraded", added, original)


# --- reading -------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A cell as text: trimmed, a whole number without its decimals, empty as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _read_level(grids: dict[str, list[list]], level: Level) -> dict[str, dict[str, str | None]]:
    """The level's rows by key: the text of every column the sheet has."""
    grid = next((grids[name] for name in (level.sheet, *level.aliases) if name in grids), None)
    if grid is None:
        return {}
    key_names = _names(level.key_column)
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(isinstance(v, str) and v.strip().casefold() in key_names for v in row):
            break
    else:
        return {}
    headers = [str(v).strip().casefold() if v is not None else "" for v in grid[r]]
    where = {column.key: next((headers.index(h) for h in _names(column) if h in headers), None) for column in level.columns}
    out = {}
    for row in grid[r + 1:]:
        values = {k: _text(row[i]) if i is not None and i < len(row) else None for k, i in where.items()}
        if values[level.key]:
            out.setdefault(values[level.key], values)
    return out


def read_judgement(path: Path, catalogue: Catalogue, occasion: Occasion) -> Judgement:
    """The executive board's assessments and texts at every level; an assessment that is
    not one of its list's values counts as not given. Without a file (or at a budget),
    everything is pending."""
    judgement = Judgement.pending(catalogue)
    if not occasion.is_follow_up or not path.exists():
        return judgement
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    except Exception as exc:  # calamine's errors for broken parts
        raise _unreadable(path, exc) from None
    city_level, area_level, goal_level, hr_level = levels(catalogue.is_period_end(occasion))

    def assessed(frame: pd.DataFrame, given: dict, key: str, column: str, scale: str) -> None:
        s = catalogue.scales[scale]
        codes = [s.code_for(given.get(k, {}).get(column) or "") for k in frame[key]]
        frame[column] = pd.Series(codes, index=frame.index, dtype=object)
        frame[f"{column}_label"] = pd.Series([s.label(c) if c else PENDING for c in codes], index=frame.index, dtype=object)

    def words(frame: pd.DataFrame, given: dict, key: str) -> pd.Series:
        """The texts as plain objects: None, never NaN, where nothing is written."""
        return pd.Series([given.get(k, {}).get("wording") for k in frame[key]], index=frame.index, dtype=object)

    areas = _read_level(grids, area_level)
    goal_areas = judgement.goal_areas.copy()
    assessed(goal_areas, areas, "goal_area_code", "assessment", "movement")
    goal_areas["wording"] = words(goal_areas, areas, "goal_area_code")
    goals_given = _read_level(grids, goal_level)
    goals = judgement.goals.copy()
    assessed(goals, goals_given, "goal_code", "assessment", "movement")
    assessed(goals, goals_given, "goal_code", "reached", "reached")
    goals["wording"] = words(goals, goals_given, "goal_code")
    themes = catalogue.scales["theme"]
    by_subject = {(BASE_MISSION_SUBJECT if k.casefold() == BASE_MISSION_LABEL.casefold() else themes.code_for(k)): v
                  for k, v in _read_level(grids, hr_level).items()}
    human_rights = judgement.human_rights.copy()
    human_rights["wording"] = words(human_rights, by_subject, "subject")
    city = _read_level(grids, city_level).get(CITY_LABEL, {}).get("wording")
    return Judgement(city, goal_areas, goals, human_rights)
