"""Movement (*förflyttning*) per KF goal and per goal area: how the boards' follow-ups are
spread over the assessment scale, how many could be assessed at all, and how many boards
stand behind the figures. The same for the outlook for the mandate period, and, at the
period end (the catalogue's period_end_occasion), for whether the desired movement has
been reached.

Tables are long: one row per goal (or goal area), scale and level. `share` is the level's
part of the follow-ups that answered the question (shares sum to one per goal and scale;
`unanswered` counts blank answers); `assessed_share` is the part of all follow-ups whose
answer was given and was not 'cannot be assessed'. Budget occasions carry no follow-ups
and give no rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, distribution, lookup, stamp, submission_status

# Per scale, the answer that means the board could not assess it.
NOT_ASSESSED = {"movement": "not_assessable", "outlook": "uncertain", "reached": None}

MOVEMENT_BY_GOAL_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "scale", "level", "level_label", "count", "share",
    "follow_ups", "unanswered", "assessed", "assessed_share", "boards", "other_boards", "responsible_boards",
]
MOVEMENT_BY_GOAL_AREA_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "scale", "level", "level_label", "count", "share",
    "follow_ups", "unanswered", "assessed", "assessed_share", "boards", "other_boards", "responsible_boards", "goals",
]


def scales_at(catalogue: Catalogue, occasion: Occasion) -> list[str]:
    """The assessment scales boards answer at the occasion."""
    if not occasion.is_follow_up:
        return []
    return ["movement", "outlook", *(["reached"] if catalogue.is_period_end(occasion) else [])]


def assessments(catalogue: Catalogue, submissions: pd.DataFrame, follow_ups: pd.DataFrame, occasions: Sequence[Occasion],
                extra: Sequence[str] = ()) -> pd.DataFrame:
    """Accepted follow-ups of known goals, with their goal area and whether the board is
    named for the goal (`responsible`); `extra`: more follow-up columns to keep."""
    status = submission_status(submissions, catalogue, occasions)
    rows = accepted_rows(follow_ups, status, ["goal_code", "contribution_id", "movement", "outlook", "reached", "evidence_type",
                                              *extra])
    area_of, _, named_by_goal = catalogue_maps(catalogue)
    rows = rows[rows["goal_code"].isin(list(area_of))].reset_index(drop=True)
    rows["goal_area_code"] = lookup(rows["goal_code"], area_of)
    rows["responsible"] = np.array([b in named_by_goal[g] for g, b in zip(rows["goal_code"], rows["board_code"])], dtype=bool)
    return rows


def _by(
    catalogue: Catalogue,
    rows: pd.DataFrame,
    occasions: Sequence[Occasion],
    key: str,
    keys: list[str],
    responsible_boards: dict[str, int],
) -> pd.DataFrame:
    boards: dict[tuple, set] = defaultdict(set)
    other_boards: dict[tuple, set] = defaultdict(set)
    for o, k, b, named in zip(rows["occasion"], rows[key], rows["board_code"], rows["responsible"]):
        (boards if named else other_boards)[(o, k)].add(b)
    parts = []
    for scale in ("movement", "outlook", "reached"):
        codes = [o.code for o in occasions if scale in scales_at(catalogue, o)]
        if not codes:
            continue
        s = catalogue.scales[scale]
        universe = [(o, k) for o in codes for k in keys]
        d = distribution(rows[rows["occasion"].isin(codes)], ["occasion", key], scale, s.codes, s.labels, universe)
        width = len(s.codes)
        unassessed = (d["count"].to_numpy() * (d["level"].astype(object) == NOT_ASSESSED[scale]).to_numpy())
        unassessed = unassessed.reshape(-1, width).sum(axis=1).repeat(width)
        d.insert(2, "scale", scale)
        d["level"] = d["level"].astype(object)
        d["follow_ups"] = d["answers"] + d["unanswered"]
        d["assessed"] = d["answers"] - unassessed
        parts.append(d)
    columns = ["occasion", key, "scale", "level", "level_label", "count", "share", "follow_ups", "unanswered", "assessed"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "assessed_share", "boards", "other_boards",
                                                                   "responsible_boards"]})
    out = pd.concat(parts, ignore_index=True)[columns]
    out["assessed_share"] = (out["assessed"] / out["follow_ups"].where(out["follow_ups"] > 0)).astype("float64")
    pairs = list(zip(out["occasion"], out[key]))
    out["boards"] = np.array([len(boards.get(p, ())) for p in pairs], dtype="int64")
    out["other_boards"] = np.array([len(other_boards.get(p, ())) for p in pairs], dtype="int64")
    out["responsible_boards"] = np.array([responsible_boards.get(k, 0) for k in out[key]], dtype="int64")
    return out


def movement_by_goal(
    catalogue: Catalogue, submissions: pd.DataFrame, follow_ups: pd.DataFrame, occasions: Occasion | Sequence[Occasion]
) -> pd.DataFrame:
    """Per occasion, KF goal, scale (movement, outlook, reached) and level: count and share
    of follow-ups; follow-ups in all, left blank and could be assessed; the number of
    responsible boards reporting (`boards`), of other boards reporting, and of boards named
    for the goal."""
    occs = as_list(occasions)
    rows = assessments(catalogue, submissions, follow_ups, occs)
    area_of, _, named_by_goal = catalogue_maps(catalogue)
    responsible = {g: len(b) for g, b in named_by_goal.items()}
    out = _by(catalogue, rows, occs, "goal_code", list(catalogue.goals["goal_code"]), responsible)
    out["goal_area_code"] = lookup(out["goal_code"], area_of)
    return stamp(out, catalogue)[MOVEMENT_BY_GOAL_COLUMNS]


def movement_by_goal_area(
    catalogue: Catalogue, submissions: pd.DataFrame, follow_ups: pd.DataFrame, occasions: Occasion | Sequence[Occasion]
) -> pd.DataFrame:
    """As `movement_by_goal`, per goal area; a board counts once per goal area however many
    of its goals it reports on, and `goals` is the number of KF goals in the area."""
    occs = as_list(occasions)
    rows = assessments(catalogue, submissions, follow_ups, occs)
    area_of, _, named_by_goal = catalogue_maps(catalogue)
    areas = list(catalogue.goal_areas["goal_area_code"])
    named_in_area = {a: {b for g, bs in named_by_goal.items() if area_of[g] == a for b in bs} for a in areas}
    out = _by(catalogue, rows, occs, "goal_area_code", areas, {a: len(b) for a, b in named_in_area.items()})
    goals = Counter(area_of.values())
    out["goals"] = np.array([goals.get(a, 0) for a in out["goal_area_code"]], dtype="int64")
    return stamp(out, catalogue)[MOVEMENT_BY_GOAL_AREA_COLUMNS]
