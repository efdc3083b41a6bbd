"""The Excel template one board fills in for one occasion. Pre-filled with what the city
office already knows (board, occasion, template version, the board's contributions so
far in the mandate period); every coded answer is a dropdown fed from a hidden sheet;
headers and pre-filled cells are protected, input cells are not."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from analysis.assignments import active_assignments
from analysis.catalogue import Catalogue, due_label
from analysis.excel import HEADER_FILL, HEADER_FONT, NOTE_FONT, TITLE_FONT, WRAP, note_row, set_value
from analysis.occasion import Occasion
from analysis.vocabulary import ROLE_LABELS, and_list
from analysis.boards import paper
from analysis.boards.check_sheet import add_check_sheet
from analysis.boards.layout import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS_SHEET,
    BASE_MISSION,
    CHECK_SHEET,
    CONTINUES_MARK,
    CONTRIBUTION_FIELDS,
    CONTRIBUTIONS_SHEET,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    EXAMPLE_DATA_MARK,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HELP_ROW,
    HUMAN_RIGHTS_FIELDS,
    HUMAN_RIGHTS_SHEET,
    INDICATOR_FIELDS,
    INDICATORS_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    PREFILLED_DETAILS,
    TEMPLATE_VERSION,
    TITLE_ROW,
    Field,
    contribution_columns,
    follow_up_fields,
)

BLANK_CONTRIBUTION_ROWS = 20
BLANK_HUMAN_RIGHTS_ROWS = 80
BLANK_INDICATOR_ROWS = 25
UNLOCKED = Protection(locked=False)
LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
KNOWN_CONTRIBUTION_COLUMNS = [f.key for f in CONTRIBUTION_FIELDS]
LOCKED_ROW = "_locked"  # a pre-filled row's own locked keys (see _fill_rows)
# The two looks of a table's cells, as named cell styles (Excel lists them under Cell
# Styles): open for input, and pre-filled and locked. One assignment per cell, where
# setting fill, protection and alignment one by one was most of a template's time.
INPUT_STYLE = "Indata"
PREFILLED_STYLE = "Förifyllt"
CELL_FONT = Font(name="Calibri", sz=11, family=2, scheme="minor")  # a new workbook's own


def template_title(catalogue: Catalogue, occasion: Occasion, board_code: str) -> str:
    """'Bolagsbudget 2025 – MKB Fastighets AB', 'Årsanalys 2025 – Grundskolenämnden'."""
    return f"{occasion.submission_label(catalogue.board_kind(board_code))} – {catalogue.board_name(board_code)}"


def goal_choice(goal_code: str, goal_name: str) -> str:
    """The dropdown text for a goal: its code, then its name. The reader keeps only the code."""
    return f"{goal_code} {goal_name}"


def build_template(
    catalogue: Catalogue,
    occasion: Occasion,
    board_code: str,
    known_contributions: pd.DataFrame | None = None,
    assignment_answers: pd.DataFrame | None = None,
    carried: pd.DataFrame | None = None,
) -> Workbook:
    """The template workbook for one board and occasion. `known_contributions` are the
    board's contributions submitted earlier in the mandate period (columns as the
    contributions sheet); they pre-fill the follow-up and human-rights sheets.
    `assignment_answers` are the boards' answers on council assignments at earlier
    occasions (occasion, board_code, assignment_id, status: the processed table
    `assignment_follow_ups`): the sheet KF-uppdrag lists the assignments still active
    (analysis.assignments), and a board with none gets no such sheet. `carried`, at the
    first budget of a period that continues an earlier one: the board's contributions that
    continue from the previous period (analysis.crosswalk.carried_contributions, with the
    period they come from in `previous_period`), pre-filled on the contributions sheet with
    their new goal and a mark of where they come from, every cell but the mark open, so that
    the board keeps, edits or empties each row (an empty row is no contribution); given, even
    empty, the sheet has the column for the mark."""
    known = _known(known_contributions)
    has_goals = not catalogue.goals_for(board_code).empty
    assignments = active_assignments(catalogue, occasion, board_code, assignment_answers)
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    lists = _lists_sheet(wb, catalogue, board_code)

    _instructions(instructions, catalogue, occasion, board_code, has_goals, has_assignments=not assignments.empty,
                  carried=carried)
    _details(wb.create_sheet(DETAILS_SHEET), catalogue, occasion, board_code)
    if has_goals:
        _contributions(wb.create_sheet(CONTRIBUTIONS_SHEET), catalogue, occasion, board_code, known, lists, carried)
        if occasion.is_follow_up:
            _follow_ups(wb.create_sheet(FOLLOW_UPS_SHEET), catalogue, occasion, board_code, known, lists)
    else:
        _no_contributions(wb.create_sheet(CONTRIBUTIONS_SHEET), catalogue, board_code)
    _human_rights(wb.create_sheet(HUMAN_RIGHTS_SHEET), catalogue, occasion, board_code, known, lists)
    if has_goals:
        _indicators(wb.create_sheet(INDICATORS_SHEET), catalogue, occasion, board_code, known, lists)
    if not assignments.empty:
        _assignments(wb.create_sheet(ASSIGNMENTS_SHEET), catalogue, occasion, board_code, assignments, lists)

    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb[LISTS_SHEET].sheet_state = "hidden"
    add_check_sheet(wb, lists.cells["scale:theme"], budget=not occasion.is_follow_up)
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            _print_setup(ws, f"{catalogue.board_name(board_code)} – "
                             f"{occasion.submission_label(catalogue.board_kind(board_code))}", catalogue.example_data)
    fit_rows(wb)
    wb.active = 0
    created = dt.datetime(occasion.year, 1, 1)
    wb.properties.creator = "Malmö stad, stadskontoret"
    wb.properties.title = template_title(catalogue, occasion, board_code)
    wb.properties.created = created
    wb.properties.modified = created
    return wb


def _known(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame(columns=KNOWN_CONTRIBUTION_COLUMNS)
    return frame.reindex(columns=KNOWN_CONTRIBUTION_COLUMNS).reset_index(drop=True)


class _Lists:
    """Where each dropdown's values live on the hidden lists sheet."""

    def __init__(self) -> None:
        self.ranges: dict[str, str] = {}
        self.cells: dict[str, list[str]] = {}  # each value's own cell

    def formula(self, kind: str) -> str:
        return self.ranges[kind]


def _lists_sheet(wb: Workbook, catalogue: Catalogue, board_code: str) -> _Lists:
    ws = wb.create_sheet(LISTS_SHEET)
    lists = _Lists()
    columns: list[tuple[str, str, list[str]]] = [
        (f"scale:{name}", name, list(scale.labels)) for name, scale in catalogue.scales.items()
    ]
    goals = catalogue.goals_for(board_code)
    columns.append(("goal", "KF-mål", [goal_choice(c, n) for c, n in zip(goals["goal_code"], goals["goal_name"])]))
    for i, (kind, title, values) in enumerate(columns, 1):
        letter = get_column_letter(i)
        ws.cell(1, i, title).font = Font(bold=True)
        for r, value in enumerate(values, 2):
            set_value(ws.cell(r, i), value)
        last = max(2, len(values) + 1)
        lists.ranges[kind] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
        lists.cells[kind] = [f"{quote_sheetname(LISTS_SHEET)}!${letter}${r}" for r in range(2, len(values) + 2)]
        ws.column_dimensions[letter].width = 40
    ws.protection.sheet = True
    return lists


def _header_footer_text(text: str) -> str:
    """Text shown as written in a page header or footer ('&' starts a code there)."""
    return text.replace("&", "&&")


def _print_setup(ws: Worksheet, footer: str, example_data: bool) -> None:
    """Printed on A4 landscape, every column on the page width (the column widths are
    chosen so that this is at least 70 %, see analysis.boards.paper.print_scale), the
    board and occasion and the page number in the footer, Exempeldata in the header of
    the example city's workbooks. A data sheet repeats its header row (set with it)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=paper.MARGIN_LEFT, right=paper.MARGIN_RIGHT, top=paper.MARGIN_TOP,
                                  bottom=paper.MARGIN_BOTTOM, header=paper.MARGIN_HEADER, footer=paper.MARGIN_FOOTER)
    if example_data:
        ws.oddHeader.center.text = f"{EXAMPLE_DATA_MARK} – inte verkliga uppgifter"
        ws.oddHeader.center.color = "C00000"
    ws.oddFooter.left.text = _header_footer_text(footer)
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = "Sida &P av &N"


def _column_width(ws: Worksheet, letter: str) -> float:
    dim = ws.column_dimensions.get(letter)
    return dim.width if dim is not None and dim.customWidth else paper.DEFAULT_COLUMN_WIDTH


def fit_rows(wb: Workbook) -> None:
    """Give every row with text, in every visible sheet, the height its text needs
    (analysis.boards.paper), so that Excel and LibreOffice show and print all of it.
    The template calls it; the example city again after filling the template in."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        widths: dict[str, float] = {}
        merged = {}  # the first cell of a range merged within one row -> the range's width
        for cells in ws.merged_cells.ranges:
            if cells.min_row == cells.max_row:
                merged[(cells.min_row, cells.min_col)] = sum(
                    _column_width(ws, get_column_letter(c)) for c in range(cells.min_col, cells.max_col + 1))
        for row in ws.iter_rows():
            cells = []
            for cell in row:
                if cell.value is None or cell.data_type == "f":
                    continue
                letter = cell.column_letter
                if letter not in widths:
                    widths[letter] = _column_width(ws, letter)
                width = merged.get((cell.row, cell.column), widths[letter])
                font = cell.font
                cells.append((cell.value, width, float(font.sz or paper.DEFAULT_FONT_SIZE), bool(font.b),
                              bool(cell.alignment.wrap_text)))
            if cells:
                ws.row_dimensions[row[0].row].height = paper.row_height(cells)


def _protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: it guards against slips, not against the board."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def _instructions(ws: Worksheet, catalogue: Catalogue, occasion: Occasion, board_code: str, has_goals: bool,
                  has_assignments: bool = False, carried: pd.DataFrame | None = None) -> None:
    deadline = catalogue.deadline(occasion)
    themes = and_list([t.lower() for t in catalogue.scales["theme"].labels])
    lines = [
        (template_title(catalogue, occasion, board_code), TITLE_FONT),
        (f"Mandatperiod {catalogue.mandate_period}. Mallversion {TEMPLATE_VERSION}. "
         f"Lämnas till stadskontoret senast {deadline:%Y-%m-%d}.", None),
        ("", None),
        ("Så fyller du i mallen", Font(bold=True, size=12)),
        (f"1. Fliken {DETAILS_SHEET}: fyll i kontaktperson och inlämningsdatum. Övriga uppgifter är förifyllda.", None),
    ]
    if has_goals:
        lines.append((
            f"2. Fliken {CONTRIBUTIONS_SHEET}: ett bidrag per rad till de KF-mål nämnden/bolaget ansvarar för. "
            "Beskriv hur bidraget förväntas leda till förflyttning, för året och för mandatperioden. "
            "Behåll samma bidrags-id hela mandatperioden så att uppföljningen kan spåras.", None))
        if carried is not None and len(carried):
            period = str(carried["previous_period"].iloc[0])
            lines.append((
                f"   Raderna märkta \"{CONTINUES_MARK.format(period=period)}\" är bidrag som nämnden/bolaget rapporterade "
                f"i slutet av mandatperioden {period}, till ett KF-mål som förs vidare i ett nytt mål som nämnden/bolaget "
                "ansvarar för. Behåll, ändra eller töm varje sådan rad (töm alla gula celler på raden om bidraget inte "
                "ska fortsätta; en tömd rad följs inte upp). Bidrags-id:t behålls så att bidraget kan följas över "
                "periodskiftet. Fyll i vad som planeras under året och mandatperioden.", None))
    else:
        lines.append((
            f"2. Nämnden/bolaget ansvarar inte för något KF-mål under {catalogue.mandate_period}: fliken "
            f"{CONTRIBUTIONS_SHEET} lämnas tom. Grunduppdraget följs upp i fliken {HUMAN_RIGHTS_SHEET}.", None))
    if occasion.is_follow_up and has_goals:
        lines.append((
            f"3. Fliken {FOLLOW_UPS_SHEET}: följ upp varje bidrag. Bedöm förflyttningen, om önskad förflyttning "
            "nås under mandatperioden, skriv en analys och ange vilket underlag (kvantitativt och/eller "
            "kvalitativt) bedömningen bygger på.", None))
        if catalogue.is_period_end(occasion):
            lines.append(("   Mandatperiodsanalys: ange också om önskad förflyttning har nåtts under mandatperioden, "
                          "och beskriv i analysen hur bidraget har utvecklats över hela perioden.", None))
    subjects = f"varje bidrag och för {BASE_MISSION.lower()}et" if has_goals else f"{BASE_MISSION.lower()}et"
    hr = f"4. Fliken {HUMAN_RIGHTS_SHEET}: ange för {subjects} hur {themes} har beaktats."
    if not occasion.is_follow_up:
        hr += " I budgeten kan ni ange hur temana planeras att beaktas; det krävs i delårsrapporten och årsanalysen."
    lines.append((hr, None))
    if has_goals:
        lines.append((f"5. Fliken {INDICATORS_SHEET} är frivillig. Indikatorer krävs inte; lämna fliken tom om ni inte "
                      "använder några.", None))
    if has_assignments:
        lines.append((
            f"6. Fliken {ASSIGNMENTS_SHEET}: kommunfullmäktiges uppdrag till nämnden/bolaget. Ange för varje uppdrag "
            "status, när det förväntas vara klart och en kort kommentar. Ett uppdrag som avslutas utan att slutföras "
            "behöver en kommentar. Ett uppdrag som har rapporterats slutfört följs inte upp igen.", None))
    lines += [
        ("", None),
        (f"Fliken {CHECK_SHEET} räknar vad som saknas innan ni skickar in; tomma obligatoriska celler markeras med rött.",
         None),
        ("Kodade svar väljs i listor. Grå celler är förifyllda och låsta; gula celler fylls i.", None),
        ("Ändra inte flikarnas namn eller kolumnrubriker.", None),
    ]
    if catalogue.example_data:
        lines.insert(0, (f"{EXAMPLE_DATA_MARK.upper()} – inte verkliga uppgifter", Font(bold=True, color="C00000", size=12)))
    for r, (text, font) in enumerate(lines, 1):
        cell = ws.cell(r, 1)
        set_value(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 100
    _protect(ws)


def _details(ws: Worksheet, catalogue: Catalogue, occasion: Occasion, board_code: str) -> None:
    values = {
        "board_code": board_code,
        "board_name": catalogue.board_name(board_code),
        "occasion": occasion.code,
        "mandate_period": catalogue.mandate_period,
        "template_version": TEMPLATE_VERSION,
        "example_data": "Ja" if catalogue.example_data else None,
    }
    ws.cell(TITLE_ROW, 1, "Uppgifter om inlämningen").font = TITLE_FONT
    fields = [f for f in DETAILS_FIELDS if f.key != "example_data" or catalogue.example_data]
    for r, f in enumerate(fields, HEADER_ROW):
        ws.cell(r, 1, f.header).font = Font(bold=True)
        cell = ws.cell(r, 2)
        if f.key in PREFILLED_DETAILS:
            set_value(cell, values[f.key])
            cell.fill = LOCKED_FILL
        else:
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
            if f.kind == "date":
                cell.number_format = "yyyy-mm-dd"
                dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                                    errorTitle="Ogiltigt datum", error="Skriv ett datum, t.ex. 2024-09-10.")
                ws.add_data_validation(dv)
                dv.add(cell)
        if f.help:
            note = ws.cell(r, 3, f.help)
            note.font, note.alignment = NOTE_FONT, WRAP
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 60
    _protect(ws)


def _table_sheet(ws: Worksheet, title: str, help_text: str, fields: tuple[Field, ...]) -> dict[str, int]:
    """Title, help and header rows; returns the column number of each field."""
    ws.cell(TITLE_ROW, 1, title).font = TITLE_FONT
    note_row(ws, HELP_ROW, help_text, len(fields))
    columns = {}
    for c, f in enumerate(fields, 1):
        cell = ws.cell(HEADER_ROW, c, f.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = f.width
        columns[f.key] = c
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws)
    return columns


def _fill_rows(
    ws: Worksheet,
    fields: tuple[Field, ...],
    columns: dict[str, int],
    rows: Iterable[dict],
    locked_keys: tuple[str, ...],
    blank_rows: int,
    lists: _Lists,
) -> None:
    """Write pre-filled rows (locked keys grey and protected; a row may name its own under
    LOCKED_ROW), then blank input rows (a shown column stays locked and empty there), and
    attach one dropdown per coded column over all of them."""
    _add_cell_styles(ws.parent)
    r = FIRST_DATA_ROW
    for row in rows:
        locked = row.get(LOCKED_ROW, locked_keys)
        for f in fields:
            cell = ws.cell(r, columns[f.key])
            cell.style = PREFILLED_STYLE if f.key in locked and row.get(f.key) not in (None, "") else INPUT_STYLE
            set_value(cell, row.get(f.key))
        r += 1
    for _ in range(blank_rows):
        for f in fields:
            if f.kind != "shown":
                ws.cell(r, columns[f.key]).style = INPUT_STYLE
        r += 1
    last = max(r - 1, FIRST_DATA_ROW)
    for f in fields:
        kind = f.kind if f.kind.startswith("scale:") or f.kind == "goal" else None
        if kind is None:
            if f.kind in ("int", "number"):
                letter = get_column_letter(columns[f.key])
                dv = DataValidation(type="whole" if f.kind == "int" else "decimal", operator="between",
                                    formula1="-1000000000", formula2="1000000000", allow_blank=True,
                                    errorTitle="Ogiltigt tal", error="Skriv ett tal.")
                ws.add_data_validation(dv)
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
            continue
        letter = get_column_letter(columns[f.key])
        dv = DataValidation(type="list", formula1=f"={lists.formula(kind)}", allow_blank=True,
                            errorTitle="Ogiltigt värde", error="Välj ett värde i listan.",
                            promptTitle=f.header[:32], prompt="Välj i listan.")
        ws.add_data_validation(dv)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")


def _add_cell_styles(wb: Workbook) -> None:
    """The workbook's input and pre-filled cell styles (a named style belongs to one workbook)."""
    if INPUT_STYLE not in wb.named_styles:
        wb.add_named_style(NamedStyle(INPUT_STYLE, font=CELL_FONT, fill=INPUT_FILL, alignment=WRAP, protection=UNLOCKED))
        wb.add_named_style(NamedStyle(PREFILLED_STYLE, font=CELL_FONT, fill=LOCKED_FILL, alignment=WRAP))


def _goal_text(catalogue: Catalogue, goal_code: object) -> object:
    hit = catalogue.goals.loc[catalogue.goals["goal_code"] == goal_code, "goal_name"]
    return goal_choice(str(goal_code), str(hit.iloc[0])) if len(hit) else goal_code


def _contributions(ws, catalogue, occasion, board_code, known: pd.DataFrame, lists: _Lists,
                   carried: pd.DataFrame | None = None) -> None:
    fields = contribution_columns(carried is not None)
    columns = _table_sheet(
        ws, f"Bidrag – {catalogue.board_name(board_code)}",
        "Ett bidrag per rad. Välj KF-mål i listan; bara mål som nämnden/bolaget ansvarar för finns med.",
        fields,
    )
    rows = [{**rec, "goal_code": _goal_text(catalogue, rec["goal_code"])} for rec in known.to_dict("records")]
    for rec in (carried.to_dict("records") if carried is not None else []):
        mark = f"{CONTINUES_MARK.format(period=rec['previous_period'])} (KF-mål {rec['previous_goal_code']})"
        rows.append({"contribution_id": rec["contribution_id"], "goal_code": _goal_text(catalogue, rec["goal_code"]),
                     "title": rec["title"], "description": rec["description"],
                     "expected_movement": rec["expected_movement"], "continues": mark, LOCKED_ROW: ("continues",)})
    _fill_rows(ws, fields, columns, rows, ("contribution_id",), BLANK_CONTRIBUTION_ROWS, lists)


def _no_contributions(ws, catalogue, board_code) -> None:
    """The contributions sheet of a board named for no KF goal: its headers (the sheet is
    part of every submission), no input rows."""
    _table_sheet(ws, f"Bidrag – {catalogue.board_name(board_code)}",
                 f"Nämnden/bolaget ansvarar inte för något KF-mål under {catalogue.mandate_period}; fliken lämnas tom.",
                 CONTRIBUTION_FIELDS)


def _follow_ups(ws, catalogue, occasion, board_code, known: pd.DataFrame, lists: _Lists) -> None:
    fields = follow_up_fields(catalogue.is_period_end(occasion))
    columns = _table_sheet(
        ws, f"Uppföljning – {occasion.submission_label(catalogue.board_kind(board_code))}",
        "Följ upp varje bidrag: bedömning, analys och underlag. Nya bidrag läggs till på tomma rader.",
        fields,
    )
    rows = [
        {"contribution_id": rec["contribution_id"], "goal_code": _goal_text(catalogue, rec["goal_code"]), "title": rec["title"]}
        for rec in known.to_dict("records")
    ]
    blank = BLANK_CONTRIBUTION_ROWS if known.empty else 5
    _fill_rows(ws, fields, columns, rows, ("contribution_id", "goal_code", "title"), blank, lists)


def _human_rights(ws, catalogue, occasion, board_code, known: pd.DataFrame, lists: _Lists) -> None:
    columns = _table_sheet(
        ws, "Mänskliga rättigheter",
        f"Ange för varje bidrag och för {BASE_MISSION.lower()}et hur varje tema har beaktats.",
        HUMAN_RIGHTS_FIELDS,
    )
    themes = catalogue.scales["theme"].labels
    ids = [*known["contribution_id"].tolist(), BASE_MISSION]
    rows = [{"contribution_id": cid, "theme": theme} for cid in ids for theme in themes]
    _fill_rows(ws, HUMAN_RIGHTS_FIELDS, columns, rows, ("contribution_id", "theme"), BLANK_HUMAN_RIGHTS_ROWS, lists)


def _indicators(ws, catalogue, occasion, board_code, known: pd.DataFrame, lists: _Lists) -> None:
    columns = _table_sheet(
        ws, "Indikatorer (frivilligt)",
        "Frivilligt. Nämnden/bolaget kan koppla indikatorer till ett bidrag. Inga indikatorer krävs.",
        INDICATOR_FIELDS,
    )
    _fill_rows(ws, INDICATOR_FIELDS, columns, [], (), BLANK_INDICATOR_ROWS, lists)


def _assignments(ws: Worksheet, catalogue: Catalogue, occasion: Occasion, board_code: str, assignments: pd.DataFrame,
                 lists: _Lists) -> None:
    """The council assignments the board reports on at the occasion: id, text, the board's
    role and the due year pre-filled and locked; status (a dropdown), expected completion
    (a year) and a short comment open. No blank rows: the list is the catalogue's."""
    new = "" if occasion.is_follow_up else " som ges i budgeten"
    columns = _table_sheet(
        ws, f"KF-uppdrag – {template_title(catalogue, occasion, board_code)}",
        f"Kommunfullmäktiges uppdrag{new}. Välj status i listan, ange året då uppdraget förväntas vara klart och "
        "skriv en kort kommentar.",
        ASSIGNMENT_COLUMNS,
    )
    rows = [{"assignment_id": a.assignment_id, "assignment_text": a.text, "role": ROLE_LABELS[a.role],
             "due": due_label(a.due_year)} for a in assignments.itertuples()]
    shown = tuple(f.key for f in ASSIGNMENT_COLUMNS if f.kind in ("shown", "id"))
    _fill_rows(ws, ASSIGNMENT_COLUMNS, columns, rows, shown, 0, lists)
    for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows)):
        for key in shown:
            ws.cell(r, columns[key]).alignment = WRAP


def known_contributions(contributions: pd.DataFrame | None, board_code: str, occasion: Occasion, catalogue: Catalogue) -> pd.DataFrame:
    """The board's contributions as last submitted earlier in the mandate period (for a
    follow-up, the same year's budget included), one row per contribution id."""
    if contributions is None or contributions.empty:
        return pd.DataFrame(columns=KNOWN_CONTRIBUTION_COLUMNS)
    frame = contributions[(contributions["board_code"].astype(object) == board_code)
                          & (contributions["mandate_period"].astype(object) == catalogue.mandate_period)]
    before = frame["occasion"].astype(object).map(lambda o: Occasion.parse(o) < occasion)
    frame = frame[before.astype(bool)]
    if frame.empty:
        return pd.DataFrame(columns=KNOWN_CONTRIBUTION_COLUMNS)
    order = frame.assign(_o=frame["occasion"].astype(object).map(Occasion.parse)).sort_values(["_o", "excel_row"])
    latest = order.drop_duplicates("contribution_id", keep="last")
    first_seen = order.drop_duplicates("contribution_id", keep="first")["contribution_id"].tolist()
    latest = latest.set_index("contribution_id").loc[first_seen].reset_index()
    return latest.reindex(columns=KNOWN_CONTRIBUTION_COLUMNS).astype(object).where(lambda f: f.notna(), None).reset_index(drop=True)
