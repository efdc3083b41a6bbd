"""Data quality per board and occasion: did the board submit, on time, and what did
validation find in its files (errors reject a file, warnings accept it and flag a point)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import BOARD_STATUSES, ERROR, WARNING
from analysis.tables.tally import as_list, lookup, rows_at, stamp, submission_status

DATA_QUALITY_COLUMNS = [
    "occasion", "mandate_period", "board_code", "board_name", "board_kind", "goals", "submission_status", "files",
    "rejected_files", "submitted_on", "deadline", "on_time", "days_late", "errors", "warnings",
]


def data_quality(
    catalogue: Catalogue,
    submissions: pd.DataFrame,
    validation_issues: pd.DataFrame,
    occasions: Occasion | Sequence[Occasion],
) -> pd.DataFrame:
    """Per occasion and catalogue board: how many goals it is named for, its submission
    status (accepted/rejected/missing), files received and rejected, the submission date of
    the accepted file (the date the board gave, else the file's time), the deadline, whether
    it came on time (empty without an accepted file) and how many days late, and the
    validation findings in all its files by severity."""
    occs = as_list(occasions)
    status = submission_status(submissions, catalogue, occs)
    subs = rows_at(submissions, occs, ["occasion", "board_code", "status", "submitted_on", "file_modified"])
    files: Counter = Counter()
    rejected: Counter = Counter()
    dated: dict[tuple, pd.Timestamp] = {}
    for o, b, st, on, modified in zip(subs["occasion"], subs["board_code"], subs["status"], subs["submitted_on"], subs["file_modified"]):
        files[(o, b)] += 1
        rejected[(o, b)] += st == "rejected"
        if st == "current":
            day = on if pd.notna(on) else modified
            dated[(o, b)] = pd.Timestamp(day).normalize() if pd.notna(day) else pd.NaT
    issues = rows_at(validation_issues, occs, ["occasion", "board_code", "severity"])
    findings = Counter(zip(issues["occasion"], issues["board_code"], issues["severity"]))
    goals = Counter(catalogue.responsibilities["board_code"])
    board = catalogue.boards.set_index("board_code")
    keys = list(zip(status["occasion"], status["board_code"]))
    out = status.assign(
        board_name=lookup(status["board_code"], dict(board["board_name"])),
        board_kind=lookup(status["board_code"], dict(board["board_kind"])),
        goals=np.array([goals[b] for _, b in keys], dtype="int64"),
        files=np.array([files[k] for k in keys], dtype="int64"),
        rejected_files=np.array([rejected[k] for k in keys], dtype="int64"),
        submitted_on=pd.to_datetime(pd.Series([dated.get(k, pd.NaT) for k in keys], dtype="datetime64[ns]")).astype("datetime64[ms]"),
        deadline=pd.to_datetime(pd.Series([pd.Timestamp(catalogue.deadline(Occasion.parse(o))) for o, _ in keys],
                                          dtype="datetime64[ns]")).astype("datetime64[ms]"),
        errors=np.array([findings[(*k, ERROR)] for k in keys], dtype="int64"),
        warnings=np.array([findings[(*k, WARNING)] for k in keys], dtype="int64"),
    )
    late = (out["submitted_on"] - out["deadline"]).dt.days
    out["on_time"] = pd.array((late <= 0).where(late.notna()), dtype="boolean")
    out["days_late"] = pd.array(late.clip(lower=0).where(late.notna()), dtype="Int64")
    out["submission_status"] = pd.Categorical(out["submission_status"], categories=list(BOARD_STATUSES))
    return stamp(out, catalogue)[DATA_QUALITY_COLUMNS]
