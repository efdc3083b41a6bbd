"""The example city at the turn of two periods: the 2027-budget templates carry forward
exactly the contributions that continue (worked out here from the boards' raw 2026
workbooks and the crosswalk written out by hand), and the period end 2026-ar comes out
the same with the new period's data as without it."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.intake.store import read_table
from analysis.tables.registry import TABLES

from conftest import aggregates_folder, copy_data

# malkatalog-2027-2030.yaml read by hand: per KF goal of 2023–2026, the goals of 2027–2030
# that continue it, in catalogue order, each with its responsible boards. 4.3 and 5.2 end.
ALL = {"KS", "ASN", "FSKN", "GRN", "GVN", "HVON", "FN", "KN", "FRN", "MN", "SBN", "TN", "SN", "OFN", "MKB", "MLAB",
       "MLK", "MST", "BPS"}
SUCCESSORS = {
    "1.1": [("1.1", {"FSKN", "GRN", "GVN"})],
    "1.2": [("1.3", {"GRN", "GVN", "ASN"})],
    "1.3": [("1.2", {"FRN", "KN", "GRN", "MST", "MLK"})],
    "2.1": [("2.1", {"ASN", "GVN", "KS"})],
    "2.2": [("2.2", {"SBN", "TN", "BPS"}), ("2.3", {"MKB", "BPS", "ASN"})],
    "2.3": [("2.4", {"KS", "SBN", "MLK", "MST"})],
    "3.1": [("3.1", {"TN", "SBN", "ASN", "MKB", "KS"})],
    "3.2": [("3.2", ALL)],
    "3.3": [("1.2", {"FRN", "KN", "GRN", "MST", "MLK"})],
    "4.1": [("3.3", {"HVON", "ASN", "FN", "FRN"})],
    "4.2": [("3.4", {"HVON", "FN", "OFN"})],
    "4.3": [],
    "5.1": [("4.1", {"TN", "SN", "MN", "MKB", "MLAB"})],
    "5.2": [],
    "5.3": [("4.3", {"SN", "TN", "MN", "MLAB"})],
}
# The example's period end: FSKN's 2026-ar file keeps its deliberate mistake (rejected) and TN
# sent nothing, so their last accepted submissions are their 2026-delar.
REJECTED_AT_END = {"FSKN"}


def _board_of(wb) -> str:
    return wb["Uppgifter"]["B3"].value


def _raw_contributions(paths: Paths) -> dict[str, list[tuple]]:
    """Board -> (id, goal, title, expected movement) of each row of the contributions sheet
    of its last accepted workbook of 2023–2026, read with openpyxl from data/raw."""
    found: dict[str, list[tuple]] = {}
    for occasion in ("2026-ar", "2026-delar"):
        for path in sorted(paths.raw_for(occasion).glob("*.xlsx")):
            wb = openpyxl.load_workbook(path, read_only=True)
            board = _board_of(wb)
            if board in found or (occasion == "2026-ar" and board in REJECTED_AT_END):
                continue
            found[board] = [(r[0], str(r[1]).split()[0], r[2], r[4]) for r in wb["Bidrag"].iter_rows(min_row=4, values_only=True)
                            if r[0]]
    return found


def _expected(paths: Paths) -> dict[str, list[tuple]]:
    out = {}
    for board, rows in _raw_contributions(paths).items():
        out[board] = [(cid, next(new for new, named in SUCCESSORS[goal] if board in named), goal, title, movement)
                      for cid, goal, title, movement in rows if any(board in named for _, named in SUCCESSORS[goal])]
    return out


@pytest.fixture(scope="module")
def templates(example_city, tmp_path_factory):
    out = tmp_path_factory.mktemp("templates_2027")
    assert main(["--root", str(example_city.root), "template", "--period", "2027-budget", "--out", str(out)]) == 0
    found = {}
    for path in sorted(out.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        ws = wb["Bidrag"]
        headers = [c.value for c in ws[3]]
        assert headers[-1] == "Fortsätter från förra perioden"
        rows = []
        for row in ws.iter_rows(min_row=4):
            mark = row[len(headers) - 1]
            if row[0].value or mark.value:
                rows.append((row[0].value, row[1].value, row[2].value, row[4].value, mark.value, mark.protection.locked,
                             row[0].protection.locked))
        found[_board_of(wb)] = rows
    return found


def test_the_2027_templates_hold_exactly_the_continuing_contributions(example_city, templates):
    expected = _expected(example_city)
    assert set(templates) == ALL and set(expected) == ALL
    for board in sorted(ALL):
        got = [(cid, goal.split()[0], title, movement) for cid, goal, title, movement, *_ in templates[board]]
        assert got == [(cid, new, title, movement) for cid, new, _, title, movement in expected[board]], board
        assert [mark for *_, mark, _, _ in templates[board]] == [
            f"Fortsätter från 2023–2026 (KF-mål {old})" for _, _, old, _, _ in expected[board]], board
    # The hand-worked set is not all of the old contributions: some goals end, some boards
    # are no longer named for the goal that carries theirs. In the example: 53 of them continue.
    raw = _raw_contributions(example_city)
    assert sum(len(r) for r in expected.values()) == 53 < sum(len(r) for r in raw.values())
    # KN was named for old 1.1 but not for new 1.1; MKB for old 1.3, not for the merged 1.2.
    assert any(goal == "1.1" for _, goal, _, _ in raw["KN"]) and not any(old == "1.1" for _, _, old, _, _ in expected["KN"])
    assert any(goal == "1.3" for _, goal, _, _ in raw["MKB"]) and not any(old == "1.3" for _, _, old, _, _ in expected["MKB"])
    # The mark is locked, the board's own cells are open: it keeps, edits or empties each row.
    assert all(mark_locked and not id_locked for rows in templates.values() for *_, mark_locked, id_locked in rows)


def test_the_template_command_says_how_many_continue(example_city, tmp_path, capsys):
    assert main(["--root", str(example_city.root), "template", "--period", "2027-budget", "--board", "GRN",
                 "--out", str(tmp_path)]) == 0
    grn = len(_expected(example_city)["GRN"])
    assert capsys.readouterr().out == (f"1 mall för Nämnds- och bolagsbudget 2027 skriven till {tmp_path}; {grn} bidrag "
                                       "från 2023–2026 förs vidare i mallarna.\n")
    # Before the old period is ingested there is nothing to carry, and the command says why.
    empty = tmp_path / "tom"
    empty.mkdir()
    assert main(["--root", str(empty), "template", "--period", "2027-budget", "--board", "GRN", "--out", str(tmp_path)]) == 0
    assert "inga inlämningar från 2023–2026 är inlästa, så inga bidrag förs vidare" in capsys.readouterr().out


def test_the_2027_budget_is_ingested_beside_the_period_end(example_city):
    subs = read_table(example_city.processed, "submissions")
    periods = subs.groupby(subs["occasion"].astype(object))["mandate_period"].first().astype(object)
    assert periods["2026-ar"] == "2023-2026" and periods["2027-budget"] == "2027-2030"
    contributions = read_table(example_city.processed, "contributions")
    c27 = contributions[contributions["occasion"] == "2027-budget"]
    # Every goal of a 2027 contribution is a goal of the new catalogue (their codes overlap with the old ones').
    assert set(c27["goal_code"].astype(object)) <= {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3",
                                                    "3.4", "3.5", "4.1", "4.2", "4.3"}


@pytest.fixture(scope="module")
def without_2027(example_city, tmp_path_factory) -> Paths:
    """The example city as it was before the new period: its raw files but 2027-budget's,
    and only the 2023–2026 catalogue, ingested afresh. Read-only: tests copy it."""
    paths = Paths.at(tmp_path_factory.mktemp("utan_2027"))
    shutil.copytree(example_city.raw, paths.raw, ignore=lambda folder, names: [n for n in names if n == "2027-budget"])
    (paths.root / "data" / "reference").mkdir(parents=True)
    shutil.copy(REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml", paths.root / "data" / "reference")
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 1  # the example's two rejected files
    return paths


def test_the_period_end_is_the_same_with_and_without_the_new_period(example_city, without_2027, tmp_path):
    with_2027 = copy_data(example_city, tmp_path / "med")
    without = copy_data(without_2027, tmp_path / "utan")
    for paths in (with_2027, without):
        assert main(["--root", str(paths.root), "aggregate", "--period", "2026-ar"]) == 0
    a, b = aggregates_folder(with_2027, "2026-ar"), aggregates_folder(without, "2026-ar")
    # The same stamp (so the same folder name: its digest), and the same tables.
    assert a.name == b.name
    assert (a / "stamp.json").read_text(encoding="utf-8") == (b / "stamp.json").read_text(encoding="utf-8")
    for name in TABLES:
        pd.testing.assert_frame_equal(read_table(a, name), read_table(b, name), obj=name)
    # And the processed rows of the old period, table by table.
    for table in ("submissions", "contributions", "follow_ups", "human_rights", "indicators", "assignment_follow_ups",
                  "validation_issues"):
        x, y = (read_table(p.processed, table) for p in (with_2027, without))
        x = x[x["occasion"].astype(object) != "2027-budget"].astype(object).reset_index(drop=True)
        pd.testing.assert_frame_equal(x, y.astype(object).reset_index(drop=True), obj=table)
    stamps = [(p.processed / "stamps" / "2026-ar.json").read_text(encoding="utf-8") for p in (with_2027, without)]
    assert stamps[0] == stamps[1]


def test_the_period_end_report_is_the_same_with_and_without_the_new_period(example_city, without_2027, tmp_path):
    """Everything the 2026-ar report is made from comes out the same with the 2027 data as
    without it: what it rests on (underlag.json), every sheet of its Excel workbook, every
    chart's figure as its digest reads it, and every section of the outline (the blocks the
    HTML and the Word file are both rendered from), compared as HTML. The files are made
    from these alone (tests/test_run.py compares a run's files with a forced run's); here
    nothing is rendered, so no browser or kernel starts."""
    from analysis.catalogue import load_catalogues
    from analysis.occasion import Occasion
    from analysis.report.content import excel_tables
    from analysis.report.html import html_parts
    from analysis.report.outline import report_blocks
    from analysis.report.produce import prepare

    with_2027 = copy_data(example_city, tmp_path / "med")
    without = copy_data(without_2027, tmp_path / "utan")
    made = []
    for paths in (with_2027, without):
        if paths is without:  # the executive board's judgement file, written the first time, is the same input
            shutil.copytree(with_2027.judgements, without.judgements)
        made.append(prepare(paths, load_catalogues(paths.reference), Occasion.parse("2026-ar"),
                            made_at="2027-02-01T09:00:00+01:00"))
    a, b = (m.data for m in made)
    assert a.stamp == b.stamp
    sheets = [excel_tables(m.data) for m in made]
    assert list(sheets[0]) == list(sheets[1]) and len(sheets[0]) > 10
    for name in sheets[0]:
        pd.testing.assert_frame_equal(sheets[0][name], sheets[1][name], obj=name)
    figures = [{c.name: (c.figure.to_json(remove_uids=False), c.alt_text) for c in m.charts} for m in made]
    assert figures[0] == figures[1] and len(figures[0]) >= 10

    def shown(data) -> list:
        return [(name, html_parts(blocks)) for name, blocks in report_blocks(data, figures[0])]

    assert shown(a) == shown(b)
