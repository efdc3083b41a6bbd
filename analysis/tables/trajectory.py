"""Trajectory over the mandate period: how each goal's movement assessments are spread at
every interim and annual report so far, and how each contribution's assessment changed
since the previous report (*förflyttning över tid*), with the board's own text."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.vocabulary import CHANGE_LABELS, DROPPED, MOVEMENT_ORDER, MOVING, NEW, NO_FOLLOW_UP, NOT_ASSESSABLE
from analysis.vocabulary import change as changed
from analysis.tables.movement import assessments
from analysis.occasion import Occasion
from analysis.tables.tally import as_list, catalogue_maps, is_blank, lookup, stamp

TRAJECTORY_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "level", "level_label", "count", "share",
    "follow_ups", "assessed_share",
]
TRANSITION_COLUMNS = [
    "occasion", "mandate_period", "previous_occasion", "goal_area_code", "goal_code", "board_code", "contribution_id",
    "previous_movement", "movement", "change", "change_label", "previous_outlook", "outlook", "analysis",
]


def trajectory(movement_by_goal: pd.DataFrame) -> pd.DataFrame:
    """From `movement_by_goal` computed for the occasions wanted (normally every interim and
    annual report of the period so far): the movement distribution per goal and occasion."""
    out = movement_by_goal[movement_by_goal["scale"] == "movement"]
    return out[TRAJECTORY_COLUMNS].reset_index(drop=True)


TREND_COLUMNS = ["occasion", "mandate_period", "{key}", "answers", "moving", "moving_share"]


def _trend(catalogue: Catalogue, movement: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per occasion and `key`: assessments given, those with some or clear movement, and their share."""
    rows = movement[movement["scale"].astype(object) == "movement"] if "scale" in movement.columns else movement
    level = rows["level"].astype(object)
    frame = pd.DataFrame({"occasion": rows["occasion"].astype(object), key: rows[key].astype(object),
                          "answers": rows["count"].astype("int64"),
                          "moving": (rows["count"] * level.isin(MOVING)).astype("int64")})
    out = frame.groupby(["occasion", key], sort=False)[["answers", "moving"]].sum().reset_index()
    out["moving_share"] = (out["moving"] / out["answers"].where(out["answers"] > 0)).astype("float64")
    columns = [c.format(key=key) for c in TREND_COLUMNS]
    return stamp(out, catalogue)[columns]


def movement_trend_by_goal(catalogue: Catalogue, trajectory: pd.DataFrame) -> pd.DataFrame:
    """Per interim and annual report of the period so far and KF goal: follow-ups with an
    assessment (`answers`), those with some or clear movement, and their share."""
    out = _trend(catalogue, trajectory, "goal_code")
    area_of, _, _ = catalogue_maps(catalogue)
    out.insert(2, "goal_area_code", lookup(out["goal_code"], area_of))
    return out


def movement_trend_by_goal_area(catalogue: Catalogue, movement_by_goal_area: pd.DataFrame) -> pd.DataFrame:
    """As `movement_trend_by_goal`, per goal area (the chart of the period's development)."""
    return _trend(catalogue, movement_by_goal_area, "goal_area_code")


def previous_follow_up(catalogue: Catalogue, occasion: Occasion) -> Occasion | None:
    """The interim or annual report before the occasion in the same mandate period."""
    earlier = [o for o in catalogue.occasions if o.is_follow_up and o < occasion]
    return earlier[-1] if earlier else None


def transitions(
    catalogue: Catalogue, submissions: pd.DataFrame, follow_ups: pd.DataFrame, occasions: Occasion | Sequence[Occasion]
) -> pd.DataFrame:
    """Per interim or annual report among the occasions, every contribution followed up then
    or at the previous report: its movement before and now, and the change (improved,
    unchanged, worsened, not comparable when one side could not be assessed, new when there
    was no follow-up before, no follow-up now when it was followed up before but not now);
    its outlook before and now, and the board's analysis now (before, when there is none now)."""
    occs = [o for o in as_list(occasions) if o.is_follow_up]
    previous = {o.code: p.code for o in occs if (p := previous_follow_up(catalogue, o)) is not None}
    needed = sorted({*occs, *(Occasion.parse(p) for p in previous.values())})
    rows = assessments(catalogue, submissions, follow_ups, needed, extra=("analysis",))
    assessed: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    for o, b, c, g, *answers in zip(rows["occasion"], rows["board_code"], rows["contribution_id"], rows["goal_code"],
                                    rows["movement"], rows["outlook"], rows["analysis"]):
        assessed[o].setdefault((b, c), (g, *(None if is_blank(v) else v for v in answers)))
    area_of, _, _ = catalogue_maps(catalogue)
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    records = []
    for o in occs:
        p = previous.get(o.code)
        now, before = assessed.get(o.code, {}), assessed.get(p, {}) if p else {}
        for b, c in sorted({*now, *before}, key=lambda k: (goal_order[(now.get(k) or before.get(k))[0]], k[0], str(k[1]))):
            goal, movement, outlook, text = now.get((b, c), (None, None, None, None))
            goal_before, previous_movement, previous_outlook, text_before = before.get((b, c), (None, None, None, None))
            goal = goal or goal_before
            change = NO_FOLLOW_UP if (b, c) not in now else NEW if (b, c) not in before else changed(previous_movement, movement)
            records.append((o.code, p, area_of[goal], goal, b, c, previous_movement, movement, change, previous_outlook, outlook,
                            text if (b, c) in now else text_before))
    columns = ["occasion", "previous_occasion", "goal_area_code", "goal_code", "board_code", "contribution_id",
               "previous_movement", "movement", "change", "previous_outlook", "outlook", "analysis"]
    out = pd.DataFrame.from_records(records, columns=columns).astype(object)
    out["change_label"] = lookup(out["change"], CHANGE_LABELS)
    movement_levels = [*MOVEMENT_ORDER, NOT_ASSESSABLE]
    for c in ("previous_movement", "movement"):
        out[c] = pd.Categorical(out[c], categories=movement_levels, ordered=True)
    outlook_levels = list(catalogue.scales["outlook"].codes)
    for c in ("previous_outlook", "outlook"):
        out[c] = pd.Categorical(out[c], categories=outlook_levels, ordered=True)
    out["change"] = pd.Categorical(out["change"], categories=[c for c in CHANGE_LABELS if c != DROPPED])
    out["previous_occasion"] = pd.Categorical(out["previous_occasion"], categories=[o.code for o in catalogue.occasions], ordered=True)
    return stamp(out, catalogue)[TRANSITION_COLUMNS]
