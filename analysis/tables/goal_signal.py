"""The boards' assessments weighed together (*sammanvägning av nämndernas och bolagens
bedömningar*) per KF goal: a level condensed by a simple, stated rule from the responsible
boards' and companies' assessments and from coverage, with its reasons in Swedish. It is
evidence for the executive board, shown beside its own judgement, never a replacement for
it (the structure's values: dialogue and judgement, not a score). The code calls it the
goal signal; everything a person reads calls it the weighing together.

The rule. Each responsible board counts once per goal, with its movement for the goal
from `coverage.board_movement` (the middle of its contributions' assessments, the less
favourable of the two middle ones when even). Let R be the number of responsible boards,
M those reporting some or clear movement, N those reporting movement in the opposite
direction, and A those whose movement could be assessed (some, clear, none, opposite).
Boards without a contribution, without a follow-up, or without an accepted submission
count in R but never in M or A: missing reports pull the level down.
1. A < R/2                  -> `insufficient`  Underlaget räcker inte
2. M >= 2R/3 and N = 0      -> `moving`        Förflyttning i önskad riktning
3. M >= R/3                 -> `partly_moving` Delvis förflyttning i önskad riktning
4. otherwise                -> `not_moving`    Ingen tydlig förflyttning
Indicators, where boards gave any, are added to the reasons but do not change the level."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.tables.tally import catalogue_maps, stamp

LEVELS = {
    "moving": "Förflyttning i önskad riktning",
    "partly_moving": "Delvis förflyttning i önskad riktning",
    "not_moving": "Ingen tydlig förflyttning",
    "insufficient": "Underlaget räcker inte",
}
NAME = "Sammanvägning av nämndernas och bolagens bedömningar"
BASIS = {
    "insufficient": "färre än hälften av de ansvariga nämnderna och bolagen har en bedömbar förflyttning",
    "moving": "minst två tredjedelar av de ansvariga nämnderna och bolagen rapporterar förflyttning i önskad riktning "
              "och ingen i motsatt riktning",
    "partly_moving": "minst en tredjedel av de ansvariga nämnderna och bolagen rapporterar förflyttning i önskad riktning",
    "not_moving": "färre än en tredjedel av de ansvariga nämnderna och bolagen rapporterar förflyttning i önskad riktning",
}
RULE = (
    "Sammanvägningen av nämndernas och bolagens bedömningar räknar varje ansvarig nämnd och varje ansvarigt bolag en "
    "gång per mål. Underlaget räcker inte om färre än hälften har en bedömbar förflyttning; förflyttning i önskad "
    "riktning om minst två tredjedelar rapporterar viss eller tydlig förflyttning och ingen motsatt riktning; delvis "
    "förflyttning om minst en tredjedel gör det; annars ingen tydlig förflyttning. Sammanvägningen är underlag för "
    "Kommunstyrelsens bedömning och ersätter den inte."
)
# The board categories, in the order the reasons name them: column -> Swedish phrase.
BOARD_CATEGORIES = {
    "boards_moving": "rapporterar viss eller tydlig förflyttning",
    "boards_no_movement": "rapporterar ingen förflyttning",
    "boards_negative": "rapporterar förflyttning i motsatt riktning",
    "boards_not_assessable": "kan inte bedöma förflyttningen",
    "boards_without_follow_up": "saknar uppföljning",
    "boards_without_contribution": "saknar bidrag",
    "boards_rejected": "har fått sin inlämning avvisad",
    "boards_missing": "har inte lämnat in",
}
_BY_MOVEMENT = {"clear": "boards_moving", "some": "boards_moving", "none": "boards_no_movement",
                "negative": "boards_negative", "not_assessable": "boards_not_assessable"}
GOAL_SIGNAL_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "goal_name", "responsible_boards", *BOARD_CATEGORIES,
    "indicators", "indicators_in_desired_direction", "suggested_level", "suggested_level_label", "basis", "reasons",
]


def board_category(board_movement: object, submission_status: object, contributions: int) -> str:
    """Which of BOARD_CATEGORIES a responsible board falls in for a goal."""
    if board_movement in _BY_MOVEMENT:
        return _BY_MOVEMENT[board_movement]
    if submission_status == "rejected":
        return "boards_rejected"
    if submission_status == "missing":
        return "boards_missing"
    return "boards_without_contribution" if contributions == 0 else "boards_without_follow_up"


def suggested_level(responsible: int, moving: int, negative: int, assessable: int) -> str:
    """The rule of the module docstring, in whole numbers."""
    if responsible == 0 or 2 * assessable < responsible:
        return "insufficient"
    if 3 * moving >= 2 * responsible and negative == 0:
        return "moving"
    if 3 * moving >= responsible:
        return "partly_moving"
    return "not_moving"


def _reasons(row: dict) -> str:
    r = row["responsible_boards"]
    first = (f"{row['boards_moving']} av {r} ansvariga nämnder och bolag" if r != 1
             else f"{row['boards_moving']} av 1 ansvarig nämnd eller ansvarigt bolag")
    parts = [f"{first} {BOARD_CATEGORIES['boards_moving']}"]
    parts += [f"{row[c]} {phrase}" for c, phrase in BOARD_CATEGORIES.items() if c != "boards_moving" and row[c]]
    text = "; ".join(parts) + "."
    if row["indicators"]:
        noun = "indikator" if row["indicators"] == 1 else "indikatorer"
        text += f" {row['indicators_in_desired_direction']} av {row['indicators']} {noun} har utvecklats i önskad riktning sedan basåret."
    return text


def goal_signal(catalogue: Catalogue, coverage: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per interim or annual report in `coverage` and KF goal: the responsible boards by
    category (see BOARD_CATEGORIES; the categories add up to `responsible_boards`), the
    indicators with a known direction and those that moved the desired way, the suggested
    level, the criterion it met (`basis`) and the reasons in Swedish."""
    cov = coverage[coverage["responsible"].astype(bool) & coverage["has_follow_up"].notna()]
    counts: dict[tuple, Counter] = {}
    for o, g, m, st, n in zip(cov["occasion"].astype(object), cov["goal_code"].astype(object),
                              cov["board_movement"].astype(object), cov["submission_status"].astype(object), cov["contributions"]):
        counts.setdefault((o, g), Counter())[board_category(m, st, n)] += 1
    judged = indicators[indicators["in_desired_direction"].notna()]
    shown: Counter = Counter()
    desired: Counter = Counter()
    for o, g, ok in zip(judged["occasion"].astype(object), judged["goal_code"].astype(object), judged["in_desired_direction"]):
        shown[(o, g)] += 1
        desired[(o, g)] += bool(ok)
    area_of, _, _ = catalogue_maps(catalogue)
    goal_name = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_name"]))
    records = []
    for (o, g), c in counts.items():
        r = {"occasion": o, "goal_area_code": area_of.get(g), "goal_code": g, "goal_name": goal_name.get(g),
             "responsible_boards": sum(c.values()), **{k: c[k] for k in BOARD_CATEGORIES},
             "indicators": shown[(o, g)], "indicators_in_desired_direction": desired[(o, g)]}
        level = suggested_level(r["responsible_boards"], r["boards_moving"], r["boards_negative"],
                                r["boards_moving"] + r["boards_no_movement"] + r["boards_negative"])
        r.update(suggested_level=level, suggested_level_label=LEVELS[level], basis=BASIS[level], reasons=_reasons(r))
        records.append(r)
    columns = [c for c in GOAL_SIGNAL_COLUMNS if c != "mandate_period"]
    out = pd.DataFrame.from_records(records, columns=columns)
    for c in ("responsible_boards", *BOARD_CATEGORIES, "indicators", "indicators_in_desired_direction"):
        out[c] = out[c].astype("int64")
    for c in ("occasion", "goal_area_code", "goal_code", "goal_name", "suggested_level_label", "basis", "reasons"):
        out[c] = out[c].astype(object)
    out["suggested_level"] = pd.Categorical(out["suggested_level"], categories=list(LEVELS))
    return stamp(out, catalogue)[GOAL_SIGNAL_COLUMNS]
