"""A workbook filled in on the template of the wrong mandate period is refused with one
message that names both periods: a 2027 submission on a 2023–2026 template, and the reverse."""

from __future__ import annotations

from analysis.boards import demo
from analysis.boards.layout import DETAILS_SHEET
from analysis.catalogue import load_catalogues
from analysis.cli import main
from analysis.config import Paths
from analysis.crosswalk import crosswalk_for
from analysis.excel import save_workbook
from analysis.intake.store import current_folder, read_table
from analysis.occasion import Occasion

CATALOGUES = load_catalogues(Paths.at().reference)
OLD, NEW = CATALOGUES["2023-2026"], CATALOGUES["2027-2030"]
WALK = crosswalk_for(NEW, CATALOGUES)


def _old_budget(board: str = "GRN"):
    return demo.fill_submission(OLD, Occasion.parse("2026-budget"), board, demo.board_plan(OLD, board))


def _new_budget(board: str = "GRN"):
    return demo.fill_submission(NEW, Occasion.parse("2027-budget"), board, demo.board_plan(NEW, board, crosswalk=WALK),
                                carried=demo.carried_rows(WALK, board))


def _set_detail(wb, label: str, value: str) -> None:
    for row in wb[DETAILS_SHEET].iter_rows(min_row=3, max_col=2):
        if row[0].value == label:
            row[1].value = value


def _findings(paths: Paths, occasion: str) -> list[tuple[str, str, str, str]]:
    issues = read_table(current_folder(paths), "validation_issues")
    issues = issues[(issues["occasion"] == occasion) & (issues["severity"] == "error")]
    return list(zip(issues["source_file"], issues["rule"], issues["cell"], issues["message"]))


def test_a_2027_submission_on_a_2023_2026_template_is_refused(tmp_path, capsys):
    paths = Paths.at(tmp_path)
    folder = paths.raw_for("2027-budget")
    folder.mkdir(parents=True)
    save_workbook(_old_budget(), folder / "GRN gammal mall.xlsx")
    # The same, with the occasion typed over to 2027-budget: the template still says 2023–2026.
    edited = _old_budget()
    _set_detail(edited, "Rapporteringstillfälle", "2027-budget")
    save_workbook(edited, folder / "GRN ändrat tillfälle.xlsx")
    save_workbook(_new_budget(), folder / "GRN rätt mall.xlsx")  # a later file, on the right template

    assert main(["--root", str(tmp_path), "ingest", "--period", "2027-budget", "--quiet"]) == 1
    out = capsys.readouterr().out
    message = ("Arbetsboken är mallen för Nämndsbudget 2026, mandatperioden 2023–2026, men den har lämnats in för "
               "Nämndsbudget 2027, som hör till mandatperioden 2027–2030. KF-målen skiljer sig mellan perioderna: "
               "hämta mallen för Nämndsbudget 2027 (2027–2030) och för över uppgifterna.")
    edited_message = message.replace("mallen för Nämndsbudget 2026", "mallen för Nämndsbudget 2027")
    found = _findings(paths, "2027-budget")
    # The period's message comes first for each file (the details sheet, before the goals it
    # does not know); the occasion's own rule (fel_tillfalle) does not repeat it.
    firsts = {}
    for name, rule, cell, text in found:
        firsts.setdefault(name, (rule, cell, text))
    assert firsts == {"GRN gammal mall.xlsx": ("fel_mandatperiod", "B6", message),
                      "GRN ändrat tillfälle.xlsx": ("fel_mandatperiod", "B6", edited_message)}
    assert "fel_tillfalle" not in {rule for _, rule, _, _ in found}
    assert f"  AVVISAD GRN gammal mall.xlsx: {message} (flik 'Uppgifter', cell B6)" in out
    subs = read_table(current_folder(paths), "submissions")
    assert dict(zip(subs["source_file"], subs["status"].astype(object))) == {
        "GRN gammal mall.xlsx": "rejected", "GRN ändrat tillfälle.xlsx": "rejected", "GRN rätt mall.xlsx": "current"}


def test_a_2023_2026_submission_on_a_2027_template_is_refused(tmp_path):
    paths = Paths.at(tmp_path)
    folder = paths.raw_for("2026-budget")
    folder.mkdir(parents=True)
    save_workbook(_new_budget("KS"), folder / "KS ny mall.xlsx")
    assert main(["--root", str(tmp_path), "ingest", "--period", "2026-budget", "--quiet"]) == 1
    rule, cell, text = next((r, c, t) for _, r, c, t in _findings(paths, "2026-budget"))
    assert (rule, cell) == ("fel_mandatperiod", "B6")
    assert text.startswith("Arbetsboken är mallen för Nämndsbudget 2027, mandatperioden 2027–2030, men den har lämnats "
                           "in för Nämndsbudget 2026, som hör till mandatperioden 2023–2026.")


def test_an_occasion_of_the_same_period_keeps_its_own_message(tmp_path):
    paths = Paths.at(tmp_path)
    folder = paths.raw_for("2026-budget")
    folder.mkdir(parents=True)
    wb = demo.fill_submission(OLD, Occasion.parse("2025-budget"), "GRN", demo.board_plan(OLD, "GRN"))
    save_workbook(wb, folder / "GRN.xlsx")
    assert main(["--root", str(tmp_path), "ingest", "--period", "2026-budget", "--quiet"]) == 1
    rules = [r for _, r, _, _ in _findings(paths, "2026-budget")]
    assert rules[0] == "fel_tillfalle" and "fel_mandatperiod" not in rules
