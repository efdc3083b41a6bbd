"""Council assignments (KF-uppdrag) over the occasions of a mandate period: which ones a
board must report on at an occasion (the template lists them and the checks expect an
answer), when one is overdue, and what a board reported earlier. Pure: the template,
the example city, the checks and the aggregate tables all ask here, so they agree.

An assignment is *active* for a board at an occasion when the board is responsible for
it (as lead or participating) and
- at a budget: it is given in that year's budget (the budget template lists what is new);
  at the first budget of a period, also the assignments carried over from the previous
  period (given in one of its budgets, see analysis.catalogue), which are new to the period;
- at an interim or annual report: it was given in that year's budget or earlier, and the
  board has not reported it finished (Slutfört or Avslutat utan att slutföras) at an
  earlier occasion of the period.

Earlier answers are the boards' current answers of earlier occasions, as the processed
table `assignment_follow_ups` holds them when a template is made: an occasion not yet
ingested counts as not answered, so the assignment stays listed (the board can say it
is finished once more; listing one too many is harmless, leaving one out is not)."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import FINISHED_STATUSES

ANSWER_COLUMNS = ["occasion", "board_code", "assignment_id", "status"]


def _code(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def finished_at(answers: pd.DataFrame | None, catalogue: Catalogue, before: Occasion) -> dict[tuple[str, str], str]:
    """(board, assignment) -> the first occasion of the period before `before` at which the
    board reported the assignment finished. `answers`: rows with occasion, board_code,
    assignment_id and status (codes), any occasions."""
    if answers is None or answers.empty:
        return {}
    out: dict[tuple[str, str], Occasion] = {}
    for o, b, a, s in zip(answers["occasion"], answers["board_code"], answers["assignment_id"], answers["status"]):
        o, b, a, s = _code(o), _code(b), _code(a), _code(s)
        if None in (o, b, a) or s not in FINISHED_STATUSES:
            continue
        occasion = Occasion.parse(o)
        if occasion < before and catalogue.covers(occasion):
            if (b, a) not in out or occasion < out[(b, a)]:
                out[(b, a)] = occasion
    return {k: v.code for k, v in out.items()}


def active_assignments(catalogue: Catalogue, occasion: Occasion, board_code: str,
                       answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The assignments the board reports on at the occasion (see the module docstring), in
    catalogue order, with the catalogue's columns and the board's `role`."""
    mine = catalogue.assignments_for(board_code)
    if not occasion.is_follow_up:
        new = mine["given_year"].map(lambda g: listed_at_budget(catalogue, int(g), occasion)).astype(bool)
        return mine[new].reset_index(drop=True)
    done = finished_at(answers, catalogue, occasion)
    keep = (mine["given_year"] <= occasion.year) & ~mine["assignment_id"].map(lambda a: (board_code, a) in done).astype(bool)
    return mine[keep].reset_index(drop=True)


def active_pairs(catalogue: Catalogue, occasion: Occasion, answers: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """(board, assignment, role) of every board's active assignments at the occasion."""
    done = finished_at(answers, catalogue, occasion) if occasion.is_follow_up else {}
    pairs = []
    given = dict(zip(catalogue.assignments["assignment_id"], catalogue.assignments["given_year"]))
    for a, b, role in zip(catalogue.assignment_boards["assignment_id"], catalogue.assignment_boards["board_code"],
                          catalogue.assignment_boards["role"]):
        year = int(given[a])
        if listed_at_budget(catalogue, year, occasion) if not occasion.is_follow_up else (year <= occasion.year and (b, a) not in done):
            pairs.append((b, a, role))
    return pairs


# The rule of is_overdue in one Swedish sentence, for the report where "Försenat" is explained.
OVERDUE_RULE = ("Ett KF-uppdrag är försenat när det inte är slutfört i årsredovisningen för året då det skulle vara "
                "klart eller vid något senare tillfälle; i budgeten och delårsrapporten det året är det ännu inte försenat.")
def listed_at_budget(catalogue: Catalogue, given_year: int, budget: Occasion) -> bool:
    """Whether a budget lists an assignment given in `given_year`: the year's own, and at
    the period's first budget those carried over from the previous period."""
    return given_year == budget.year or (given_year < catalogue.first_year and budget.year == catalogue.first_year)


def is_overdue(due_year: object, occasion: Occasion, status: object) -> bool:
    """Not finished when its due year has passed: at the annual report of the due year
    (which covers the whole year) and at every occasion after it; at the budget and the
    interim report of the due year not yet. An ongoing one, without a due year, never is."""
    if due_year is None or pd.isna(due_year):
        return False
    passed = occasion.year > int(due_year) or (occasion.year == int(due_year) and occasion.kind == "ar")
    return passed and _code(status) not in FINISHED_STATUSES


def due_years(catalogue: Catalogue) -> Mapping[str, int | None]:
    """Assignment -> the year it is due (None: ongoing)."""
    return {a: (None if pd.isna(d) else int(d)) for a, d in zip(catalogue.assignments["assignment_id"],
                                                                catalogue.assignments["due_year"])}
