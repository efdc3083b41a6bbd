"""The board workbook on screen and on paper: rows as high as their text needs, every
sheet on A4 landscape at 70 % or more with its header row repeated and the board,
occasion and page in the footer, and the Kontroll sheet whose formulas count what is
still missing (evaluated by LibreOffice headless), while the reader sees the same tables."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from analysis.boards import paper
from analysis.boards.demo import board_plan, fill_submission, known_contributions, write_demo
from analysis.boards.layout import (
    CHECK_SHEET,
    CONTRIBUTIONS_SHEET,
    DATA_SHEETS,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HUMAN_RIGHTS_SHEET,
    INDICATORS_SHEET,
    INSTRUCTIONS_SHEET,
)
from analysis.boards.template import build_template
from analysis.catalogue import catalogue_from_dict
from analysis.cli import main
from analysis.config import Paths, REPOSITORY_ROOT
from analysis.excel import save_workbook
from analysis.intake.store import stored_tables
from analysis.occasion import Occasion
from libreoffice import convert, in_order, needs_libreoffice, overlapping, pdf_layout_text, pdf_pages

PERIOD_END = Occasion.parse("2026-ar")


# --- the estimate, worked out by hand -----------------------------------------------------


def test_text_lines_wrap_at_spaces_break_long_words_and_keep_line_breaks():
    # Width 11 holds (11 - 1) * 1.0 = 10 characters of 11 pt text.
    assert paper.chars_per_line(11) == 10
    assert paper.text_lines("aaaa bbbb", 11) == 1  # 9 characters
    assert paper.text_lines("aaaaa bbbbb", 11) == 2  # 11 characters: the second word wraps
    assert paper.text_lines("aaaa bbbb cccc", 11) == 2
    assert paper.text_lines("a" * 25, 11) == 3  # 10 + 10 + 5
    assert paper.text_lines("a" * 25 + " bb", 11) == 3  # 'bb' follows the 5 on the third line
    assert paper.text_lines("a" * 10 + " b", 11) == 2  # a full line, then a new one
    assert paper.text_lines("aaaa\n\nbbbb", 11) == 3  # an empty line between
    assert paper.text_lines(None, 11) == paper.text_lines("", 11) == 1
    # Bold text: 10 / 1.1 = 9 characters; 22 pt text: half as many, 5.
    assert paper.text_lines("aaaa bbbb", 11, bold=True) == 1
    assert paper.text_lines("aaaaa bbbb", 11, bold=True) == 2
    assert paper.text_lines("aaaa bbbb", 11, size=22) == 2
    # Without wrapping a cell takes one line per explicit line break.
    assert paper.text_lines("a" * 300, 11, wrap=False) == 1
    assert paper.text_lines("a\nb", 11, wrap=False) == 2


def test_row_height_is_the_tallest_cell_at_least_one_line_at_most_409_points():
    assert paper.cell_height("aaaa bbbb cccc", 11) == pytest.approx(2 * 11 * 1.3 + 1.5)  # 30.1
    assert paper.row_height([]) == pytest.approx(11 * 1.3 + 1.5)  # 15.8: one line
    assert paper.row_height([("aaaa bbbb cccc", 11, 11, False, True), ("x", 50, 14, True, False)]) == pytest.approx(30.1)
    assert paper.row_height([("x", 50, 14, True, False)]) == pytest.approx(14 * 1.3 + 1.5)  # 19.7
    assert paper.row_height([("ord " * 2000, 10, 11, False, True)]) == 409


def test_print_scale_fits_the_columns_on_an_a4_landscape_page():
    # 297 mm = 841.89 pt, less 0.5 in on each side: 769.89 pt; a width unit at most 7.3 pt.
    assert paper.print_scale([100]) == 100  # 730 pt
    assert paper.print_scale([50, 50, 50]) == 70  # 769.89 / 1095 = 0.703
    assert paper.print_scale([200]) == 52  # 769.89 / 1460 = 0.527


def test_the_required_answers_are_those_whose_emptiness_rejects_a_submission():
    from analysis.checks.rules import required_answers

    assert required_answers("follow_ups", budget=False) == (
        "contribution_id", "goal_code", "movement", "outlook", "reached", "analysis", "evidence_type", "evidence")
    assert required_answers("human_rights", budget=False) == ("contribution_id", "theme", "consideration")
    assert required_answers("human_rights", budget=True) == ("contribution_id", "theme")  # a warning in a budget
    # Indicators are optional; a started one needs its contribution, name and direction (the rest is a warning).
    assert required_answers("indicators", budget=False) == ("contribution_id", "indicator", "direction")
    assert "partner_boards" not in required_answers("contributions", budget=True)


# --- the workbooks as written --------------------------------------------------------------


def _workbooks(catalogue):
    """Templates for a board's budget, interim report and the period end (pre-filled with
    its contributions), a company's and a board named for no goal (with a fifth theme);
    the example city's filled ones."""
    import yaml

    raw = yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8"))
    raw["boards"].append({"code": "VN", "name": "Valnämnden", "kind": "nämnd"})
    for goal in raw["goals"]:
        if goal["responsible"] == "alla":
            goal["responsible"] = ["KS", "GRN"]
    raw["scales"]["theme"].append({"code": "disability_rights", "label": "Funktionsrätt"})
    changed = catalogue_from_dict(raw, "test.yaml")
    plan = board_plan(catalogue, "GRN")
    return {
        "mall 2024-budget GRN": build_template(catalogue, Occasion.parse("2024-budget"), "GRN"),
        "mall 2025-delar MKB": build_template(catalogue, Occasion.parse("2025-delar"), "MKB"),
        "mall 2026-ar GRN": build_template(catalogue, PERIOD_END, "GRN", known_contributions(plan, PERIOD_END)),
        "mall 2025-delar VN": build_template(changed, Occasion.parse("2025-delar"), "VN"),
        "ifylld 2025-budget GRN": fill_submission(catalogue, Occasion.parse("2025-budget"), "GRN", plan),
        "ifylld 2026-ar GRN": fill_submission(catalogue, PERIOD_END, "GRN", plan),
    }


@pytest.fixture(scope="module")
def saved(catalogue, tmp_path_factory):
    folder = tmp_path_factory.mktemp("arbetsbocker")
    paths = {}
    for name, wb in _workbooks(catalogue).items():
        paths[name] = folder / f"{name}.xlsx"
        save_workbook(wb, paths[name])
    return paths


def _width(ws, column: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(column))
    return dim.width if dim is not None and dim.customWidth else paper.DEFAULT_COLUMN_WIDTH


def test_every_row_with_wrapped_text_is_as_high_as_its_longest_cell_needs(saved):
    checked = 0
    for name, path in saved.items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            merged = {(m.min_row, m.min_col): sum(_width(ws, c) for c in range(m.min_col, m.max_col + 1))
                      for m in ws.merged_cells.ranges}
            for row in ws.iter_rows():
                texts = [c for c in row if isinstance(c.value, str) and c.data_type != "f" and c.alignment.wrap_text]
                if not texts:
                    continue
                longest = max(texts, key=lambda c: len(c.value))
                width = merged.get((longest.row, longest.column), _width(ws, longest.column))
                need = min(paper.cell_height(longest.value, width, longest.font.sz or 11, bool(longest.font.b)), 409)
                height = ws.row_dimensions[longest.row].height
                assert height is not None and height >= need - 0.05, (name, ws.title, longest.coordinate, height, need)
                checked += 1
    assert checked > 200


def test_every_sheet_prints_landscape_on_a4_at_70_percent_or_more_with_header_and_footer(saved):
    for name, path in saved.items():
        wb = openpyxl.load_workbook(path)
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert [ws.title for ws in visible][:2] == [INSTRUCTIONS_SHEET, CHECK_SHEET]
        for ws in visible:
            setup = ws.page_setup
            assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), (name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
            widths = [_width(ws, c) for c in range(1, ws.max_column + 1)]
            assert paper.print_scale(widths) >= paper.MIN_PRINT_SCALE, (name, ws.title, sum(widths))
            board = "Grundskolenämnden" if "GRN" in name else "MKB Fastighets AB" if "MKB" in name else "Valnämnden"
            assert board in ws.oddFooter.left.text and "&P" in ws.oddFooter.right.text, (name, ws.title)
            assert ws.oddHeader.center.text.startswith("Exempeldata")
            if ws.title in DATA_SHEETS or ws.title == CHECK_SHEET:
                assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert "Årsanalys 2026" in openpyxl.load_workbook(saved["mall 2026-ar GRN"])[FOLLOW_UPS_SHEET].oddFooter.left.text


def test_a_city_without_example_data_prints_no_example_header():
    import yaml

    raw = yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8"))
    raw["example_data"] = False
    wb = build_template(catalogue_from_dict(raw, "test.yaml"), Occasion.parse("2025-delar"), "GRN")
    assert all(not ws.oddHeader.center.text for ws in wb.worksheets)


def test_the_check_sheet_is_the_templates_own_formulas_in_locked_cells(catalogue, tmp_path):
    """Board text never reaches a formula: the formulas refer to cells only."""
    known = pd.DataFrame([{"contribution_id": "GRN-01", "goal_code": "1.1", "title": '=HYPERLINK("http://x","y")',
                           "description": "=1+1", "expected_movement": "@SUM(A1)", "plan_year": "-2", "plan_period": "+3",
                           "partner_boards": None}])
    path = tmp_path / "k.xlsx"
    save_workbook(build_template(catalogue, PERIOD_END, "GRN", known), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[CHECK_SHEET]
    assert ws.protection.sheet
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.protection.locked for c in cells)
    formulas = [c for c in cells if c.data_type == "f"]
    rows = {ws.cell(c.row, 1).value for c in formulas if c.column == 3}
    assert {CONTRIBUTIONS_SHEET, FOLLOW_UPS_SHEET, HUMAN_RIGHTS_SHEET, INDICATORS_SHEET, "Totalt"} <= rows
    for c in formulas:
        assert not any(t in c.value for t in ("HYPERLINK", "http", "1+1", "GRN", "SUM(A1)")), c.value
    links = {ws.cell(c.row, 1).value: c.hyperlink.location for c in cells if c.hyperlink is not None}
    assert links[FOLLOW_UPS_SHEET] == f"'{FOLLOW_UPS_SHEET}'!A{FIRST_DATA_ROW}"
    # Nothing the board typed became a formula anywhere in the workbook.
    for sheet in wb.worksheets:
        if sheet.title != CHECK_SHEET:
            assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], sheet.title
    # Required columns are shaded while empty: movement, outlook, reached, analysis, evidence.
    shaded = {str(r.sqref).split(":")[0].rstrip("0123456789") for r in wb[FOLLOW_UPS_SHEET].conditional_formatting}
    headers = {c.value: c.column_letter for c in wb[FOLLOW_UPS_SHEET][HEADER_ROW]}
    assert headers["Bedömd förflyttning"] in shaded and headers["Analys"] in shaded
    assert headers["Bidrag (rubrik)"] not in shaded  # not required


# --- LibreOffice: the counts, the pages ------------------------------------------------------


def _counts(path) -> dict[tuple[str, str], int]:
    """(sheet, what) -> the value LibreOffice stored for the check sheet's count."""
    ws = openpyxl.load_workbook(path, data_only=True)[CHECK_SHEET]
    return {(ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, 3).value
            for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[HEADER_ROW] if c.value == header)


@needs_libreoffice
def test_libreoffice_counts_exactly_the_missing_answers(catalogue, tmp_path):
    plan = board_plan(catalogue, "GRN")

    def complete():
        return fill_submission(catalogue, PERIOD_END, "GRN", plan)

    files = {"komplett": complete()}

    blanked = complete()  # three required cells left empty
    fu, hr = blanked[FOLLOW_UPS_SHEET], blanked[HUMAN_RIGHTS_SHEET]
    fu.cell(FIRST_DATA_ROW, _column(fu, "Bedömd förflyttning")).value = None
    fu.cell(FIRST_DATA_ROW + 1, _column(fu, "Analys")).value = None
    hr.cell(FIRST_DATA_ROW + 2, _column(hr, "Hur har temat beaktats?")).value = "   "  # only spaces is empty
    files["tre_tomma"] = blanked

    gaps = complete()  # a human-rights row removed, a new contribution not followed up
    hr = gaps[HUMAN_RIGHTS_SHEET]
    for c in range(1, 5):
        hr.cell(FIRST_DATA_ROW + 1, c).value = None
    contributions = gaps[CONTRIBUTIONS_SHEET]
    new_row = FIRST_DATA_ROW + len(plan)
    for c, value in enumerate(["GRN-99", "1.1 Fler barn och elever ska nå kunskapsmålen", "Nytt", "Beskrivning",
                               "Förflyttning", "Året", "Perioden"], 1):
        contributions.cell(new_row, c).value = value
    files["luckor"] = gaps

    budget = fill_submission(catalogue, Occasion.parse("2025-budget"), "GRN", plan)
    budget[HUMAN_RIGHTS_SHEET].cell(FIRST_DATA_ROW, _column(budget[HUMAN_RIGHTS_SHEET], "Hur har temat beaktats?")).value = None
    files["budget_utan_beaktande"] = budget

    sources = []
    for name, wb in files.items():
        save_workbook(wb, tmp_path / f"{name}.xlsx")
        sources.append(tmp_path / f"{name}.xlsx")
    out = tmp_path / "omraknad"
    counts = {p.stem: _counts(p) for p in convert(sources, "xlsx", out, tmp_path)}

    required = "Obligatoriska svar som saknas på ifyllda rader"
    unfollowed = f"Bidrag i fliken {CONTRIBUTIONS_SHEET} som inte följs upp"
    themes = "Teman som saknas för bidragen och grunduppdraget (en rad per tema)"
    total = ("Totalt", "Inget saknas.")
    assert set(counts["komplett"].values()) == {0} and counts["komplett"][total] == 0
    assert len(counts["komplett"]) == 7  # four sheets, follow-ups, themes, total
    three = counts["tre_tomma"]
    assert three[(FOLLOW_UPS_SHEET, required)] == 2 and three[(HUMAN_RIGHTS_SHEET, required)] == 1
    assert three[(CONTRIBUTIONS_SHEET, required)] == three[(INDICATORS_SHEET, required)] == 0
    assert three[(FOLLOW_UPS_SHEET, unfollowed)] == three[(HUMAN_RIGHTS_SHEET, themes)] == 0
    assert three[("Totalt", "Något saknas: se raderna ovan och de röda cellerna i flikarna.")] == 3
    gaps = counts["luckor"]
    assert gaps[(HUMAN_RIGHTS_SHEET, themes)] == 1 and gaps[(FOLLOW_UPS_SHEET, unfollowed)] == 1
    assert gaps[(HUMAN_RIGHTS_SHEET, required)] == gaps[(CONTRIBUTIONS_SHEET, required)] == 0
    # In a budget, how a theme was considered may still be open (a warning, not a rejection).
    assert set(counts["budget_utan_beaktande"].values()) == {0}


def _scale_copy(source, target):
    """The workbook with every sheet printed at 100 %, not fitted: the measure of the fitted pages."""
    wb = openpyxl.load_workbook(source)
    for ws in wb.worksheets:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = 100
    wb.save(target)


@needs_libreoffice
def test_libreoffice_prints_every_sheet_whole_readable_and_at_70_percent_or_more(saved, tmp_path):
    sources = [saved["mall 2026-ar GRN"], saved["ifylld 2026-ar GRN"], saved["ifylld 2025-budget GRN"]]
    full = []
    for s in sources:
        full.append(tmp_path / f"{s.stem} 100.xlsx")
        _scale_copy(s, full[-1])
    pdfs = dict(zip([*sources, *full], convert([*sources, *full], "pdf", tmp_path / "pdf", tmp_path)))
    for source, at_100 in zip(sources, full):
        wb = openpyxl.load_workbook(source)
        pages = pdf_pages(pdfs[source])
        by_sheet = {}
        for page in pages:
            assert (round(page.width), round(page.height)) == (842, 595)  # A4 landscape
            assert not overlapping(page.words), (source.stem, page.number, overlapping(page.words)[:3])
            by_sheet.setdefault(page.footer_centre, []).append(page)
        visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert sorted(by_sheet) == sorted(visible)
        # The scale: the width of each sheet's title word, fitted against at 100 %.
        reference = {}
        for page in pdf_pages(pdfs[at_100]):
            reference.setdefault(page.footer_centre, page)
        for sheet in visible:
            first = str(wb[sheet]["A1"].value).split()[0]
            fitted = next(w for w in by_sheet[sheet][0].body if w.text == first)
            natural = next(w for w in reference[sheet].body if w.text == first)
            scale = (fitted.x1 - fitted.x0) / (natural.x1 - natural.x0)
            assert scale >= 0.70, (source.stem, sheet, scale)
        # Every contribution's title and every analysis in full: whole and in one piece in
        # the text in the order it was drawn, each word in the page layout's text.
        texts = [c.value for c in wb[CONTRIBUTIONS_SHEET]["C"][FIRST_DATA_ROW - 1:] if c.value]
        if FOLLOW_UPS_SHEET in wb.sheetnames:
            fu = wb[FOLLOW_UPS_SHEET]
            texts += [c.value for c in fu[get_column_letter(_column(fu, "Analys"))][FIRST_DATA_ROW - 1:] if c.value]
        assert len(texts) >= (10 if "ifylld 2026" in source.stem else 4)
        drawn = "".join(_raw_text(pdfs[source]).split())
        layout = pdf_layout_text(pdfs[source]).split()
        for text in texts:
            assert "".join(text.split()) in drawn, (source.stem, text)
            assert in_order([w for w in text.split() if len(w) <= 10], layout), (source.stem, text)


def _raw_text(pdf) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# --- the reader and the checks see the same ---------------------------------------------------


def test_the_check_sheet_changes_no_table_and_no_finding(catalogue, tmp_path):
    """The example city's period end, as written and with the Kontroll sheet removed:
    the same tables and the same findings (the deliberate mistake included)."""
    with_check, without = Paths.at(tmp_path / "med"), Paths.at(tmp_path / "utan")
    folder = with_check.raw_for(PERIOD_END.code)
    folder.mkdir(parents=True)
    write_demo(catalogue, PERIOD_END, folder)
    target = without.raw_for(PERIOD_END.code)
    target.mkdir(parents=True)
    for path in sorted(folder.iterdir()):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[1] == CHECK_SHEET
        del wb[CHECK_SHEET]
        wb.save(target / path.name)
    codes = [main(["--root", str(p.root), "ingest", "--period", PERIOD_END.code, "--quiet"]) for p in (with_check, without)]
    assert codes == [1, 1]  # the deliberate mistake rejects one submission in both
    a, b = stored_tables(with_check), stored_tables(without)
    assert set(a) == set(b)
    for name in a:
        left, right = a[name], b[name]
        # what identifies the file itself (its hash, time, and the digest its checks were made with) differs
        drop = [c for c in left.columns if c in ("sha256", "submission", "file_modified", "checked_with")]
        left, right = left.drop(columns=drop), right.drop(columns=drop)
        if name.startswith("staged/"):  # the reading cache is in file-hash order, and the hashes differ
            left, right = (f.sort_values(list(f.columns), key=lambda c: c.astype(str)) for f in (left, right))
        left, right = left.reset_index(drop=True), right.reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_like=True, obj=name)
    issues = a["validation_issues"]
    assert set(issues["severity"].astype(str)) == {"error", "warning"}
