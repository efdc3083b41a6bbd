"""The workbench's shared words: the statuses of a submission file and of a board at an
occasion, the severities of a finding, their Swedish labels, the key that identifies a
submission file, Swedish number format and counts with their nouns. Defined once; every
stage imports them."""

from __future__ import annotations

import pandas as pd

# A workbook file in the processed `submissions` table.
CURRENT, SUPERSEDED, REJECTED = "current", "superseded", "rejected"
FILE_STATUSES = (CURRENT, SUPERSEDED, REJECTED)
FILE_STATUS_LABELS = {CURRENT: "Gällande", SUPERSEDED: "Ersatt av senare inlämning", REJECTED: "Avvisad"}

# A responsible board at an occasion, in the aggregate tables.
ACCEPTED, MISSING = "accepted", "missing"
BOARD_STATUSES = (ACCEPTED, REJECTED, MISSING)
BOARD_STATUS_LABELS = {ACCEPTED: "Godkänd", REJECTED: "Avvisad", MISSING: "Saknas"}

# The movement scale's codes, from the most to the least favourable, and the one that means
# the board could not assess it; movement in the desired direction is "some or clear".
MOVEMENT_ORDER = ("clear", "some", "none", "negative")
MOVING = ("clear", "some")
NOT_ASSESSABLE = "not_assessable"
MOVEMENT_RANK = {code: rank for rank, code in enumerate(MOVEMENT_ORDER)}  # lower is better; not_assessable has none

# How a contribution's assessment of the movement changed between two follow-ups (or that
# it has no earlier assessment, no follow-up now, or is no longer there).
IMPROVED, UNCHANGED, WORSENED, NOT_COMPARABLE = "improved", "unchanged", "worsened", "not_comparable"
NEW, NO_FOLLOW_UP, DROPPED = "new", "no_follow_up", "dropped"
CHANGE_LABELS = {IMPROVED: "Bättre bedömning", UNCHANGED: "Samma bedömning", WORSENED: "Sämre bedömning",
                 NOT_COMPARABLE: "Kan inte jämföras", NEW: "Ingen tidigare bedömning", NO_FOLLOW_UP: "Ingen uppföljning nu",
                 DROPPED: "Bidraget finns inte längre"}
CHANGED = (IMPROVED, WORSENED, NOT_COMPARABLE)  # the board's assessment of the movement changed


def change(previous: object, current: object) -> str:
    """How an assessment of the movement changed from `previous` to `current` (both given)."""
    if previous == current and previous is not None:
        return UNCHANGED
    if previous in MOVEMENT_RANK and current in MOVEMENT_RANK:
        return IMPROVED if MOVEMENT_RANK[current] < MOVEMENT_RANK[previous] else WORSENED
    return NOT_COMPARABLE  # a blank answer, or one that could not be assessed


# A finding of the checks: an error rejects the submission, a warning flags it.
ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
SEVERITY_LABELS = {ERROR: "Fel", WARNING: "Varning"}

# A council assignment (KF-uppdrag) as a board reports it at an occasion: the status scale
# of the template's dropdown. Completed and discontinued both end the board's reporting on it.
NOT_STARTED, ONGOING, COMPLETED, DISCONTINUED = "not_started", "ongoing", "completed", "discontinued"
ASSIGNMENT_STATUSES = (NOT_STARTED, ONGOING, COMPLETED, DISCONTINUED)
ASSIGNMENT_STATUS_LABELS = {NOT_STARTED: "Ej påbörjat", ONGOING: "Pågår", COMPLETED: "Slutfört",
                            DISCONTINUED: "Avslutat utan att slutföras"}
FINISHED_STATUSES = (COMPLETED, DISCONTINUED)
# In the aggregate tables: an active assignment its lead board has not answered (no row, no status, or no submission).
UNANSWERED = "unanswered"
UNANSWERED_LABEL = "Inget svar"
# The board's role in an assignment, and the due year of an assignment without one.
LEAD, PARTICIPATING = "lead", "participating"
ROLE_LABELS = {LEAD: "Ansvarig", PARTICIPATING: "Deltar"}
ONGOING_DUE = "löpande"
ONGOING_DUE_LABEL = "Löpande"

# The subjects of the executive board's judgement beside goal areas, KF goals and themes.
CITY_LABEL = "Hela staden"
BASE_MISSION_LABEL = "Grunduppdraget"  # the boards' base mission, as a human-rights subject
KEY_SEPARATOR = "\x1f"  # cannot be typed into a cell, so no key is ever ambiguous


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def key(*parts: pd.Series) -> pd.Series:
    """One text key from several columns; missing when any part is missing."""
    arrays = [p.to_numpy(dtype=object) for p in parts]
    keys = [None if any(_missing(v) for v in values) else KEY_SEPARATOR.join(map(str, values)) for values in zip(*arrays)]
    return pd.Series(keys, index=parts[0].index, dtype=object)


def file_key(frame: pd.DataFrame) -> pd.Series:
    """Which submission file a row belongs to: occasion, file name and content. The same
    bytes filed twice (say, also in another occasion's folder) are two submissions."""
    return key(frame["occasion"], frame["source_file"], frame["sha256"])


def count(n: int, singular: str, plural: str) -> str:
    """A count with its Swedish noun, in Swedish number format: count(1, 'fil', 'filer') ->
    '1 fil', count(2, ...) -> '2 filer', count(1234, ...) -> '1 234 filer' (zero takes the plural)."""
    return f"{number(n, 0)} {singular if n == 1 else plural}"


def and_list(words: list[str]) -> str:
    """Words in a Swedish sentence: 'a, b och c'."""
    return " och ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def percent(share: float) -> str:
    """A share as Swedish percent text: 0.453 -> '45 %'."""
    return f"{round(100 * share):d}\u00a0%" if pd.notna(share) else "–"


def number(value: float, decimals: int = 1) -> str:
    """Swedish number text: 1234.5 -> '1 234,5'."""
    if pd.isna(value):
        return "–"
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def real_dates(values: pd.Series) -> pd.Series:
    """Dates as datetime64; anything that is not a date (such as a date a board wrote as
    text, '15 september 2026') is missing: text is never guessed to be a date."""
    import datetime as dt

    dates = [v if isinstance(v, dt.date) and not _missing(v) else None for v in values.to_numpy(dtype=object)]
    return pd.Series(pd.to_datetime(pd.Series(dates, dtype=object)).to_numpy(), index=values.index)


def in_submission_order(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """The submissions of each group (such as a board at an occasion) in the order they
    were made, latest last: by the submission date the board gave, then the file's
    modification time, then name. Where a file of the group has no date (left blank, or
    written as text), its place cannot be known from dates, and the whole group is in
    the order of modification time and name."""
    date = real_dates(frame["submitted_on"])
    if len(frame):
        undated = date.isna().groupby([frame[g] for g in group], dropna=False, observed=True).transform("any")
        date = date.mask(undated.to_numpy(dtype=bool))
    return (frame.assign(_date=date)
            .sort_values([*group, "_date", "file_modified", "source_file"], na_position="first")
            .drop(columns="_date"))
