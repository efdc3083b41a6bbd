"""The analysts' own judgement per KF goal: `data/reference/bedomning/<period>.xlsx`.

The first report run for an occasion writes the file with the suggested signal and its
reasons, and empty cells for the executive board's assessment (a dropdown) and wording.
Later runs read it and put the assessment beside the evidence. The file is never
written again once it exists: nothing an analyst wrote is overwritten."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.excel import HEADER_FILL, HEADER_FONT, WRAP, save_workbook, set_value

SHEET = "Bedömning"
LISTS = "Listor"
COLUMNS = [
    ("goal_area_code", "Målområde", 12),
    ("goal_code", "KF-mål", 10),
    ("goal_name", "Mål", 45),
    ("suggested_level_label", "Föreslagen signal", 24),
    ("reasons", "Skäl till förslaget", 60),
    ("assessment", "KS bedömning", 34),
    ("wording", "KS formulering i sammanställd analys", 70),
]
PENDING = "Bedömning pågår"
JUDGEMENT_COLUMNS = ["goal_code", "assessment", "assessment_label", "wording"]


def judgement_workbook(signals: pd.DataFrame, catalogue: Catalogue, occasion_label: str):
    """A new judgement workbook: one row per goal with the suggested signal (the
    goal_signal table's suggested_level_label and reasons) and empty input cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    goals = catalogue.goals.merge(signals[["goal_code", "suggested_level_label", "reasons"]].astype({"goal_code": object}), on="goal_code", how="left")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(1, 1, f"Kommunstyrelsens bedömning per KF-mål – {occasion_label}").font = Font(bold=True, size=14)
    ws.cell(2, 1, "Fyll i KS bedömning (lista) och formulering. Föreslagen signal är underlag, inte en bedömning."
                  + (" Exempeldata." if catalogue.example_data else "")).font = Font(italic=True)
    for c, (_, header, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(3, c, header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for r, rec in enumerate(goals.to_dict("records"), 4):
        for c, (key, _, _) in enumerate(COLUMNS, 1):
            cell = ws.cell(r, c)
            set_value(cell, rec.get(key))
            cell.alignment = WRAP
            if key in ("assessment", "wording"):
                cell.protection = Protection(locked=False)
    lists = wb.create_sheet(LISTS)
    labels = catalogue.scales["movement"].labels
    for r, label in enumerate(labels, 1):
        lists.cell(r, 1, label)
    lists.sheet_state = "hidden"
    last = 3 + len(goals)
    dv = DataValidation(type="list", formula1=f"={LISTS}!$A$1:$A${len(labels)}", allow_blank=True,
                        errorTitle="Ogiltigt värde", error="Välj en bedömning i listan.")
    ws.add_data_validation(dv)
    dv.add(f"F4:F{last}")
    ws.freeze_panes = "D4"
    ws.auto_filter.ref = f"A3:G{last}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    return wb


def ensure_judgement_file(path: Path, signals: pd.DataFrame, catalogue: Catalogue, occasion_label: str) -> bool:
    """Write the file if it does not exist yet; True when written."""
    if path.exists():
        return False
    save_workbook(judgement_workbook(signals, catalogue, occasion_label), path)
    return True


def read_judgement(path: Path, catalogue: Catalogue) -> pd.DataFrame:
    """The analysts' assessment per goal (code from the movement scale; None when empty or
    not one of the list's values) and wording. Goals without a row are pending."""
    goals = catalogue.goals[["goal_code"]].copy()
    if not path.exists():
        return goals.assign(assessment=None, assessment_label=PENDING, wording=None)[JUDGEMENT_COLUMNS]
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    headers = [str(h).strip() for h in grid[2]] if len(grid) > 2 else []
    col = {key: headers.index(header) for key, header, _ in COLUMNS if header in headers}
    records = []
    for row in grid[3:]:
        def value(key):
            i = col.get(key)
            v = row[i] if i is not None and i < len(row) else None
            return str(v).strip() if v not in (None, "") else None

        code = value("goal_code")
        if code:
            records.append({"goal_code": code, "label": value("assessment"), "wording": value("wording")})
    given = pd.DataFrame(records, columns=["goal_code", "label", "wording"])
    out = goals.merge(given, on="goal_code", how="left")
    scale = catalogue.scales["movement"]
    codes = [scale.code_for(l) if isinstance(l, str) else None for l in out["label"]]
    out["assessment"] = pd.Series(codes, index=out.index, dtype=object)
    out["assessment_label"] = [scale.label(c) if isinstance(c, str) else PENDING for c in codes]
    out["wording"] = out["wording"].astype(object).where(out["wording"].notna(), None)
    return out[JUDGEMENT_COLUMNS]
