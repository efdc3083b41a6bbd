"""The dialogue rules, one by one, on hand-made tables of the small city
(tests/aggregate_small_city.py: AN, BN, CB bolag, DN; goals 1.1, 1.2, 2.1, 3.1 for all, 4.1).
Each rule fires where the board's own answers disagree and stays quiet in a near miss.
Every expected question is written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aggregate_small_city import small_catalogue
from analysis.checks.dialogue_rules import DIALOGUE_RULES, RULES_BY_ID
from analysis.occasion import Occasion
from analysis.tables.dialogue import DIALOGUE_COLUMNS, dialogue

LONG = ("Läxhjälpen har nått fler elever i alla stadsdelar, och lärarna ser att fler lämnar in sina uppgifter i tid "
        "under terminen.")


@pytest.fixture(scope="module")
def cat():
    return small_catalogue()


class City:
    """Hand-made processed tables: each board's file per occasion, its follow-ups,
    contributions and indicators, rows from 4 on in the order given."""

    def __init__(self):
        self.subs, self.follow, self.plans, self.values, self.cells = [], [], [], [], []

    def file(self, occasion: str, board: str, status: str = "current") -> str:
        sha = f"{board}-{occasion}-{len(self.subs)}"
        self.subs.append({"occasion": occasion, "board_code": board, "status": status, "submitted_on": None,
                          "file_modified": None, "source_file": f"{board} {occasion}.xlsx", "sha256": sha})
        return sha

    def _sha(self, occasion: str, board: str) -> tuple[str, str]:
        sub = [s for s in self.subs if s["occasion"] == occasion and s["board_code"] == board][-1]
        return sub["source_file"], sub["sha256"]

    def _row(self, table: list, occasion: str, board: str, sheet: str, **values) -> None:
        name, sha = self._sha(occasion, board)
        n = sum(1 for r in table if r["sha256"] == sha)
        table.append({"occasion": occasion, "board_code": board, "source_file": name, "sha256": sha, "sheet": sheet,
                      "excel_row": 4 + n, **values})

    def follow_up(self, occasion, board, cid, goal, movement, outlook, reached=None, analysis=LONG, title="Läxhjälp"):
        self._row(self.follow, occasion, board, "Uppföljning", contribution_id=cid, goal_code=goal, title=title,
                  movement=movement, outlook=outlook, reached=reached, analysis=analysis, evidence_type="both")

    def plan(self, occasion, board, cid, goal):
        self._row(self.plans, occasion, board, "Bidrag", contribution_id=cid, goal_code=goal, title=f"Bidrag {cid}")

    def indicator(self, occasion, board, cid, name, direction, baseline, value, unit="%"):
        self._row(self.values, occasion, board, "Indikatorer", contribution_id=cid, indicator=name, unit=unit,
                  direction=direction, baseline_year=2022, baseline_value=baseline, value_year=int(occasion[:4]), value=value)

    def questions(self, cat, upto: str = "2026-ar") -> pd.DataFrame:
        frame = lambda rows, cols: pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
        occasions = [o for o in cat.occasions if o <= Occasion.parse(upto)]
        return dialogue(
            cat,
            frame(self.subs, ["occasion", "board_code", "status", "submitted_on", "file_modified", "source_file", "sha256"]),
            frame(self.plans, ["occasion", "board_code", "contribution_id", "goal_code", "title", "source_file", "sha256",
                               "sheet", "excel_row"]),
            frame(self.follow, ["occasion", "board_code", "contribution_id", "goal_code", "title", "movement", "outlook",
                                "reached", "analysis", "evidence_type", "source_file", "sha256", "sheet", "excel_row"]),
            frame(self.values, ["occasion", "board_code", "contribution_id", "indicator", "unit", "direction", "baseline_year",
                                "baseline_value", "value_year", "value", "source_file", "sha256", "sheet", "excel_row"]),
            frame(self.cells, ["sha256", "sheet", "field", "cell"]),
            occasions,
        )


def _only(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
    return frame[frame["rule"] == rule].reset_index(drop=True)


def test_every_rule_is_described_once_with_a_question_and_the_cells_it_rests_on(cat):
    ids = [r.id for r in DIALOGUE_RULES]
    assert len(ids) == len(set(ids)) == 5
    for rule in DIALOGUE_RULES:
        assert rule.label and rule.what.endswith(".") and rule.question.endswith("?"), rule.id
        assert rule.rests_on and set(rule.kinds) <= {"budget", "delar", "ar"}, rule.id
    assert RULES_BY_ID["natts_mot_uppfoljningar"].applies(cat, Occasion.parse("2026-ar"))
    assert not RULES_BY_ID["natts_mot_uppfoljningar"].applies(cat, Occasion.parse("2025-ar"))
    assert not RULES_BY_ID["prognos_utan_forflyttning"].applies(cat, Occasion.parse("2026-ar"))
    assert not RULES_BY_ID["samma_analys"].applies(cat, Occasion.parse("2025-budget"))
    assert RULES_BY_ID["ansvar_utan_bidrag"].applies(cat, Occasion.parse("2025-budget"))


# --- (a) clear movement, the board's own indicator the other way -------------------------


def test_clear_movement_against_the_boards_own_indicator_is_asked(cat):
    city = City()
    city.file("2024-delar", "AN")
    city.follow_up("2024-delar", "AN", "AN-1", "1.1", "clear", "likely")  # row 4
    city.follow_up("2024-delar", "AN", "AN-2", "1.1", "some", "likely", title="Lovskola")  # row 5
    city.indicator("2024-delar", "AN", "AN-1", "Andel med godkända betyg", "increase", 70.0, 68.5)  # row 4: down, wants up
    city.indicator("2024-delar", "AN", "AN-2", "Väntetid", "decrease", 45.0, 50.0, unit="dagar")  # against, but 'some'
    city.file("2024-delar", "BN")
    city.follow_up("2024-delar", "BN", "BN-1", "1.1", "clear", "likely")
    city.indicator("2024-delar", "BN", "BN-1", "Väntetid", "decrease", 45.0, 40.0, unit="dagar")  # down, as wanted
    city.follow_up("2024-delar", "BN", "BN-2", "2.1", "clear", "likely")
    city.indicator("2024-delar", "BN", "BN-2", "Antal", "increase", 250.0, 250.0, unit=None)  # unchanged: not against
    q = _only(city.questions(cat, "2024-delar"), "indikator_mot_bedomning")
    assert len(q) == 1
    assert q.loc[0, "question"] == (
        "I Delårsrapport 2024 bedömer ni bidraget AN-1 (Läxhjälp) som 'Tydlig förflyttning i önskad riktning', men "
        "indikatorn 'Andel med godkända betyg' (%) som ni har valt för bidraget har gått från 70 (2022) till 68,5 "
        "(2024), alltså i motsatt riktning mot den önskade (öka). Vad bygger bedömningen på, och hur förklarar ni "
        "indikatorns utveckling?")
    # Movement is column D of the interim report's follow-up sheet; baseline value F and value H of the indicators.
    assert (q.loc[0, "source_file"], q.loc[0, "sheet"], q.loc[0, "cell"]) == ("AN 2024-delar.xlsx", "Uppföljning", "D4")
    assert q.loc[0, "other_cells"] == ("AN 2024-delar.xlsx, flik Indikatorer, cell F4; "
                                       "AN 2024-delar.xlsx, flik Indikatorer, cell H4")
    assert q.loc[0, "question_key"] == "2024-delar:indikator_mot_bedomning:AN:AN-1:Andel med godkända betyg"
    assert (q.loc[0, "board_name"], q.loc[0, "goal_code"], q.loc[0, "goal_area_code"]) == ("A-nämnden", "1.1", "1")


def test_a_decrease_wanted_and_a_value_gone_up_is_against_and_a_moved_column_is_followed(cat):
    city = City()
    sha = city.file("2025-ar", "DN")
    city.follow_up("2025-ar", "DN", "DN-1", "4.1", "clear", "likely", title="Skyfall")
    city.indicator("2025-ar", "DN", "DN-1", "Utsläpp", "decrease", 4200.0, 4305.5, unit="ton")
    # DN moved its columns: movement in G of the follow-ups, the indicator's values in B and C.
    city.cells += [{"sha256": sha, "sheet": "Uppföljning", "field": "movement", "cell": "G"},
                   {"sha256": sha, "sheet": "Indikatorer", "field": "baseline_value", "cell": "B"},
                   {"sha256": sha, "sheet": "Indikatorer", "field": "value", "cell": "C"}]
    q = _only(city.questions(cat, "2025-ar"), "indikator_mot_bedomning")
    assert len(q) == 1
    assert "har gått från 4\u00a0200 (2022) till 4\u00a0305,5 (2025), alltså i motsatt riktning mot den önskade (minska)" \
        in q.loc[0, "question"]
    assert q.loc[0, "cell"] == "G4"
    assert q.loc[0, "other_cells"] == "DN 2025-ar.xlsx, flik Indikatorer, cell B4; DN 2025-ar.xlsx, flik Indikatorer, cell C4"


def test_an_indicator_from_a_rejected_file_raises_no_question(cat):
    city = City()
    city.file("2024-delar", "AN", status="rejected")
    city.follow_up("2024-delar", "AN", "AN-1", "1.1", "clear", "likely")
    city.indicator("2024-delar", "AN", "AN-1", "Andel", "increase", 70.0, 60.0)
    assert city.questions(cat, "2024-delar").empty


# --- (b) "will be reached" after two follow-ups without movement --------------------------


def test_reached_within_the_period_after_two_follow_ups_without_movement_is_asked(cat):
    city = City()
    for occasion, movement, outlook in (("2024-ar", "negative", "partly"), ("2025-delar", "none", "likely")):
        city.file(occasion, "BN")
        city.follow_up(occasion, "BN", "BN-1", "2.1", movement, outlook, title="Jobbspår")
    q = _only(city.questions(cat, "2025-delar"), "prognos_utan_forflyttning")
    assert len(q) == 1
    assert q.loc[0, "occasion"] == "2025-delar"
    assert q.loc[0, "question"] == (
        "I Delårsrapport 2025 svarar ni 'Önskad förflyttning nås under mandatperioden' för bidraget BN-1 (Jobbspår), "
        "men bedömer samtidigt förflyttningen som 'Ingen förflyttning', och i Årsanalys 2024 som 'Förflyttning i "
        "motsatt riktning'. Vad gör att ni ändå bedömer att önskad förflyttning nås under mandatperioden?")
    assert (q.loc[0, "cell"], q.loc[0, "other_cells"]) == (
        "E4", "BN 2025-delar.xlsx, flik Uppföljning, cell D4; BN 2024-ar.xlsx, flik Uppföljning, cell D4")


@pytest.mark.parametrize("before, now, outlook", [
    ("some", "none", "likely"),  # the previous follow-up showed movement
    ("none", "none", "partly"),  # the board does not say it will be reached
    ("none", "some", "likely"),  # it moves now
])
def test_near_misses_of_reached_without_movement(cat, before, now, outlook):
    city = City()
    city.file("2024-ar", "BN")
    city.follow_up("2024-ar", "BN", "BN-1", "2.1", before, "likely")
    city.file("2025-delar", "BN")
    city.follow_up("2025-delar", "BN", "BN-1", "2.1", now, outlook)
    assert _only(city.questions(cat, "2025-delar"), "prognos_utan_forflyttning").empty


def test_a_follow_up_missing_in_between_breaks_the_two_in_a_row(cat):
    city = City()
    city.file("2024-delar", "BN")
    city.follow_up("2024-delar", "BN", "BN-1", "2.1", "none", "likely")
    city.file("2025-delar", "BN")  # nothing was sent for 2024-ar
    city.follow_up("2025-delar", "BN", "BN-1", "2.1", "none", "likely")
    assert _only(city.questions(cat, "2025-delar"), "prognos_utan_forflyttning").empty


# --- (c) the same analysis as last time ---------------------------------------------------


def test_the_same_analysis_word_for_word_is_asked_whatever_its_spacing(cat):
    city = City()
    city.file("2025-delar", "AN")
    city.follow_up("2025-delar", "AN", "AN-1", "1.1", "some", "likely")
    city.follow_up("2025-delar", "AN", "AN-2", "1.1", "some", "likely", title="Lovskola")
    city.file("2025-ar", "AN")
    city.follow_up("2025-ar", "AN", "AN-1", "1.1", "some", "likely", analysis="  " + LONG.replace(" i alla ", " i  alla\u00a0"))
    city.follow_up("2025-ar", "AN", "AN-2", "1.1", "some", "likely", title="Lovskola",
                   analysis=LONG.replace("fler elever", "fler barn"))  # one word changed: no question
    q = _only(city.questions(cat, "2025-ar"), "samma_analys")
    assert len(q) == 1
    assert q.loc[0, "question"] == (
        "Analysen av bidraget AN-1 (Läxhjälp) i Årsanalys 2025 är ord för ord densamma som i Delårsrapport 2025: "
        "\"Läxhjälpen har nått fler elever i alla stadsdelar, och lärarna ser att fler lämnar in sina uppgifter i tid "
        "under terminen.\" Vad har hänt i arbetet sedan dess, och vad har det lett till?")
    assert (q.loc[0, "cell"], q.loc[0, "other_cells"]) == ("F4", "AN 2025-delar.xlsx, flik Uppföljning, cell F4")


def test_a_short_analysis_repeated_is_left_to_the_checks(cat):
    city = City()
    for occasion in ("2025-delar", "2025-ar"):
        city.file(occasion, "AN")
        city.follow_up(occasion, "AN", "AN-1", "1.1", "some", "likely", analysis="Pågår enligt plan.")
    assert _only(city.questions(cat, "2025-ar"), "samma_analys").empty


def test_a_long_analysis_is_quoted_up_to_its_limit(cat):
    text = " ".join(["Arbetet fortsätter enligt plan i alla stadsdelar."] * 8)  # 399 characters
    city = City()
    for occasion in ("2025-delar", "2025-ar"):
        city.file(occasion, "AN")
        city.follow_up(occasion, "AN", "AN-1", "1.1", "some", "likely", analysis=text)
    question = _only(city.questions(cat, "2025-ar"), "samma_analys").loc[0, "question"]
    quote = question.split('"')[1]
    # 240 characters end inside the fifth sentence ('… i alla st'); the quote stops at the word before.
    assert quote == " ".join(["Arbetet fortsätter enligt plan i alla stadsdelar."] * 4) + " Arbetet fortsätter enligt plan i alla …"


# --- (d) "has been reached" against the last follow-ups -----------------------------------


def _period_end(city: City, before: tuple, last: tuple, reached: str) -> None:
    for occasion, (movement, outlook) in (("2025-ar", before), ("2026-delar", last)):
        city.file(occasion, "CB")
        city.follow_up(occasion, "CB", "CB-1", "1.1", movement, outlook, title="Trygghet")
    city.file("2026-ar", "CB")
    city.follow_up("2026-ar", "CB", "CB-1", "1.1", "clear", "likely", reached=reached, title="Trygghet")


def test_reached_at_the_period_end_after_follow_ups_that_said_otherwise_is_asked(cat):
    city = City()
    _period_end(city, ("none", "likely"), ("some", "unlikely"), "reached")
    q = _only(city.questions(cat), "natts_mot_uppfoljningar")
    assert len(q) == 1
    assert q.loc[0, "question"] == (
        "I Årsanalys 2026 svarar ni 'Önskad förflyttning har nåtts' för bidraget CB-1 (Trygghet), men era två "
        "föregående uppföljningar sa något annat (Årsanalys 2025: förflyttning 'Ingen förflyttning', nås under "
        "mandatperioden 'Önskad förflyttning nås under mandatperioden'; Delårsrapport 2026: förflyttning 'Viss "
        "förflyttning i önskad riktning', nås under mandatperioden 'Önskad förflyttning nås inte under "
        "mandatperioden'). Vad har gjort att förflyttningen ändå har nåtts?")
    # At the period end the follow-up sheet has the column 'reached' in F (analysis moves to G).
    assert q.loc[0, "cell"] == "F4"
    assert q.loc[0, "other_cells"] == (
        "CB 2026-delar.xlsx, flik Uppföljning, cell D4; CB 2026-delar.xlsx, flik Uppföljning, cell E4; "
        "CB 2025-ar.xlsx, flik Uppföljning, cell D4; CB 2025-ar.xlsx, flik Uppföljning, cell E4")


@pytest.mark.parametrize("before, last, reached", [
    (("none", "likely"), ("some", "partly"), "reached"),  # the last follow-up saw movement and expected it
    (("negative", "unlikely"), ("none", "unlikely"), "partly_reached"),  # not 'reached'
])
def test_near_misses_of_reached_against_the_follow_ups(cat, before, last, reached):
    city = City()
    _period_end(city, before, last, reached)
    assert _only(city.questions(cat), "natts_mot_uppfoljningar").empty


# --- (e) a responsible board without a contribution, a second occasion running ------------


def test_a_named_board_without_a_contribution_twice_running_is_asked_once(cat):
    city = City()
    # DN is named for 2.1 and 4.1 (3.1 is for all boards, where each board chooses).
    city.file("2024-budget", "DN")
    city.plan("2024-budget", "DN", "DN-1", "4.1")
    city.plan("2024-budget", "DN", "DN-2", "2.1")
    for occasion in ("2024-delar", "2024-ar", "2025-budget"):
        city.file(occasion, "DN")
        city.plan(occasion, "DN", "DN-1", "4.1")  # DN drops DN-2 after its budget
    q = _only(city.questions(cat, "2025-budget"), "ansvar_utan_bidrag")
    assert list(q["occasion"]) == ["2024-ar"]  # first at the second occasion running; not again at 2025-budget
    assert q.loc[0, "question"] == (
        "Kommunfullmäktige har gett D-nämnden ansvar för KF-mål 2.1 (Mål 2.1), men ni har inget bidrag till målet, "
        "varken i Delårsrapport 2024 eller i Årsanalys 2024. Hur bidrar ni till målet, och planerar ni ett bidrag?")
    assert pd.isna(q.loc[0, "contribution_id"]) and q.loc[0, "goal_code"] == "2.1"
    assert (q.loc[0, "source_file"], q.loc[0, "sheet"], q.loc[0, "cell"]) == ("DN 2024-ar.xlsx", "Bidrag", "B4")
    assert q.loc[0, "other_cells"] == "DN 2024-delar.xlsx, flik Bidrag, cell B4"
    assert q.loc[0, "question_key"] == "2024-ar:ansvar_utan_bidrag:DN:2.1"


def test_a_gap_broken_by_a_missing_submission_or_a_rejected_file_is_no_second_occasion(cat):
    city = City()
    city.file("2024-budget", "DN")
    city.plan("2024-budget", "DN", "DN-1", "4.1")
    city.file("2024-delar", "DN", status="rejected")  # no accepted submission
    city.plan("2024-delar", "DN", "DN-1", "4.1")
    city.file("2025-budget", "DN")  # 2024-ar: nothing sent
    city.plan("2025-budget", "DN", "DN-1", "4.1")
    city.file("2025-budget", "BN")  # BN has two contributions to 2.1 and none to 1.1 or 3.1, but only one occasion
    city.plan("2025-budget", "BN", "BN-1", "2.1")
    assert _only(city.questions(cat, "2025-budget"), "ansvar_utan_bidrag").empty


def test_the_table_has_its_columns_and_one_row_per_question_key(cat):
    city = City()
    _period_end(city, ("none", "likely"), ("some", "unlikely"), "reached")
    q = city.questions(cat)
    assert list(q.columns) == DIALOGUE_COLUMNS
    assert not q["question_key"].duplicated().any()
    assert set(q["mandate_period"]) == {"2023-2026"}


def test_the_data_quality_appendix_says_how_many_questions_in_one_sentence():
    from types import SimpleNamespace

    from analysis.report.content import dialogue_sentence

    rows = pd.DataFrame({"occasion": ["2025-ar", "2025-ar", "2025-ar", "2025-delar"], "board_code": ["AN", "AN", "BN", "DN"]})
    said = lambda frame, occasion: dialogue_sentence(SimpleNamespace(tables={"dialogue": frame},
                                                                     occasion=Occasion.parse(occasion)))
    assert said(rows, "2025-ar") == (
        "3 frågor till nämnderna och bolagen, där deras egna svar motsäger varandra, ställs i stadskontorets dialog med "
        "2 av dem; frågorna ändrar ingen bedömning och finns i rapportens Excelfil (fliken Frågor till nämnderna).")
    assert said(rows, "2025-delar") == (
        "1 fråga till en nämnd eller ett bolag, där dess egna svar motsäger varandra, ställs i stadskontorets dialog; "
        "frågan ändrar ingen bedömning och finns i rapportens Excelfil (fliken Frågor till nämnderna).")
    assert said(rows, "2024-ar") == "Inga frågor till nämnderna och bolagen: ingenstans motsäger deras egna svar varandra."
