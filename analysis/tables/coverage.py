"""Coverage (*träffbild*): for every KF goal and every board responsible for it, whether the
board has a contribution and a follow-up at the occasion, and what became of its
submission. A responsible board without a contribution is a row here, never a gap in
the table. Boards that report on a goal they are not named for appear too, marked."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import BOARD_STATUSES, MOVEMENT_ORDER, NOT_ASSESSABLE
from analysis.tables.tally import accepted_rows, as_list, catalogue_maps, is_blank, lookup, stamp, submission_status

# How a responsible board stands on a goal at an occasion; a budget has no follow-ups.
CATEGORIES = {
    "followed_up": "Bidrag med uppföljning",
    "contribution_only": "Bidrag utan uppföljning",
    "no_contribution": "Inget bidrag",
    "rejected": "Inlämning avvisad",
    "missing": "Inte inlämnad",
}
BUDGET_CATEGORIES = {"contribution_only": "Har bidrag", **{k: v for k, v in CATEGORIES.items() if k not in ("followed_up", "contribution_only")}}
COVERAGE_BY_GOAL_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "category", "category_label", "count", "share",
]

COVERAGE_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "board_code", "board_name", "responsible",
    "submission_status", "contributions", "has_contribution", "follow_ups", "has_follow_up", "board_movement",
]


def board_movement(movements: Iterable) -> str | None:
    """One board's movement for one goal from its contributions' assessments: the middle
    one of the assessable answers (with an even number, the less favourable of the two
    middle ones); 'not_assessable' when none could be assessed; None without answers."""
    given = [m for m in movements if not is_blank(m)]
    ranked = sorted(MOVEMENT_ORDER.index(m) for m in given if m in MOVEMENT_ORDER)
    if ranked:
        return MOVEMENT_ORDER[ranked[len(ranked) // 2]]
    return NOT_ASSESSABLE if given else None


def coverage(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    contributions: pd.DataFrame,
    follow_ups: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, one row per goal and responsible board (plus any other board reporting
    on the goal): submission_status (accepted/rejected/missing), number of contributions
    and follow-ups in the accepted submission, and the board's movement for the goal
    (`board_movement`). Follow-up columns are empty at a budget occasion, where none are
    expected."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    status_of = dict(zip(zip(status["occasion"], status["board_code"]), status["submission_status"]))
    contrib = accepted_rows(contributions, status, ["goal_code"])
    follow = accepted_rows(follow_ups, status, ["goal_code", "movement"])
    area_of, board_name, named_by_goal = catalogue_maps(catalogue)
    board_order = {b: i for i, b in enumerate(catalogue.boards["board_code"])}

    n_contrib = Counter(zip(contrib["occasion"], contrib["goal_code"], contrib["board_code"]))
    movements: dict[tuple, list] = defaultdict(list)
    for key in zip(follow["occasion"], follow["goal_code"], follow["board_code"], follow["movement"]):
        movements[key[:3]].append(key[3])
    others: dict[tuple, set] = defaultdict(set)
    for o, g, b in [*n_contrib, *movements]:
        if g in area_of and b not in named_by_goal[g]:
            others[(o, g)].add(b)

    keys = []
    for o in occs:
        for g in catalogue.goals["goal_code"]:
            keys += [(o.code, g, b, True) for b in named_by_goal[g]]
            keys += [(o.code, g, b, False) for b in sorted(others[(o.code, g)], key=lambda b: board_order.get(b, len(board_order)))]
    column = lambda i: np.array([k[i] for k in keys], dtype=object)
    n_follow = np.array([len(movements.get(k[:3], ())) for k in keys], dtype="int64")
    expected = np.array([Occasion.parse(k[0]).is_follow_up for k in keys], dtype=bool)
    out = pd.DataFrame({
        "occasion": column(0),
        "goal_area_code": lookup(column(1), area_of),
        "goal_code": column(1),
        "board_code": column(2),
        "board_name": lookup(column(2), board_name),
        "responsible": np.array([k[3] for k in keys], dtype=bool),
        "submission_status": pd.Categorical(lookup(((k[0], k[2]) for k in keys), status_of), categories=list(BOARD_STATUSES)),
        "contributions": np.array([n_contrib.get(k[:3], 0) for k in keys], dtype="int64"),
    })
    out["has_contribution"] = out["contributions"] > 0
    out["follow_ups"] = pd.array(np.where(expected, n_follow, 0), dtype="Int64")
    out.loc[~expected, "follow_ups"] = pd.NA
    out["has_follow_up"] = pd.array(n_follow > 0, dtype="boolean")
    out.loc[~expected, "has_follow_up"] = pd.NA
    out["board_movement"] = pd.Categorical(
        [board_movement(movements.get(k[:3], ())) for k in keys], categories=[*MOVEMENT_ORDER, NOT_ASSESSABLE], ordered=True
    )
    return stamp(out, catalogue)[COVERAGE_COLUMNS]


def coverage_by_goal(catalogue: Catalogue, coverage: pd.DataFrame) -> pd.DataFrame:
    """Per occasion, KF goal and category (see CATEGORIES; a budget uses BUDGET_CATEGORIES):
    how many of the goal's responsible boards are in it, and their share. Every category
    is a row, zero where no board is in it."""
    cov = coverage[coverage["responsible"].astype(bool)]
    status = cov["submission_status"].astype(object).to_numpy()
    has_contribution = cov["has_contribution"].astype(bool).to_numpy()
    has_follow_up = cov["has_follow_up"].astype("boolean").fillna(False).astype(bool).to_numpy()
    counts: Counter = Counter()
    for o, g, st, c, f in zip(cov["occasion"].astype(object), cov["goal_code"].astype(object), status, has_contribution,
                              has_follow_up):
        category = st if st in ("rejected", "missing") else "followed_up" if f else "contribution_only" if c else "no_contribution"
        counts[(o, g, category)] += 1
    area_of, _, _ = catalogue_maps(catalogue)
    occasions = [str(o) for o in cov["occasion"].astype(object).unique()]
    records = []
    for o in sorted(occasions, key=Occasion.parse):
        categories = CATEGORIES if Occasion.parse(o).is_follow_up else BUDGET_CATEGORIES
        for g in catalogue.goals["goal_code"]:
            total = sum(counts[(o, g, k)] for k in categories)
            for k, label in categories.items():
                n = counts[(o, g, k)]
                records.append((o, area_of[g], g, k, label, n, n / total if total else float("nan")))
    columns = [c for c in COVERAGE_BY_GOAL_COLUMNS if c != "mandate_period"]
    out = pd.DataFrame.from_records(records, columns=columns)
    out["count"] = out["count"].astype("int64")
    out["share"] = out["share"].astype("float64")
    for c in ("goal_area_code", "goal_code", "category", "category_label"):
        out[c] = out[c].astype(object)
    return stamp(out, catalogue)[COVERAGE_BY_GOAL_COLUMNS]
