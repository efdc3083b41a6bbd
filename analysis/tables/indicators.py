"""Indicators (*indikatorer*): optional figures a board may attach to a contribution. Where
given, the change since the baseline and whether it went in the desired direction. A goal
or contribution without indicators is normal and is simply absent here, never a gap."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, contribution_goals, lookup, stamp, submission_status

INDICATOR_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "board_code", "contribution_id", "indicator", "unit",
    "direction", "baseline_year", "baseline_value", "value_year", "value", "change", "relative_change",
    "in_desired_direction",
]
_SIGN = {"increase": 1, "decrease": -1}


def indicators(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    contributions: pd.DataFrame,
    follow_ups: pd.DataFrame,
    indicators: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, every indicator value from an accepted submission, with the goal of its
    contribution (empty if the contribution is not listed); `change` = value − baseline value; `relative_change` = change / baseline
    (empty when the baseline is 0); `in_desired_direction` is true when the change has the
    sign the board asked for (increase: above 0, decrease: below 0), false otherwise, and
    empty when a figure is missing."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    fields = ["contribution_id", "indicator", "unit", "direction", "baseline_year", "baseline_value", "value_year", "value"]
    rows = accepted_rows(indicators, status, fields)
    goals = contribution_goals(
        accepted_rows(contributions, status, ["contribution_id", "goal_code"]),
        accepted_rows(follow_ups, status, ["contribution_id", "goal_code"]),
    )
    area_of, _, _ = catalogue_maps(catalogue)
    rows["goal_code"] = lookup(zip(rows["occasion"], rows["board_code"], rows["contribution_id"]), goals)
    rows["goal_area_code"] = lookup(rows["goal_code"], area_of)
    baseline = pd.to_numeric(rows["baseline_value"], errors="coerce").astype("Float64")
    value = pd.to_numeric(rows["value"], errors="coerce").astype("Float64")
    rows["baseline_value"], rows["value"] = baseline, value
    rows["change"] = (value - baseline).round(10)  # no float noise: 72.8 - 70.0 is 2.8
    rows["relative_change"] = (rows["change"] / baseline.where(baseline != 0)).round(10)
    sign = rows["direction"].map(_SIGN).astype("Float64")
    rows["in_desired_direction"] = (rows["change"] * sign > 0).astype("boolean").where(rows["change"].notna() & sign.notna())
    for c in ("baseline_year", "value_year"):
        rows[c] = pd.to_numeric(rows[c], errors="coerce").astype("Int64")
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    occasion_order = {o.code: i for i, o in enumerate(occs)}
    rows = rows.assign(_o=rows["occasion"].map(occasion_order), _g=rows["goal_code"].map(goal_order))
    rows = rows.sort_values(["_o", "_g", "board_code", "contribution_id"], kind="stable", na_position="last")
    return stamp(rows.drop(columns=["_o", "_g"]), catalogue)[INDICATOR_COLUMNS]
