"""Council assignments (KF-uppdrag) followed up: each assignment's status at every occasion
of the period, each responsible board's answer at the occasion, and per occasion how many
assignments stand at each status and how many are overdue.

An assignment's status is its lead board's answer (participating boards report their
part, shown beside it). Rows run from the budget that gives the assignment through every
interim and annual report after it. Once the lead has reported it finished (Slutfört or
Avslutat utan att slutföras) that status stands at the later occasions, which ask no more;
an assignment its lead should answer but did not (no row, no status, or no accepted
submission) is `unanswered`. Overdue: not finished at the annual report of its due year
or any occasion after (analysis.assignments.is_overdue; an unanswered one counts as not
finished)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.assignments import is_overdue, listed_at_budget
from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, as_list, is_blank, stamp, submission_status
from analysis.vocabulary import (
    ASSIGNMENT_STATUS_LABELS, ASSIGNMENT_STATUSES, FINISHED_STATUSES, LEAD, ROLE_LABELS, UNANSWERED, UNANSWERED_LABEL,
)

STATUS_LEVELS = (*ASSIGNMENT_STATUSES, UNANSWERED)
STATUS_LABELS = {**ASSIGNMENT_STATUS_LABELS, UNANSWERED: UNANSWERED_LABEL}
ANSWER_FIELDS = ["assignment_id", "status", "expected_completion", "comment"]

ASSIGNMENT_STATUS_COLUMNS = [
    "occasion", "mandate_period", "assignment_id", "text", "lead_board", "participating_boards", "given_year",
    "due_year", "status", "status_label", "answered", "finished_at", "overdue", "expected_completion", "comment",
]
ASSIGNMENT_ANSWER_COLUMNS = [
    "occasion", "mandate_period", "assignment_id", "board_code", "board_name", "role", "role_label", "status",
    "status_label", "expected_completion", "comment",
]
ASSIGNMENT_COUNT_COLUMNS = ["occasion", "mandate_period", "level", "level_label", "count", "share", "overdue", "assignments"]


def _occasions_of(catalogue: Catalogue, given_year: int, occasions: Sequence[Occasion]) -> list[Occasion]:
    """The occasions an assignment is reported at: the budget that lists it (of its year; of
    the period's first year for one carried over from the previous period), then every follow-up."""
    return [o for o in occasions if (o.year >= given_year if o.is_follow_up else listed_at_budget(catalogue, given_year, o))]


def _answers(catalogue: Catalogue, submissions: pd.DataFrame, assignment_follow_ups: pd.DataFrame,
             occasions: Sequence[Occasion]) -> dict[tuple[str, str, str], dict]:
    """(occasion, board, assignment) -> the board's answer in its accepted submission."""
    status = submission_status(submissions, catalogue, occasions)
    rows = accepted_rows(assignment_follow_ups, status, ANSWER_FIELDS)
    out: dict[tuple[str, str, str], dict] = {}
    for rec in rows.to_dict("records"):
        if not is_blank(rec["assignment_id"]):
            out.setdefault((rec["occasion"], rec["board_code"], rec["assignment_id"]), rec)
    return out


def _given(value) -> object:
    return None if is_blank(value) else value


def assignment_status(catalogue: Catalogue, submissions: pd.DataFrame, assignment_follow_ups: pd.DataFrame,
                      occasions: Occasion | Sequence[Occasion]) -> pd.DataFrame:
    """One row per assignment and occasion it is reported at (see the module docstring):
    its status at the occasion (the lead board's answer, its earlier finished status
    carried forward, or unanswered), whether the lead answered at the occasion, where it
    was reported finished, whether it is overdue, and the lead's expected completion and
    comment. In catalogue order, each assignment's occasions in reporting order."""
    occs = as_list(occasions)
    answers = _answers(catalogue, submissions, assignment_follow_ups, occs)
    records = []
    for a in catalogue.assignments.itertuples():
        finished: tuple[str, str] | None = None  # (occasion, status)
        for o in _occasions_of(catalogue, int(a.given_year), occs):
            answer = answers.get((o.code, a.lead_board, a.assignment_id))
            said = None if answer is None or is_blank(answer["status"]) else str(answer["status"])
            if finished is not None:
                code, answered = finished[1], False
            elif said is not None:
                code, answered = said, True
            else:
                code, answered = UNANSWERED, False
            if finished is None and said in FINISHED_STATUSES:
                finished = (o.code, said)
            records.append({
                "occasion": o.code, "assignment_id": a.assignment_id, "text": a.text, "lead_board": a.lead_board,
                "participating_boards": a.participating_boards, "given_year": int(a.given_year),
                "due_year": _given(a.due_year), "status": code, "status_label": STATUS_LABELS[code], "answered": answered,
                "finished_at": finished[0] if finished is not None else None,
                "overdue": is_overdue(a.due_year, o, code),
                "expected_completion": _given(answer["expected_completion"]) if answered else None,
                "comment": _given(answer["comment"]) if answered else None,
            })
    out = pd.DataFrame.from_records(records, columns=[c for c in ASSIGNMENT_STATUS_COLUMNS if c != "mandate_period"])
    out["given_year"] = out["given_year"].astype("int64")
    out["due_year"] = pd.array(out["due_year"].tolist(), dtype="Int64")
    out["expected_completion"] = pd.array([None if is_blank(v) else int(v) for v in out["expected_completion"]], dtype="Int64")
    out["answered"] = out["answered"].astype(bool)
    out["overdue"] = out["overdue"].astype(bool)
    out["status"] = pd.Categorical(out["status"], categories=list(STATUS_LEVELS))
    return stamp(out, catalogue)[ASSIGNMENT_STATUS_COLUMNS]


def assignment_answers(catalogue: Catalogue, submissions: pd.DataFrame, assignment_follow_ups: pd.DataFrame,
                       occasions: Occasion | Sequence[Occasion]) -> pd.DataFrame:
    """One row per occasion, assignment and responsible board that answered it in an
    accepted submission: the board's role, status, expected completion and comment, in
    its own words. Lead first, then the participating boards in catalogue order."""
    occs = as_list(occasions)
    answers = _answers(catalogue, submissions, assignment_follow_ups, occs)
    board_order = {b: i for i, b in enumerate(catalogue.board_codes)}
    roles = sorted(zip(catalogue.assignment_boards["assignment_id"], catalogue.assignment_boards["board_code"],
                       catalogue.assignment_boards["role"]),
                   key=lambda r: (r[2] != LEAD, board_order.get(r[1], len(board_order))))
    order = {a: i for i, a in enumerate(catalogue.assignments["assignment_id"])}
    roles.sort(key=lambda r: order[r[0]])
    records = []
    for o in occs:
        for a, b, role in roles:
            answer = answers.get((o.code, b, a))
            if answer is None:
                continue
            code = None if is_blank(answer["status"]) else str(answer["status"])
            records.append({"occasion": o.code, "assignment_id": a, "board_code": b, "board_name": catalogue.board_name(b),
                            "role": role, "role_label": ROLE_LABELS[role], "status": code,
                            "status_label": STATUS_LABELS.get(code, UNANSWERED_LABEL) if code else UNANSWERED_LABEL,
                            "expected_completion": _given(answer["expected_completion"]), "comment": _given(answer["comment"])})
    out = pd.DataFrame.from_records(records, columns=[c for c in ASSIGNMENT_ANSWER_COLUMNS if c != "mandate_period"])
    out["expected_completion"] = pd.array([None if is_blank(v) else int(v) for v in out["expected_completion"]], dtype="Int64")
    out["status"] = pd.Categorical(out["status"], categories=list(ASSIGNMENT_STATUSES))
    return stamp(out, catalogue)[ASSIGNMENT_ANSWER_COLUMNS]


def assignment_status_counts(catalogue: Catalogue, assignment_status: pd.DataFrame,
                             occasions: Occasion | Sequence[Occasion]) -> pd.DataFrame:
    """Per interim and annual report, and status (the four of the scale, then unanswered):
    how many assignments given by then stand at it (`count`), their share of all of them
    (`assignments`), and how many of them are overdue. Every level has a row."""
    occs = [o for o in as_list(occasions) if o.is_follow_up]
    codes = assignment_status["occasion"].astype(object).to_numpy()
    levels = assignment_status["status"].astype(object).to_numpy()
    overdue = assignment_status["overdue"].to_numpy(dtype=bool)
    records = []
    for o in occs:
        here = codes == o.code
        total = int(here.sum())
        for level in STATUS_LEVELS:
            mask = here & (levels == level)
            count = int(mask.sum())
            records.append({"occasion": o.code, "level": level, "level_label": STATUS_LABELS[level], "count": count,
                            "share": count / total if total else np.nan, "overdue": int((mask & overdue).sum()),
                            "assignments": total})
    out = pd.DataFrame.from_records(records, columns=[c for c in ASSIGNMENT_COUNT_COLUMNS if c != "mandate_period"])
    out["level"] = pd.Categorical(out["level"], categories=list(STATUS_LEVELS))
    for c in ("count", "overdue", "assignments"):
        out[c] = out[c].astype("int64")
    out["share"] = out["share"].astype("float64")
    return stamp(out, catalogue)[ASSIGNMENT_COUNT_COLUMNS]
