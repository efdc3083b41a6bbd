"""The city-wide summary per goal area: how many KF goals it has, how its follow-ups were
assessed, and how many of its goals got each level of the weighing together of the
boards' assessments (goal_signal)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import MOVING
from analysis.tables.goal_signal import LEVELS
from analysis.tables.tally import as_list, stamp

GOAL_AREA_SUMMARY_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_area_name", "goals", "follow_ups", "answers", "moving",
    "moving_share", "assessed_share", *(f"signal_{level}" for level in LEVELS),
]


def goal_area_summary(catalogue: Catalogue, occasions: Occasion | Sequence[Occasion], movement_by_goal_area: pd.DataFrame,
                      goal_signal: pd.DataFrame) -> pd.DataFrame:
    """Per occasion and goal area: KF goals; follow-ups, those with an assessment
    (`answers`), those with some or clear movement and their share, the share that could
    be assessed (all missing at a budget); and per level of the weighing together the number of goals
    that got it."""
    movement = movement_by_goal_area[movement_by_goal_area["scale"].astype(object) == "movement"]
    follow_ups: dict[tuple, int] = {}
    assessed: dict[tuple, float] = {}
    answers: Counter = Counter()
    moving: Counter = Counter()
    for o, a, level, n, f, s in zip(movement["occasion"].astype(object), movement["goal_area_code"].astype(object),
                                    movement["level"].astype(object), movement["count"], movement["follow_ups"],
                                    movement["assessed_share"]):
        follow_ups[(o, a)] = int(f)
        assessed[(o, a)] = s
        answers[(o, a)] += int(n)
        moving[(o, a)] += int(n) if level in MOVING else 0
    signals = Counter(zip(goal_signal["occasion"].astype(object), goal_signal["goal_area_code"].astype(object),
                          goal_signal["suggested_level"].astype(object)))
    goals = Counter(catalogue.goals["goal_area_code"])
    records = []
    for o in as_list(occasions):
        for a, name in zip(catalogue.goal_areas["goal_area_code"], catalogue.goal_areas["goal_area_name"]):
            k = (o.code, a)
            known = k in follow_ups
            records.append({
                "occasion": o.code, "goal_area_code": a, "goal_area_name": name, "goals": goals[a],
                "follow_ups": follow_ups[k] if known else pd.NA, "answers": answers[k] if known else pd.NA,
                "moving": moving[k] if known else pd.NA,
                "moving_share": moving[k] / answers[k] if known and answers[k] else float("nan"),
                "assessed_share": assessed[k] if known else float("nan"),
                **{f"signal_{level}": signals[(o.code, a, level)] for level in LEVELS},
            })
    columns = [c for c in GOAL_AREA_SUMMARY_COLUMNS if c != "mandate_period"]
    out = pd.DataFrame.from_records(records, columns=columns)
    for c in ("follow_ups", "answers", "moving"):
        out[c] = out[c].astype("Int64")
    for c in ("moving_share", "assessed_share"):
        out[c] = out[c].astype("float64")
    for c in ("goals", *(f"signal_{level}" for level in LEVELS)):
        out[c] = out[c].astype("int64")
    for c in ("goal_area_code", "goal_area_name"):
        out[c] = out[c].astype(object)
    return stamp(out, catalogue)[GOAL_AREA_SUMMARY_COLUMNS]
