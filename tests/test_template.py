"""The board template: one per responsible board, Swedish, pre-filled, dropdowns fed from
a hidden sheet, protected headers, and formula-like text kept as text."""

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import REPOSITORY_ROOT
from analysis.occasion import Occasion
from analysis.boards.template import build_template, known_contributions
from analysis.boards.layout import (
    CHECK_SHEET,
    CONTRIBUTIONS_SHEET,
    DETAILS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HUMAN_RIGHTS_SHEET,
    INDICATORS_SHEET,
    LISTS_SHEET,
    TEMPLATE_VERSION,
)


def _reload(wb, tmp_path, name="t.xlsx"):
    path = tmp_path / name
    wb.save(path)
    return openpyxl.load_workbook(path)


def _headers(ws):
    return [c.value for c in ws[HEADER_ROW] if c.value]


def test_template_command_writes_one_workbook_per_board(fresh_root, capsys):
    assert main(["--root", str(fresh_root.root), "template", "--period", "2024-budget"]) == 0
    files = sorted(fresh_root.templates_for("2024-budget").glob("*.xlsx"))
    # Every board and company reports (at least on its base mission): 19 templates.
    assert len(files) == 19
    assert any(f.name == "GRN Grundskolenämnden – Nämndsbudget 2024.xlsx" for f in files)
    assert any(f.name == "MKB MKB Fastighets AB – Bolagsbudget 2024.xlsx" for f in files)
    assert "19 mallar för Nämnds- och bolagsbudget 2024" in capsys.readouterr().out


def test_template_out_and_single_board(tmp_path, fresh_root):
    out = tmp_path / "ut"
    assert main(["--root", str(fresh_root.root), "template", "--period", "2024-delar", "--board", "mkb", "--out", str(out)]) == 0
    assert [f.name for f in out.iterdir()] == ["MKB MKB Fastighets AB – Delårsrapport 2024.xlsx"]


def test_sheets_depend_on_the_occasion(catalogue, tmp_path):
    budget = build_template(catalogue, Occasion.parse("2024-budget"), "GRN")
    assert budget.sheetnames == ["Instruktioner", CHECK_SHEET, DETAILS_SHEET, CONTRIBUTIONS_SHEET, HUMAN_RIGHTS_SHEET,
                                 INDICATORS_SHEET, LISTS_SHEET]
    interim = build_template(catalogue, Occasion.parse("2025-ar"), "GRN")
    assert FOLLOW_UPS_SHEET in interim.sheetnames
    assert "Har önskad förflyttning nåtts under mandatperioden?" not in _headers(interim[FOLLOW_UPS_SHEET])
    # Only the last year's annual report asks whether the movement was reached.
    final = build_template(catalogue, Occasion.parse("2026-ar"), "GRN")
    assert "Har önskad förflyttning nåtts under mandatperioden?" in _headers(final[FOLLOW_UPS_SHEET])


def test_details_are_prefilled_and_locked(catalogue, tmp_path):
    wb = _reload(build_template(catalogue, Occasion.parse("2024-delar"), "TN"), tmp_path)
    ws = wb[DETAILS_SHEET]
    values = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, 20) if ws.cell(r, 1).value}
    assert values["Nämnd/bolag (kod)"].value == "TN"
    assert values["Nämnd/bolag"].value == "Tekniska nämnden"
    assert values["Rapporteringstillfälle"].value == "2024-delar"
    assert values["Mallversion"].value == TEMPLATE_VERSION
    assert values["Exempeldata"].value == "Ja"
    assert values["Nämnd/bolag (kod)"].protection.locked
    assert not values["Kontaktperson"].protection.locked
    assert ws.protection.sheet


def test_goal_dropdown_offers_only_the_boards_goals(catalogue, tmp_path):
    wb = _reload(build_template(catalogue, Occasion.parse("2024-budget"), "OFN"), tmp_path)
    lists = wb[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    goal_col = next(c for c in lists[1] if c.value == "KF-mål").column_letter
    offered = [c.value for c in lists[goal_col][1:] if c.value]
    # Överförmyndarnämnden is named for 4.2 and, like every board, for 3.2 and 4.3.
    assert [o.split()[0] for o in offered] == ["3.2", "4.2", "4.3"]
    ws = wb[CONTRIBUTIONS_SHEET]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert f"='Listor'!${goal_col}$2:${goal_col}$4" in formulas
    assert all(not dv.showDropDown for dv in ws.data_validations.dataValidation)


def test_every_coded_column_has_a_dropdown_from_the_lists_sheet(catalogue, tmp_path):
    wb = _reload(build_template(catalogue, Occasion.parse("2026-ar"), "GRN"), tmp_path)
    lists = wb[LISTS_SHEET]
    ranges = {}
    for ws_name, header in [(FOLLOW_UPS_SHEET, "Bedömd förflyttning"), (FOLLOW_UPS_SHEET, "Typ av underlag"),
                            (HUMAN_RIGHTS_SHEET, "Hur har temat beaktats?"), (INDICATORS_SHEET, "Önskad riktning"),
                            (FOLLOW_UPS_SHEET, "Nås önskad förflyttning under mandatperioden?")]:
        ws = wb[ws_name]
        col = next(c.column_letter for c in ws[HEADER_ROW] if c.value == header)
        dv = next(dv for dv in ws.data_validations.dataValidation if any(col in str(r) for r in dv.sqref.ranges))
        ranges[header] = dv.formula1
    col = ranges["Bedömd förflyttning"].split("$")[1]
    labels = [c.value for c in lists[col][1:] if c.value]
    assert labels == list(catalogue.scales["movement"].labels)
    assert ranges["Hur har temat beaktats?"] != ranges["Bedömd förflyttning"]


def test_follow_up_is_prefilled_with_the_boards_contributions(catalogue, tmp_path):
    submitted = pd.DataFrame({
        "occasion": ["2024-budget", "2024-budget", "2024-budget", "2025-budget"],
        "mandate_period": ["2023-2026"] * 4,
        "board_code": ["GRN", "GRN", "TN", "GRN"],
        "contribution_id": ["GRN-01", "GRN-02", "TN-01", "GRN-02"],
        "goal_code": ["1.1", "1.2", "5.1", "1.2"],
        "title": ["Läxhjälp", "=HYPERLINK(\"http://x\")", "Fordon", "Sen ändring"],
        "description": ["a", "b", "c", "d"], "expected_movement": ["e"] * 4, "plan_year": ["p"] * 4,
        "plan_period": ["q"] * 4, "partner_boards": [None] * 4, "excel_row": [4, 5, 4, 4],
    })
    known = known_contributions(submitted, "GRN", Occasion.parse("2024-delar"), catalogue)
    assert known["contribution_id"].tolist() == ["GRN-01", "GRN-02"]
    assert known["title"].tolist() == ["Läxhjälp", "=HYPERLINK(\"http://x\")"]  # not the later 2025 change

    wb = _reload(build_template(catalogue, Occasion.parse("2024-delar"), "GRN", known), tmp_path)
    ws = wb[FOLLOW_UPS_SHEET]
    rows = [[ws.cell(r, c).value for c in (1, 2, 3)] for r in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)]
    assert rows[0] == ["GRN-01", "1.1 Fler barn och elever ska nå kunskapsmålen", "Läxhjälp"]
    assert rows[1][0] == "GRN-02"
    # Board text that looks like a formula stays text.
    cell = ws.cell(FIRST_DATA_ROW + 1, 3)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
    assert ws.cell(FIRST_DATA_ROW, 1).protection.locked
    assert not ws.cell(FIRST_DATA_ROW, 4).protection.locked
    assert not ws.cell(FIRST_DATA_ROW + 2, 1).protection.locked  # a blank row for a new contribution
    # Human-rights rows: 2 contributions and the base mission, four themes each.
    hr = wb[HUMAN_RIGHTS_SHEET]
    ids = [hr.cell(r, 1).value for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 12)]
    assert ids == ["GRN-01"] * 4 + ["GRN-02"] * 4 + ["Grunduppdrag"] * 4
    assert [hr.cell(r, 2).value for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 4)] == [
        "Barnrätt", "Jämställdhet", "Jämlikhet", "Antidiskriminering"]


def test_formula_like_text_written_to_xlsx_is_stored_as_a_string(catalogue, tmp_path):
    known = pd.DataFrame([{"contribution_id": "GRN-01", "goal_code": "1.1", "title": t, "description": None,
                           "expected_movement": None, "plan_year": None, "plan_period": None, "partner_boards": None}
                          for t in ["=1+1"]])
    path = tmp_path / "f.xlsx"
    build_template(catalogue, Occasion.parse("2024-budget"), "GRN", known).save(path)
    import zipfile
    sheet = openpyxl.load_workbook(path).sheetnames.index(CONTRIBUTIONS_SHEET) + 1
    xml = zipfile.ZipFile(path).read(f"xl/worksheets/sheet{sheet}.xml").decode()
    assert "<f>" not in xml and "=1+1" in xml


@pytest.mark.slow
@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice saknas")
def test_libreoffice_opens_the_template_and_reads_the_same_cells(catalogue, tmp_path):
    path = tmp_path / "mall.xlsx"
    build_template(catalogue, Occasion.parse("2026-ar"), "GRN").save(path)
    out = tmp_path / "lo"
    done = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "xlsx", "--outdir", str(out), str(path)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    again = openpyxl.load_workbook(out / "mall.xlsx")
    assert again.sheetnames == openpyxl.load_workbook(path).sheetnames
    assert again[DETAILS_SHEET]["B3"].value == "GRN"


def test_template_and_demo_do_not_import_the_validation_library(tmp_path):
    code = (
        "import sys; from analysis.cli import main\n"
        f"main(['--root', {str(tmp_path)!r}, 'template', '--period', '2024-delar', '--board', 'GRN'])\n"
        f"main(['--root', {str(tmp_path)!r}, 'demo', '--period', '2023-budget'])\n"
        "bad = [m for m in ('great_expectations', 'papermill', 'kaleido') if m in sys.modules]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _changed_catalogue(change):
    """The example catalogue after `change` (a function of its parsed YAML)."""
    import yaml

    from analysis.catalogue import catalogue_from_dict

    raw = yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8"))
    change(raw)
    return catalogue_from_dict(raw, "test.yaml")


def test_the_period_end_column_follows_the_catalogue(catalogue):
    reached = "Har önskad förflyttning nåtts under mandatperioden?"
    moved = _changed_catalogue(lambda raw: raw.update(period_end_occasion="2026-delar"))
    assert reached in _headers(build_template(moved, Occasion.parse("2026-delar"), "GRN")[FOLLOW_UPS_SHEET])
    assert reached not in _headers(build_template(moved, Occasion.parse("2026-ar"), "GRN")[FOLLOW_UPS_SHEET])
    assert reached not in _headers(build_template(catalogue, Occasion.parse("2026-delar"), "GRN")[FOLLOW_UPS_SHEET])


def test_a_board_named_for_no_goal_gets_a_template_for_its_base_mission(tmp_path):
    """Every board has a base mission: Valnämnden, named for no KF goal, follows up the
    human-rights themes (five in this catalogue) of its base mission, and nothing else."""
    def add_board_and_theme(raw):
        raw["boards"].append({"code": "VN", "name": "Valnämnden", "kind": "nämnd"})
        for goal in raw["goals"]:
            if goal["responsible"] == "alla":
                goal["responsible"] = ["KS", "GRN"]
        raw["scales"]["theme"].append({"code": "disability_rights", "label": "Funktionsrätt"})

    cat = _changed_catalogue(add_board_and_theme)
    wb = _reload(build_template(cat, Occasion.parse("2025-delar"), "VN"), tmp_path)
    assert wb.sheetnames == ["Instruktioner", CHECK_SHEET, DETAILS_SHEET, CONTRIBUTIONS_SHEET, HUMAN_RIGHTS_SHEET, LISTS_SHEET]
    assert wb[CONTRIBUTIONS_SHEET].max_row == HEADER_ROW  # headers only: no rows to fill in
    hr = wb[HUMAN_RIGHTS_SHEET]
    rows = [(hr.cell(r, 1).value, hr.cell(r, 2).value) for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 5)]
    assert rows == [("Grunduppdrag", t) for t in ("Barnrätt", "Jämställdhet", "Jämlikhet", "Antidiskriminering", "Funktionsrätt")]
    instructions = " ".join(str(c.value) for c in wb["Instruktioner"]["A"] if c.value)
    assert "ansvarar inte för något KF-mål" in instructions and "funktionsrätt har beaktats" in instructions
    assert wb.properties.title == "Delårsrapport 2025 – Valnämnden"


def test_a_company_sends_a_company_budget_and_an_annual_analysis(catalogue):
    assert build_template(catalogue, Occasion.parse("2025-budget"), "MKB").properties.title == "Bolagsbudget 2025 – MKB Fastighets AB"
    assert build_template(catalogue, Occasion.parse("2025-ar"), "GRN").properties.title == "Årsanalys 2025 – Grundskolenämnden"


# --- council assignments (KF-uppdrag) ----------------------------------------------------

# Earlier answers, as the processed table assignment_follow_ups would hold them. Per board:
# SBN finished its own U2024-01 at 2024-ar; MKB, which takes part in it, said finished
# already at 2024-delar (that does not end SBN's reporting); TN dropped U2025-02 at
# 2025-delar; KS finished U2024-02 at 2025-delar; an answer of a later occasion
# (SBN 2026-delar) says nothing about the occasions before it.
ANSWERS = pd.DataFrame([
    ("2024-delar", "MKB", "U2024-01", "completed"),
    ("2024-delar", "KS", "U2024-02", "ongoing"),
    ("2024-ar", "SBN", "U2024-01", "completed"),
    ("2024-ar", "SBN", "U2023-03", "ongoing"),
    ("2025-delar", "TN", "U2025-02", "discontinued"),
    ("2025-delar", "KS", "U2024-02", "completed"),
    ("2026-delar", "SBN", "U2023-03", "completed"),
], columns=["occasion", "board_code", "assignment_id", "status"])

# Worked out by hand from the catalogue (TN: U2023-03 given 2023, ongoing, and U2025-02 given
# 2025; SBN: U2023-03 taking part, U2024-01 given 2024; KS: U2024-02 given 2024, U2026-01
# given 2026): a budget lists what its year's budget gives; a follow-up lists what is given
# by then and not reported finished by the board at an earlier occasion. None: no sheet.
ACTIVE = {
    ("2024-budget", "TN"): None, ("2024-budget", "SBN"): ["U2024-01"], ("2024-budget", "KS"): ["U2024-02"],
    ("2024-ar", "TN"): ["U2023-03"], ("2024-ar", "SBN"): ["U2023-03", "U2024-01"], ("2024-ar", "KS"): ["U2024-02"],
    ("2025-ar", "TN"): ["U2023-03"], ("2025-ar", "SBN"): ["U2023-03"], ("2025-ar", "KS"): None,
    ("2026-budget", "TN"): None, ("2026-budget", "SBN"): None, ("2026-budget", "KS"): ["U2026-01"],
}


@pytest.mark.parametrize("occasion, board", list(ACTIVE), ids=[f"{o}-{b}" for o, b in ACTIVE])
def test_the_assignment_sheet_lists_exactly_the_active_assignments(catalogue, tmp_path, occasion, board):
    from analysis.boards.layout import ASSIGNMENTS_SHEET

    wb = _reload(build_template(catalogue, Occasion.parse(occasion), board, None, ANSWERS), tmp_path)
    expected = ACTIVE[(occasion, board)]
    if expected is None:
        assert ASSIGNMENTS_SHEET not in wb.sheetnames
        return
    ws = wb[ASSIGNMENTS_SHEET]
    assert _headers(ws) == ["Uppdrags-id", "KF-uppdrag", "Nämndens roll", "Ska vara klart", "Status",
                            "Förväntas vara klart (år)", "Kommentar"]
    rows = [r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if any(v is not None for v in r)]
    assert [r[0] for r in rows] == expected
    texts = dict(zip(catalogue.assignments["assignment_id"], catalogue.assignments["text"]))
    for r in rows:
        assert r[1] == texts[r[0]] and r[4:] == (None, None, None)
    # Pre-filled cells locked; the answers open; the status from a dropdown of the four statuses.
    for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows)):
        assert all(ws.cell(r, c).protection.locked for c in (1, 2, 3, 4))
        assert not any(ws.cell(r, c).protection.locked for c in (5, 6, 7))
    assert ws.protection.sheet
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    last = FIRST_DATA_ROW + len(rows) - 1
    formula = lists[f"E{FIRST_DATA_ROW}:E{last}" if last > FIRST_DATA_ROW else f"E{FIRST_DATA_ROW}"]
    column = formula.split("!")[1].split(":")[0].replace("$", "")[0]
    values = [c.value for c in wb[LISTS_SHEET][column][1:] if c.value]
    assert values == ["Ej påbörjat", "Pågår", "Slutfört", "Avslutat utan att slutföras"]


def test_roles_and_due_years_are_shown(catalogue):
    from analysis.boards.layout import ASSIGNMENTS_SHEET

    ws = build_template(catalogue, Occasion.parse("2024-ar"), "SBN", None, ANSWERS)[ASSIGNMENTS_SHEET]
    rows = [r[:4] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + 1, values_only=True)]
    assert rows[0][2:] == ("Deltar", "Löpande") and rows[1][2:] == ("Ansvarig", "2025")


def test_the_template_command_takes_earlier_statuses_from_the_processed_tables(example_city, tmp_path):
    """In the example city TN reported U2025-02 finished at 2026-delar: its 2026-ar template
    lists only its ongoing U2023-03; without the processed tables it would list both."""
    from analysis.boards.layout import ASSIGNMENTS_SHEET
    from analysis.intake.store import current_folder, read_table

    answers = read_table(current_folder(example_city), "assignment_follow_ups")
    tn = answers[(answers["board_code"] == "TN") & (answers["assignment_id"] == "U2025-02")]
    assert tn.loc[tn["occasion"] == "2026-delar", "status"].tolist() == ["completed"]
    out = tmp_path / "mallar"
    assert main(["--root", str(example_city.root), "template", "--period", "2026-ar", "--board", "TN", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(next(out.glob("*.xlsx")))[ASSIGNMENTS_SHEET]
    assert [r[0] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0]] == ["U2023-03"]
    fresh = tmp_path / "utan"
    fresh.mkdir()
    assert main(["--root", str(fresh), "template", "--period", "2026-ar", "--board", "TN", "--out", str(out / "x")]) == 0
    ws = openpyxl.load_workbook(next((out / "x").glob("*.xlsx")))[ASSIGNMENTS_SHEET]
    assert [r[0] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0]] == ["U2023-03", "U2025-02"]
