"""Checks of staged submissions against the goal catalogue. Returns findings as data:
one row per problem, with the cell it is in, a rule id, a severity and a Swedish message.
An `error` rejects the submission; a `warning` accepts it and flags the point."""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

from analysis.catalogue import Catalogue
from analysis.submission import SHEET_TABLES

ISSUE_COLUMNS = [
    "occasion", "board_code", "source_file", "sha256", "sheet", "cell",
    "rule", "severity", "message", "value",
]
SEVERITIES = ("error", "warning")


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ISSUE_COLUMNS})


def _cell(letters: dict[str, dict[str, str]], sha: str, sheet: str, key: str, row: int, fallback: int) -> str:
    letter = letters.get(sha, {}).get(sheet, {}).get(key) or get_column_letter(fallback)
    return f"{letter}{row}"


def find_issues(
    staged: dict[str, pd.DataFrame],
    catalogue: Catalogue,
    letters: dict[str, dict[str, dict[str, str]]],
) -> pd.DataFrame:
    """Findings for the staged tables of one occasion. `letters` maps sha256 -> sheet ->
    field -> column letter, as read from each workbook."""
    findings: list[dict] = []
    goal_codes = set(catalogue.goals["goal_code"])
    for table, (sheet, fields) in SHEET_TABLES.items():
        frame = staged[table]
        if frame.empty:
            continue
        for position, f in enumerate(fields, 1):
            if f.scale:
                allowed = set(catalogue.scales[f.scale].codes)
                bad = frame[frame[f.key].notna() & ~frame[f.key].isin(allowed)]
                message = "'{v}' är inget giltigt värde i kolumnen '" + f.header + "'. Välj ett värde i listan."
                rule = f"kod_{f.scale}"
            elif f.kind == "goal":
                bad = frame[frame[f.key].notna() & ~frame[f.key].isin(goal_codes)]
                message = "KF-målet '{v}' finns inte i målkatalogen för " + catalogue.mandate_period + ". Välj ett mål i listan."
                rule = "okant_kf_mal"
            else:
                continue
            for rec in bad.to_dict("records"):
                findings.append({
                    "occasion": rec["occasion"], "board_code": rec["board_code"],
                    "source_file": rec["source_file"], "sha256": rec["sha256"], "sheet": sheet,
                    "cell": _cell(letters, rec["sha256"], sheet, f.key, int(rec["excel_row"]), position),
                    "rule": rule, "severity": "error",
                    "message": message.format(v=rec[f.key]), "value": str(rec[f.key]),
                })
    if not findings:
        return empty_issues()
    return pd.DataFrame(findings, columns=ISSUE_COLUMNS).astype("string")
