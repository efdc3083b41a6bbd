"""A corpus of faulty submissions, made from valid ones by code: the example city's
generator fills a board's real template, one mistake is made in it with openpyxl, and the
file is saved into a temporary raw folder next to the valid files it came from.

Each case says which findings the mistake must add to those of its valid original:
(rule, severity, sheet, cell). Cells that depend on the workbook (the next free row) are
worked out from the mutated workbook itself."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from openpyxl import Workbook

from analysis.boards import demo
from analysis.catalogue import Catalogue
from analysis.excel import save_workbook, set_value
from analysis.occasion import Occasion
from analysis.boards.template import goal_choice
from analysis.boards.layout import (
    BASE_MISSION,
    CONTRIBUTIONS_SHEET,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HUMAN_RIGHTS_SHEET,
    INDICATORS_SHEET,
    ASSIGNMENTS_SHEET,
    DATA_SHEETS,
)

Finding = tuple[str, str, str | None, str | None]  # rule, severity, sheet, cell
E, W = "error", "warning"
BF, BI, HR, IN, DE, KU = FOLLOW_UPS_SHEET, CONTRIBUTIONS_SHEET, HUMAN_RIGHTS_SHEET, INDICATORS_SHEET, DETAILS_SHEET, ASSIGNMENTS_SHEET

# Valid submissions of the run: (occasion, board). Faulty ones are made from these.
VALID = [(o, b) for o in ("2024-budget", "2024-delar") for b in ("TN", "ASN", "GRN", "KS", "MKB")] + [
    ("2026-ar", "ASN"), ("2026-ar", "GRN"), ("2026-budget", "TN"), ("2026-delar", "TN"), ("2026-ar", "TN"), ("2026-ar", "KS")]


@dataclass(frozen=True)
class Case:
    name: str
    occasion: str
    board: str
    mutate: Callable[["Sheets"], set[Finding]]  # makes the mistake, returns the findings it must add
    raw_bytes: bytes | None = None  # instead of a workbook: these bytes as the file
    make: Callable[[Path, bytes], None] | None = None  # instead of a workbook: makes the entry (path, workbook bytes)

    @property
    def file(self) -> str:
        return f"fel {self.name}.xlsx"


class Sheets:
    """A workbook with helpers that find columns by their headings and rows by content."""

    def __init__(self, wb: Workbook, catalogue: Catalogue):
        self.wb, self.catalogue = wb, catalogue

    def col(self, sheet: str, key: str) -> int:
        header = next(f.header for f in DATA_SHEETS[sheet] if f.key == key)
        for cell in self.wb[sheet][HEADER_ROW]:
            if cell.value == header:
                return cell.column
        raise LookupError(header)

    def letter(self, sheet: str, key: str) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.col(sheet, key))

    def last_row(self, sheet: str) -> int:
        ws = self.wb[sheet]
        last = HEADER_ROW
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW):
            if any(c.value not in (None, "") for c in row):
                last = row[0].row
        return last

    def free(self, sheet: str) -> int:
        return self.last_row(sheet) + 1

    def get(self, sheet: str, key: str, row: int):
        return self.wb[sheet].cell(row, self.col(sheet, key)).value

    def put(self, sheet: str, key: str, row: int, value) -> str:
        set_value(self.wb[sheet].cell(row, self.col(sheet, key)), value)
        return f"{self.letter(sheet, key)}{row}"

    def put_row(self, sheet: str, row: int, values: dict) -> None:
        for key, value in values.items():
            self.put(sheet, key, row, value)

    def copy_row(self, sheet: str, source: int, target: int) -> None:
        ws = self.wb[sheet]
        for c in range(1, ws.max_column + 1):
            set_value(ws.cell(target, c), ws.cell(source, c).value)

    def clear_row(self, sheet: str, row: int) -> None:
        ws = self.wb[sheet]
        for c in range(1, ws.max_column + 1):
            ws.cell(row, c).value = None

    def row_of(self, sheet: str, **wanted) -> int:
        for r in range(FIRST_DATA_ROW, self.last_row(sheet) + 1):
            if all(self.get(sheet, k, r) == v for k, v in wanted.items()):
                return r
        raise LookupError(wanted)

    def detail(self, key: str, value) -> str:
        header = next(f.header for f in DETAILS_FIELDS if f.key == key)
        ws = self.wb[DETAILS_SHEET]
        for row in ws.iter_rows(min_row=1, max_col=2):
            if row[0].value == header:
                set_value(row[1], value)
                return row[1].coordinate
        raise LookupError(header)

    def goal(self, code: str) -> str:
        name = self.catalogue.goals.loc[self.catalogue.goals["goal_code"] == code, "goal_name"].iloc[0]
        return goal_choice(code, name)

    def label(self, scale: str, code: str) -> str:
        return self.catalogue.scales[scale].label(code)


# --- rows a board could add -------------------------------------------------------------


def _follow_up(s: Sheets, cid: str, goal: str) -> dict:
    return {"contribution_id": cid, "goal_code": s.goal(goal), "title": "Nytt arbetssätt",
            "movement": s.label("movement", "some"), "outlook": s.label("outlook", "partly"),
            "analysis": "Arbetet har kommit i gång i två stadsdelar och deltagarna beskriver en tydlig förbättring i vardagen.",
            "evidence_type": s.label("evidence_type", "qualitative"), "evidence": "Intervjuer med deltagare."}


def _contribution(s: Sheets, cid: str, goal: str) -> dict:
    return {"contribution_id": cid, "goal_code": s.goal(goal), "title": "Nytt arbetssätt",
            "description": "Ett nytt arbetssätt prövas.", "expected_movement": "Fler nås av insatsen.",
            "plan_year": "Två stadsdelar.", "plan_period": "Hela staden."}


def _themes(s: Sheets, cid: str) -> None:
    for label in s.catalogue.scales["theme"].labels:
        s.put_row(HR, s.free(HR), {"contribution_id": cid, "theme": label,
                                   "consideration": s.label("consideration", "considered"), "comment": "Beaktat i planeringen."})


def _indicator(s: Sheets, **changes) -> tuple[int, dict]:
    row = s.free(IN)
    values = {"contribution_id": "TN-04", "indicator": "Antal deltagare", "unit": "antal",
              "direction": s.label("direction", "increase"), "baseline_year": 2022, "baseline_value": 100,
              "value_year": 2024, "value": 120.5, "source": "Egen uppföljning"}
    values.update(changes)
    s.put_row(IN, row, values)
    return row, values


def _cell(s: Sheets, sheet: str, key: str, row: int) -> str:
    return f"{s.letter(sheet, key)}{row}"


# --- the cases ----------------------------------------------------------------------------


def _budget_cases() -> list[Case]:
    o, b = "2024-budget", "TN"

    def dup_id(s):
        new = s.free(BI)
        s.copy_row(BI, FIRST_DATA_ROW, new)
        return {("dubblett_bidrag_id", E, BI, f"A{FIRST_DATA_ROW}"), ("dubblett_bidrag_id", E, BI, f"A{new}")}

    def row_without_id(s):
        new = s.free(BI)
        values = _contribution(s, None, "2.2")
        s.put_row(BI, new, values)
        return {("obligatorisk_uppgift", E, BI, _cell(s, BI, "contribution_id", new))}

    # In a budget a theme not yet filled in is a warning: the structure asks for it in the follow-up.
    def theme_missing(s):
        s.clear_row(HR, FIRST_DATA_ROW)  # the first contribution's first theme
        return {("mr_ej_ifyllt_budget", W, HR, f"A{s.free(HR)}")}

    def base_theme_missing(s):
        s.clear_row(HR, s.row_of(HR, contribution_id=BASE_MISSION))
        return {("mr_ej_ifyllt_budget", W, HR, f"A{s.free(HR)}")}

    def consideration_open(s):
        return {("mr_ej_ifyllt_budget", W, HR, s.put(HR, "consideration", 4, None))}

    def theme_code(s):
        cell = s.put(HR, "theme", FIRST_DATA_ROW, "Barnrättigheter")
        return {("ogiltig_kod", E, HR, cell), ("mr_ej_ifyllt_budget", W, HR, f"A{s.free(HR)}")}

    def not_considered(s):
        row = s.row_of(HR, consideration=s.label("consideration", "considered"))
        s.put(HR, "consideration", row, s.label("consideration", "not_considered"))
        return {("mr_ej_beaktat_utan_kommentar", W, HR, s.put(HR, "comment", row, None))}

    def dup_theme(s):
        new = s.free(HR)
        s.copy_row(HR, FIRST_DATA_ROW, new)
        return {("mr_dubblett", W, HR, f"B{FIRST_DATA_ROW}"), ("mr_dubblett", W, HR, f"B{new}")}

    def unknown_hr_contribution(s):
        new = s.free(HR)
        s.put_row(HR, new, {"contribution_id": "TN-99", "theme": s.label("theme", "child_rights"),
                            "consideration": s.label("consideration", "considered"), "comment": "Beaktat."})
        return {("mr_okant_bidrag", W, HR, f"A{new}")}

    def partner_not_responsible(s):
        """A partner the catalogue knows, but not among the boards responsible for the goal."""
        goal = str(s.get(BI, "goal_code", FIRST_DATA_ROW)).split()[0]
        named = set(s.catalogue.responsibilities.loc[s.catalogue.responsibilities["goal_code"] == goal, "board_code"])
        outsider = next(b for b in s.catalogue.board_codes if b not in named)
        return {("samverkanspart_ej_ansvarig", W, BI, s.put(BI, "partner_boards", FIRST_DATA_ROW, outsider))}

    def drop_sheet(s):
        del s.wb[HR]
        return {("arbetsbok_olaslig", E, HR, None)}

    def late(s):
        deadline = s.catalogue.deadline(Occasion.parse(o))
        return {("sen_inlamning", W, DE, s.detail("submitted_on", deadline + dt.timedelta(days=10)))}

    return [
        Case("okant mål", o, b, lambda s: {("okant_kf_mal", E, BI, s.put(BI, "goal_code", 4, "9.9 Mål som inte finns"))}),
        Case("mål utan ansvar", o, b, lambda s: {("mal_ej_ansvar", E, BI, s.put(BI, "goal_code", 4, s.goal("1.1")))}),
        Case("dubblett bidrag-id", o, b, dup_id),
        Case("förväntad förflyttning saknas", o, b, lambda s: {("obligatorisk_uppgift", E, BI, s.put(BI, "expected_movement", 4, None))}),
        Case("rad utan bidrag-id", o, b, row_without_id),
        Case("okänd samverkanspart", o, b, lambda s: {("okand_samverkanspart", W, BI, s.put(BI, "partner_boards", 4, "SBN, XYZ"))}),
        Case("samverkanspart utan ansvar för målet", o, b, partner_not_responsible),
        Case("fel tillfälle", o, b, lambda s: {("fel_tillfalle", E, DE, s.detail("occasion", "2024-delar"))}),
        # The details sheet says the template is the next period's (2027–2030, the example's other catalogue).
        Case("fel mandatperiod", o, b, lambda s: {("fel_mandatperiod", E, DE, s.detail("mandate_period", "2027-2030"))}),
        Case("gammal mallversion", o, b, lambda s: {("mallversion", E, DE, s.detail("template_version", "2023.1"))}),
        Case("sen inlämning", o, b, late),
        Case("tema saknas", o, b, theme_missing),
        Case("grunduppdragets tema saknas", o, b, base_theme_missing),
        Case("okänt tema", o, b, theme_code),
        Case("beaktande saknas", o, b, consideration_open),
        Case("inte beaktat utan kommentar", o, b, not_considered),
        Case("tema två gånger", o, b, dup_theme),
        Case("mr okänt bidrag", o, b, unknown_hr_contribution),
        Case("okänd nämnd", o, b, lambda s: {("okand_namnd", E, DE, s.detail("board_code", "XYZ"))}),
        Case("flik saknas", o, b, drop_sheet),
        Case("inte excel", o, b, lambda s: {("arbetsbok_olaslig", E, None, None)}, raw_bytes="Hej, bifogar vår rapport.\n".encode()),
        Case("länk till en fil utanför", o, b, lambda s: {("ej_vanlig_fil", E, None, None)}, make=_link_outside),
    ]


def _link_outside(path: Path, workbook: bytes) -> None:
    """A symbolic link, named like a workbook, to a valid workbook outside the raw folder."""
    outside = path.parent.parent.parent / f"utanför {path.name}"
    outside.write_bytes(workbook)
    path.symlink_to(outside)


def _follow_up_cases() -> list[Case]:
    o, b = "2024-delar", "TN"

    def dup_follow_up(s):
        new = s.free(BF)
        s.copy_row(BF, FIRST_DATA_ROW, new)
        return {("dubblett_uppfoljning", E, BF, f"A{FIRST_DATA_ROW}"), ("dubblett_uppfoljning", E, BF, f"A{new}")}

    def orphan(s):
        row = s.free(BF)
        s.put_row(BF, row, _follow_up(s, "TN-77", "2.2"))
        _themes(s, "TN-77")
        return {("uppfoljning_okant_bidrag", E, BF, f"A{row}")}

    def unplanned(s):
        s.put_row(BI, s.free(BI), _contribution(s, "TN-88", "2.2"))
        row = s.free(BF)
        s.put_row(BF, row, _follow_up(s, "TN-88", "2.2"))
        _themes(s, "TN-88")
        return {("uppfoljning_ej_planerad", W, BF, f"A{row}")}

    def missing(s):
        s.clear_row(BF, s.row_of(BF, contribution_id="TN-02"))
        return {("uppfoljning_saknas", E, BF, f"A{s.free(BF)}")}

    def missing_planned_in_budget(s):
        """Gone from every sheet of the follow-up: only the budget says it was planned."""
        s.clear_row(BF, s.row_of(BF, contribution_id="TN-02"))
        s.clear_row(BI, s.row_of(BI, contribution_id="TN-02"))
        for sheet in (HR, IN):
            while True:
                try:
                    s.clear_row(sheet, s.row_of(sheet, contribution_id="TN-02"))
                except LookupError:
                    break
        return {("uppfoljning_saknas", E, BF, f"A{s.free(BF)}")}

    def theme_missing(s):
        s.clear_row(HR, FIRST_DATA_ROW)  # the first followed-up contribution's first theme
        return {("mr_tema_saknas", E, HR, f"A{s.free(HR)}")}

    def base_theme_missing(s):
        s.clear_row(HR, s.row_of(HR, contribution_id=BASE_MISSION))
        return {("mr_grunduppdrag_saknas", E, HR, f"A{s.free(HR)}")}

    def consideration_missing(s):
        return {("obligatorisk_uppgift", E, HR, s.put(HR, "consideration", FIRST_DATA_ROW, None))}

    def other_goal(s):
        return {("uppfoljning_annat_mal", W, BF, s.put(BF, "goal_code", s.row_of(BF, contribution_id="TN-01"), s.goal("2.3")))}

    def goal_not_assigned(s):
        cell = s.put(BF, "goal_code", FIRST_DATA_ROW, s.goal("1.1"))
        return {("mal_ej_ansvar", E, BF, cell), ("uppfoljning_annat_mal", W, BF, cell)}

    def indicator(field_changes: dict, rule: str, severity: str, field: str):
        def mutate(s):
            row, _ = _indicator(s, **field_changes)
            return {(rule, severity, IN, _cell(s, IN, field, row))}
        return mutate

    def valid_indicator(s):
        _indicator(s)
        return set()

    def no_indicator_sheet(s):
        del s.wb[IN]
        return set()

    return [
        Case("skript som bedömning", o, b, lambda s: {("ogiltig_kod", E, BF, s.put(BF, "movement", 4, '<script>alert("x")</script>'))}),
        Case("bedömning saknas", o, b, lambda s: {("saknas_bedomning", E, BF, s.put(BF, "outlook", 4, None))}),
        Case("analys saknas", o, b, lambda s: {("saknas_analys", E, BF, s.put(BF, "analysis", 4, None))}),
        Case("kort analys som ser ut som formel", o, b, lambda s: {("kort_analys", W, BF, s.put(BF, "analysis", 4, "=1+1 pågår"))}),
        Case("typ av underlag saknas", o, b, lambda s: {("saknas_underlag", E, BF, s.put(BF, "evidence_type", 4, None))}),
        Case("underlag saknas", o, b, lambda s: {("saknas_underlag", E, BF, s.put(BF, "evidence", 4, None))}),
        Case("uppföljning två gånger", o, b, dup_follow_up),
        Case("uppföljning av okänt bidrag", o, b, orphan),
        Case("uppföljning av oplanerat bidrag", o, b, unplanned),
        Case("uppföljning saknas", o, b, missing),
        Case("uppföljning saknas, planerat i budget", o, b, missing_planned_in_budget),
        Case("annat mål än planerat", o, b, other_goal),
        Case("uppföljning av mål utan ansvar", o, b, goal_not_assigned),
        Case("tema saknas i uppföljning", o, b, theme_missing),
        Case("grunduppdragets tema saknas i uppföljning", o, b, base_theme_missing),
        Case("beaktande saknas i uppföljning", o, b, consideration_missing),
        Case("indikator med text som värde", o, b, indicator({"value": "ca 50 st"}, "ej_tal", E, "value")),
        Case("indikator med text som basår", o, b, indicator({"baseline_year": "2022/23"}, "ej_tal", E, "baseline_year")),
        Case("indikator basår efter år", o, b, indicator({"baseline_year": 2025}, "basar_efter_varde", E, "baseline_year")),
        Case("indikator okänd riktning", o, b, indicator({"direction": "Uppåt"}, "ogiltig_kod", E, "direction")),
        Case("indikator utan värde", o, b, indicator({"value": None}, "indikator_ofullstandig", W, "value")),
        Case("indikator okänt bidrag", o, b, indicator({"contribution_id": "TN-55"}, "indikator_okant_bidrag", W, "contribution_id")),
        Case("indikator utan namn", o, b, indicator({"indicator": None}, "obligatorisk_uppgift", E, "indicator")),
        Case("datum som text", o, "MKB", lambda s: {("datum_ej_datum", W, DE, s.detail("submitted_on", "15 september 2024"))}),
        # Valid variants: an indicator given correctly, and no indicator sheet at all (indicators are optional).
        Case("giltig indikator", o, b, valid_indicator),
        Case("utan indikatorflik", o, b, no_indicator_sheet),
    ]


def _period_end_cases() -> list[Case]:
    return [Case("mandatperiodsanalys saknas", "2026-ar", "ASN",
                 lambda s: {("saknas_mandatperiodsanalys", E, BF, s.put(BF, "reached", 4, None))})]


def _assignment_cases() -> list[Case]:
    """The council assignments (KF-uppdrag). TN's 2024-delar sheet lists its ongoing U2023-03
    on the first row; at 2026-delar TN reports U2025-02 finished (the valid file of that
    occasion), so its 2026-ar sheet no longer lists it; ASN's U2023-02 was due 2024."""
    o, b, row = "2024-delar", "TN", FIRST_DATA_ROW

    def dup(s):
        s.copy_row(KU, row, row + 1)
        return {("dubblett_uppdrag", E, KU, f"A{row}"), ("dubblett_uppdrag", E, KU, f"A{row + 1}")}

    def missing_row(s):
        s.clear_row(KU, row)
        return {("uppdrag_obesvarat", W, KU, f"A{s.free(KU)}")}

    def unknown(s):
        new = s.free(KU)
        s.put_row(KU, new, {"assignment_id": "U2024-01", "status": s.label("assignment_status", "ongoing"),
                            "expected_completion": 2025, "comment": "Vi deltar i arbetet."})
        return {("uppdrag_okant", E, KU, f"A{new}")}

    def dropped_without_text(s):
        s.put(KU, "status", row, s.label("assignment_status", "discontinued"))
        return {("uppdrag_avslutat_utan_text", E, KU, s.put(KU, "comment", row, None))}

    def reopened(s):
        # U2025-02 is due 2026: under way again at the annual report of its due year, it is overdue too.
        new = s.free(KU)
        s.put_row(KU, new, {"assignment_id": "U2025-02", "expected_completion": 2026, "comment": "Arbetet fortsätter."})
        cell = s.put(KU, "status", new, s.label("assignment_status", "ongoing"))
        return {("uppdrag_ater_pagaende", W, KU, cell), ("uppdrag_forsenat", W, KU, cell)}

    def overdue(s):
        assert s.get(KU, "assignment_id", row) == "U2024-02"
        return {("uppdrag_forsenat", W, KU, s.put(KU, "status", row, s.label("assignment_status", "ongoing")))}

    return [
        Case("uppdrag utan status", o, b, lambda s: {("uppdrag_obesvarat", W, KU, s.put(KU, "status", row, None))}),
        Case("uppdrag saknas", o, b, missing_row),
        Case("uppdrag okänd status", o, b, lambda s: {("ogiltig_kod", E, KU, s.put(KU, "status", row, "Klart"))}),
        Case("uppdrag avslutat utan kommentar", o, b, dropped_without_text),
        Case("uppdrag två gånger", o, b, dup),
        Case("uppdrag som inte är nämndens", o, b, unknown),
        Case("uppdrag förväntat klart som text", o, b,
             lambda s: {("uppdrag_ej_ar", W, KU, s.put(KU, "expected_completion", row, "hösten 2025"))}),
        Case("uppdrag åter pågående", "2026-ar", "TN", reopened),
        Case("uppdrag försenat", "2026-ar", "KS", overdue),
    ]


CASES: list[Case] = _budget_cases() + _follow_up_cases() + _period_end_cases() + _assignment_cases()


def valid_file(board: str) -> str:
    return f"{board}.xlsx"


def build_corpus(catalogue: Catalogue, raw: Path) -> dict[str, set[Finding]]:
    """Write the valid submissions and every case into `raw/<occasion>/`; returns the
    expected added findings per case file. Faulty copies are dated before their valid
    original, and their files modified a day earlier, so the original stays the board's
    latest submission."""
    for occasion, board in VALID:
        wb = demo.fill_submission(catalogue, Occasion.parse(occasion), board, demo.board_plan(catalogue, board))
        save_workbook(wb, raw / occasion / valid_file(board))
    expected = {}
    for case in CASES:
        path = raw / case.occasion / case.file
        occ = Occasion.parse(case.occasion)
        wb = demo.fill_submission(catalogue, occ, case.board, demo.board_plan(catalogue, case.board))
        sheets = Sheets(wb, catalogue)
        sheets.detail("submitted_on", catalogue.deadline(occ) - dt.timedelta(days=30))
        expected[case.file] = case.mutate(sheets)
        if case.raw_bytes is not None:
            path.write_bytes(case.raw_bytes)
        elif case.make is not None:
            save_workbook(wb, path)
            workbook = path.read_bytes()
            path.unlink()
            case.make(path, workbook)
        else:
            save_workbook(wb, path)
        if not path.is_symlink():
            earlier = path.stat().st_mtime - 86_400
            os.utime(path, (earlier, earlier))
    return expected
