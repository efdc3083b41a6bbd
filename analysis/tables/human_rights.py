"""Human-rights themes (*mänskliga rättigheter*): child rights, gender equality, equality
and anti-discrimination are not goals of their own; every follow-up says, per theme,
whether it was considered. Here: how the themes were considered per goal area, each
board's answer for its base mission (*grunduppdrag*), and the goal areas where a theme
was considered in no follow-up at all."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import BOARD_STATUSES
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, contribution_goals, distribution, lookup, stamp, submission_status

CONSIDERED = "considered"
HUMAN_RIGHTS_BY_GOAL_AREA_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "theme", "theme_label", "consideration", "consideration_label",
    "count", "share", "answers", "unanswered",
]
HUMAN_RIGHTS_BASE_MISSION_COLUMNS = [
    "occasion", "mandate_period", "board_code", "board_name", "theme", "theme_label", "submission_status",
    "consideration", "consideration_label", "comment",
]
HUMAN_RIGHTS_GAPS_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_area_name", "theme", "theme_label", "answers", "unanswered",
]  # then one count column per other consideration code: not_considered, not_relevant


def human_rights_by_goal_area(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    contributions: pd.DataFrame,
    follow_ups: pd.DataFrame,
    human_rights: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, goal area, theme and consideration (considered, not considered, not
    relevant): how many contribution answers gave it (`count`), out of all answers for the
    theme in the goal area (`answers`), and the share; rows naming the theme without saying
    how are `unanswered`. Budget occasions count the boards' plans. Answers for a
    contribution whose goal is unknown are left out."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    rows = accepted_rows(human_rights, status, ["scope", "contribution_id", "theme", "consideration"])
    rows = rows[rows["scope"] == "contribution"]
    goals = contribution_goals(
        accepted_rows(contributions, status, ["contribution_id", "goal_code"]),
        accepted_rows(follow_ups, status, ["contribution_id", "goal_code"]),
    )
    area_of, _, _ = catalogue_maps(catalogue)
    rows = rows.assign(goal_area_code=lookup(lookup(zip(rows["occasion"], rows["board_code"], rows["contribution_id"]), goals), area_of))
    rows = rows[rows["goal_area_code"].notna()]
    themes = catalogue.scales["theme"]
    universe = [(o.code, a, th) for o in occs for a in catalogue.goal_areas["goal_area_code"] for th in themes.codes]
    scale = catalogue.scales["consideration"]
    out = distribution(rows, ["occasion", "goal_area_code", "theme"], "consideration", scale.codes, scale.labels, universe)
    out = out.rename(columns={"level": "consideration", "level_label": "consideration_label"})
    out["theme_label"] = lookup(out["theme"], dict(zip(themes.codes, themes.labels)))
    return stamp(out, catalogue)[HUMAN_RIGHTS_BY_GOAL_AREA_COLUMNS]


def human_rights_base_mission(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    human_rights: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, board and theme: how the board considered the theme in its base
    mission, with its comment; empty when the board's submission was not accepted or it
    gave no answer (if it gave two, the first)."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    rows = accepted_rows(human_rights, status, ["scope", "theme", "consideration", "comment"])
    rows = rows[rows["scope"] == "base_mission"]
    answer: dict[tuple, tuple] = {}
    for o, b, th, c, text in zip(rows["occasion"], rows["board_code"], rows["theme"], rows["consideration"], rows["comment"]):
        answer.setdefault((o, b, th), (c, text))
    themes = catalogue.scales["theme"]
    scale = catalogue.scales["consideration"]
    _, board_name, _ = catalogue_maps(catalogue)
    keys = [(o, b, st, th) for o, b, st in zip(status["occasion"], status["board_code"], status["submission_status"])
            for th in themes.codes]
    given = [answer.get((o, b, th), (None, None)) for o, b, _, th in keys]
    out = pd.DataFrame({
        "occasion": [k[0] for k in keys],
        "board_code": [k[1] for k in keys],
        "board_name": lookup((k[1] for k in keys), board_name),
        "theme": [k[3] for k in keys],
        "theme_label": lookup((k[3] for k in keys), dict(zip(themes.codes, themes.labels))),
        "submission_status": pd.Categorical([k[2] for k in keys], categories=list(BOARD_STATUSES)),
        "consideration": pd.Categorical([g[0] for g in given], categories=list(scale.codes), ordered=True),
        "consideration_label": lookup((g[0] for g in given), dict(zip(scale.codes, scale.labels))),
        "comment": np.array([g[1] for g in given], dtype=object),
    }).astype({"occasion": object, "board_code": object, "theme": object})
    return stamp(out, catalogue)[HUMAN_RIGHTS_BASE_MISSION_COLUMNS]


def human_rights_gaps(catalogue: Catalogue, human_rights_by_goal_area: pd.DataFrame) -> pd.DataFrame:
    """From `human_rights_by_goal_area`: the goal areas and themes where, at the occasion, no
    contribution's answer said the theme was considered (areas with no answers at all
    included), with the number of answers and how they were spread."""
    hr = human_rights_by_goal_area
    others = [c for c in catalogue.scales["consideration"].codes if c != CONSIDERED]
    groups: dict[tuple, dict] = {}
    for o, a, th, label, c, n, answers, blank in zip(
        hr["occasion"].astype(object), hr["goal_area_code"].astype(object), hr["theme"].astype(object), hr["theme_label"],
        hr["consideration"].astype(object), hr["count"], hr["answers"], hr["unanswered"],
    ):
        g = groups.setdefault((o, a, th), {"theme_label": label, "answers": answers, "unanswered": blank})
        g[c] = n
    area_name = dict(zip(catalogue.goal_areas["goal_area_code"], catalogue.goal_areas["goal_area_name"]))
    records = [
        {"occasion": o, "goal_area_code": a, "goal_area_name": area_name.get(a), "theme": th, **g}
        for (o, a, th), g in groups.items() if g.get(CONSIDERED, 0) == 0
    ]
    out = pd.DataFrame.from_records(records, columns=[c for c in HUMAN_RIGHTS_GAPS_COLUMNS if c != "mandate_period"] + others)
    for c in ("answers", "unanswered", *others):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("occasion", "goal_area_code", "goal_area_name", "theme", "theme_label"):
        out[c] = out[c].astype(object)
    return stamp(out, catalogue)[[*HUMAN_RIGHTS_GAPS_COLUMNS, *others]]
