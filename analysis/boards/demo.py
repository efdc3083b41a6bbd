"""The example city: fills the real templates as boards would, for every occasion of the
mandate period, deterministically from a seed. Assessments drift over the period, a few
boards are late or missing, a few attach optional indicators, one board resubmits after a
rejected file, and one file at the latest occasion is left with an error for the office
to chase. Everything is marked Exempeldata."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from analysis.catalogue import Catalogue
from analysis.excel import save_workbook, set_value
from analysis.occasion import Occasion
from analysis.boards.template import build_template, goal_choice
from analysis.boards.layout import (
    BASE_MISSION,
    CONTRIBUTION_FIELDS,
    CONTRIBUTIONS_SHEET,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HUMAN_RIGHTS_SHEET,
    INDICATOR_FIELDS,
    INDICATORS_SHEET,
    follow_up_fields,
)

DEFAULT_SEED = 2023
LAST_DEMO_OCCASION = "2026-delar"

_ACTIONS = {
    "1": ["Utökad läxhjälp och studiestöd", "Tidiga insatser i språkutveckling", "Samverkan skola–socialtjänst kring närvaro",
          "Fler behöriga lärare genom karriärvägar", "Lovskola och sommaraktiviteter", "Kulturskola i alla stadsdelar"],
    "2": ["Jobbspår tillsammans med näringslivet", "Snabbare bygglovsprocess", "Fler hyresrätter med rimlig hyra",
          "Stöd till nystartade företag", "Praktikplatser i stadens verksamheter", "Digital matchning mot arbetsmarknaden"],
    "3": ["Trygghetsvandringar med boende", "Bättre belysning i parker och gångstråk", "Medborgardialoger i stadsdelarna",
          "Öppna mötesplatser för unga", "Tillgänglighetsanpassade kulturlokaler", "Platssamverkan med fastighetsägare"],
    "4": ["Hälsofrämjande insatser i utsatta områden", "Kontinuitet i hemtjänsten", "Digitala trygghetslösningar",
          "Friskvård för medarbetare", "Kompetensutveckling i omsorgen", "Uppsökande verksamhet för äldre"],
    "5": ["Omställning till fossilfria fordon", "Energieffektivisering i lokaler", "Fler gröna tak och fickparker",
          "Återbruk av möbler och material", "Klimatkrav i upphandlingar", "Dagvattenlösningar för skyfall"],
}
_MOVEMENT_REASONS = [
    "Insatsen har nått fler Malmöbor än förra året.",
    "Samverkan med andra nämnder har fördjupats.",
    "Uppföljningen visar att målgruppen upplever förbättringar.",
    "Arbetet har försenats av rekryteringsläget.",
    "Effekterna syns ännu inte i statistiken men i dialogen med brukarna.",
    "Resurser har prioriterats om mot de mest utsatta områdena.",
]
_EVIDENCE = [
    "Verksamhetsstatistik och brukarenkät.", "Intervjuer med medarbetare och brukare.",
    "Nationell statistik (SCB, Kolada) och egen uppföljning.", "Fokusgrupper och observationer.",
    "Enkät till deltagare samt ekonomisk uppföljning.",
]
_HR_COMMENTS = {
    "considered": ["Analysen har gjorts utifrån barnets bästa och målgruppens behov.",
                   "Statistiken är uppdelad på kön och område och har legat till grund för prioriteringar.",
                   "Dialog med berörda grupper har påverkat utformningen."],
    # Mostly explained; now and then left blank, which validation flags as a warning.
    "not_considered": ["Temat har inte analyserats i år; det tas upp i nästa uppföljning.",
                       "Underlag uppdelat på målgrupper saknas ännu.", "Temat har inte analyserats i år.",
                       "Arbetet med temat har skjutits upp till nästa år.", "Temat har inte analyserats i år.",
                       "Kartläggning pågår och redovisas i årsanalysen.", "Temat har inte analyserats i år.",
                       "Underlag saknas.", "Temat har inte analyserats i år.", None],
    "not_relevant": ["Bidraget berör inte temat direkt.", None],
}
_INDICATORS = [("Andel elever med godkända betyg", "%", "increase", 70.0), ("Antal deltagare", "antal", "increase", 250.0),
               ("Andel som känner sig trygga", "%", "increase", 62.0), ("Utsläpp av växthusgaser", "ton CO2e", "decrease", 4200.0),
               ("Väntetid i dagar", "dagar", "decrease", 45.0)]
_CONTACTS = ["Anna Lindqvist", "Erik Svensson", "Fatima Hassan", "Johan Nilsson", "Maria Persson", "Ali Yilmaz", "Sara Bergström"]


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator that depends only on the seed and the parts, not on call order."""
    return random.Random(zlib.crc32("|".join(map(str, (seed, *parts))).encode()))


@dataclass(frozen=True)
class Contribution:
    contribution_id: str
    goal_code: str
    goal_area: str
    start_year: int
    title: str
    description: str
    expected_movement: str
    plan_year: str
    plan_period: str
    partner_boards: str | None
    trend: float
    base: float
    has_indicator: bool


def board_plan(catalogue: Catalogue, board_code: str, seed: int = DEFAULT_SEED) -> list[Contribution]:
    """The contributions a board makes over the mandate period, with their hidden trend."""
    rng = _rng(seed, "plan", catalogue.mandate_period, board_code)
    goals = catalogue.goals_for(board_code)
    plan: list[Contribution] = []
    n = 0
    for goal in goals.itertuples():
        # Goals for all boards draw contributions from some boards only, and a few named
        # boards leave a goal uncovered: the coverage (träffbild) then shows a gap.
        if goal.for_all_boards and rng.random() < 0.45:
            continue
        if not goal.for_all_boards and rng.random() < 0.08:
            continue
        for _ in range(1 if rng.random() < 0.7 else 2):
            n += 1
            action = rng.choice(_ACTIONS[goal.goal_area_code])
            start = catalogue.first_year if rng.random() < 0.8 else rng.randint(catalogue.first_year + 1, catalogue.last_year - 1)
            others = [b for b in catalogue.responsibilities.loc[catalogue.responsibilities["goal_code"] == goal.goal_code, "board_code"] if b != board_code]
            partners = ", ".join(sorted(rng.sample(others, min(len(others), rng.randint(0, 2))))) or None
            plan.append(Contribution(
                contribution_id=f"{board_code}-{n:02d}",
                goal_code=goal.goal_code,
                goal_area=goal.goal_area_code,
                start_year=start,
                title=action,
                description=f"{action} med fokus på {rng.choice(['barn och unga', 'äldre', 'nyanlända', 'hela staden', 'utsatta områden'])}.",
                expected_movement=(f"Genom {action.lower()} förväntas fler Malmöbor omfattas, vilket bidrar till "
                                   f"målet '{goal.goal_name.lower()}'."),
                plan_year=f"Genomföra {action.lower()} i minst {rng.randint(2, 6)} stadsdelar.",
                plan_period="Arbetssättet ska vara permanent och följas upp årligen till mandatperiodens slut.",
                partner_boards=partners,
                trend=rng.uniform(-0.15, 0.45),
                base=rng.uniform(-0.3, 0.6),
                has_indicator=rng.random() < 0.25,
            ))
    return plan


def known_contributions(plan: list[Contribution], occasion: Occasion) -> pd.DataFrame:
    """What the board had submitted before this occasion: for a budget, contributions
    started in earlier years; for a follow-up, also this year's."""
    rows = [c for c in plan if c.start_year < occasion.year or (occasion.is_follow_up and c.start_year == occasion.year)]
    return _as_frame(rows)


def _as_frame(contributions: list[Contribution]) -> pd.DataFrame:
    keys = [f.key for f in CONTRIBUTION_FIELDS]
    return pd.DataFrame([{k: getattr(c, k) for k in keys} for c in contributions], columns=keys)


def _level(c: Contribution, occasion: Occasion, catalogue: Catalogue, rng: random.Random) -> float:
    step = (occasion.year - catalogue.first_year) + (0.5 if occasion.kind == "ar" else 0.0)
    return c.base + c.trend * step + rng.gauss(0, 0.25)


def _movement(level: float, rng: random.Random) -> str:
    if rng.random() < 0.05:
        return "not_assessable"
    return "clear" if level > 0.9 else "some" if level > 0.3 else "none" if level > -0.2 else "negative"


def _outlook(level: float, rng: random.Random) -> str:
    if rng.random() < 0.07:
        return "uncertain"
    return "likely" if level > 0.8 else "partly" if level > 0.1 else "unlikely"


def _reached(level: float) -> str:
    return "reached" if level > 0.9 else "partly_reached" if level > 0.2 else "not_reached"


def fill_submission(
    catalogue: Catalogue, occasion: Occasion, board_code: str, plan: list[Contribution], seed: int = DEFAULT_SEED
) -> Workbook:
    """The template for the board and occasion, filled in as the board would."""
    rng = _rng(seed, "fill", occasion.code, board_code)
    known = known_contributions(plan, occasion)
    wb = build_template(catalogue, occasion, board_code, known)
    scales = catalogue.scales
    by_id = {c.contribution_id: c for c in plan}
    active = [c for c in plan if c.start_year <= occasion.year]
    new = [c for c in active if c.contribution_id not in set(known["contribution_id"])]

    details = wb[DETAILS_SHEET]
    labels = {f.header: f.key for f in DETAILS_FIELDS}
    deadline = catalogue.deadline(occasion)
    late = rng.random() < 0.08
    submitted = deadline + dt.timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 20))
    for row in details.iter_rows(min_row=HEADER_ROW, max_col=2):
        key = labels.get(row[0].value)
        if key == "contact":
            row[1].value = rng.choice(_CONTACTS)
        elif key == "email":
            row[1].value = f"{board_code.lower()}.rapportering@malmo.se"
        elif key == "submitted_on":
            row[1].value = submitted

    # New contributions go on the blank rows after the pre-filled ones.
    ws = wb[CONTRIBUTIONS_SHEET]
    for r, c in enumerate(new, FIRST_DATA_ROW + len(known)):
        for col, f in enumerate(CONTRIBUTION_FIELDS, 1):
            value = getattr(c, f.key)
            set_value(ws.cell(r, col), goal_choice(c.goal_code, _goal_name(catalogue, c.goal_code)) if f.key == "goal_code" else value)

    levels = {c.contribution_id: _level(c, occasion, catalogue, rng) for c in active}
    if occasion.is_follow_up:
        period_end = catalogue.is_last_year(occasion) and occasion.kind == "ar"
        fields = follow_up_fields(period_end)
        col = {f.key: i for i, f in enumerate(fields, 1)}
        ws = wb[FOLLOW_UPS_SHEET]
        for r, cid in enumerate(known["contribution_id"], FIRST_DATA_ROW):
            c, level = by_id[cid], levels[cid]
            movement = _movement(level, rng)
            ws.cell(r, col["movement"]).value = scales["movement"].label(movement)
            ws.cell(r, col["outlook"]).value = scales["outlook"].label(_outlook(level, rng))
            if period_end:
                ws.cell(r, col["reached"]).value = scales["reached"].label(_reached(level))
            analysis = " ".join(rng.sample(_MOVEMENT_REASONS, 2))
            if rng.random() < 0.06:
                analysis = "Pågår enligt plan."  # a short analysis, flagged for the analysts
            ws.cell(r, col["analysis"]).value = f"{c.title}: {analysis}"
            ws.cell(r, col["evidence_type"]).value = scales["evidence_type"].label(rng.choice(scales["evidence_type"].codes))
            ws.cell(r, col["evidence"]).value = rng.choice(_EVIDENCE)

    ws = wb[HUMAN_RIGHTS_SHEET]
    themes = scales["theme"]
    r = FIRST_DATA_ROW
    for cid in [*known["contribution_id"], BASE_MISSION]:
        for _ in themes.codes:
            _fill_hr(ws, r, rng, scales)
            r += 1
    for c in new:
        for label in themes.labels:
            ws.cell(r, 1).value = c.contribution_id
            ws.cell(r, 2).value = label
            _fill_hr(ws, r, rng, scales)
            r += 1

    if occasion.is_follow_up:
        ws = wb[INDICATORS_SHEET]
        r = FIRST_DATA_ROW
        for c in active:
            if not c.has_indicator:
                continue
            name, unit, direction, baseline = _INDICATORS[zlib.crc32(c.contribution_id.encode()) % len(_INDICATORS)]
            sign = 1 if direction == "increase" else -1
            value = round(baseline * (1 + sign * 0.04 * levels[c.contribution_id] * (occasion.year - catalogue.first_year + 1)), 1)
            row = {"contribution_id": c.contribution_id, "indicator": name, "unit": unit,
                   "direction": scales["direction"].label(direction), "baseline_year": catalogue.first_year - 1,
                   "baseline_value": baseline, "value_year": occasion.year, "value": value, "source": "Egen uppföljning"}
            for col, f in enumerate(INDICATOR_FIELDS, 1):
                ws.cell(r, col).value = row[f.key]
            r += 1
    return wb


def _goal_name(catalogue: Catalogue, goal_code: str) -> str:
    return str(catalogue.goals.loc[catalogue.goals["goal_code"] == goal_code, "goal_name"].iloc[0])


def _fill_hr(ws, r: int, rng: random.Random, scales) -> None:
    code = rng.choices(["considered", "not_considered", "not_relevant"], weights=[0.7, 0.15, 0.15])[0]
    ws.cell(r, 3).value = scales["consideration"].label(code)
    ws.cell(r, 4).value = rng.choice(_HR_COMMENTS[code])


_FILE_NAMES = ["{name} {label}.xlsx", "{code}_{occasion}.xlsx", "{occasion} {name}.xlsx", "Rapport {label} {code}.xlsx"]


def file_name(catalogue: Catalogue, occasion: Occasion, board_code: str, seed: int = DEFAULT_SEED) -> str:
    """Boards name their files as they like; the workbench reads board and occasion from the details sheet."""
    pattern = _rng(seed, "name", board_code).choice(_FILE_NAMES)
    return pattern.format(name=catalogue.board_name(board_code), label=occasion.label, code=board_code, occasion=occasion.code)


def is_missing(occasion: Occasion, board_code: str, seed: int = DEFAULT_SEED) -> bool:
    """A few boards do not send anything for an occasion."""
    return occasion.code != "2023-budget" and _rng(seed, "missing", occasion.code, board_code).random() < 0.04


@dataclass
class DemoOutcome:
    written: list[Path]
    skipped: list[Path]
    missing: list[str]


def write_demo(catalogue: Catalogue, occasion: Occasion, folder: Path, seed: int = DEFAULT_SEED) -> DemoOutcome:
    """Write the example city's submissions for one occasion. Existing files are left
    untouched: raw data is never modified."""
    outcome = DemoOutcome([], [], [])
    boards = catalogue.responsible_boards()
    # One board at 2025-ar sends a file with a mistake, then a corrected one; one board at
    # the latest occasion sends a file with a mistake that is still uncorrected.
    resubmitter = boards[_rng(seed, "resubmit").randrange(len(boards))]
    uncorrected = boards[_rng(seed, "uncorrected").randrange(len(boards))]
    for board in boards:
        if is_missing(occasion, board, seed):
            outcome.missing.append(board)
            continue
        plan = board_plan(catalogue, board, seed)
        versions = [fill_submission(catalogue, occasion, board, plan, seed)]
        if occasion.code == "2025-ar" and board == resubmitter:
            versions.insert(0, _with_mistake(fill_submission(catalogue, occasion, board, plan, seed), days_earlier=5))
        if occasion.code == LAST_DEMO_OCCASION and board == uncorrected:
            versions = [_with_mistake(versions[0], days_earlier=0)]
        base = file_name(catalogue, occasion, board, seed)
        for i, wb in enumerate(versions):
            name = base if i == len(versions) - 1 else base.replace(".xlsx", " (första versionen).xlsx")
            path = folder / name
            if path.exists():
                outcome.skipped.append(path)
                continue
            save_workbook(wb, path)
            outcome.written.append(path)
    return outcome


def _with_mistake(wb: Workbook, days_earlier: int) -> Workbook:
    """A slip boards make: a free-text answer where a coded one is expected."""
    ws = wb[CONTRIBUTIONS_SHEET] if FOLLOW_UPS_SHEET not in wb.sheetnames else wb[FOLLOW_UPS_SHEET]
    column = 4 if FOLLOW_UPS_SHEET in wb.sheetnames else 2
    ws.cell(FIRST_DATA_ROW, column).value = "Bra" if column == 4 else "9.9 Mål som inte finns"
    details = wb[DETAILS_SHEET]
    for row in details.iter_rows(min_row=HEADER_ROW, max_col=2):
        if row[0].value == "Inlämningsdatum" and isinstance(row[1].value, dt.date):
            row[1].value = row[1].value - dt.timedelta(days=days_earlier)
    return wb
