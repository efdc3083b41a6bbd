"""The workbench's shared words: the statuses of a submission file and of a board at an
occasion, the severities of a finding, their Swedish labels, the key that identifies a
submission file, and Swedish number format. Defined once; every stage imports them."""

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

# A finding of the checks: an error rejects the submission, a warning flags it.
ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
SEVERITY_LABELS = {ERROR: "Fel", WARNING: "Varning"}

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
