"""The dialogue with the boards (*dialog*): per occasion, every question the dialogue rules
(analysis.checks.dialogue_rules) raise where a board's own answers disagree, in Swedish,
with the board's own words and values quoted and the cells the question rests on. The
office sends them to the boards and keeps their replies in its dialogue workbook
(analysis.dialogue); the report's Excel workbook lists them, and the council document
only says how many there are."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.checks.dialogue_rules import DIALOGUE_RULES, DialogueContext, findings, question_key
from analysis.occasion import Occasion
from analysis.tables.tally import as_list, catalogue_maps, lookup, stamp

DIALOGUE_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "board_code", "board_name", "contribution_id", "rule",
    "rule_label", "question", "source_file", "sheet", "cell", "other_cells", "question_key",
]


def dialogue(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    contributions: pd.DataFrame,
    follow_ups: pd.DataFrame,
    indicators: pd.DataFrame,
    cells: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion, one row per question: the board, KF goal and contribution it concerns
    (none for a goal without a contribution), the rule and its label, the question with the
    board's words and values, and the cell it rests on first (file, sheet, cell; at this
    occasion) with the others (`other_cells`, '; '-separated, earlier occasions' too);
    `question_key` identifies the question at the occasion across reruns and resubmissions.
    Ordered by goal, board, contribution and rule."""
    occs = as_list(occasions)
    ctx = DialogueContext(catalogue, submissions, contributions, follow_ups, indicators, cells)
    area_of, board_name, _ = catalogue_maps(catalogue)
    goal_names = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_name"]))
    records = []
    for occasion, rule, found in findings(ctx, occs):
        values = {"board_name": board_name.get(found.board_code, found.board_code), "goal_code": found.goal_code,
                  "goal_name": goal_names.get(found.goal_code, ""), "contribution_id": found.contribution_id or "",
                  "submission_label": ctx.submission_label(occasion, found.board_code), **found.values}
        first, *others = found.cells or (None,)
        records.append({
            "occasion": occasion.code, "goal_code": found.goal_code, "board_code": found.board_code,
            "contribution_id": found.contribution_id, "rule": rule.id, "rule_label": rule.label,
            "question": rule.question.format(**values),
            "source_file": first.source_file if first else None, "sheet": first.sheet if first else None,
            "cell": first.cell if first else None, "other_cells": "; ".join(c.text() for c in others) or None,
            "question_key": question_key(occasion, rule, found),
        })
    out = pd.DataFrame.from_records(records, columns=[c for c in DIALOGUE_COLUMNS if c not in ("mandate_period",)])
    out = out.drop_duplicates("question_key").astype(object)
    out["goal_area_code"] = lookup(out["goal_code"], area_of)
    out["board_name"] = lookup(out["board_code"], board_name)
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    board_order = {b: i for i, b in enumerate(catalogue.boards["board_code"])}
    occasion_order = {o.code: i for i, o in enumerate(occs)}
    rule_order = {r.id: i for i, r in enumerate(DIALOGUE_RULES)}
    out = out.assign(_o=out["occasion"].map(occasion_order), _g=out["goal_code"].map(goal_order),
                     _b=out["board_code"].map(board_order), _c=out["contribution_id"].fillna(""), _r=out["rule"].map(rule_order))
    out = out.sort_values(["_o", "_g", "_b", "_c", "_r", "question_key"], kind="stable").drop(columns=["_o", "_g", "_b", "_c", "_r"])
    out = out.astype(object).where(out.notna(), None)  # nothing written is None, never NaN, whatever the rows
    return stamp(out, catalogue)[DIALOGUE_COLUMNS]

