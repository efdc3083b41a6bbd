"""`malstyrning planering --period 2027-budget`: the planning overview for the city office
at the first budget of a new mandate period (analysis.tables.planning), as an Excel
workbook in the occasion's outputs, `reports/<occasion>/planeringsoversikt.xlsx`. It is
written as a new version of those outputs (analysis.versions), like the report and the
feedback: the workbook and whatever else the folder holds are replaced as one set.

This module is the edge: it loads the processed tables (and the previous period end's
lessons, from its aggregates), calls the pure tables, and writes the workbook; every cell
a board or catalogue wrote stays text (analysis.excel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue, catalogue_for
from analysis.config import Paths
from analysis.crosswalk import Crosswalk, crosswalk_for
from analysis.errors import UsageError
from analysis.occasion import Occasion
from analysis.tables.planning import PLANNING_HEADERS, planning_overview

FILE = "planeringsoversikt.xlsx"
# The workbook's sheets after the first (Om översikten): table name -> sheet name and what it shows.
SHEETS = {
    "by_goal": ("Per KF-mål", "Varje nytt KF-mål: förhållandet till förra perioden, ansvariga med och utan planerat "
                              "bidrag, planerade bidrag (fortsatta och nya), förra periodens slutbedömning av de "
                              "fortsatta och lärdomar som rör målet."),
    "coverage": ("Träffbild", "Varje KF-mål och ansvarig nämnd eller bolag: inlämningen av budgeten och de planerade "
                              "bidragen till målet."),
    "without_contribution": ("Utan planerat bidrag", "Ansvariga nämnder och bolag som ännu inte har något planerat "
                                                     "bidrag till målet (budget utan bidrag, avvisad eller inte inlämnad)."),
    "planned": ("Planerade bidrag", "Varje planerat bidrag; för ett bidrag som fortsätter från förra perioden (samma "
                                    "nämnd och bidrags-id) dess mål då och vad förra periodens slut sade om det."),
    "not_continued": ("Fortsätter inte", "Bidrag som mallen förde fram från förra perioden men som nämnden eller "
                                         "bolaget inte har kvar i sin godkända budget."),
    "lessons": ("Lärdomar förra perioden", "Lärdomar inför nästa period från förra periodens slut som rör de mål "
                                           "det nya målet för vidare."),
}
YES_NO = {True: "Ja", False: "Nej"}


@dataclass(frozen=True)
class Planning:
    """The overview of an occasion: its tables, the crosswalk they rest on, and whether
    the previous period's end (its lessons and reached assessments) had been ingested."""

    occasion: Occasion
    crosswalk: Crosswalk
    tables: dict[str, pd.DataFrame]
    period_end_ingested: bool


def planning(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion, store: bool = True) -> Planning:
    """The planning overview's tables from the current processed tables. `store`: the
    previous period end's aggregates, made anew when not current, are stored (a reader
    holding no lock, such as the notebook, only computes them)."""
    from analysis.aggregates import aggregates_for, load_processed

    catalogue = catalogue_for(occasion, catalogues)
    if occasion.is_follow_up:
        raise UsageError(f"Planeringsöversikten görs för en nämnds- och bolagsbudget, till exempel "
                         f"{catalogue.first_year}-budget, inte för {occasion.label}.")
    crosswalk = crosswalk_for(catalogue, catalogues)
    if crosswalk is None:
        raise UsageError(f"Målkatalogen för {catalogue.span} ({catalogue.source}) för inte vidare någon tidigare "
                         "mandatperiods KF-mål (inga mål med continues, ingen katalog för perioden före): "
                         "planeringsöversikten visar hur de nya målen täcks och vad förra perioden lämnar över.")
    processed = load_processed(paths)  # every table the aggregates read, whole: submissions, contributions, follow_ups, ...
    ingested = set(processed.tables["submissions"]["occasion"].astype(object))
    if occasion.code not in ingested:
        raise UsageError(f"Inga inlämningar för {occasion.label} är inlästa. Kör först: malstyrning ingest --period "
                         f"{occasion.code}")
    end = crosswalk.previous.period_end_occasion
    lessons = None
    if end.code in ingested:
        lessons = aggregates_for(paths, catalogues, end, processed, store=store)[0]["lessons"]
    tables = planning_overview(crosswalk, occasion, processed.tables["submissions"], processed.tables["contributions"],
                               processed.tables["follow_ups"], lessons)
    return Planning(occasion, crosswalk, tables, end.code in ingested)


def summary(plan: Planning) -> str:
    """The overview in one Swedish paragraph: for the command line and the workbook."""
    by_goal, cov = plan.tables["by_goal"], plan.tables["coverage"]
    previous, end = plan.crosswalk.previous, plan.crosswalk.previous.period_end_occasion
    text = (f"{len(by_goal)} KF-mål för {plan.crosswalk.current.span}; {int(cov['has_contribution'].sum())} av {len(cov)} "
            f"ansvarsuppdrag har planerade bidrag i {plan.occasion.label}, {int((~cov['has_contribution']).sum())} har "
            f"inget ännu. {int(by_goal['contributions'].sum())} planerade bidrag, varav {int(by_goal['continuing'].sum())} "
            f"fortsätter från {previous.span}; {int(by_goal['not_continued'].sum())} bidrag som mallarna förde fram "
            f"fortsätter inte.")
    if plan.period_end_ingested:
        text += f" {len(plan.tables['lessons'])} lärdomar från {end.label} rör de mål som förs vidare."
    else:
        text += f" {end.label} är inte inläst: förra periodens slutbedömningar och lärdomar saknas i översikten."
    return text


def write_planning(paths: Paths, plan: Planning) -> Path:
    """Write the workbook into a new version of the occasion's outputs; returns its stable path."""
    from analysis.excel import save_workbook
    from analysis.versions import report_versions

    wb = workbook(plan, _facts(paths, plan))
    with report_versions(paths, plan.occasion.code).stage() as stage:
        save_workbook(wb, stage.folder / FILE)
        stage.publish()
    return paths.report_for(plan.occasion.code) / FILE


def _facts(paths: Paths, plan: Planning) -> list[tuple[str, str]]:
    from analysis.stamps import catalogue_hashes, code_version

    made = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return [("Programversion", code_version()), ("Gjord", made),
            *(("Målkatalog", f"{name} (SHA-256 {sha})") for name, sha in catalogue_hashes(paths.reference, plan.occasion).items())]


def workbook(plan: Planning, facts: list[tuple[str, str]]):
    """The overview as a workbook: a first sheet that says what it is and what it rests on,
    then one sheet per table with Swedish headers (yes/no as Ja/Nej)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from analysis.excel import NOTE_FONT, TITLE_FONT, WRAP, set_value, write_table_sheet

    wb = Workbook()
    about = wb.active
    about.title = "Om översikten"
    current, previous = plan.crosswalk.current, plan.crosswalk.previous
    lines: list[tuple[str, object]] = []
    if current.example_data:
        lines.append(("EXEMPELDATA – inte verkliga uppgifter", Font(bold=True, color="C00000", size=12)))
    lines += [
        (f"Planeringsöversikt – {plan.occasion.label}", TITLE_FONT),
        (f"Hur kommunfullmäktiges mål för {current.span} täcks av nämndernas och bolagens planerade bidrag, och vad "
         f"mandatperioden {previous.span} lämnar över. Ett arbetsmaterial för stadskontoret (på tjänstepersonsnivå), "
         "inte en sammanställning till kommunfullmäktige.", None),
        ("", None),
        (summary(plan), None),
        ("", None),
        ("Flikarna", Font(bold=True)),
        *((f"{sheet}: {what}", None) for sheet, what in SHEETS.values()),
        ("", None),
        ("Underlag", Font(bold=True)),
        *((f"{label}: {value}", NOTE_FONT) for label, value in facts),
    ]
    for r, (text, font) in enumerate(lines, 1):
        cell = about.cell(r, 1)
        set_value(cell, text)
        cell.alignment = WRAP
        if font is not None:
            cell.font = font
    about.column_dimensions["A"].width = 120
    for name, (sheet, _) in SHEETS.items():
        frame = plan.tables[name]
        shown = frame.assign(**{c: frame[c].map(YES_NO) for c in frame.columns if frame[c].dtype == bool})
        write_table_sheet(wb.create_sheet(sheet), shown.rename(columns=PLANNING_HEADERS))
        ws = wb[sheet]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.title = f"Planeringsöversikt – {plan.occasion.label}"
    wb.properties.creator = "Malmö stad, stadskontoret"
    return wb
