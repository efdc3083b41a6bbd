"""Counting answers: the few helpers the aggregate tables share. Which boards' submissions
were accepted, rejected or missing at each occasion; the rows that come from accepted
submissions; the goal each contribution belongs to; and the distribution of an answer
scale (counts and shares, every level present, zero where nobody answered). Small tables:
plain Python counting here is faster and clearer than many small pandas joins."""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import ACCEPTED, MISSING, REJECTED



def is_blank(value: object) -> bool:
    """None, NaN or pd.NA: an answer that was not given."""
    return value is None or value is pd.NA or value is pd.NaT or value != value


def _needs_plain(dtype) -> bool:
    return dtype != object and (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype))


def plain(frame: pd.DataFrame | None, columns: Sequence[str]) -> pd.DataFrame:
    """A new frame with just the columns, categoricals and strings as plain objects (so
    joins and group-bys behave the same on hand-made and stored tables). Missing columns
    become empty."""
    columns = list(columns)
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if all(c in frame.columns and not _needs_plain(frame[c].dtype) for c in columns):
        return frame[columns].reset_index(drop=True)
    out = {}
    for c in columns:
        if c not in frame.columns:
            out[c] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        elif _needs_plain(frame[c].dtype):
            s = frame[c].astype(object)
            out[c] = s.where(s.notna(), None)
        else:
            out[c] = frame[c]
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def as_list(occasions: Occasion | Sequence[Occasion]) -> list[Occasion]:
    """One occasion or several, as a list in reporting order."""
    return [occasions] if isinstance(occasions, Occasion) else sorted(occasions)


def occasion_codes(occasions: Sequence[Occasion]) -> list[str]:
    return [o.code for o in occasions]


def rows_at(frame: pd.DataFrame | None, occasions: Occasion | Sequence[Occasion], columns: Sequence[str]) -> pd.DataFrame:
    """The frame's rows for the occasion(s), with only the columns (see `plain`)."""
    codes = occasion_codes(as_list(occasions))
    if frame is None or frame.empty:
        return plain(None, columns)
    mask = frame["occasion"].isin(codes)
    return plain(frame.loc[mask], columns)


def submission_status(submissions: pd.DataFrame | None, catalogue: Catalogue, occasions: Occasion | Sequence[Occasion]) -> pd.DataFrame:
    """Per occasion and catalogue board: accepted (a current submission exists), rejected
    (files came but none was accepted) or missing (nothing came)."""
    occs = as_list(occasions)
    codes = set(occasion_codes(occs))
    current: set[tuple] = set()
    sent: set[tuple] = set()
    if submissions is not None:
        for o, b, st in zip(submissions["occasion"], submissions["board_code"], submissions["status"]):
            if o in codes and isinstance(b, str):
                sent.add((o, b))
                if st == "current":
                    current.add((o, b))
    boards = list(catalogue.boards["board_code"])
    keys = [(o.code, b) for o in occs for b in boards]
    return pd.DataFrame({
        "occasion": np.array([o for o, _ in keys], dtype=object),
        "board_code": np.array([b for _, b in keys], dtype=object),
        "submission_status": np.array([ACCEPTED if k in current else REJECTED if k in sent else MISSING for k in keys], dtype=object),
    })


def accepted_rows(frame: pd.DataFrame | None, status: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of the occasions in `status` (from `submission_status`) that come from a
    board's accepted submission, with occasion, board_code and the columns. The stored
    tables hold only current submissions already; this keeps hand-made tables honest too."""
    cols = list(dict.fromkeys(["occasion", "board_code", *columns]))
    if frame is None or frame.empty:
        return plain(None, cols)
    ok = status.loc[status["submission_status"] == ACCEPTED]
    wanted = frame["occasion"].isin(list(set(ok["occasion"])))
    rows = plain(frame.loc[wanted], cols)
    accepted = set(zip(ok["occasion"], ok["board_code"]))
    keep = [pair in accepted for pair in zip(rows["occasion"], rows["board_code"])]
    return rows.loc[keep].reset_index(drop=True)


def contribution_goals(contributions: pd.DataFrame, follow_ups: pd.DataFrame) -> dict[tuple, str]:
    """(occasion, board_code, contribution_id) -> goal_code, from the contributions sheet,
    and from the follow-up sheet for a contribution the board did not list there."""
    goals: dict[tuple, str] = {}
    for frame in (contributions, follow_ups):
        for o, b, c, g in zip(frame["occasion"], frame["board_code"], frame["contribution_id"], frame["goal_code"]):
            if not is_blank(c) and not is_blank(g):
                goals.setdefault((o, b, c), g)
    return goals


def distribution(
    rows: pd.DataFrame,
    keys: Sequence[str],
    column: str,
    levels: Sequence[str],
    labels: Sequence[str],
    universe: Iterable[tuple],
) -> pd.DataFrame:
    """For every key combination in `universe` (tuples of the `keys`, in that order) and
    every level of the scale: how many rows gave that answer (`count`), how many rows gave
    any of the scale's answers (`answers`), the level's share of those (`share`, empty when
    nobody answered; shares sum to one) and how many rows left it blank (`unanswered`).
    The levels are always the scale's, whatever the data, so a table's shape never
    depends on its contents."""
    keys = list(keys)
    grid = list(dict.fromkeys(tuple(g) for g in universe))
    given: Counter = Counter()
    blank: Counter = Counter()
    for *key, value in zip(*(rows[k] for k in keys), rows[column]):
        if is_blank(value):
            blank[tuple(key)] += 1
        else:
            given[(*key, value)] += 1
    width = len(levels)
    count = np.array([given[(*g, lv)] for g in grid for lv in levels], dtype="int64")
    answers = count.reshape(len(grid), width).sum(axis=1).repeat(width) if grid else count
    out = pd.DataFrame({k: np.array([g[i] for g in grid for _ in levels], dtype=object) for i, k in enumerate(keys)})
    out["level"] = pd.Categorical(list(levels) * len(grid), categories=list(levels), ordered=True)
    out["level_label"] = np.array(list(labels) * len(grid), dtype=object)
    out["count"] = count
    out["share"] = pd.Series(count / answers.clip(min=1), dtype="float64").where(answers > 0)
    out["answers"] = answers.astype("int64")
    out["unanswered"] = np.array([blank[g] for g in grid for _ in levels], dtype="int64")
    return out


def lookup(keys: Iterable, table: dict, default=None) -> np.ndarray:
    """`table[key]` for each key (a value or a tuple), as an object array."""
    return np.array([table.get(k, default) for k in keys], dtype=object)


def catalogue_maps(catalogue: Catalogue) -> tuple[dict, dict, dict]:
    """goal -> goal area, board -> board name, goal -> responsible boards (catalogue order)."""
    area_of = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_area_code"]))
    board_name = dict(zip(catalogue.boards["board_code"], catalogue.boards["board_name"]))
    named = set(zip(catalogue.responsibilities["goal_code"], catalogue.responsibilities["board_code"]))
    named_by_goal = {g: [b for b in catalogue.boards["board_code"] if (g, b) in named] for g in catalogue.goals["goal_code"]}
    return area_of, board_name, named_by_goal


def stamp(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The frame with `occasion` as an ordered categorical over the mandate period's
    occasions, followed by `mandate_period`, as its first columns; text columns as
    plain Python strings (object columns, also when the frame is empty; Parquet stores
    them as text)."""
    out = frame.reset_index(drop=True)
    for c in out.columns:
        if isinstance(out[c].dtype, pd.StringDtype):
            out[c] = out[c].astype(object)
    occasion = as_occasion_category(out.pop("occasion"), catalogue)
    out.insert(0, "occasion", occasion)
    out.insert(1, "mandate_period", pd.Series([catalogue.mandate_period] * len(out), dtype=object))
    return out


def as_occasion_category(values: Iterable, catalogue: Catalogue) -> pd.Categorical:
    """Occasion codes as an ordered categorical over the mandate period's occasions."""
    codes = occasion_codes(catalogue.occasions)
    position = {c: i for i, c in enumerate(codes)}
    return pd.Categorical.from_codes(
        np.array([position.get(v, -1) for v in values], dtype="int64"), dtype=pd.CategoricalDtype(codes, ordered=True)
    )
