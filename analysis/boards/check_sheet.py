"""The check sheet of a board workbook ("Kontroll", first after the instructions): what
the board has not yet filled in, counted by the workbook itself before it is sent.

Per data sheet the required answers still empty on the rows the board has used (the
fields whose empty cell rejects a submission, `analysis.checks.rules.required_answers`,
so the sheet and the checks cannot disagree); the contributions without a follow-up; the
human-rights themes missing for a contribution or the base mission. Each count has a link
to its sheet, and the empty required cells are shaded by conditional formatting until they
are filled in.

Everything is plain formulas that Excel and LibreOffice both evaluate (SUMPRODUCT, LEN,
TRIM, COUNTIF, COUNTIFS, SUM, IF: no dynamic arrays, no macros), written by the template
in locked cells of a protected sheet. A formula refers only to cells, never to text a
board typed, and the reader never reads this sheet. The sheet is driven by the layout:
every data sheet of the workbook that the reader turns into a table gets its count."""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from analysis.checks.rules import required_answers
from analysis.excel import HEADER_FILL, HEADER_FONT, TITLE_FONT, note_row, set_link, set_value
from analysis.boards.layout import (
    BASE_MISSION,
    CHECK_SHEET,
    CONTRIBUTIONS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HELP_ROW,
    HUMAN_RIGHTS_SHEET,
    INSTRUCTIONS_SHEET,
    TITLE_ROW,
    Field,
    normalise_header,
)
from analysis.boards.submission import SHEET_TABLES

MISSING_FILL = PatternFill("solid", fgColor="F4B6B6")
DONE_FILL = PatternFill("solid", fgColor="C6EFCE")
COLUMNS = (("Flik", 20), ("Vad som kontrolleras", 56), ("Saknas", 9), ("Gå till", 24))
COUNT_COLUMN = 3


def field_columns(ws: Worksheet, fields: tuple[Field, ...]) -> dict[str, str]:
    """field key -> column letter, from the headers the sheet has on its header row."""
    wanted = {normalise_header(h): f.key for f in fields for h in f.headers}
    found: dict[str, str] = {}
    for cell in ws[HEADER_ROW]:
        key = wanted.get(normalise_header(cell.value)) if isinstance(cell.value, str) else None
        if key is not None and key not in found:
            found[key] = cell.column_letter
    return found


def _range(sheet: str, letter: str, last: int) -> str:
    return f"{quote_sheetname(sheet)}!${letter}${FIRST_DATA_ROW}:${letter}${last}"


def _last_row(ws: Worksheet) -> int:
    return max(ws.max_row, FIRST_DATA_ROW)


def _row_used(sheet: str, letters: list[str], last: int) -> str:
    """Per row: whether anything is written in any of the sheet's columns (an array)."""
    return "(LEN(TRIM(" + "&".join(_range(sheet, c, last) for c in letters) + "))>0)"


def missing_answers_formula(sheet: str, letters: list[str], required: list[str], last: int) -> str:
    """The required cells left empty on the rows in use."""
    empty = "+".join(f"(LEN(TRIM({_range(sheet, c, last)}))=0)" for c in required)
    return f"=SUMPRODUCT({_row_used(sheet, letters, last)}*({empty}))"


def without_follow_up_formula(ids: str, follow_ups: str) -> str:
    """Contribution ids of the contributions sheet that no row of the follow-up sheet has."""
    return f"=SUMPRODUCT((LEN(TRIM({ids}))>0)*(COUNTIF({follow_ups},{ids})=0))"


def missing_themes_formula(ids: str, hr_ids: str, hr_themes: str, theme_cells: list[str]) -> str:
    """Pairs of (contribution or the base mission, theme) with no row in the human-rights sheet."""
    base = f'"{BASE_MISSION}"'
    parts = []
    for theme in theme_cells:
        parts.append(f"SUMPRODUCT((LEN(TRIM({ids}))>0)*(COUNTIFS({hr_ids},{ids},{hr_themes},{theme})=0))")
        parts.append(f"(COUNTIFS({hr_ids},{base},{hr_themes},{theme})=0)")
    return "=" + "+".join(parts)


def _shade_missing(ws: Worksheet, letters: list[str], required: list[str], last: int) -> None:
    """Shade a required cell while it is empty on a row the board has used."""
    used = "&".join(f"${c}{FIRST_DATA_ROW}" for c in letters)
    for c in required:
        ws.conditional_formatting.add(
            f"{c}{FIRST_DATA_ROW}:{c}{last}",
            FormulaRule(formula=[f"AND(LEN(TRIM({c}{FIRST_DATA_ROW}))=0,LEN(TRIM({used}))>0)"], fill=MISSING_FILL),
        )


def add_check_sheet(wb: Workbook, theme_cells: list[str], budget: bool) -> Worksheet:
    """Write the check sheet after the instructions, over the data sheets `wb` already has.
    `theme_cells` are the cells (with their sheet) holding the catalogue's theme labels."""
    checks: list[tuple[str, str, str]] = []  # (sheet, what is checked, formula)
    for table, (sheet, fields) in SHEET_TABLES.items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        columns = field_columns(ws, fields)
        required = [columns[f] for f in required_answers(table, budget) if f in columns]
        if not required:
            continue
        last = _last_row(ws)
        letters = list(columns.values())
        checks.append((sheet, "Obligatoriska svar som saknas på ifyllda rader",
                       missing_answers_formula(sheet, letters, required, last)))
        _shade_missing(ws, letters, required, last)

    ids: dict[str, dict[str, str]] = {}  # sheet -> field -> its column's range
    for sheet in (CONTRIBUTIONS_SHEET, FOLLOW_UPS_SHEET, HUMAN_RIGHTS_SHEET):
        if sheet in wb.sheetnames:
            fields = next(f for s, f in SHEET_TABLES.values() if s == sheet)
            columns = field_columns(wb[sheet], fields)
            last = _last_row(wb[sheet])
            ids[sheet] = {key: _range(sheet, letter, last) for key, letter in columns.items()}
    if FOLLOW_UPS_SHEET in ids and CONTRIBUTIONS_SHEET in ids:
        checks.append((FOLLOW_UPS_SHEET, f"Bidrag i fliken {CONTRIBUTIONS_SHEET} som inte följs upp",
                       without_follow_up_formula(ids[CONTRIBUTIONS_SHEET]["contribution_id"],
                                                 ids[FOLLOW_UPS_SHEET]["contribution_id"])))
    # The themes are asked for every contribution of a budget, every contribution followed
    # up in a follow-up (as analysis.checks.rules.expected_themes), and the base mission.
    subjects = ids.get(CONTRIBUTIONS_SHEET if budget else FOLLOW_UPS_SHEET) or ids.get(CONTRIBUTIONS_SHEET)
    if HUMAN_RIGHTS_SHEET in ids and subjects is not None:
        hr = ids[HUMAN_RIGHTS_SHEET]
        checks.append((HUMAN_RIGHTS_SHEET, "Teman som saknas för bidragen och grunduppdraget (en rad per tema)",
                       missing_themes_formula(subjects["contribution_id"], hr["contribution_id"], hr["theme"],
                                              theme_cells)))

    ws = wb.create_sheet(CHECK_SHEET, index=wb.sheetnames.index(INSTRUCTIONS_SHEET) + 1)
    ws.cell(TITLE_ROW, 1, "Kontroll före inlämning").font = TITLE_FONT
    note_row(ws, HELP_ROW, "Räknas om när ni fyller i arbetsboken. Allt ska vara 0 innan ni skickar in; "
                           "tomma obligatoriska celler är markerade med rött i flikarna.", len(COLUMNS))
    for c, (text, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(HEADER_ROW, c, text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = width
    r = FIRST_DATA_ROW
    for sheet, what, formula in checks:
        set_value(ws.cell(r, 1), sheet)
        set_value(ws.cell(r, 2), what)
        ws.cell(r, COUNT_COLUMN).value = formula  # the template's own formula, never board text
        set_link(ws.cell(r, 4), f"Gå till {sheet}", location=f"{quote_sheetname(sheet)}!A{FIRST_DATA_ROW}")
        for c in range(1, 5):
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
        r += 1
    count = get_column_letter(COUNT_COLUMN)
    first, last = FIRST_DATA_ROW, max(r - 1, FIRST_DATA_ROW)
    set_value(ws.cell(r, 1), "Totalt")
    ws.cell(r, 2).value = (f'=IF({count}{r}=0,"Inget saknas.",'
                           f'"Något saknas: se raderna ovan och de röda cellerna i flikarna.")')
    ws.cell(r, COUNT_COLUMN).value = f"=SUM({count}{first}:{count}{last})"
    for c in range(1, 4):
        ws.cell(r, c).font = Font(bold=True)
        ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    counts = f"{count}{first}:{count}{r}"
    ws.conditional_formatting.add(counts, CellIsRule(operator="greaterThan", formula=["0"], fill=MISSING_FILL))
    ws.conditional_formatting.add(counts, CellIsRule(operator="equal", formula=["0"], fill=DONE_FILL))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.protection.sheet = True
    return ws
