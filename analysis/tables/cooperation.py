"""Cooperation between boards (*samverkan*): the other boards and companies a contribution
names as partners, per KF goal, and whether each partner itself reports a contribution to
the same goal at the same occasion; and the city-wide matrix of who names whom. Only
partners the catalogue knows count (an unknown code is a finding of its own)."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, is_blank, lookup, stamp, submission_status

COOPERATION_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "board_code", "board_name", "contribution_id", "title",
    "partner_code", "partner_name", "partner_responsible", "partner_submission_status", "partner_reports",
]
COOPERATION_MATRIX_COLUMNS = [
    "occasion", "mandate_period", "board_code", "board_name", "partner_code", "partner_name", "contributions", "goals",
    "goal_area_codes",
]


def partners(text: object) -> list[str]:
    """The partner codes of a contribution as stored ('SBN, TN'), in the order written."""
    return [] if is_blank(text) else [p for p in (s.strip() for s in str(text).split(",")) if p]


def cooperation(catalogue: Catalogue, submissions: pd.DataFrame, contributions: pd.DataFrame, follow_ups: pd.DataFrame,
                occasions: Occasion | Sequence[Occasion]) -> pd.DataFrame:
    """One row per occasion, contribution of a board's accepted submission and partner the
    contribution names (a catalogue board other than the board itself): the goal, whether
    the partner is responsible for it, the partner's submission at the occasion (accepted,
    rejected, missing) and whether its accepted submission has a contribution or follow-up
    of its own for the same goal (`partner_reports`). Ordered by occasion, goal, board,
    contribution and partner as named."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    plans = accepted_rows(contributions, status, ["contribution_id", "goal_code", "title", "partner_boards"])
    follows = accepted_rows(follow_ups, status, ["contribution_id", "goal_code"])
    area_of, names, named_by_goal = catalogue_maps(catalogue)
    reports = {(o, b, g) for frame in (plans, follows) for o, b, g in zip(frame["occasion"], frame["board_code"],
                                                                          frame["goal_code"])}
    board_status = dict(zip(zip(status["occasion"], status["board_code"]), status["submission_status"]))
    order = {o.code: i for i, o in enumerate(occs)}
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    board_order = {b: i for i, b in enumerate(catalogue.board_codes)}
    records = []
    for rec in plans.to_dict("records"):
        o, b, g = rec["occasion"], rec["board_code"], rec["goal_code"]
        if g not in area_of or is_blank(rec["contribution_id"]):
            continue
        for p in dict.fromkeys(partners(rec["partner_boards"])):
            if p == b or p not in names:
                continue
            records.append({
                "occasion": o, "goal_area_code": area_of[g], "goal_code": g, "board_code": b, "board_name": names[b],
                "contribution_id": rec["contribution_id"], "title": None if is_blank(rec["title"]) else rec["title"],
                "partner_code": p, "partner_name": names[p], "partner_responsible": p in named_by_goal[g],
                "partner_submission_status": board_status.get((o, p)), "partner_reports": (o, p, g) in reports,
                "_key": (order[o], goal_order[g], board_order.get(b, len(board_order)), str(rec["contribution_id"])),
            })
    records.sort(key=lambda r: r["_key"])  # stable: partners keep the order they were named in
    out = pd.DataFrame.from_records(records, columns=[c for c in COOPERATION_COLUMNS if c != "mandate_period"])
    for c in ("partner_responsible", "partner_reports"):
        out[c] = out[c].astype(bool)
    return stamp(out, catalogue)[COOPERATION_COLUMNS]


def cooperation_matrix(catalogue: Catalogue, cooperation: pd.DataFrame) -> pd.DataFrame:
    """Per occasion, board and partner it names: how many of its contributions name the
    partner, for how many KF goals, and in which goal areas. Boards and partners in
    catalogue order; pairs that never cooperate have no row."""
    counts: dict[tuple, int] = defaultdict(int)
    goals: dict[tuple, set] = defaultdict(set)
    areas: dict[tuple, set] = defaultdict(set)
    for o, b, p, g, a in zip(cooperation["occasion"].astype(object), cooperation["board_code"], cooperation["partner_code"],
                             cooperation["goal_code"], cooperation["goal_area_code"]):
        counts[(o, b, p)] += 1
        goals[(o, b, p)].add(g)
        areas[(o, b, p)].add(a)
    occasion_order = {c: i for i, c in enumerate(cooperation["occasion"].cat.categories)} \
        if isinstance(cooperation["occasion"].dtype, pd.CategoricalDtype) else {}
    board_order = {b: i for i, b in enumerate(catalogue.board_codes)}
    area_order = {a: i for i, a in enumerate(catalogue.goal_areas["goal_area_code"])}
    keys = sorted(counts, key=lambda k: (occasion_order.get(k[0], 0), board_order[k[1]], board_order[k[2]]))
    _, names, _ = catalogue_maps(catalogue)
    out = pd.DataFrame({
        "occasion": np.array([k[0] for k in keys], dtype=object),
        "board_code": np.array([k[1] for k in keys], dtype=object),
        "board_name": lookup([k[1] for k in keys], names),
        "partner_code": np.array([k[2] for k in keys], dtype=object),
        "partner_name": lookup([k[2] for k in keys], names),
        "contributions": np.array([counts[k] for k in keys], dtype="int64"),
        "goals": np.array([len(goals[k]) for k in keys], dtype="int64"),
        "goal_area_codes": np.array([", ".join(sorted(areas[k], key=area_order.get)) for k in keys], dtype=object),
    })
    return stamp(out, catalogue)[COOPERATION_MATRIX_COLUMNS]
