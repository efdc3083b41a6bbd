"""The exploration views on a tiny hand-built city, each expected table worked out by hand
below. Two boards use the same contribution id, X-1: a view must never mix them up.

Catalogue: the small city of aggregate_small_city (goals 1.1, 1.2 in area 1, 2.1 in
area 2, 3.1 in area 3 for all boards, 4.1 in area 4; boards AN, BN, CB, DN).
Rows:
  2024-budget  AN plans X-1 (goal 1.1, "Läxhjälp")   BN plans X-1 (goal 2.1, "Jobbspår")
  2024-delar   AN X-1 some          BN X-1 none        (both current)
  2024-ar      AN X-1 clear         BN X-1 negative    AN X-2 none (new; goal 3.1)
               BN sent nothing at 2024-ar.  (So BN "stopped reporting" from delar to ar.)
"""

from __future__ import annotations

import pandas as pd

from analysis.explore import views
from analysis.explore.views import Filters
from aggregate_small_city import small_catalogue

CAT = small_catalogue()


def _tables() -> dict[str, pd.DataFrame]:
    subs = pd.DataFrame([
        ("2024-budget", "AN", "current"), ("2024-budget", "BN", "current"),
        ("2024-delar", "AN", "current"), ("2024-delar", "BN", "current"),
        ("2024-ar", "AN", "current"),
    ], columns=["occasion", "board_code", "status"])
    plans = pd.DataFrame([
        ("2024-budget", "AN", "X-1", "1.1", "Läxhjälp", "Fler klarar skolan."),
        ("2024-budget", "BN", "X-1", "2.1", "Jobbspår", "Fler får jobb."),
    ], columns=["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement"])
    follow = pd.DataFrame([
        ("2024-delar", "AN", "X-1", "1.1", "Läxhjälp", "some", "likely", None, "Bättre resultat i trygghetsenkäten.", "quantitative", "Enkät"),
        ("2024-delar", "BN", "X-1", "2.1", "Jobbspår", "none", "partly", None, "Inga förändringar än.", "qualitative", "Dialog"),
        ("2024-ar", "AN", "X-1", "1.1", "Läxhjälp", "clear", "likely", None, "Tydligt bättre. Trygghet ökar.", "both", "Statistik"),
        ("2024-ar", "AN", "X-2", "3.1", "Trygga skolvägar", "none", "uncertain", None, "För tidigt att säga.", "qualitative", "Samtal"),
    ], columns=views.FOLLOW_UP_COLUMNS)
    rights = pd.DataFrame([
        ("2024-delar", "AN", "contribution", "X-1", "child_rights", "considered", "Barnens röster i trygghet."),
        ("2024-delar", "BN", "contribution", "X-1", "child_rights", "not_considered", None),
        ("2024-delar", "AN", "base_mission", None, "child_rights", "considered", "Barnkonsekvensanalys."),
        ("2024-ar", "AN", "contribution", "X-1", "child_rights", "considered", None),
        ("2024-ar", "AN", "contribution", "X-1", "gender_equality", "not_considered", None),
    ], columns=views.RIGHTS_COLUMNS)
    indicators = pd.DataFrame([
        ("2024-ar", "AN", "X-1", "Andel godkända", "%", 70.0, 72.5),
    ], columns=["occasion", "board_code", "contribution_id", "indicator", "unit", "baseline_value", "value"])
    return {"submissions": subs, "contributions": plans, "follow_ups": follow, "human_rights": rights, "indicators": indicators}


def test_follow_ups_are_labelled_in_swedish_and_filtered():
    view = views.follow_ups(_tables(), CAT, Filters(occasion="2024-delar", goal_area="1"))
    assert view.table.to_dict("records") == [{
        "Tillfälle": "Delårsrapport 2024", "Målområde": "1", "KF-mål": "1.1 Mål 1.1", "Nämnd/bolag": "A-nämnden",
        "Bidrags-id": "X-1", "Bidrag": "Läxhjälp", "Förflyttning": "Viss förflyttning i önskad riktning",
        "Mandatperioden": "Önskad förflyttning nås under mandatperioden", "Har nåtts": "–",
        "Analys": "Bättre resultat i trygghetsenkäten.", "Typ av underlag": "Kvantitativt", "Underlag": "Enkät"}]


def test_a_board_profile_follows_its_own_contribution_only():
    table = views.board_profile(_tables(), CAT, Filters(board="AN")).table
    assert list(table["Bidrags-id"]) == ["X-1", "X-2"]
    x1 = table.iloc[0]
    assert x1["Bidrag"] == "Läxhjälp" and x1["KF-mål"] == "1.1 Mål 1.1" and x1["Planerat i"] == "Nämndsbudget 2024"
    assert x1["Förväntad förflyttning"] == "Fler klarar skolan."
    assert x1["Delårsrapport 2024"] == "Viss förflyttning i önskad riktning; Önskad förflyttning nås under mandatperioden"
    assert x1["Årsredovisning 2024"] == "Tydlig förflyttning i önskad riktning; Önskad förflyttning nås under mandatperioden"
    assert x1["Mänskliga rättigheter beaktade"] == "Barnrätt"  # at 2024-ar: child rights yes, gender equality no
    assert x1["Indikatorer"] == "Andel godkända: 70,0 → 72,5 %"
    x2 = table.iloc[1]
    assert x2["Planerat i"] == "–" and x2["Delårsrapport 2024"] == "–" and x2["Indikatorer"] == "Inga (frivilliga)"
    bn = views.board_profile(_tables(), CAT, Filters(board="BN")).table
    assert list(bn["Bidrag"]) == ["Jobbspår"] and bn.iloc[0]["Delårsrapport 2024"].startswith("Ingen förflyttning")
    # up to an occasion: nothing from 2024-ar
    early = views.board_profile(_tables(), CAT, Filters(board="AN", occasion="2024-delar")).table
    assert list(early["Bidrags-id"]) == ["X-1"] and "Årsredovisning 2024" not in early.columns


def test_a_goal_profile_lists_the_responsible_boards_and_the_trend():
    view = views.goal_profile(_tables(), CAT, Filters(goal="1.1", occasion="2024-ar"))
    table = view.table.set_index("Nämnd/bolag")
    assert list(table.index) == ["A-nämnden", "B-nämnden", "C-bolaget AB"]  # 1.1: AN, BN, CB
    assert table.loc["A-nämnden", "Senaste bedömning"] == "X-1: Tydlig förflyttning i önskad riktning"
    assert table.loc["B-nämnden", "Senaste bedömning"] == "Ingen uppföljning"  # BN's X-1 is goal 2.1
    assert table.loc["A-nämnden", "Bidrag Årsredovisning 2024"] == 0  # planned in the budget, not at 2024-ar
    assert view.extra.to_dict("records") == [
        {"Tillfälle": "Delårsrapport 2024", "Bedömningar": 1, "Viss eller tydlig förflyttning": 1, "Andel (%)": 100},
        {"Tillfälle": "Årsredovisning 2024", "Bedömningar": 1, "Viss eller tydlig förflyttning": 1, "Andel (%)": 100}]


def test_two_occasions_side_by_side():
    view = views.compare_occasions(_tables(), CAT, "2024-delar", "2024-ar", Filters())
    changes = {(r["Nämnd/bolag"], r["Bidrags-id"]): r["Förändring"] for r in view.table.to_dict("records")}
    assert changes == {("A-nämnden", "X-1"): "Bättre bedömning", ("B-nämnden", "X-1"): "Bidraget finns inte längre",
                       ("A-nämnden", "X-2"): "Ingen tidigare bedömning"}
    assert list(view.extra["Nämnd/bolag"]) == ["B-nämnden"]
    budget = views.compare_occasions(_tables(), CAT, "2024-budget", "2024-delar", Filters())
    assert set(budget.table["Förändring"]) == {"Kan inte jämföras"}  # planned, then assessed: no movement at the budget


def test_themes_per_goal_area_and_board_and_comments_by_word():
    view = views.theme_summary(_tables(), CAT, Filters(theme="child_rights"))
    rows = {(r["Målområde"], r["Nämnd/bolag"]): (r["Svar"], r["Beaktat"], r["Andel beaktat (%)"]) for r in view.table.to_dict("records")}
    assert rows == {("1", "A-nämnden"): (2, 2, 100), ("2", "B-nämnden"): (1, 0, 0), ("Grunduppdrag", "A-nämnden"): (1, 1, 100)}
    comments = views.theme_comments(_tables(), CAT, Filters(word="TRYGG"))
    assert list(comments["Beskrivning"]) == ["Barnens röster i trygghet."]


def test_free_text_search_shows_the_hits_in_context():
    view = views.text_search(_tables(), CAT, Filters(occasion="2024-ar", word="trygghet"))
    assert view.table.to_dict("records") == [{
        "Tillfälle": "Årsredovisning 2024", "Nämnd/bolag": "A-nämnden", "KF-mål": "1.1 Mål 1.1", "Bidrags-id": "X-1",
        "Fält": "Analys", "Träff": "Tydligt bättre. «Trygghet» ökar."}]
    assert views.text_search(_tables(), CAT, Filters(word="")).notes == ["Skriv ett ord att söka efter."]


def test_filters_describe_what_was_chosen_as_a_file_name():
    assert Filters(occasion="2024-ar", goal_area="3", board="AN", word="trygg/het").describe() == "2024-ar_omrade-3_AN_ord-trygg-het"
    assert Filters().describe() == "alla-tillfallen"


def test_a_saved_view_is_text_in_excel(tmp_path):
    import openpyxl

    from analysis.explore.takeout import save_view

    tables = _tables()
    tables["follow_ups"].loc[0, "analysis"] = '=HYPERLINK("http://x","klicka")'
    view = views.follow_ups(tables, CAT, Filters(occasion="2024-delar"))
    files = save_view(view, None, Filters(occasion="2024-delar"), tmp_path)
    assert [f.name for f in files] == ["uppfoljningar_2024-delar.xlsx"]
    ws = openpyxl.load_workbook(files[0]).worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","klicka")'


def test_assignments_filter_by_assignment_and_show_its_history():
    """The small city's assignments: U2023-02 (lead BN, AN taking part) and U2023-01 (AN)."""
    from aggregate_small_city import small_tables

    tables = small_tables()
    tables["assignment_follow_ups"] = tables["assignment_follow_ups"].astype(
        {"expected_completion": "Int64"})
    view = views.assignments(tables, CAT, Filters(occasion="2024-delar", assignment="U2023-02"))
    # At 2024-delar: BN (lead, status left blank) first, then AN; CB's U2024-01 is another assignment.
    assert view.table[["Nämnd/bolag", "Roll", "Status", "Kommentar"]].values.tolist() == [
        ["B-nämnden", "Ansvarig", "–", "–"], ["A-nämnden", "Deltar", "Slutfört", "A:s del är klar."]]
    # The history: every answer on U2023-02 at every occasion, whatever occasion is chosen.
    assert view.extra[["Tillfälle", "Nämnd/bolag", "Status"]].values.tolist() == [
        ["Årsredovisning 2023", "B-nämnden", "Pågår"], ["Årsredovisning 2023", "A-nämnden", "Pågår"],
        ["Delårsrapport 2024", "B-nämnden", "–"], ["Delårsrapport 2024", "A-nämnden", "Slutfört"]]
    everything = views.assignments(tables, CAT, Filters(board="AN"))
    assert everything.extra is None and set(everything.table["KF-uppdrag"]) == {"U2023-01 Uppdrag ett", "U2023-02 Uppdrag två"}
    assert views.assignments(tables, CAT, Filters(word="antagen")).table["Kommentar"].tolist() == ["Planen är antagen."]
    assert Filters(occasion="2024-delar", assignment="U2023-02").describe() == "2024-delar_U2023-02"


def test_open_questions_by_board_and_goal_with_each_contributions_history():
    """Four questions: the office's workbook holds AN's X-1 as answered, BN's X-1 as closed and
    AN's X-2 as inactive; BN's question on goal 2.1 (no contribution) is not in it yet."""
    questions = pd.DataFrame([
        ("2024-ar", "BN", "2.1", "X-1", "Nås trots ingen förflyttning", "Fråga om BN:s X-1?", "k2"),
        ("2024-ar", "BN", "2.1", None, "Ansvarig utan bidrag", "Fråga om mål 2.1?", "k3"),
        ("2024-ar", "AN", "1.1", "X-1", "Samma analys som förra gången", "Fråga om AN:s X-1?", "k1"),
        ("2024-ar", "AN", "3.1", "X-2", "Samma analys som förra gången", "Fråga om X-2?", "k4"),
    ], columns=["occasion", "board_code", "goal_code", "contribution_id", "rule_label", "question", "question_key"])
    kept = {"k1": {"status": "Besvarad", "reply": "Vi svarar."}, "k2": {"status": "Avslutad"}, "k4": {"status": "Inaktuell"}}
    view = views.open_questions(_tables(), CAT, Filters(), questions, kept)
    assert view.table.to_dict("records") == [
        {"Tillfälle": "Årsredovisning 2024", "Nämnd/bolag": "A-nämnden", "KF-mål": "1.1 Mål 1.1", "Bidrags-id": "X-1",
         "Regel": "Samma analys som förra gången", "Fråga": "Fråga om AN:s X-1?", "Status": "Besvarad", "Svar": "Vi svarar.",
         "Bidragets historik": "2024-delar: viss; 2024-ar: tydlig"},
        {"Tillfälle": "Årsredovisning 2024", "Nämnd/bolag": "B-nämnden", "KF-mål": "2.1 Mål 2.1", "Bidrags-id": "–",
         "Regel": "Ansvarig utan bidrag", "Fråga": "Fråga om mål 2.1?", "Status": "Öppen", "Svar": "–",
         "Bidragets historik": "Inget bidrag"}]
    # The history is AN's X-1 only: BN's X-1 (the same id) has no open question.
    assert view.extra[["Nämnd/bolag", "Bidrags-id", "Tillfälle", "Förflyttning"]].values.tolist() == [
        ["A-nämnden", "X-1", "Delårsrapport 2024", "Viss förflyttning i önskad riktning"],
        ["A-nämnden", "X-1", "Årsredovisning 2024", "Tydlig förflyttning i önskad riktning"]]
    assert view.notes == []
    only_bn = views.open_questions(_tables(), CAT, Filters(board="BN"), questions, kept)
    assert only_bn.table["Fråga"].tolist() == ["Fråga om mål 2.1?"] and only_bn.extra.empty
    unkept = views.open_questions(_tables(), CAT, Filters(goal_area="3"), questions)
    assert unkept.table["Fråga"].tolist() == ["Fråga om X-2?"] and unkept.notes[0].startswith("Ingen dialogarbetsbok")


def test_the_panel_redraws_only_the_views_whose_answer_changed():
    """At 2024-ar (the latest), with the previous follow-up 2024-delar to compare with. Goal
    area 1 keeps AN's X-1 (1.1) and drops AN's X-2 (3.1) from the follow-ups, and BN's X-1
    (2.1) from the comparison; the themes at 2024-ar are all X-1's, in area 1 already; the
    board and goal profiles and the search ask for a choice; there are no assignments.
    Board AN: every follow-up at 2024-ar is AN's already, the comparison loses BN's X-1 and
    BN's having stopped, and the board profile has its board."""
    from analysis.explore.panel import Panel

    panel = Panel(_tables(), CAT)
    for name in panel.specs:
        panel.show(name)
    redrawn, refresh = [], panel.refresh
    panel.refresh = lambda: redrawn.append(refresh())  # what each change of a filter redrew
    panel.goal_area.value = "1"
    panel.goal_area.value = None
    panel.board.value = "AN"
    # (the contribution history, with no contribution chosen, lists the board's continuing ones)
    assert redrawn == [["uppfoljningar", "jamforelse"], ["uppfoljningar", "jamforelse"],
                       ["namndprofil", "jamforelse", "bidragshistorik"]]
    assert refresh() == []
