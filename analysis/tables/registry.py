"""Every aggregate table, declared once: the function that makes it, the processed columns
it reads, the aggregate tables it builds on, its Swedish sheet name and the Swedish
headers of its columns. The report's Excel workbook has one sheet per table, in this
order, and every chart draws from one of them.

Adding a table is a module with its function and one `register` call below. A mistake
in a declaration (an unknown processed column, a parameter the declaration does not
provide, a sheet name Excel would refuse) is an error when this module is imported, and
a stored table that lacks a declared column is an error when the tables are computed:
never a silently empty column. Pure: tables in, tables out."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cache
from typing import Callable, Mapping, Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.checks.dialogue_rules import CELL_COLUMNS
from analysis.occasion import Occasion
from analysis.tables.tally import plain

CONTEXT_PARAMETERS = ("catalogue", "occasions")
_SHEET_FORBIDDEN = set("[]:*?/\\")

# Swedish headers shared by every table; a table declares only the columns of its own.
HEADERS = {
    "occasion": "Tillfälle", "mandate_period": "Mandatperiod", "goal_area_code": "Målområde", "goal_area_name": "Målområdets namn",
    "goal_code": "KF-mål", "goal_name": "Mål", "board_code": "Nämnd/bolag (kod)", "board_name": "Nämnd/bolag",
    "board_kind": "Typ", "responsible": "Ansvarig enligt KF", "submission_status": "Inlämning",
    "contributions": "Bidrag", "has_contribution": "Har bidrag", "follow_ups": "Uppföljningar",
    "has_follow_up": "Har uppföljning", "board_movement": "Nämndens eller bolagets förflyttning", "scale": "Skala",
    "level": "Nivå (kod)", "level_label": "Nivå", "count": "Antal", "share": "Andel", "unanswered": "Obesvarade",
    "assessed": "Bedömbara", "assessed_share": "Andel bedömbara", "answers": "Svar",
    "boards": "Nämnder och bolag", "other_boards": "Övriga nämnder och bolag",
    "responsible_boards": "Ansvariga nämnder och bolag", "goals": "KF-mål (antal)",
    "theme": "Tema (kod)", "theme_label": "Tema", "consideration": "Beaktande (kod)", "consideration_label": "Beaktande",
    "comment": "Beskrivning", "contribution_id": "Bidrags-id", "title": "Bidrag (rubrik)", "movement": "Förflyttning (kod)",
    "outlook": "Nås under mandatperioden (kod)", "reached": "Har nåtts (kod)", "analysis": "Nämndens eller bolagets analys",
}


@dataclass(frozen=True)
class AggregateTable:
    """One aggregate table. `function` is called with keyword arguments: `catalogue` and
    `occasions` (every occasion of the mandate period up to the one reported) when it
    names them, each processed table of `reads` (only the declared columns, as plain
    values), and each earlier table of `uses` (whole, for the same occasions)."""

    name: str
    function: Callable[..., pd.DataFrame]
    sheet: str
    headers: Mapping[str, str] = field(default_factory=dict)
    reads: Mapping[str, Sequence[str]] = field(default_factory=dict)
    uses: Sequence[str] = ()
    over_period: bool = False  # rows for every occasion of the period up to the one reported, not just that one

    def header(self, column: str) -> str:
        """The Swedish header of a column; a column nobody named is an error."""
        if column in self.headers:
            return self.headers[column]
        if column in HEADERS:
            return HEADERS[column]
        raise KeyError(f"Column '{column}' of the aggregate table '{self.name}' has no Swedish header: "
                       f"declare it in its registry entry.")


@cache
def processed_schema() -> dict[str, frozenset[str]]:
    """The columns of each processed table an aggregate may read."""
    from analysis.boards.submission import TABLES, table_columns
    from analysis.checks.validation import ISSUE_COLUMNS

    schema = {t: frozenset(table_columns(t)) for t in TABLES}
    schema["submissions"] |= {"status", "status_reason"}
    schema["validation_issues"] = frozenset(ISSUE_COLUMNS)
    schema["cells"] = frozenset(CELL_COLUMNS)
    return schema


# Processed tables the snapshot stores under another name: `cells`, where each field of
# every workbook read was found (the column letters; analysis.intake.reuse).
STORED_AS = {"cells": "staged/cells"}


def stored_name(source: str) -> str:
    """The name a processed table an aggregate reads has in the snapshot."""
    return STORED_AS.get(source, source)


TABLES: dict[str, AggregateTable] = {}


def register(table: AggregateTable) -> AggregateTable:
    """Add a table after those it uses; every mistake in the declaration is named here."""
    problems = []
    if table.name in TABLES:
        problems.append("the name is taken")
    if not table.sheet or not table.sheet.strip():
        problems.append("it has no sheet name")
    elif len(table.sheet) > 31 or _SHEET_FORBIDDEN & set(table.sheet):
        problems.append(f"sheet name '{table.sheet}' is longer than 31 characters or has one of []:*?/\\")
    elif any(t.sheet.casefold() == table.sheet.casefold() for t in TABLES.values()):
        problems.append(f"sheet name '{table.sheet}' is taken")
    schema = processed_schema()
    for source, columns in table.reads.items():
        if source not in schema:
            problems.append(f"it reads '{source}', which is not a processed table")
        else:
            unknown = sorted(set(columns) - schema[source])
            if unknown:
                problems.append(f"'{source}' has no column {', '.join(unknown)}")
    for used in table.uses:
        if used not in TABLES:
            problems.append(f"it uses '{used}', which is not registered before it")
    given = {*CONTEXT_PARAMETERS, *table.reads, *table.uses}
    parameters = inspect.signature(table.function).parameters
    missing = [p for p, spec in parameters.items() if p not in given and spec.default is inspect.Parameter.empty]
    unused = [p for p in (*table.reads, *table.uses) if p not in parameters]
    if missing:
        problems.append(f"its function needs {', '.join(missing)}, which the declaration does not provide")
    if unused:
        problems.append(f"its function takes no parameter {', '.join(unused)}")
    if set(table.reads) & set(table.uses):
        problems.append("a parameter is both read and used")
    if problems:
        raise ValueError(f"Aggregate table '{table.name}': " + "; ".join(problems) + ".")
    TABLES[table.name] = table
    return table


def unregister(name: str) -> None:
    """Remove a table (for tests and plugins that registered one)."""
    dependants = [t.name for t in TABLES.values() if name in t.uses]
    if dependants:
        raise ValueError(f"Aggregate table '{name}' is used by {', '.join(dependants)}.")
    del TABLES[name]


def processed_inputs() -> dict[str, list[str]]:
    """Every processed table the registered tables read, with the columns they need."""
    needed: dict[str, list[str]] = {}
    for table in TABLES.values():
        for source, columns in table.reads.items():
            needed.setdefault(source, [])
            needed[source] += [c for c in columns if c not in needed[source]]
    return needed


class MissingColumn(ValueError):
    """A stored processed table lacks a column an aggregate table reads."""


def compute_tables(catalogue: Catalogue, processed: Mapping[str, pd.DataFrame | None],
                   occasions: Sequence[Occasion]) -> dict[str, pd.DataFrame]:
    """Every registered table for the occasions (one mandate period), in registry order,
    from the processed tables by name (None: not written yet, so no rows)."""
    occasions = sorted(occasions)
    for source, columns in processed_inputs().items():
        frame = processed.get(source)
        if frame is not None:
            absent = [c for c in columns if c not in frame.columns]
            if absent:
                raise MissingColumn(f"Tabellen {source} saknar kolumnen {', '.join(absent)}. Läs in tillfällena igen "
                                    f"(malstyrning ingest) så att tabellerna får dagens kolumner.")
    made: dict[str, pd.DataFrame] = {}
    for table in TABLES.values():
        parameters = inspect.signature(table.function).parameters
        arguments = {name: value for name, value in (("catalogue", catalogue), ("occasions", occasions)) if name in parameters}
        arguments |= {source: plain(processed.get(source), columns) for source, columns in table.reads.items()}
        arguments |= {used: made[used] for used in table.uses}
        made[table.name] = table.function(**arguments)
    return made


def as_of(tables: Mapping[str, pd.DataFrame], occasion: Occasion) -> dict[str, pd.DataFrame]:
    """The tables as they describe one occasion: its own rows, and for tables over the
    period the rows up to and including it."""
    out = {}
    for name, frame in tables.items():
        codes = frame["occasion"].astype(object)
        if TABLES[name].over_period:
            keep = codes.map(lambda c: isinstance(c, str) and Occasion.parse(c) <= occasion).astype(bool)
        else:
            keep = codes == occasion.code
        out[name] = frame[keep].reset_index(drop=True)
    return out


def sheets(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables under their sheet names, with Swedish headers."""
    return {TABLES[name].sheet: frame.rename(columns={c: TABLES[name].header(c) for c in frame.columns})
            for name, frame in tables.items()}


# --- the tables --------------------------------------------------------------------

from analysis.tables import assignments as _assignments  # noqa: E402  (the registry is defined above)
from analysis.tables import contribution_paths as _contribution_paths  # noqa: E402
from analysis.tables import cooperation as _cooperation  # noqa: E402
from analysis.tables import coverage as _coverage  # noqa: E402
from analysis.tables import data_quality as _data_quality  # noqa: E402
from analysis.tables import dialogue as _dialogue  # noqa: E402
from analysis.tables import evidence as _evidence  # noqa: E402
from analysis.tables import goal_areas as _goal_areas  # noqa: E402
from analysis.tables import goal_signal as _goal_signal  # noqa: E402
from analysis.tables import human_rights as _human_rights  # noqa: E402
from analysis.tables import indicators as _indicators  # noqa: E402
from analysis.tables import lessons as _lessons  # noqa: E402
from analysis.tables import movement as _movement  # noqa: E402
from analysis.tables import trajectory as _trajectory  # noqa: E402

SUBMISSIONS = ("occasion", "board_code", "status", "submitted_on", "file_modified")
CONTRIBUTIONS = ("occasion", "board_code", "contribution_id", "goal_code")
FOLLOW_UPS = ("occasion", "board_code", "contribution_id", "goal_code", "movement", "outlook", "reached", "evidence_type")

register(AggregateTable(
    "coverage", _coverage.coverage, "Träffbild",
    reads={"submissions": SUBMISSIONS, "contributions": CONTRIBUTIONS, "follow_ups": FOLLOW_UPS},
))
register(AggregateTable(
    "coverage_by_goal", _coverage.coverage_by_goal, "Träffbild per KF-mål",
    headers={"category": "Kategori (kod)", "category_label": "Kategori"},
    uses=("coverage",),
))
register(AggregateTable(
    "movement_by_goal", _movement.movement_by_goal, "Förflyttning per KF-mål",
    reads={"submissions": SUBMISSIONS, "follow_ups": FOLLOW_UPS},
))
register(AggregateTable(
    "movement_by_goal_area", _movement.movement_by_goal_area, "Förflyttning per målområde",
    reads={"submissions": SUBMISSIONS, "follow_ups": FOLLOW_UPS},
))
register(AggregateTable(
    "human_rights_by_goal_area", _human_rights.human_rights_by_goal_area, "MR per målområde",
    reads={"submissions": SUBMISSIONS, "contributions": CONTRIBUTIONS, "follow_ups": FOLLOW_UPS,
           "human_rights": ("occasion", "board_code", "scope", "contribution_id", "theme", "consideration", "comment")},
))
register(AggregateTable(
    "human_rights_base_mission", _human_rights.human_rights_base_mission, "MR grunduppdrag",
    reads={"submissions": SUBMISSIONS,
           "human_rights": ("occasion", "board_code", "scope", "contribution_id", "theme", "consideration", "comment")},
))
register(AggregateTable(
    "human_rights_gaps", _human_rights.human_rights_gaps, "MR aldrig beaktat",
    headers={"not_considered": "Inte beaktat", "not_relevant": "Inte relevant"},
    uses=("human_rights_by_goal_area",),
))
register(AggregateTable(
    "evidence_mix", _evidence.evidence_mix, "Underlag",
    headers={"evidence_type": "Underlag (kod)", "evidence_label": "Typ av underlag"},
    reads={"submissions": SUBMISSIONS, "follow_ups": FOLLOW_UPS},
))
register(AggregateTable(
    "indicators", _indicators.indicators, "Indikatorer",
    headers={"indicator": "Indikator", "unit": "Enhet", "direction": "Önskad riktning", "baseline_year": "Basår",
             "baseline_value": "Basvärde", "value_year": "År", "value": "Värde", "change": "Förändring",
             "relative_change": "Relativ förändring", "in_desired_direction": "I önskad riktning"},
    reads={"submissions": SUBMISSIONS, "contributions": CONTRIBUTIONS, "follow_ups": FOLLOW_UPS,
           "indicators": ("occasion", "board_code", "contribution_id", "indicator", "unit", "direction", "baseline_year",
                          "baseline_value", "value_year", "value")},
))
register(AggregateTable(
    "trajectory", _trajectory.trajectory, "Utveckling över perioden",
    uses=("movement_by_goal",), over_period=True,
))
register(AggregateTable(
    "movement_trend_by_goal", _trajectory.movement_trend_by_goal, "Förflyttning över tid, mål",
    headers={"moving": "Viss eller tydlig förflyttning (antal)", "moving_share": "Viss eller tydlig förflyttning"},
    uses=("trajectory",), over_period=True,
))
register(AggregateTable(
    "movement_trend_by_goal_area", _trajectory.movement_trend_by_goal_area, "Förflyttning över tid, område",
    headers={"moving": "Viss eller tydlig förflyttning (antal)", "moving_share": "Viss eller tydlig förflyttning"},
    uses=("movement_by_goal_area",), over_period=True,
))
register(AggregateTable(
    "transitions", _trajectory.transitions, "Förändring per bidrag",
    headers={"previous_occasion": "Föregående tillfälle", "previous_movement": "Föregående förflyttning (kod)",
             "movement": "Förflyttning (kod)", "change": "Förändring (kod)", "change_label": "Förändring",
             "previous_outlook": "Föregående prognos (kod)", "outlook": "Prognos (kod)"},
    reads={"submissions": SUBMISSIONS, "follow_ups": (*FOLLOW_UPS, "analysis")}, over_period=True,
))
register(AggregateTable(
    "contribution_paths", _contribution_paths.contribution_paths, "Plan och utfall per bidrag",
    headers={"expected_movement": "Hur bidraget förväntas leda till förflyttning"},
    reads={"submissions": SUBMISSIONS, "contributions": (*CONTRIBUTIONS, "title", "expected_movement"),
           "follow_ups": (*FOLLOW_UPS, "title")}, over_period=True,
))
register(AggregateTable(
    "goal_signal", _goal_signal.goal_signal, "Sammanvägning per KF-mål",
    headers={"boards_moving": "Viss eller tydlig förflyttning", "boards_no_movement": "Ingen förflyttning",
             "boards_negative": "Motsatt riktning", "boards_not_assessable": "Kan inte bedömas",
             "boards_without_follow_up": "Utan uppföljning", "boards_without_contribution": "Utan bidrag",
             "boards_rejected": "Avvisade", "boards_missing": "Har inte lämnat in", "indicators": "Indikatorer",
             "indicators_in_desired_direction": "Indikatorer i önskad riktning",
             "suggested_level": "Sammanvägning (kod)", "suggested_level_label": _goal_signal.NAME,
             "basis": "Regel", "reasons": "Skäl"},
    uses=("coverage", "indicators"),
))
register(AggregateTable(
    "goal_area_summary", _goal_areas.goal_area_summary, "Sammanfattning per målområde",
    headers={"moving": "Viss eller tydlig förflyttning (antal)", "moving_share": "Viss eller tydlig förflyttning",
             **{f"signal_{level}": f"Sammanvägning: {label}" for level, label in _goal_signal.LEVELS.items()}},
    uses=("movement_by_goal_area", "goal_signal"),
))
register(AggregateTable(
    "data_quality", _data_quality.data_quality, "Datakvalitet",
    headers={"files": "Filer", "rejected_files": "Avvisade filer", "submitted_on": "Inlämnad", "deadline": "Sista dag",
             "on_time": "I tid", "days_late": "Dagar för sent", "errors": "Fel", "warnings": "Varningar"},
    reads={"submissions": SUBMISSIONS, "validation_issues": ("occasion", "board_code", "severity")},
))
register(AggregateTable(
    "lessons", _lessons.lessons, "Lärdomar inför nästa period",
    headers={"lesson": "Lärdom (kod)", "lesson_label": "Lärdom", "of": "Av", "evidence": "Underlag"},
    uses=("coverage", "human_rights_by_goal_area", "contribution_paths", "data_quality"),
))

ASSIGNMENT_FOLLOW_UPS = ("occasion", "board_code", "assignment_id", "status", "expected_completion", "comment")
ASSIGNMENT_HEADERS = {"assignment_id": "Uppdrags-id", "status": "Status (kod)", "status_label": "Status",
                      "expected_completion": "Förväntas vara klart", "comment": "Kommentar"}
register(AggregateTable(
    "assignment_status", _assignments.assignment_status, "KF-uppdrag",
    headers={**ASSIGNMENT_HEADERS, "text": "KF-uppdrag", "lead_board": "Ansvarig nämnd/bolag",
             "participating_boards": "Deltagande nämnder och bolag", "given_year": "Givet i budget",
             "due_year": "Ska vara klart", "answered": "Besvarat vid tillfället", "finished_at": "Avslutat vid",
             "overdue": "Försenat"},
    reads={"submissions": SUBMISSIONS, "assignment_follow_ups": ASSIGNMENT_FOLLOW_UPS}, over_period=True,
))
register(AggregateTable(
    "assignment_answers", _assignments.assignment_answers, "KF-uppdrag, svar",
    headers={**ASSIGNMENT_HEADERS, "role": "Roll (kod)", "role_label": "Roll"},
    reads={"submissions": SUBMISSIONS, "assignment_follow_ups": ASSIGNMENT_FOLLOW_UPS},
))
register(AggregateTable(
    "assignment_status_counts", _assignments.assignment_status_counts, "KF-uppdrag per status",
    headers={"level": "Status (kod)", "level_label": "Status", "overdue": "Varav försenade",
             "assignments": "KF-uppdrag (antal)"},
    uses=("assignment_status",), over_period=True,
))
register(AggregateTable(
    "cooperation", _cooperation.cooperation, "Samverkan",
    headers={"partner_code": "Samverkanspart (kod)", "partner_name": "Samverkanspart",
             "partner_responsible": "Parten ansvarig för målet", "partner_submission_status": "Partens inlämning",
             "partner_reports": "Parten har eget bidrag till målet"},
    reads={"submissions": SUBMISSIONS, "contributions": (*CONTRIBUTIONS, "title", "partner_boards"),
           "follow_ups": FOLLOW_UPS},
))
register(AggregateTable(
    "cooperation_matrix", _cooperation.cooperation_matrix, "Samverkan mellan nämnder",
    headers={"partner_code": "Samverkanspart (kod)", "partner_name": "Samverkanspart", "goals": "KF-mål (antal)",
             "goal_area_codes": "Målområden"},
    uses=("cooperation",),
))
register(AggregateTable(
    "dialogue", _dialogue.dialogue, "Frågor till nämnderna",
    headers={"rule": "Regel (kod)", "rule_label": "Regel", "question": "Fråga", "source_file": "Fil", "sheet": "Flik",
             "cell": "Cell", "other_cells": "Övriga celler", "question_key": "Frågans nyckel"},
    reads={"submissions": (*SUBMISSIONS, "source_file", "sha256"),
           "contributions": (*CONTRIBUTIONS, "title", "source_file", "sha256", "sheet", "excel_row"),
           "follow_ups": (*FOLLOW_UPS, "title", "analysis", "source_file", "sha256", "sheet", "excel_row"),
           "indicators": ("occasion", "board_code", "contribution_id", "indicator", "unit", "direction", "baseline_year",
                          "baseline_value", "value_year", "value", "source_file", "sha256", "sheet", "excel_row"),
           "cells": CELL_COLUMNS},
))
