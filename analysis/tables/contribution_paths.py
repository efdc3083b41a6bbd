"""Each contribution's path over the mandate period (*plan bredvid utfall*): at every
occasion of the period where a board's accepted submission has it, what the board
planned (the contributions sheet: title and how the contribution is expected to lead to
movement) and how it assessed it (the follow-up: movement, outlook and, at the period
end, whether the desired movement was reached). The report lays the rows side by side,
plan first and the final assessment last."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, is_blank, lookup, stamp, submission_status

CONTRIBUTION_PATH_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "board_code", "contribution_id", "title",
    "expected_movement", "movement", "outlook", "reached",
]
ASSESSMENTS = ("movement", "outlook", "reached")


def contribution_paths(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    contributions: pd.DataFrame,
    follow_ups: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, board and contribution in the board's accepted submission (in its
    contributions sheet, its follow-up sheet or both): the goal (the contributions sheet's,
    else the follow-up's), the title (likewise), the expected movement as planned, and the
    follow-up's movement, outlook and reached (empty where the occasion asks none). Rows in
    reporting order, then by goal, board and contribution."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    plans = accepted_rows(contributions, status, ["contribution_id", "goal_code", "title", "expected_movement"])
    follows = accepted_rows(follow_ups, status, ["contribution_id", "goal_code", "title", *ASSESSMENTS])
    rows: dict[tuple, dict] = {}
    for frame in (plans, follows):
        for rec in frame.to_dict("records"):
            if is_blank(rec["contribution_id"]):
                continue
            row = rows.setdefault((rec["occasion"], rec["board_code"], rec["contribution_id"]), {})
            for column, value in rec.items():
                if not is_blank(value) and row.get(column) is None:
                    row[column] = value
    area_of, _, _ = catalogue_maps(catalogue)
    order = {o.code: i for i, o in enumerate(occs)}
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    keys = sorted(rows, key=lambda k: (order[k[0]], goal_order.get(rows[k].get("goal_code"), len(goal_order)), k[1], str(k[2])))
    columns = ["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement", *ASSESSMENTS]
    out = pd.DataFrame({c: np.array([rows[k].get(c) for k in keys], dtype=object) for c in columns})
    out["goal_area_code"] = lookup(out["goal_code"], area_of)
    for scale in ASSESSMENTS:
        out[scale] = pd.Categorical(out[scale], categories=list(catalogue.scales[scale].codes), ordered=True)
    return stamp(out, catalogue)[CONTRIBUTION_PATH_COLUMNS]
