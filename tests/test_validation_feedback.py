"""The feedback a board receives, opened as the board would open it: one workbook per
board and occasion whose every finding links to the cell in the board's own file, with
the message and value from the findings table; and the office's one-page summary, with
everything a board wrote escaped."""

from __future__ import annotations

import re
import urllib.parse
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.intake.store import read_table
from analysis.feedback import FINDING_HEADERS, FINDINGS_HEADER_ROW, SUMMARY
from validation_corpus import CASES


@pytest.fixture(scope="module")
def feedback(validation_corpus):
    paths, _ = validation_corpus
    return paths, read_table(paths.processed, "validation_issues")


def _rows(ws):
    for r in range(FINDINGS_HEADER_ROW + 1, ws.max_row + 1):
        values = [ws.cell(r, c).value for c in range(1, len(FINDING_HEADERS) + 1)]
        if values[0] is not None:
            yield r, values


def test_every_board_of_every_occasion_gets_a_workbook_and_the_office_a_summary(feedback):
    paths, _ = feedback
    subs = read_table(paths.processed, "submissions")
    for occasion in subs["occasion"].astype(str).unique():
        folder = paths.reports / occasion / "validering"
        boards = set(subs.loc[subs["occasion"] == occasion, "board_code"].dropna().astype(str))
        names = {p.name for p in folder.glob("*.xlsx")}
        expected = {f"{b}.xlsx" for b in boards}
        if subs.loc[subs["occasion"] == occasion, "board_code"].isna().any():
            expected.add("okand_avsandare.xlsx")
        assert names == expected
        assert (folder / SUMMARY).exists()


def test_the_feedback_workbook_links_each_finding_to_its_cell_in_the_boards_file(feedback):
    paths, issues = feedback
    folder = paths.reports / "2024-delar" / "validering"
    wb = openpyxl.load_workbook(folder / "TN.xlsx")
    ws = wb["Fynd"]
    assert [c.value for c in ws[FINDINGS_HEADER_ROW]][: len(FINDING_HEADERS)] == [h for h, _ in FINDING_HEADERS]
    assert ws.freeze_panes == f"A{FINDINGS_HEADER_ROW + 1}"
    assert ws.auto_filter.ref.startswith(f"A{FINDINGS_HEADER_ROW}:H")
    assert ws.column_dimensions["F"].width >= 60
    assert "Exempeldata".upper() in str(ws["A4"].value)

    mine = issues[(issues["occasion"] == "2024-delar") & (issues["board_code"] == "TN")]
    rows = list(_rows(ws))
    assert len(rows) == len(mine) > 20
    expected = {(r.source_file, r.sheet, r.cell, r.rule, r.message, None if pd.isna(r.value) else r.value) for r in mine.itertuples()}
    seen = set()
    for r, (file, sheet, cell, severity, rule, message, value, link_text) in rows:
        seen.add((file, sheet, cell, rule, message, value))
        assert severity in ("Fel", "Varning")
        link = ws.cell(r, 8).hyperlink
        assert link is not None and link_text == f"{sheet}!{cell}"
        # The link opens the board's own file, as stored in raw, at the cell.
        target = (folder / urllib.parse.unquote(link.target)).resolve()
        assert target == (paths.raw_for("2024-delar") / file).resolve() and target.exists()
        sheet_part, cell_part = link.location.rsplit("!", 1)
        assert sheet_part.strip("'") == sheet and cell_part == cell
        assert re.fullmatch(r"[A-Z]+\d+", cell)
        assert sheet in openpyxl.load_workbook(target, read_only=True).sheetnames
    assert seen == expected
    # Errors come first within each file.
    by_file = {}
    for _, values in rows:
        by_file.setdefault(values[0], []).append(values[3])
    for severities in by_file.values():
        assert severities == sorted(severities, key=lambda s: s != "Fel")


def test_what_the_board_wrote_stays_text_in_the_feedback(feedback):
    paths, _ = feedback
    path = paths.reports / "2024-delar" / "validering" / "TN.xlsx"
    ws = openpyxl.load_workbook(path)["Fynd"]
    formula_like = [ws.cell(r, 7) for r, values in _rows(ws) if values[6] == "=1+1 pågår"]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all("<f>" not in z.read(n).decode() for n in sheets)


def test_the_files_sheet_lists_every_submission_with_its_status(feedback):
    paths, _ = feedback
    ws = openpyxl.load_workbook(paths.reports / "2024-budget" / "validering" / "TN.xlsx")["Inlämningar"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}
    budget_cases = [c for c in CASES if c.occasion == "2024-budget" and c.name not in ("okänd nämnd", "flik saknas", "inte excel", "länk till en fil utanför")]
    assert {c.file for c in budget_cases} | {"TN.xlsx"} == set(rows)
    assert rows["fel okant mål.xlsx"] == "Avvisad"
    assert set(rows.values()) <= {"Gällande", "Avvisad", "Ersatt av senare inlämning"}
    assert list(rows.values()).count("Gällande") == 1
    assert ws.freeze_panes == "A2" and ws["F2"].hyperlink is not None


def test_files_without_a_known_board_get_their_own_workbook(feedback):
    paths, _ = feedback
    ws = openpyxl.load_workbook(paths.reports / "2024-budget" / "validering" / "okand_avsandare.xlsx")["Fynd"]
    files = {values[0] for _, values in _rows(ws)}
    assert files == {"fel okänd nämnd.xlsx", "fel flik saknas.xlsx", "fel inte excel.xlsx", "fel länk till en fil utanför.xlsx"}


def test_the_summary_counts_per_board_and_rule_and_escapes_submission_text(feedback):
    paths, issues = feedback
    page = (paths.reports / "2024-delar" / "validering" / SUMMARY).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("<html") == 1 and "EXEMPELDATA" in page
    mine = issues[issues["occasion"] == "2024-delar"]
    for rule, count in mine.groupby("rule").size().items():
        assert re.search(rf"<tr><td>{rule}</td><td class=\w+>(Fel|Varning)</td><td>[^<]*</td><td class=n>{count}</td>", page), rule
    tn = mine[mine["board_code"] == "TN"]
    errors = int((tn["severity"] == "error").sum())
    assert re.search(rf"<td>TN</td><td class=n>\d+</td><td>[^<]+</td><td class=\"n fel\">{errors}</td>", page)
    assert '<a href="TN.xlsx">' in page


def test_rerunning_rewrites_the_same_feedback(validation_corpus, tmp_path):
    """Feedback comes from the tables alone: writing it again gives the same cells."""
    from analysis.feedback import write_feedback

    paths, _ = validation_corpus
    before = openpyxl.load_workbook(paths.reports / "2024-delar" / "validering" / "TN.xlsx")["Fynd"]
    cells = [[c.value for c in row] for row in before.iter_rows()]
    write_feedback(paths, ["2024-delar"])
    after = openpyxl.load_workbook(paths.reports / "2024-delar" / "validering" / "TN.xlsx")["Fynd"]
    assert [[c.value for c in row] for row in after.iter_rows()] == cells
