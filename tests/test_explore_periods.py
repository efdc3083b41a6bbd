"""The exploration views at the turn of two periods (the catalogue pair of test_crosswalk):
every view limited to one period, and a contribution's history followed across the
boundary through the crosswalk, worked out by hand.

  2026-budget  A plans A-01 (old 1.1 "Läsa")        C plans C-01 (old 2.2 "Grönt")
  2026-delar   A A-01 some, likely
  2026-ar      A A-01 clear, likely, reached         C C-01 none, unlikely, not reached
  2027-budget  A plans A-01 (new 1.1, kept goal)      C plans C-01 (new 2.2, a new goal: old
               2.2 went into the merged new 2.1, so this C-01 is another contribution)
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue import load_catalogues
from analysis.explore import views
from analysis.explore.views import Filters

from test_crosswalk import NEW, OLD, write


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    return load_catalogues(write(tmp_path_factory.mktemp("explore_periods"), OLD, NEW))


def _tables() -> dict[str, pd.DataFrame]:
    subs = pd.DataFrame([(o, b, "current") for o, b in (("2026-budget", "A"), ("2026-budget", "C"), ("2026-delar", "A"),
                                                        ("2026-ar", "A"), ("2026-ar", "C"), ("2027-budget", "A"),
                                                        ("2027-budget", "C"))],
                        columns=["occasion", "board_code", "status"])
    plans = pd.DataFrame([
        ("2026-budget", "A", "A-01", "1.1", "Läsa", "Fler läser."), ("2026-budget", "C", "C-01", "2.2", "Grönt", "Mer grönt."),
        ("2027-budget", "A", "A-01", "1.1", "Läsa mer", "Ännu fler läser."),
        ("2027-budget", "C", "C-01", "2.2", "Skyfallsplan", "Färre översvämningar."),
    ], columns=views.CONTRIBUTION_COLUMNS)
    follow = pd.DataFrame([
        ("2026-delar", "A", "A-01", "1.1", "Läsa", "some", "likely", None, "Fler lånar.", "quantitative", "Statistik"),
        ("2026-ar", "A", "A-01", "1.1", "Läsa", "clear", "likely", "reached", "Målet nått.", "both", "Statistik"),
        ("2026-ar", "C", "C-01", "2.2", "Grönt", "none", "unlikely", "not_reached", "Inget hände.", "qualitative", "Samtal"),
    ], columns=views.FOLLOW_UP_COLUMNS)
    return {"submissions": subs, "contributions": plans, "follow_ups": follow}


def test_every_view_can_be_limited_to_one_period(catalogues):
    old, new = catalogues["2023-2026"], catalogues["2027-2030"]
    assert len(views.follow_ups(_tables(), old, Filters()).table) == 3
    assert len(views.follow_ups(_tables(), new, Filters(period="2027-2030")).table) == 0
    assert len(views.follow_ups(_tables(), old, Filters(period="2023-2026")).table) == 3
    profile = views.board_profile(_tables(), new, Filters(board="A", period="2027-2030")).table
    assert profile[["Bidrags-id", "Bidrag", "KF-mål", "Planerat i"]].values.tolist() == [
        ["A-01", "Läsa mer", "1.1 Fler ska läsa", "Nämndsbudget 2027"]]
    assert views.Filters(period="2027-2030", board="A").describe() == "period-2027-2030_A"


def test_a_contribution_is_followed_across_the_boundary(catalogues):
    view = views.contribution_history(_tables(), catalogues, Filters(board="A", contribution="A-01"))
    assert view.table[["Mandatperiod", "Tillfälle", "KF-mål", "Bidrag", "Koppling"]].values.tolist() == [
        ["2023–2026", "Nämnds- och bolagsbudget 2026", "1.1 Fler ska läsa", "Läsa", ""],
        ["2023–2026", "Delårsrapport 2026", "1.1 Fler ska läsa", "Läsa", ""],
        ["2023–2026", "Årsredovisning 2026", "1.1 Fler ska läsa", "Läsa", ""],
        ["2027–2030", "Nämnds- och bolagsbudget 2027", "1.1 Fler ska läsa", "Läsa mer",
         "Fortsätter från 2023–2026 (KF-mål 1.1 → 1.1)"]]
    assert view.table["Plan eller bedömning"].tolist() == [
        "Fler läser.",
        "Viss förflyttning i önskad riktning; Önskad förflyttning nås under mandatperioden",
        "Tydlig förflyttning i önskad riktning; Önskad förflyttning nås under mandatperioden; "
        "Önskad förflyttning har nåtts",
        "Ännu fler läser."]
    assert view.extra.values.tolist() == [["2023–2026", "Delårsrapport 2026", "Viss förflyttning i önskad riktning", 1],
                                          ["2023–2026", "Årsredovisning 2026", "Tydlig förflyttning i önskad riktning", 0]]
    # Limited to the new period: its own rows only.
    limited = views.contribution_history(_tables(), catalogues, Filters(board="A", contribution="A-01", period="2027-2030"))
    assert limited.table["Tillfälle"].tolist() == ["Nämnds- och bolagsbudget 2027"]


def test_the_same_id_on_an_unrelated_goal_is_another_contribution(catalogues):
    view = views.contribution_history(_tables(), catalogues, Filters(board="C", contribution="C-01"))
    assert view.table[["Mandatperiod", "Tillfälle", "KF-mål", "Koppling"]].values.tolist() == [
        ["2027–2030", "Nämnds- och bolagsbudget 2027", "2.2 Rustat för skyfall", ""]]
    assert view.notes == ["Bidrags-id C-01 användes också under 2023–2026 för ett bidrag som inte förs vidare hit "
                          "genom målkatalogens koppling mellan perioderna; det visas inte."]


def test_a_boards_continuing_contributions(catalogues):
    view = views.contribution_history(_tables(), catalogues, Filters(board="A"))
    assert view.table.to_dict("records") == [{
        "Bidrags-id": "A-01", "Från": "2023–2026", "KF-mål då": "1.1 Fler ska läsa", "Till": "2027–2030",
        "KF-mål nu": "1.1 Fler ska läsa", "Har nåtts (Årsredovisning 2026)": "Önskad förflyttning har nåtts"}]
    assert views.contribution_history(_tables(), catalogues, Filters(board="C")).table.empty


def test_the_planning_view_filters_the_overview(catalogues):
    from analysis.crosswalk import crosswalk_for
    from analysis.occasion import Occasion
    from analysis.tables.planning import planning_overview

    tables = _tables()
    tables["submissions"] = tables["submissions"].assign(
        mandate_period=["2023-2026"] * 5 + ["2027-2030"] * 2)
    tables["contributions"] = tables["contributions"].assign(
        mandate_period=["2023-2026", "2023-2026", "2027-2030", "2027-2030"], excel_row=[4, 4, 4, 5], description=None)
    overview = planning_overview(crosswalk_for(catalogues["2027-2030"], catalogues), Occasion.parse("2027-budget"),
                                 tables["submissions"], tables["contributions"], tables["follow_ups"], None)
    view = views.planning(overview, Filters(goal="1.1"))
    assert view.table[["KF-mål", "Planerade bidrag", "Varav fortsätter från förra perioden"]].values.tolist() == [["1.1", 1, 1]]
    assert view.extra[["Bidrags-id", "Fortsätter från förra perioden", "Har önskad förflyttning nåtts (förra periodens slut)"]
                      ].values.tolist() == [["A-01", "Ja", "Önskad förflyttning har nåtts"]]
    by_board = views.planning(overview, Filters(board="C"))
    assert by_board.table[["KF-mål", "Nämnd/bolag (kod)", "Planerade bidrag"]].values.tolist() == [
        ["1.3", "C", 0], ["2.1", "C", 0], ["2.2", "C", 1]]
    assert views.planning(None, Filters()).table.empty


def test_a_carried_assignments_history_runs_across_the_boundary(catalogues):
    tables = _tables()
    tables["assignment_follow_ups"] = pd.DataFrame([
        ("2026-delar", "A", "U2025-01", "ongoing", 2027, "Utredningen pågår."),
        ("2026-ar", "A", "U2025-01", "ongoing", 2028, "Försenad."),
        ("2027-budget", "A", "U2025-01", "ongoing", 2028, "Fortsätter."),
        ("2026-ar", "C", "U2026-01", "completed", 2026, "Klart."),
    ], columns=views.ASSIGNMENT_COLUMNS)
    new = catalogues["2027-2030"]
    view = views.assignments(tables, new, Filters(period="2027-2030", assignment="U2025-01"))
    assert view.table["Tillfälle"].tolist() == ["Nämnds- och bolagsbudget 2027"]
    assert view.extra[["Tillfälle", "Status", "Kommentar"]].values.tolist() == [
        ["Delårsrapport 2026", "Pågår", "Utredningen pågår."], ["Årsredovisning 2026", "Pågår", "Försenad."],
        ["Nämnds- och bolagsbudget 2027", "Pågår", "Fortsätter."]]
    # Seen from 2023–2026, where it was given, its history is that period's.
    assert views.assignments(tables, catalogues["2023-2026"], Filters(period="2023-2026", assignment="U2025-01")
                             ).extra["Tillfälle"].tolist() == ["Delårsrapport 2026", "Årsredovisning 2026"]


def test_the_panels_choices_follow_the_chosen_period(catalogues):
    """Opened on 2026-ar (the old period's end, with the new period's budget in the tables):
    the old catalogue's occasions, goals and assignments; the new period chosen: the new
    ones, and the views answer with the new catalogue; chosen back: the old ones again, at
    the old period's latest occasion."""
    from analysis.explore.panel import Panel

    panel = Panel(_tables(), catalogues, occasion="2026-ar")

    def labels(control):
        return [text for text, _ in control.options]

    assert (panel.period.value, panel.occasion.value, panel.catalogue.mandate_period) == ("2023-2026", "2026-ar", "2023-2026")
    assert labels(panel.occasion) == ["Alla", "Nämnds- och bolagsbudget 2026", "Delårsrapport 2026", "Årsredovisning 2026"]
    old_goals = ["Alla", "1.1 Fler ska läsa", "1.2 Fler ska bo bra", "2.1 Renare luft", "2.2 Mer grönska"]
    assert labels(panel.goal) == old_goals
    assert labels(panel.assignment) == ["Alla", "U2025-01 Utred läsandet", "U2026-01 Planera grönskan"]
    panel.board.value = "A"
    panel.period.value = "2027-2030"
    assert (panel.occasion.value, panel.catalogue.mandate_period) == ("2027-budget", "2027-2030")
    assert labels(panel.occasion) == ["Alla", "Nämnds- och bolagsbudget 2027"]
    assert labels(panel.goal) == ["Alla", "1.1 Fler ska läsa", "1.2 Fler ska bygga", "1.3 Fler ska bo billigt",
                                  "2.1 Ett grönt och rent Malmö", "2.2 Rustat för skyfall"]
    assert labels(panel.assignment) == ["Alla", "U2025-01 Utred läsandet", "U2027-01 Planera för skyfall"]
    assert panel.board.value == "A"  # every board is in both catalogues: kept
    profile = panel.answer("namndprofil")[0].table
    assert profile[["Bidrags-id", "Bidrag", "KF-mål", "Planerat i"]].values.tolist() == [
        ["A-01", "Läsa mer", "1.1 Fler ska läsa", "Nämndsbudget 2027"]]
    panel.period.value = "2023-2026"
    assert (panel.occasion.value, panel.catalogue.mandate_period) == ("2026-ar", "2023-2026")
    assert labels(panel.goal) == old_goals


def test_the_questions_follow_the_chosen_period(catalogues, tmp_path):
    """The open questions are the chosen period's, whatever period was shown first: with
    every occasion (Tillfälle: Alla) in 2027–2030, none of 2023–2026's questions (which
    showed there, under the new catalogue's goal names, when the dialogue table was made
    once for the first period shown)."""
    from analysis.explore.panel import Panel

    panel = Panel(_tables(), catalogues, tmp_path, occasion="2026-ar")
    panel.occasion.value = None
    old = panel.answer("fragor")[0].table
    assert not old.empty and set(old["Tillfälle"]) <= {"Nämnds- och bolagsbudget 2026", "Delårsrapport 2026",
                                                        "Årsredovisning 2026"}
    panel.period.value = "2027-2030"
    panel.occasion.value = None
    assert set(panel.answer("fragor")[0].table["Tillfälle"]) <= {"Nämnds- och bolagsbudget 2027"}
    panel.period.value = "2023-2026"
    panel.occasion.value = None
    assert panel.answer("fragor")[0].table.equals(old)
