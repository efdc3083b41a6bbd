"""The example city: fills the real templates as boards would, for every occasion of the
mandate period up to its period end, deterministically from a seed. Assessments drift
over the period, a few contributions are dropped before the end, a few boards are late
or missing, a few attach optional indicators, one board resubmits after a rejected file,
and one file at the period end is left with an error for the office to chase. At the
period end every contribution's follow-up says whether the desired movement was reached,
in line with how it was assessed over the period, and its analysis says why. Everything
is marked Exempeldata.

Like real boards, some answers contradict each other, for the office's dialogue
(analysis.checks.dialogue_rules): a few boards are more optimistic than their work
(outlook without movement), now and then an analysis is sent again as it was, and some
boards leave a goal they are named for without a contribution. Two contradictions are
made on purpose (`contradictions`): one contribution assessed as clear movement while the
indicator the board chose went the other way, and one that stalled at the two follow-ups
before the period end and still ends 'reached'.

The example city stands where the city does in the first months of 2027 (EXAMPLE_CITY_NOW):
the annual report 2026 closes the period 2023–2026 while the boards plan their budgets for
2027 on the new council's goals. At the first budget of a period that continues an earlier
one, each board's template carries its continuing contributions forward (from what it
reported last in the old period, analysis.crosswalk); the board keeps most of them, now and
then rewords one, ends a few by emptying their rows, and adds new contributions, more where
no contribution continues."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from analysis.assignments import ANSWER_COLUMNS, active_assignments
from analysis.catalogue import Catalogue
from analysis.crosswalk import Crosswalk, carried_contributions, is_first_budget
from analysis.excel import save_workbook, set_value
from analysis.files import writing
from analysis.occasion import Occasion
from analysis.boards.template import build_template, fit_rows, goal_choice
from analysis.vocabulary import (
    BASE_MISSION_LABEL, CITY_LABEL, COMPLETED, CURRENT, DISCONTINUED, FINISHED_STATUSES, MOVING, NOT_ASSESSABLE,
    NOT_STARTED, ONGOING, REJECTED, and_list,
)
from analysis.boards.layout import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS_SHEET,
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
# The example city's present: `demo --all` writes no later occasion (the boards are planning
# their budgets for 2027 on the new goals, the annual report 2026 has just closed the old period).
EXAMPLE_CITY_NOW = Occasion(2027, 0, "budget")

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
# The next period's goal areas (2027–2030: health joins safety, climate becomes area 4).
_AREA_ACTIONS = {"2027-2030": {"3": _ACTIONS["3"] + _ACTIONS["4"], "4": _ACTIONS["5"]}}
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
    last_year: int | None = None  # the last year the board works on it; None: to the period's end
    optimism: float = 0.0  # how much brighter the board's outlook is than the state of the work
    # Occasions at which the board reports no movement, whatever the state of the work (a stall).
    stalled: tuple[str, ...] = ()
    # Occasions at which its indicator is reported to have gone against the desired direction.
    indicator_against: tuple[str, ...] = ()

    def active(self, occasion: Occasion) -> bool:
        """Planned in the occasion's year (or before it) and not yet dropped."""
        return self.start_year <= occasion.year and (self.last_year is None or occasion.year <= self.last_year)


def board_plan(catalogue: Catalogue, board_code: str, seed: int = DEFAULT_SEED,
               crosswalk: Crosswalk | None = None) -> list[Contribution]:
    """The contributions a board makes over the mandate period, with their hidden trend
    (and the city's deliberate contradictions, where one falls on this board)."""
    made = contradictions(catalogue, seed)
    return [replace(c, **made.get(c.contribution_id, {})) for c in _natural_plan(catalogue, board_code, seed, crosswalk)]


def _natural_plan(catalogue: Catalogue, board_code: str, seed: int, crosswalk: Crosswalk | None = None
                  ) -> list[Contribution]:
    """The board's contributions as it would plan them. With the crosswalk from the previous
    period: first the contributions the board carries forward from it (continuing_plan),
    then new ones, numbered after every id the board used in the previous period."""
    if crosswalk is None:
        return _new_contributions(catalogue, board_code, seed)
    carried = continuing_plan(crosswalk, board_code, seed)
    old = board_plan(crosswalk.previous, board_code, seed)
    used = max((int(c.contribution_id.rsplit("-", 1)[1]) for c in old), default=0)
    return carried + _new_contributions(catalogue, board_code, seed, used, {c.goal_code for c in carried})


def _new_contributions(catalogue: Catalogue, board_code: str, seed: int, used: int = 0,
                       covered: set[str] = frozenset()) -> list[Contribution]:
    """New contributions over the period, numbered after `used`; to a goal in `covered` (one
    a carried contribution already serves) a second one only now and then."""
    rng = _rng(seed, "plan", catalogue.mandate_period, board_code)
    goals = catalogue.goals_for(board_code)
    actions = {**_ACTIONS, **_AREA_ACTIONS.get(catalogue.mandate_period, {})}
    plan: list[Contribution] = []
    n = used
    for goal in goals.itertuples():
        if goal.goal_code in covered:
            if rng.random() < 0.75:
                continue
        # Goals for all boards draw contributions from some boards only, and a few named
        # boards leave a goal uncovered: the coverage (träffbild) then shows a gap.
        elif goal.for_all_boards and rng.random() < 0.45:
            continue
        elif not goal.for_all_boards and rng.random() < 0.08:
            continue
        for _ in range(1 if goal.goal_code in covered or rng.random() < 0.7 else 2):
            n += 1
            action = rng.choice(actions.get(goal.goal_area_code) or [a for acts in actions.values() for a in acts])
            late = rng.random() >= 0.8 and catalogue.last_year - catalogue.first_year >= 2  # a short period starts all at once
            start = rng.randint(catalogue.first_year + 1, catalogue.last_year - 1) if late else catalogue.first_year
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
                # A few are dropped in a later year's budget; their follow-ups end there.
                last_year=rng.randint(start, catalogue.last_year - 1) if rng.random() < 0.06 and start < catalogue.last_year else None,
                optimism=0.7 if rng.random() < 0.15 else 0.0,
            ))
    return plan


def reported(catalogue: Catalogue, board_code: str, seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the processed tables hold of the board's submissions over the period once the
    example city's files are ingested: its submissions (occasion, mandate_period,
    board_code, status; one per occasion it sent, the one at the period end rejected for the
    board whose file there keeps its mistake) and the contributions of its accepted ones
    (with their rows on the contributions sheet)."""
    plan = board_plan(catalogue, board_code, seed)
    subs, rows = [], []
    for o in catalogue.occasions_to_period_end:
        if is_missing(o, board_code, seed):
            continue
        rejected = catalogue.is_period_end(o) and board_code == uncorrected_board(catalogue, seed)
        subs.append({"occasion": o.code, "mandate_period": catalogue.mandate_period, "board_code": board_code,
                     "status": REJECTED if rejected else CURRENT})
        if rejected:
            continue
        known = known_contributions(plan, o)
        listed = [*known["contribution_id"], *(c.contribution_id for c in plan
                                               if c.active(o) and c.contribution_id not in set(known["contribution_id"]))]
        by_id = {c.contribution_id: c for c in plan}
        for r, cid in enumerate(listed, FIRST_DATA_ROW):
            rows.append({"occasion": o.code, "mandate_period": catalogue.mandate_period, "board_code": board_code,
                         "excel_row": r, **{f.key: getattr(by_id[cid], f.key) for f in CONTRIBUTION_FIELDS}})
    return (pd.DataFrame(subs, columns=["occasion", "mandate_period", "board_code", "status"]),
            pd.DataFrame(rows, columns=["occasion", "mandate_period", "board_code", "excel_row",
                                        *(f.key for f in CONTRIBUTION_FIELDS)]))


def carried_rows(crosswalk: Crosswalk, board_code: str, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The rows the board's template carries forward into the new period, made as the
    template command makes them, from what the board reported in the previous period."""
    submissions, contributions = reported(crosswalk.previous, board_code, seed)
    return carried_contributions(crosswalk, submissions, contributions, board_code)


def continuing_plan(crosswalk: Crosswalk, board_code: str, seed: int = DEFAULT_SEED) -> list[Contribution]:
    """The carried contributions the board keeps in the new period: most as they were, now
    and then reworded, a few ended (their rows emptied). Each keeps its id and its hidden
    trend, under its new goal, from the new period's first year."""
    old = {c.contribution_id: c for c in board_plan(crosswalk.previous, board_code, seed)}
    catalogue = crosswalk.current
    area_of = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_area_code"]))
    name_of = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_name"]))
    kept = []
    for rec in carried_rows(crosswalk, board_code, seed).itertuples():
        rng = _rng(seed, "carry", catalogue.mandate_period, board_code, rec.contribution_id)
        choice = rng.random()
        if choice < 0.12:
            continue  # ended with the old period: the board empties the row
        c = old[rec.contribution_id]
        title = c.title if choice < 0.85 else f"{c.title} – nästa steg"
        others = set(catalogue.responsibilities.loc[catalogue.responsibilities["goal_code"] == rec.goal_code, "board_code"])
        partners = ", ".join(p for p in (c.partner_boards or "").split(", ") if p in others - {board_code}) or None
        kept.append(replace(
            c, goal_code=rec.goal_code, goal_area=area_of[rec.goal_code], start_year=catalogue.first_year, last_year=None,
            title=title,
            expected_movement=c.expected_movement if choice < 0.85 else (
                f"Genom {title.lower()} förväntas fler Malmöbor omfattas, vilket bidrar till målet "
                f"'{name_of[rec.goal_code].lower()}'."),
            plan_year=f"Fortsätta {c.title.lower()} och utvidga arbetet till minst {rng.randint(2, 6)} stadsdelar.",
            partner_boards=partners,
        ))
    return kept


def known_contributions(plan: list[Contribution], occasion: Occasion) -> pd.DataFrame:
    """What the board had submitted before this occasion and still works on: for a
    budget, contributions started in earlier years; for a follow-up, also this year's."""
    rows = [c for c in plan if c.active(occasion) and (c.start_year < occasion.year or occasion.is_follow_up)]
    return _as_frame(rows)


def _as_frame(contributions: list[Contribution]) -> pd.DataFrame:
    keys = [f.key for f in CONTRIBUTION_FIELDS]
    return pd.DataFrame([{k: getattr(c, k) for k in keys} for c in contributions], columns=keys)


@dataclass(frozen=True)
class Assessment:
    level: float  # the hidden state of the work at the occasion
    movement: str
    outlook: str


def assessment(c: Contribution, occasion: Occasion, catalogue: Catalogue, seed: int = DEFAULT_SEED) -> Assessment:
    """How the board assesses the contribution at a follow-up: its trend plus noise of its
    own (so any earlier occasion's assessment can be told again at the period end)."""
    rng = _rng(seed, "assessment", occasion.code, c.contribution_id)
    step = (occasion.year - catalogue.first_year) + (0.5 if occasion.kind == "ar" else 0.0)
    level = c.base + c.trend * step + rng.gauss(0, 0.25)
    if rng.random() < 0.05:
        movement = NOT_ASSESSABLE
    else:
        movement = "clear" if level > 0.9 else "some" if level > 0.3 else "none" if level > -0.2 else "negative"
    if occasion.code in c.stalled:
        movement = "none"
    hope = level + c.optimism
    outlook = "uncertain" if rng.random() < 0.07 else "likely" if hope > 0.8 else "partly" if hope > 0.1 else "unlikely"
    return Assessment(level, movement, outlook)




def _reached(path: list[Assessment]) -> str:
    """Whether the desired movement was reached, from the assessments of every follow-up:
    a clear state at the end and movement in at least half of them; not reached where it
    has not moved."""
    moving = sum(a.movement in MOVING for a in path)
    if path[-1].level > 0.9 and 2 * moving >= len(path):
        return "reached"
    if path[-1].level > 0.2 or 3 * moving >= len(path):
        return "partly_reached"
    return "not_reached"


def _path(c: Contribution, board_code: str, occasion: Occasion, catalogue: Catalogue, seed: int) -> list[Assessment]:
    """The contribution's assessments at every follow-up up to the occasion that the board sent."""
    return [assessment(c, o, catalogue, seed) for o in catalogue.occasions
            if o.is_follow_up and o <= occasion and c.active(o) and not is_missing(o, board_code, seed)]


_CONTRADICTIONS: dict[tuple[int, int], tuple[Catalogue, dict[str, dict]]] = {}


def contradictions(catalogue: Catalogue, seed: int = DEFAULT_SEED) -> dict[str, dict]:
    """The example city's deliberate contradictions, by contribution id: the fields of the
    contribution to set. One contribution with an indicator is assessed as clear movement
    at a follow-up while its indicator is reported below its baseline; one contribution
    reports no movement at the two follow-ups before the period end and still ends
    'reached' at it (moving in at least half of its follow-ups, so its own analysis holds).
    Each is the first that fits in an order drawn from the seed, among boards that send
    an accepted file at those occasions."""
    hit = _CONTRADICTIONS.get((id(catalogue), seed))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    boards = list(catalogue.board_codes)
    refused = {resubmitting_board(catalogue, seed), uncorrected_board(catalogue, seed)}
    candidates = [(b, c) for b in boards if b not in refused for c in _natural_plan(catalogue, b, seed)]
    _rng(seed, "contradictions").shuffle(candidates)
    made: dict[str, dict] = {}
    end = catalogue.period_end_occasion
    follow_ups = [o for o in catalogue.occasions if o.is_follow_up and o < end]
    before = follow_ups[-2:] if end is not None and len(follow_ups) >= 2 else []
    for board, c in candidates:
        if not before or not c.active(end) or any(not c.active(o) or is_missing(o, board, seed) for o in (*before, end)):
            continue
        stalled = replace(c, stalled=tuple(o.code for o in before))
        if _reached(_path(stalled, board, end, catalogue, seed)) == "reached":
            made[c.contribution_id] = {"stalled": stalled.stalled}
            break
    for board, c in candidates:
        if not c.has_indicator or c.contribution_id in made:
            continue
        clear = [o for o in catalogue.occasions if o.is_follow_up and c.active(o) and not is_missing(o, board, seed)
                 and assessment(c, o, catalogue, seed).movement == "clear"]
        if clear:
            made[c.contribution_id] = {"indicator_against": (clear[len(clear) // 2].code,)}
            break
    _CONTRADICTIONS[(id(catalogue), seed)] = (catalogue, made)
    return made


def period_analysis(c: Contribution, board_code: str, occasion: Occasion, catalogue: Catalogue,
                    seed: int = DEFAULT_SEED) -> tuple[str, str]:
    """At the period end: whether the desired movement was reached, and the whole-period
    analysis that says why, from the contribution's assessments at every follow-up the
    board sent. Reached needs a clear state at the end and movement in at least half of
    the follow-ups; a contribution that has not moved does not read 'reached'."""
    path = _path(c, board_code, occasion, catalogue, seed)
    moving = [a.movement in MOVING for a in path]
    n, m = len(path), sum(moving)
    half = n // 2
    reached = _reached(path)
    if m == 0:
        course = f"Bidraget har inte visat någon förflyttning vid periodens {n} uppföljningar"
    elif half and not any(moving[:half]) and any(moving[half:]):
        course = (f"Förflyttningen kom först under periodens senare del (viss eller tydlig förflyttning vid {m} av {n} "
                  "uppföljningar), när arbetssättet hade etablerats")
    elif half and any(moving[:half]) and not any(moving[half:]):
        course = (f"Förflyttningen under periodens första del avstannade (viss eller tydlig förflyttning vid {m} av {n} "
                  "uppföljningar)")
    else:
        course = f"Bidraget har visat viss eller tydlig förflyttning vid {m} av {n} uppföljningar under perioden"
    conclusion = {
        "reached": "Önskad förflyttning bedöms ha nåtts och arbetssättet ingår nu i ordinarie verksamhet.",
        "partly_reached": "Önskad förflyttning har delvis nåtts; arbetet behöver fortsätta under nästa period.",
        "not_reached": "Önskad förflyttning har inte nåtts; orsakerna analyseras inför nästa mandatperiod.",
    }[reached]
    return reached, f"Mandatperiodsanalys: {course}. {conclusion}"


_ASSIGNMENT_COMMENTS = {
    NOT_STARTED: ["Arbetet planeras och startar under året.", "Uppdraget har fördelats inom förvaltningen; arbetet startar efter sommaren."],
    ONGOING: ["Arbetet pågår enligt plan; en delrapport har lämnats till nämnden.",
              "Kartläggningen är klar och åtgärder tas fram tillsammans med berörda förvaltningar.",
              "Arbetet har försenats av rekryteringsläget men pågår.",
              "Samråd har hållits med berörda nämnder och bolag; förslag tas fram under hösten."],
    COMPLETED: ["Uppdraget är slutfört och redovisat till kommunstyrelsen.",
                "Planen är antagen av nämnden och arbetet ingår nu i ordinarie verksamhet."],
    DISCONTINUED: ["Uppdraget avslutas utan att slutföras: förutsättningarna ändrades när statsbidraget upphörde, "
                   "och arbetet prioriterades om i dialog med kommunstyrelsen."],
}
_PARTICIPANT_COMMENTS = ["Nämnden bidrar med underlag och deltar i den gemensamma arbetsgruppen.",
                         "Förvaltningen deltar i samverkan och har tagit fram sin del av underlaget."]


def assignment_path(catalogue: Catalogue, assignment_id: str, seed: int = DEFAULT_SEED) -> tuple[Occasion | None, str]:
    """When the example city finishes a council assignment, and how: the follow-up at
    which it is reported finished (None: not within the period) and whether it was
    completed or discontinued. Most are finished in their due year, some a follow-up
    or a year before, some late (overdue first), a few not within the period; ongoing ones never."""
    a = catalogue.assignments.set_index("assignment_id").loc[assignment_id]
    rng = _rng(seed, "assignment", catalogue.mandate_period, assignment_id)
    if pd.isna(a["due_year"]):
        return None, COMPLETED
    due, first = int(a["due_year"]), Occasion(int(a["given_year"]), 1, "delar")
    options = [(f"{due - 1}-ar", 0.1), (f"{due}-delar", 0.2), (f"{due}-ar", 0.4), (f"{due + 1}-delar", 0.12),
               (f"{due + 1}-ar", 0.06), (None, 0.12)]
    # A follow-up of this period (an assignment carried over from the previous one finishes in this one).
    first = max(first, Occasion(catalogue.first_year, 1, "delar"))
    options = [(Occasion.parse(c) if c else None, w) for c, w in options
               if c is None or (Occasion.parse(c).year <= catalogue.last_year and Occasion.parse(c) >= first)]
    finish = rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]
    return finish, DISCONTINUED if _rng(seed, "dropped", assignment_id).random() < 0.15 else COMPLETED


def assignment_status(catalogue: Catalogue, assignment_id: str, occasion: Occasion, seed: int = DEFAULT_SEED) -> str:
    """The assignment's state at the occasion, as each of its boards reports it: not started
    in the budget that gives it (now and then already under way), under way at each
    follow-up until the one where it is finished, finished from then on."""
    finish, how = assignment_path(catalogue, assignment_id, seed)
    if finish is not None and occasion >= finish:
        return how
    if not occasion.is_follow_up:
        given = int(catalogue.assignments.set_index("assignment_id").loc[assignment_id, "given_year"])
        carried_over = given < catalogue.first_year  # under way since the previous period
        return ONGOING if carried_over or _rng(seed, "started", assignment_id).random() < 0.3 else NOT_STARTED
    return ONGOING


def assignment_answers(catalogue: Catalogue, board_code: str, before: Occasion, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """What the board answered on its council assignments at each occasion of the period
    before `before` that it reported at (occasion, board_code, assignment_id, status): what
    the template of `before` is made from, as the processed tables would hold it."""
    rows: list[tuple] = []
    for o in catalogue.occasions:
        if o >= before:
            break
        if is_missing(o, board_code, seed):
            continue
        earlier = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
        for aid in active_assignments(catalogue, o, board_code, earlier)["assignment_id"]:
            rows.append((o.code, board_code, aid, assignment_status(catalogue, aid, o, seed)))
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def _fill_assignments(ws, catalogue: Catalogue, occasion: Occasion, rng: random.Random, seed: int) -> None:
    """Answer every listed council assignment: status, expected completion, a short comment."""
    col = {f.key: i for i, f in enumerate(ASSIGNMENT_COLUMNS, 1)}
    labels = catalogue.scales["assignment_status"]
    info = catalogue.assignments.set_index("assignment_id")
    r = FIRST_DATA_ROW
    while ws.cell(r, col["assignment_id"]).value:
        aid = ws.cell(r, col["assignment_id"]).value
        status = assignment_status(catalogue, aid, occasion, seed)
        finish, _ = assignment_path(catalogue, aid, seed)
        due = info.loc[aid, "due_year"]
        lead = ws.cell(r, col["role"]).value == "Ansvarig"
        if status in FINISHED_STATUSES:
            expected = occasion.year
        elif pd.isna(due):
            expected = None
        else:
            expected = max(int(due), occasion.year, finish.year if finish is not None else catalogue.last_year + 1)
        ws.cell(r, col["status"]).value = labels.label(status)
        ws.cell(r, col["expected_completion"]).value = expected
        comment = rng.choice(_ASSIGNMENT_COMMENTS[status] if lead or status == DISCONTINUED else _PARTICIPANT_COMMENTS)
        ws.cell(r, col["comment"]).value = comment
        r += 1


def fill_submission(
    catalogue: Catalogue, occasion: Occasion, board_code: str, plan: list[Contribution], seed: int = DEFAULT_SEED,
    carried: pd.DataFrame | None = None,
) -> Workbook:
    """The template for the board and occasion, filled in as the board would. `carried`:
    the rows its template carries forward from the previous period (carried_rows), at the
    first budget of a period that continues one; each is kept as the plan has it or emptied."""
    rng = _rng(seed, "fill", occasion.code, board_code)
    known = known_contributions(plan, occasion)
    wb = build_template(catalogue, occasion, board_code, known, assignment_answers(catalogue, board_code, occasion, seed),
                        carried)
    scales = catalogue.scales
    by_id = {c.contribution_id: c for c in plan}
    active = [c for c in plan if c.active(occasion)]
    new = [c for c in active if c.contribution_id not in set(known["contribution_id"])]
    carried_ids = list(carried["contribution_id"]) if carried is not None else []

    details = wb[DETAILS_SHEET]
    labels = {f.header: f.key for f in DETAILS_FIELDS}
    deadline = catalogue.deadline(occasion)
    late = rng.random() < 0.08
    submitted = deadline + dt.timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 20))
    for row in details.iter_rows(min_row=HEADER_ROW, max_col=2):
        key = labels.get(row[0].value)
        if key == "contact":
            set_value(row[1], rng.choice(_CONTACTS))
        elif key == "email":
            set_value(row[1], f"{board_code.lower()}.rapportering@malmo.se")
        elif key == "submitted_on":
            set_value(row[1], submitted)

    # The rows carried forward from the previous period: kept as the plan has them, or emptied.
    ws = wb[CONTRIBUTIONS_SHEET]
    for r, cid in enumerate(carried_ids, FIRST_DATA_ROW + len(known)):
        for col, f in enumerate(CONTRIBUTION_FIELDS, 1):
            c = by_id.get(cid)
            value = None if c is None else getattr(c, f.key)
            set_value(ws.cell(r, col), goal_choice(c.goal_code, _goal_name(catalogue, c.goal_code)) if c and f.key == "goal_code" else value)
    # New contributions go on the blank rows after the pre-filled ones.
    added = [c for c in new if c.contribution_id not in carried_ids]
    for r, c in enumerate(added, FIRST_DATA_ROW + len(known) + len(carried_ids)):
        for col, f in enumerate(CONTRIBUTION_FIELDS, 1):
            value = getattr(c, f.key)
            set_value(ws.cell(r, col), goal_choice(c.goal_code, _goal_name(catalogue, c.goal_code)) if f.key == "goal_code" else value)

    assessed = {c.contribution_id: assessment(c, occasion, catalogue, seed) for c in active}
    if occasion.is_follow_up and FOLLOW_UPS_SHEET in wb.sheetnames:
        period_end = catalogue.is_period_end(occasion)
        fields = follow_up_fields(period_end)
        col = {f.key: i for i, f in enumerate(fields, 1)}
        ws = wb[FOLLOW_UPS_SHEET]
        for r, cid in enumerate(known["contribution_id"], FIRST_DATA_ROW):
            c, a = by_id[cid], assessed[cid]
            set_value(ws.cell(r, col["movement"]), scales["movement"].label(a.movement))
            set_value(ws.cell(r, col["outlook"]), scales["outlook"].label(a.outlook))
            analysis = " ".join(rng.sample(_MOVEMENT_REASONS, 2))
            if period_end:
                reached, whole_period = period_analysis(c, board_code, occasion, catalogue, seed)
                set_value(ws.cell(r, col["reached"]), scales["reached"].label(reached))
                analysis = f"{analysis} {whole_period}"
            elif rng.random() < 0.06:
                analysis = "Pågår enligt plan."  # a short analysis, flagged for the analysts
            set_value(ws.cell(r, col["analysis"]), f"{c.title}: {analysis}")
            set_value(ws.cell(r, col["evidence_type"]), scales["evidence_type"].label(rng.choice(scales["evidence_type"].codes)))
            set_value(ws.cell(r, col["evidence"]), rng.choice(_EVIDENCE))

    ws = wb[HUMAN_RIGHTS_SHEET]
    themes = scales["theme"]
    r = FIRST_DATA_ROW
    for cid in [*known["contribution_id"], BASE_MISSION]:
        area = by_id[cid].goal_area if cid in by_id else None
        for theme in themes.codes:
            _fill_hr(ws, r, rng, scales, _rarely_considered(seed, area, theme))
            r += 1
    for c in new:
        for theme, label in zip(themes.codes, themes.labels):
            set_value(ws.cell(r, 1), c.contribution_id)
            set_value(ws.cell(r, 2), label)
            _fill_hr(ws, r, rng, scales, _rarely_considered(seed, c.goal_area, theme))
            r += 1

    if occasion.is_follow_up and INDICATORS_SHEET in wb.sheetnames:
        ws = wb[INDICATORS_SHEET]
        r = FIRST_DATA_ROW
        for c in active:
            if not c.has_indicator:
                continue
            name, unit, direction, baseline = _INDICATORS[zlib.crc32(c.contribution_id.encode()) % len(_INDICATORS)]
            sign = 1 if direction == "increase" else -1
            value = round(baseline * (1 + sign * 0.04 * assessed[c.contribution_id].level * (occasion.year - catalogue.first_year + 1)), 1)
            if occasion.code in c.indicator_against:
                value = round(baseline * (1 - sign * 0.03), 1)
            row = {"contribution_id": c.contribution_id, "indicator": name, "unit": unit,
                   "direction": scales["direction"].label(direction), "baseline_year": catalogue.first_year - 1,
                   "baseline_value": baseline, "value_year": occasion.year, "value": value, "source": "Egen uppföljning"}
            for col, f in enumerate(INDICATOR_FIELDS, 1):
                set_value(ws.cell(r, col), row[f.key])
            r += 1

    if ASSIGNMENTS_SHEET in wb.sheetnames:
        _fill_assignments(wb[ASSIGNMENTS_SHEET], catalogue, occasion, _rng(seed, "assignments", occasion.code, board_code), seed)
    fit_rows(wb)
    return wb


def _goal_name(catalogue: Catalogue, goal_code: str) -> str:
    return str(catalogue.goals.loc[catalogue.goals["goal_code"] == goal_code, "goal_name"].iloc[0])


def _rarely_considered(seed: int, goal_area: str | None, theme: str) -> bool:
    """In a few goal areas a theme is seldom considered: a lesson for the next period."""
    return goal_area is not None and _rng(seed, "rarely", goal_area, theme).random() < 0.15


def _fill_hr(ws, r: int, rng: random.Random, scales, rarely: bool = False) -> None:
    weights = [0.15, 0.5, 0.35] if rarely else [0.7, 0.15, 0.15]
    code = rng.choices(["considered", "not_considered", "not_relevant"], weights=weights)[0]
    set_value(ws.cell(r, 3), scales["consideration"].label(code))
    set_value(ws.cell(r, 4), rng.choice(_HR_COMMENTS[code]))


_FILE_NAMES = ["{name} {label}.xlsx", "{code}_{occasion}.xlsx", "{occasion} {name}.xlsx", "Rapport {label} {code}.xlsx"]


def file_name(catalogue: Catalogue, occasion: Occasion, board_code: str, seed: int = DEFAULT_SEED) -> str:
    """Boards name their files as they like; the workbench reads board and occasion from the details sheet."""
    pattern = _rng(seed, "name", board_code).choice(_FILE_NAMES)
    label = occasion.submission_label(catalogue.board_kind(board_code))
    return pattern.format(name=catalogue.board_name(board_code), label=label, code=board_code, occasion=occasion.code)


def is_missing(occasion: Occasion, board_code: str, seed: int = DEFAULT_SEED) -> bool:
    """A few boards do not send anything for an occasion."""
    return occasion.code != "2023-budget" and _rng(seed, "missing", occasion.code, board_code).random() < 0.04


def resubmitting_board(catalogue: Catalogue, seed: int = DEFAULT_SEED) -> str:
    """The board that sends a file with a mistake at 2025-ar, then a corrected one."""
    boards = catalogue.board_codes
    return boards[_rng(seed, "resubmit").randrange(len(boards))]


def uncorrected_board(catalogue: Catalogue, seed: int = DEFAULT_SEED) -> str:
    """The board whose file at the period end has a mistake that is still uncorrected."""
    boards = catalogue.board_codes
    return boards[_rng(seed, "uncorrected").randrange(len(boards))]


@dataclass
class DemoOutcome:
    written: list[Path]
    skipped: list[Path]
    missing: list[str]


def write_demo(catalogue: Catalogue, occasion: Occasion, folder: Path, seed: int = DEFAULT_SEED,
               crosswalk: Crosswalk | None = None) -> DemoOutcome:
    """Write the example city's submissions for one occasion. Existing files are left
    untouched: raw data is never modified. `crosswalk`: from the previous period, when the
    catalogue continues one (the boards' plans carry their contributions forward)."""
    outcome = DemoOutcome([], [], [])
    boards = catalogue.board_codes
    resubmitter, uncorrected = resubmitting_board(catalogue, seed), uncorrected_board(catalogue, seed)
    for board in boards:
        if is_missing(occasion, board, seed):
            outcome.missing.append(board)
            continue
        plan = board_plan(catalogue, board, seed, crosswalk)
        carried = carried_rows(crosswalk, board, seed) if crosswalk is not None and is_first_budget(catalogue, occasion) else None
        versions = [fill_submission(catalogue, occasion, board, plan, seed, carried)]
        if occasion.code == "2025-ar" and board == resubmitter:
            versions.insert(0, _with_mistake(fill_submission(catalogue, occasion, board, plan, seed, carried), days_earlier=5))
        if catalogue.is_period_end(occasion) and board == uncorrected:
            versions = [_with_mistake(versions[0], days_earlier=0)]
        base = file_name(catalogue, occasion, board, seed)
        for i, wb in enumerate(versions):
            name = base if i == len(versions) - 1 else base.replace(".xlsx", " (första versionen).xlsx")
            path = folder / name
            if path.exists():
                outcome.skipped.append(path)
                continue
            with writing(f"exempelarbetsboken {path}"):
                save_workbook(wb, path)
            outcome.written.append(path)
    return outcome


def _with_mistake(wb: Workbook, days_earlier: int) -> Workbook:
    """A slip boards make: a free-text answer where a coded one is expected."""
    ws = wb[CONTRIBUTIONS_SHEET] if FOLLOW_UPS_SHEET not in wb.sheetnames else wb[FOLLOW_UPS_SHEET]
    column = 4 if FOLLOW_UPS_SHEET in wb.sheetnames else 2
    set_value(ws.cell(FIRST_DATA_ROW, column), "Bra" if column == 4 else "9.9 Mål som inte finns")
    details = wb[DETAILS_SHEET]
    for row in details.iter_rows(min_row=HEADER_ROW, max_col=2):
        if row[0].value == "Inlämningsdatum" and isinstance(row[1].value, dt.date):
            set_value(row[1], row[1].value - dt.timedelta(days=days_earlier))
    return wb


# --- the executive board's words --------------------------------------------------------------

_GOAL_OPENINGS = {
    "clear": ["Kommunstyrelsen bedömer att staden tydligt har rört sig mot målet.",
              "Staden har enligt Kommunstyrelsens bedömning tagit tydliga steg mot målet."],
    "some": ["Kommunstyrelsen bedömer att staden har rört sig något mot målet.",
             "Staden rör sig mot målet, men förflyttningen är ännu begränsad."],
    "none": ["Kommunstyrelsen bedömer att staden inte har rört sig mot målet.",
             "Förflyttningen mot målet har enligt Kommunstyrelsens bedömning uteblivit."],
    "negative": ["Kommunstyrelsen bedömer att utvecklingen har gått i motsatt riktning mot målet.",
                 "Utvecklingen har enligt Kommunstyrelsens bedömning gått åt fel håll."],
}
_REACHED_SENTENCES = {
    "reached": "Kommunstyrelsen bedömer att önskad förflyttning har nåtts under mandatperioden.",
    "partly_reached": "Kommunstyrelsen bedömer att önskad förflyttning delvis har nåtts; arbetet behöver fortsätta under "
                      "nästa mandatperiod.",
    "not_reached": "Kommunstyrelsen bedömer att önskad förflyttning inte har nåtts; orsakerna ska analyseras inför nästa "
                   "mandatperiod.",
}
_THEME_TEXTS = {
    "child_rights": "Barnrättsperspektivet syns allt oftare i nämndernas och bolagens analyser. Barns egna röster behöver "
                    "tas till vara mer systematiskt, särskilt i den fysiska planeringen.",
    "gender_equality": "Könsuppdelad statistik används i de flesta målområden, men den leder ännu sällan till ändrade "
                       "prioriteringar. Kommunstyrelsen vill se fler jämställdhetsanalyser som påverkar insatserna.",
    "equality": "Jämlikhetsperspektivet är tydligast inom hälsa och trygghet. Skillnaderna mellan stadens områden behöver "
                "följas upp med gemensamma indikatorer.",
    "anti_discrimination": "Arbetet mot diskriminering redovisas ojämnt. Kommunstyrelsen ser ett behov av gemensamt stöd till "
                           "nämnderna och bolagen i hur arbetet analyseras och följs upp.",
}
_BASE_MISSION_TEXT = ("Nämnderna och bolagen beaktar temana i grunduppdraget i ökande grad. Det behöver också synas i "
                      "budgetarnas prioriteringar och i hur verksamheterna följs upp.")


def _movement_of(level: float) -> str:
    """A hidden level as the movement it shows (the thresholds the boards' assessments use)."""
    return "clear" if level > 0.9 else "some" if level > 0.3 else "none" if level > -0.2 else "negative"


def _reached_of(outcomes: list[str]) -> str:
    """The goal's outcome over the period from its contributions': reached where at least
    half reached it, partly where at least half reached it at least in part."""
    reached = sum(o == "reached" for o in outcomes)
    partly = sum(o == "partly_reached" for o in outcomes)
    if 2 * reached >= len(outcomes):
        return "reached"
    return "partly_reached" if 2 * (reached + partly) >= len(outcomes) else "not_reached"


def _lower_first(text: str) -> str:
    """A contribution's title inside a sentence: 'Lovskola och …' -> 'lovskola och …'."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def example_judgement(catalogue: Catalogue, occasion: Occasion, seed: int = DEFAULT_SEED,
                      crosswalk: Crosswalk | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """What the example city's executive board writes in its judgement workbook at a
    follow-up (analysis.report.judgement.Words): a text for the whole city; an assessment
    of the movement and a text for each goal area and KF goal, from the hidden state of the
    contributions the boards follow up (as a board would weigh its own); at the period end
    whether the desired movement has been reached, from each contribution's outcome; a text
    for each human-rights theme and the base mission. Deterministic from the seed."""
    scales = catalogue.scales
    period_end = catalogue.is_period_end(occasion)
    levels: dict[str, list[tuple[float, str]]] = {}  # goal -> (hidden level, title) of each contribution followed up
    outcomes: dict[str, list[str]] = {}
    for board in catalogue.board_codes:
        if is_missing(occasion, board, seed):
            continue
        for c in board_plan(catalogue, board, seed, crosswalk):
            if not c.active(occasion):
                continue
            levels.setdefault(c.goal_code, []).append((assessment(c, occasion, catalogue, seed).level, c.title))
            if period_end:
                outcomes.setdefault(c.goal_code, []).append(_reached(_path(c, board, occasion, catalogue, seed)))
    goal_level = {g: sum(v for v, _ in found) / len(found) for g, found in levels.items()}

    goals: dict[str, dict[str, str]] = {}
    for goal in catalogue.goals.itertuples():
        rng = _rng(seed, "judgement", occasion.code, goal.goal_code)
        found = sorted(levels.get(goal.goal_code, []), reverse=True)
        if not found:
            goals[goal.goal_code] = {
                "assessment": scales["movement"].label(NOT_ASSESSABLE),
                "wording": "Inga bidrag till målet följs upp vid tillfället, så förflyttningen kan inte bedömas. "
                           "Kommunstyrelsen ger de ansvariga nämnderna och bolagen i uppdrag att planera bidrag."}
            continue
        movement = _movement_of(goal_level[goal.goal_code])
        titles = list(dict.fromkeys(_lower_first(title) for _, title in found))
        if movement in MOVING:
            carried = f"Förflyttningen bärs främst av {and_list(titles[:2])}."
        else:
            carried = (f"Arbetet med {titles[-1]} behöver förstärkas, och de ansvariga nämnderna och bolagen behöver "
                       "samverka tydligare.")
        said = {"assessment": scales["movement"].label(movement),
                "wording": f"{rng.choice(_GOAL_OPENINGS[movement])} {carried}"}
        if period_end:
            reached = _reached_of(outcomes[goal.goal_code])
            said["reached"] = scales["reached"].label(reached)
            said["wording"] += f" {_REACHED_SENTENCES[reached]}"
        goals[goal.goal_code] = said

    areas: dict[str, dict[str, str]] = {}
    area_level: dict[str, float] = {}
    for area in catalogue.goal_areas.itertuples():
        mine = catalogue.goals[catalogue.goals["goal_area_code"] == area.goal_area_code]
        judged = [(goal_level[g], g) for g in mine["goal_code"] if g in goal_level]
        if not judged:
            areas[area.goal_area_code] = {"assessment": scales["movement"].label(NOT_ASSESSABLE),
                                          "wording": "Inga bidrag i målområdet följs upp vid tillfället."}
            continue
        area_level[area.goal_area_code] = sum(v for v, _ in judged) / len(judged)
        movement = _movement_of(area_level[area.goal_area_code])
        best, worst = max(judged), min(judged)
        text = f"{_GOAL_OPENINGS[movement][0].replace('mot målet', 'inom målområdet')}"
        if best[1] != worst[1]:
            text += f" Förflyttningen är tydligast för KF-mål {best[1]} och svagast för KF-mål {worst[1]}."
        areas[area.goal_area_code] = {"assessment": scales["movement"].label(movement), "wording": text}

    names = dict(zip(catalogue.goal_areas["goal_area_code"], catalogue.goal_areas["goal_area_name"]))
    moving = sum(_movement_of(v) in MOVING for v in goal_level.values())
    city = (f"Kommunstyrelsen bedömer att Malmö stad vid {occasion.label} rör sig mot kommunfullmäktiges mål inom "
            f"{moving} av {len(catalogue.goals)} KF-mål.")
    if area_level:
        best, worst = max(area_level, key=area_level.get), min(area_level, key=area_level.get)
        city += (f" Förflyttningen är tydligast inom målområde {best} ({names[best]}) och svagast inom målområde "
                 f"{worst} ({names[worst]}).")
    if period_end:
        reached = sum(_reached_of(o) == "reached" for o in outcomes.values())
        city += (f" Under mandatperioden {catalogue.mandate_period} har önskad förflyttning nåtts för {reached} av "
                 f"{len(catalogue.goals)} KF-mål.")
    city += (" Samverkan mellan nämnder och bolag har fördjupats, men uppföljningen behöver i högre grad bygga på "
             "gemensamma indikatorer.")

    themes = scales["theme"]
    human_rights = {label: {"wording": _THEME_TEXTS.get(code, f"{label}: temat har beaktats i flera av nämndernas och "
                                                              "bolagens analyser; uppföljningen behöver bli mer systematisk.")}
                    for code, label in zip(themes.codes, themes.labels)}
    human_rights[BASE_MISSION_LABEL] = {"wording": _BASE_MISSION_TEXT}
    return {"level": {CITY_LABEL: {"wording": city}}, "goal_area_code": areas, "goal_code": goals, "subject": human_rights}
