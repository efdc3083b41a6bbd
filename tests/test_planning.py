"""The planning overview at the first budget of a new period: its tables on a small city
worked out by hand (the catalogue pair of test_crosswalk), and `malstyrning planering`
on the example city, whose workbook is checked against the processed tables."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest

from analysis.catalogue import load_catalogues
from analysis.cli import main
from analysis.crosswalk import crosswalk_for
from analysis.intake.store import read_table
from analysis.occasion import Occasion
from analysis.tables.planning import planning_overview

from conftest import copy_data
from test_crosswalk import NEW, OLD, write

BUDGET = Occasion.parse("2027-budget")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    catalogues = load_catalogues(write(tmp_path_factory.mktemp("planning"), OLD, NEW))
    walk = crosswalk_for(catalogues["2027-2030"], catalogues)
    subs = pd.DataFrame([
        ("2026-delar", "2023-2026", "B", "current"),
        ("2026-ar", "2023-2026", "A", "current"), ("2026-ar", "2023-2026", "B", "rejected"),
        ("2026-ar", "2023-2026", "C", "current"),
        ("2027-budget", "2027-2030", "A", "current"), ("2027-budget", "2027-2030", "B", "current"),  # C sent nothing
    ], columns=["occasion", "mandate_period", "board_code", "status"])
    contributions = pd.DataFrame([
        ("2026-ar", "2023-2026", "A", "A-01", "1.1", "Läsa"), ("2026-ar", "2023-2026", "A", "A-02", "1.2", "Bo"),
        ("2026-delar", "2023-2026", "B", "B-01", "1.1", "Läsa B"), ("2026-delar", "2023-2026", "B", "B-02", "1.2", "Bo B"),
        ("2026-ar", "2023-2026", "C", "C-01", "1.2", "Bo C"), ("2026-ar", "2023-2026", "C", "C-02", "2.1", "Luft"),
        ("2027-budget", "2027-2030", "A", "A-01", "1.1", "Läsa"), ("2027-budget", "2027-2030", "A", "A-05", "2.2", "Skyfall"),
        ("2027-budget", "2027-2030", "B", "B-02", "1.2", "Bygga"), ("2027-budget", "2027-2030", "B", "B-03", "1.3", "Billigt"),
    ], columns=["occasion", "mandate_period", "board_code", "contribution_id", "goal_code", "title"])
    contributions["expected_movement"] = "Förflyttning " + contributions["contribution_id"]
    contributions["description"] = None
    contributions["excel_row"] = range(4, 4 + len(contributions))
    follow_ups = pd.DataFrame([
        ("2026-ar", "A", "A-01", "1.1", "reached", "A-01 nådde målet."), ("2026-ar", "A", "A-02", "1.2", "not_reached", "Nej."),
        ("2026-delar", "B", "B-02", "1.2", None, "Pågår."),
        ("2026-ar", "C", "C-01", "1.2", "partly_reached", "Delvis."), ("2026-ar", "C", "C-02", "2.1", "reached", "Ja."),
    ], columns=["occasion", "board_code", "contribution_id", "goal_code", "reached", "analysis"])
    follow_ups["title"] = None
    lessons = pd.DataFrame([
        ("coverage_incomplete", "Träffbilden var ofullständig under hela perioden", "1", "1.2", None, None, None, 12, 12, "x"),
        ("theme_rarely_considered", "Tema sällan beaktat i målområdet", "2", None, None, None, "equality", 1, 9, "y"),
        ("dropped", "Bidrag som upphörde före periodens slut", "1", "1.1", "B", "B-09", None, 1, 1, "z"),
    ], columns=["lesson", "lesson_label", "goal_area_code", "goal_code", "board_code", "contribution_id", "theme", "count",
                "of", "evidence"])
    return planning_overview(walk, BUDGET, subs, contributions, follow_ups, lessons)


def test_planned_contributions_and_what_the_old_end_said(small):
    got = small["planned"][["goal_code", "board_code", "contribution_id", "continues", "previous_goal_code", "reached",
                            "reached_label"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["1.1", "A", "A-01", True, "1.1", "reached", "Önskad förflyttning har nåtts"],
        ["1.2", "B", "B-02", True, "1.2", "no_end_assessment",
         "Ingen slutbedömning (inlämningen vid Årsredovisning 2026 avvisades)"],
        ["1.3", "B", "B-03", False, None, None, None],
        ["2.2", "A", "A-05", False, None, None, None]]
    assert small["planned"].loc[0, "previous_analysis"] == "A-01 nådde målet."


def test_coverage_at_the_planning_stage(small):
    cov = small["coverage"][["goal_code", "board_code", "previously_responsible", "submission_status", "contributions",
                             "continuing"]]
    assert cov.values.tolist() == [
        ["1.1", "A", True, "accepted", 1, 1],
        ["1.2", "A", True, "accepted", 0, 0], ["1.2", "B", True, "accepted", 1, 1],
        ["1.3", "B", True, "accepted", 1, 0], ["1.3", "C", True, "missing", 0, 0],
        ["2.1", "C", True, "missing", 0, 0],
        ["2.2", "A", False, "accepted", 1, 0], ["2.2", "C", False, "missing", 0, 0]]
    without = small["without_contribution"]
    assert list(zip(without["goal_code"], without["board_code"], without["submission_status_label"])) == [
        ("1.2", "A", "Godkänd"), ("1.3", "C", "Saknas"), ("2.1", "C", "Saknas"), ("2.2", "C", "Saknas")]


def test_carried_but_not_continued_and_the_lessons(small):
    # A's template carried A-01 and A-02 (and B's B-02; C sent no budget): A dropped A-02.
    ended = small["not_continued"]
    assert ended[["goal_code", "board_code", "contribution_id", "previous_goal_code", "reached"]].values.tolist() == [
        ["1.2", "A", "A-02", "1.2", "not_reached"]]
    lessons = small["lessons"]
    # Old 1.1 -> new 1.1; old 1.2 -> new 1.2 and 1.3 (split); old area 2's theme -> new 2.1 (continues 2.1 and 2.2).
    assert list(zip(lessons["goal_code"], lessons["lesson"], lessons["previous_goal_code"].astype(object))) == [
        ("1.1", "dropped", "1.1"), ("1.2", "coverage_incomplete", "1.2"), ("1.3", "coverage_incomplete", "1.2"),
        ("2.1", "theme_rarely_considered", None)]


def test_by_goal(small):
    got = small["by_goal"][["goal_code", "relation", "responsible_boards", "boards_with_contribution", "boards_without",
                            "contributions", "continuing", "new_contributions", "continuing_reached",
                            "continuing_no_end", "not_continued", "lessons"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["1.1", "kept", 1, 1, None, 1, 1, 0, 1, 0, 0, 1],
        ["1.2", "split", 2, 1, "Anämnden", 1, 1, 0, 0, 1, 1, 1],
        ["1.3", "split", 2, 1, "Cnämnden", 1, 0, 1, 0, 0, 0, 1],
        ["2.1", "merged", 1, 0, "Cnämnden", 0, 0, 0, 0, 0, 0, 1],
        ["2.2", "new", 2, 1, "Cnämnden", 1, 0, 1, 0, 0, 0, 0]]
    assert small["by_goal"].loc[3, "continues_goals"] == "2.1 Renare luft; 2.2 Mer grönska"


def test_planering_on_the_example_city(example_city, tmp_path, capsys):
    city = copy_data(example_city, tmp_path / "stad")
    shutil.copytree(example_city.reports, city.reports, symlinks=True)  # the occasion's feedback, a version already
    assert main(["--root", str(city.root), "planering", "--period", "2027-budget"]) == 0
    out = capsys.readouterr().out
    path = city.report_for("2027-budget") / "planeringsoversikt.xlsx"
    assert f"Översikten finns i {path}." in out
    assert city.report_for("2027-budget").is_symlink()  # a version of the occasion's outputs
    assert (city.report_for("2027-budget") / "validering" / "sammanfattning.html").exists()  # the feedback stays
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Om översikten", "Per KF-mål", "Träffbild", "Utan planerat bidrag", "Planerade bidrag",
                             "Fortsätter inte", "Lärdomar förra perioden"]
    assert wb["Om översikten"]["A1"].value == "EXEMPELDATA – inte verkliga uppgifter"

    def rows(sheet):
        values = list(wb[sheet].iter_rows(values_only=True))
        return [dict(zip(values[0], r)) for r in values[1:]]

    # The figures against the processed tables, counted here.
    contributions = read_table(city.processed, "contributions")
    planned_2027 = contributions[contributions["occasion"] == "2027-budget"]
    planned = rows("Planerade bidrag")
    assert len(planned) == len(planned_2027) == 78
    old = contributions[contributions["mandate_period"] == "2023-2026"]
    old_keys = set(zip(old["board_code"], old["contribution_id"]))
    assert sum(r["Fortsätter från förra perioden"] == "Ja" for r in planned) == sum(
        k in old_keys for k in zip(planned_2027["board_code"], planned_2027["contribution_id"]))
    coverage = rows("Träffbild")
    assert len(coverage) == 71  # the new catalogue's responsibilities
    by_goal = rows("Per KF-mål")
    assert [r["KF-mål"] for r in by_goal] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
                                             "3.5", "4.1", "4.2", "4.3"]
    assert sum(r["Planerade bidrag"] for r in by_goal) == 78
    assert {r["KF-mål"]: r["Förhållande till förra perioden"] for r in by_goal}["1.2"] == "Sammanslagna mål"
    # MKB sent no budget: it is without a planned contribution to every goal it is named for.
    without = rows("Utan planerat bidrag")
    assert {r["KF-mål"] for r in without if r["Nämnd/bolag (kod)"] == "MKB"} == {"2.3", "3.1", "3.2", "4.1", "4.2"}


def test_planering_refuses_what_it_cannot_do(example_city, tmp_path, capsys):
    assert main(["--root", str(example_city.root), "planering", "--period", "2027-delar"]) == 2
    assert "Planeringsöversikten görs för en nämnds- och bolagsbudget" in capsys.readouterr().err
    assert main(["--root", str(example_city.root), "planering", "--period", "2025-budget"]) == 2
    assert "för inte vidare någon tidigare mandatperiods KF-mål" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "planering", "--period", "2027-budget"]) == 2
    assert "Traceback" not in capsys.readouterr().err
