"""The tables of the whole-period analysis on a hand-built city whose every answer is
worked out by hand in the comments: the lessons for the next period, each contribution's
path (plan beside outcome) and the changes since the previous follow-up with the board's
own text.

The city: one mandate period of one year (2026-budget, 2026-delar, 2026-ar; the period end
is 2026-ar), two goal areas, three boards.
  1.1 (area 1): AN, BN     1.2 (area 1): AN     2.1 (area 2): BN, CB (a company)
Contributions: AN-1 (1.1) and AN-2 (1.2) at every occasion; BN-2 (2.1) at every occasion;
BN-3 (2.1) in the budget and the interim report, not in the annual report (BN dropped it);
CB-1 (2.1) from the interim report on. CB sends nothing for 2026-ar. BN has no contribution
to 1.1 at any occasion.

A second city (`gaps_city`, same occasions) has boards that missed submissions, with and
without contributions, and one that never sent anything: who the lesson names."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest
import yaml

from analysis.catalogue import catalogue_from_dict
from analysis.config import REPOSITORY_ROOT
from analysis.occasion import Occasion
from analysis.tables.registry import compute_tables

OCCASIONS = [Occasion.parse(o) for o in ("2026-budget", "2026-delar", "2026-ar")]
AREA = {"AN-1": "1", "AN-2": "1", "BN-2": "2", "BN-3": "2", "CB-1": "2"}


@pytest.fixture(scope="module")
def cat():
    raw = copy.deepcopy(yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8")))
    raw["mandate_period"] = "2026-2026"
    raw.pop("assignments")
    raw["goal_areas"] = [{"code": c, "name": f"Målområde {c}", "sdgs": [1]} for c in ("1", "2")]
    raw["goals"] = [
        {"code": "1.1", "goal_area": "1", "name": "Mål 1.1", "responsible": ["AN", "BN"]},
        {"code": "1.2", "goal_area": "1", "name": "Mål 1.2", "responsible": ["AN"]},
        {"code": "2.1", "goal_area": "2", "name": "Mål 2.1", "responsible": ["BN", "CB"]},
    ]
    raw["boards"] = [{"code": "AN", "name": "A-nämnden", "kind": "nämnd"}, {"code": "BN", "name": "B-nämnden", "kind": "nämnd"},
                     {"code": "CB", "name": "C-bolaget AB", "kind": "bolag"}]
    return catalogue_from_dict(raw, "period-city")


def _human_rights() -> list[tuple]:
    """Every contribution of a follow-up answers every theme 'considered', except: in area 1
    child rights was considered in 1 of 4 answers (a quarter: not 'rarely'); in area 2
    equality in 0 of 4 (rarely). The budget's answers do not count."""
    exceptions = {
        ("2026-delar", "AN-1", "child_rights"): "not_considered", ("2026-ar", "AN-1", "child_rights"): "not_considered",
        ("2026-delar", "AN-2", "child_rights"): "not_relevant",
        ("2026-delar", "BN-2", "equality"): "not_considered", ("2026-delar", "BN-3", "equality"): "not_considered",
        ("2026-delar", "CB-1", "equality"): "not_relevant", ("2026-ar", "BN-2", "equality"): "not_considered",
    }
    present = {"2026-delar": ["AN-1", "AN-2", "BN-2", "BN-3", "CB-1"], "2026-ar": ["AN-1", "AN-2", "BN-2"]}
    rows = [("2026-budget", "BN", "contribution", c, "equality", "considered", None) for c in ("BN-2", "BN-3")]
    for o, contributions in present.items():
        for c in contributions:
            for theme in ("child_rights", "gender_equality", "equality", "anti_discrimination"):
                rows.append((o, c[:2], "contribution", c, theme, exceptions.get((o, c, theme), "considered"), None))
    return rows


@pytest.fixture(scope="module")
def tables(cat):
    day = dt.datetime(2026, 1, 10)
    submissions = pd.DataFrame(
        [(o, b, "current", day, day) for o in ("2026-budget", "2026-delar") for b in ("AN", "BN", "CB")]
        + [("2026-ar", b, "current", day, day) for b in ("AN", "BN")],
        columns=["occasion", "board_code", "status", "submitted_on", "file_modified"])
    planned = {"2026-budget": ["AN-1", "AN-2", "BN-2", "BN-3"], "2026-delar": ["AN-1", "AN-2", "BN-2", "BN-3", "CB-1"],
               "2026-ar": ["AN-1", "AN-2", "BN-2"]}
    goal = {"AN-1": "1.1", "AN-2": "1.2", "BN-2": "2.1", "BN-3": "2.1", "CB-1": "2.1"}
    contributions = pd.DataFrame(
        [(o, c[:2], c, goal[c], f"Bidrag {c}", f"Plan för {c} ({o})") for o, cs in planned.items() for c in cs],
        columns=["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement"])
    contributions["partner_boards"] = None  # no cooperation named in this city
    follow_ups = pd.DataFrame([
        ("2026-delar", "AN", "AN-1", "1.1", "some", "likely", None, "both", None, "AN-1 i delåret."),
        ("2026-delar", "AN", "AN-2", "1.2", "clear", "likely", None, "both", None, "AN-2 i delåret."),
        ("2026-delar", "BN", "BN-2", "2.1", "none", "partly", None, "both", None, "BN-2 i delåret."),
        ("2026-delar", "BN", "BN-3", "2.1", "some", "partly", None, "both", None, "BN-3 i delåret."),
        ("2026-delar", "CB", "CB-1", "2.1", "some", "likely", None, "both", None, "CB-1 i delåret."),
        ("2026-ar", "AN", "AN-1", "1.1", "none", "unlikely", "not_reached", "both", None, "AN-1 avstannade under hösten."),
        ("2026-ar", "AN", "AN-2", "1.2", "clear", "likely", "partly_reached", "both", None, "AN-2 nådde en bit."),
        ("2026-ar", "BN", "BN-2", "2.1", "not_assessable", "unlikely", "not_reached", "both", None, "BN-2 kan inte bedömas."),
    ], columns=["occasion", "board_code", "contribution_id", "goal_code", "movement", "outlook", "reached", "evidence_type",
                "title", "analysis"])
    human_rights = pd.DataFrame(_human_rights(), columns=["occasion", "board_code", "scope", "contribution_id", "theme",
                                                          "consideration", "comment"])
    submissions, contributions, follow_ups = _with_provenance(submissions, contributions, follow_ups)
    processed = {"submissions": submissions, "contributions": contributions, "follow_ups": follow_ups,
                 "human_rights": human_rights, "indicators": None, "validation_issues": None}
    return compute_tables(cat, processed, OCCASIONS)


def _with_provenance(submissions, contributions, follow_ups):
    """The files the rows were read from (no figure here depends on them)."""
    from aggregate_small_city import _provenance

    submissions = submissions.assign(sha256=[f"{i:064x}" for i in range(len(submissions))])
    submissions = submissions.assign(source_file=[f"{b} {o}.xlsx" for o, b in zip(submissions["occasion"],
                                                                                    submissions["board_code"])])
    return (submissions, _provenance(contributions, submissions, "Bidrag"),
            _provenance(follow_ups, submissions, "Uppföljning"))


def test_the_lessons_for_the_next_period(tables):
    lessons = tables["lessons"]
    got = [(r.lesson, r.goal_area_code, r.goal_code, r.board_code, r.contribution_id, r.theme, r.count, r.of)
           for r in lessons.astype(object).where(lessons.notna(), None).itertuples()]
    assert got == [
        # 1.1: BN, named for it with an accepted submission, has no contribution at any of the 3 occasions.
        # (2.1 is incomplete only in the budget, where CB had none yet; 1.2 is always covered.)
        ("coverage_incomplete", "1", "1.1", None, None, None, 3, 3),
        # Area 2, equality: 0 of the 4 follow-up answers (BN-2 twice, BN-3, CB-1) say considered; the
        # budget's two 'considered' do not count. Area 1, child rights: 1 of 4 is a quarter, not fewer.
        ("theme_rarely_considered", "2", None, None, None, "equality", 0, 4),
        # BN-3 was in BN's interim report, not in its accepted annual report. CB-1 is not 'dropped':
        # CB sent nothing for 2026-ar.
        ("dropped", "2", "2.1", "BN", "BN-3", None, 1, 1),
        # AN-1: 'will be reached' at the interim report (1 of its 2 follow-ups), 'not reached' at the end.
        # BN-2 ended 'not reached' too but was never optimistic; AN-2 ended 'partly reached'.
        ("optimistic_not_reached", "1", "1.1", "AN", "AN-1", None, 1, 2),
    ]
    assert set(lessons["occasion"].astype(str)) == {"2026-ar"}
    evidence = dict(zip(lessons["lesson"], lessons["evidence"]))
    assert evidence["coverage_incomplete"] == (
        "Vid alla 3 tillfällen saknade minst en ansvarig nämnd eller ett ansvarigt bolag med godkänd inlämning bidrag "
        "till målet. Utan bidrag vid varje tillfälle: B-nämnden (inga bidrag i 3 godkända inlämningar).")
    assert evidence["theme_rarely_considered"] == "Jämlikhet beaktades i 0 av 4 svar (0\u00a0%) i periodens uppföljningar."
    assert evidence["dropped"] == ("Bidraget (Bidrag BN-3) fanns senast med i Delårsrapport 2026 men inte i "
                                   "Årsredovisning 2026, där nämndens eller bolagets inlämning är godkänd.")
    assert evidence["optimistic_not_reached"] == (
        "Prognosen att önskad förflyttning nås under mandatperioden gavs vid 1 av 2 uppföljningar (Delårsrapport 2026); "
        "slutbedömningen är att den inte har nåtts.")


def test_no_lessons_before_the_period_end(tables):
    from analysis.tables.registry import as_of

    assert as_of(tables, OCCASIONS[1])["lessons"].empty


def test_each_contributions_path_is_its_rows_over_the_period(tables):
    paths = tables["contribution_paths"].astype(object)
    bn3 = paths[paths["contribution_id"] == "BN-3"]
    assert bn3[["occasion", "goal_code", "title", "expected_movement", "movement", "outlook", "reached"]].where(
        bn3.notna(), None).values.tolist() == [
        ["2026-budget", "2.1", "Bidrag BN-3", "Plan för BN-3 (2026-budget)", None, None, None],
        ["2026-delar", "2.1", "Bidrag BN-3", "Plan för BN-3 (2026-delar)", "some", "partly", None],
    ]
    an1 = paths[(paths["contribution_id"] == "AN-1") & (paths["occasion"] == "2026-ar")].iloc[0]
    assert (an1["movement"], an1["outlook"], an1["reached"], an1["goal_area_code"]) == ("none", "unlikely", "not_reached", "1")
    # 4 + 5 + 3 contributions in accepted submissions (CB's 2026-ar is missing).
    assert paths["occasion"].value_counts().to_dict() == {"2026-budget": 4, "2026-delar": 5, "2026-ar": 3}


def test_the_changes_since_the_interim_report_carry_the_boards_text(tables):
    t = tables["transitions"].astype(object)
    t = t[t["occasion"] == "2026-ar"].set_index("contribution_id")
    # AN-1: some -> none (worse); AN-2: clear -> clear; BN-2: none -> not assessable (not comparable);
    # BN-3: gone; CB-1: CB sent nothing.
    assert t["change"].to_dict() == {"AN-1": "worsened", "AN-2": "unchanged", "BN-2": "not_comparable",
                                     "BN-3": "no_follow_up", "CB-1": "no_follow_up"}
    assert (t.loc["AN-1", "previous_outlook"], t.loc["AN-1", "outlook"]) == ("likely", "unlikely")
    assert t.loc["AN-1", "analysis"] == "AN-1 avstannade under hösten."
    assert t.loc["BN-3", "analysis"] == "BN-3 i delåret."  # no text now: the last one it gave


@pytest.fixture(scope="module")
def gaps_city():
    """Five boards over the same three occasions, each goal worked out by hand in
    test_boards_without_a_contribution_are_named_with_what_they_sent."""
    raw = copy.deepcopy(yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8")))
    raw["mandate_period"] = "2026-2026"
    raw.pop("assignments")
    raw["goal_areas"] = [{"code": "1", "name": "Målområde 1", "sdgs": [1]}]
    raw["goals"] = [
        {"code": "1.1", "goal_area": "1", "name": "Mål 1.1", "responsible": ["AN", "BN"]},
        {"code": "1.2", "goal_area": "1", "name": "Mål 1.2", "responsible": ["CN", "DN"]},
        {"code": "1.3", "goal_area": "1", "name": "Mål 1.3", "responsible": ["AN", "EN"]},
        {"code": "1.4", "goal_area": "1", "name": "Mål 1.4", "responsible": ["AN"]},
    ]
    raw["boards"] = [{"code": c, "name": f"{c[0]}-nämnden", "kind": "nämnd"} for c in ("AN", "BN", "CN", "DN", "EN")]
    gaps = catalogue_from_dict(raw, "gaps-city")
    day = dt.datetime(2026, 1, 10)
    sent = {"AN": {"2026-budget": "current", "2026-delar": "current", "2026-ar": "current"},
            "BN": {"2026-budget": "current", "2026-delar": "current"},  # nothing for 2026-ar
            "CN": {"2026-delar": "current", "2026-ar": "current"},  # nothing for 2026-budget
            "EN": {"2026-budget": "current", "2026-delar": "rejected"}}  # DN sends nothing at all
    submissions = pd.DataFrame([(o, b, st, day, day) for b, occasions in sent.items() for o, st in occasions.items()],
                               columns=["occasion", "board_code", "status", "submitted_on", "file_modified"])
    # AN: one contribution to each of 1.1, 1.3 and 1.4 at every occasion. CN: one to 1.2 in
    # its interim report only. BN: one to 1.3 (a goal it is not named for) at its two occasions.
    # EN: one to 1.3 in its rejected interim report (it does not count).
    rows = [(o, "AN", f"AN-{g[-1]}", g) for o in ("2026-budget", "2026-delar", "2026-ar") for g in ("1.1", "1.3", "1.4")]
    rows += [("2026-delar", "CN", "CN-1", "1.2"), ("2026-budget", "BN", "BN-1", "1.3"), ("2026-delar", "BN", "BN-1", "1.3"),
             ("2026-delar", "EN", "EN-1", "1.3")]
    contributions = pd.DataFrame([(*r, f"Bidrag {r[2]}", "Plan") for r in rows],
                                 columns=["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement"])
    contributions["partner_boards"] = None
    follow_ups = pd.DataFrame(columns=["occasion", "board_code", "contribution_id", "goal_code", "movement", "outlook", "reached",
                                       "evidence_type", "title", "analysis"])
    submissions, contributions, follow_ups = _with_provenance(submissions, contributions, follow_ups)
    processed = {"submissions": submissions, "contributions": contributions, "follow_ups": follow_ups,
                 "human_rights": None, "indicators": None, "validation_issues": None}
    return compute_tables(gaps, processed, OCCASIONS)


def test_boards_without_a_contribution_are_named_with_what_they_sent(gaps_city):
    lessons = gaps_city["lessons"]
    found = lessons[lessons["lesson"].astype(object) == "coverage_incomplete"]
    got = [(g, n, of, text) for g, n, of, text in zip(found["goal_code"].astype(object), found["count"], found["of"],
                                                     found["evidence"])]
    start = "saknade minst en ansvarig nämnd eller ett ansvarigt bolag med godkänd inlämning bidrag till målet."
    assert got == [
        # 1.1: BN missed 2026-ar and had no contribution to 1.1 in its 2 accepted submissions: named.
        # At 2026-ar only AN (with AN-1) was accepted, so 2 of the 3 occasions lacked one.
        ("1.1", 2, 3, f"Vid 2 av 3 tillfällen {start} Utan bidrag vid varje tillfälle: "
                      "B-nämnden (inga bidrag i 2 godkända inlämningar; 2026-ar saknas)."),
        # 1.2: CN missed 2026-budget and contributed once (2026-delar): not named. DN never sent
        # anything: named, with that said. Only at 2026-ar did an accepted board (CN) lack one.
        ("1.2", 1, 3, f"Vid 1 av 3 tillfällen {start} Utan bidrag vid varje tillfälle: "
                      "D-nämnden (ingen godkänd inlämning under perioden)."),
        # 1.3: EN's one accepted submission (2026-budget) had none; its 2026-delar was rejected
        # (EN-1 in it does not count) and it sent nothing for 2026-ar. Only at 2026-budget did an
        # accepted board lack one (EN; AN always had AN-3).
        ("1.3", 1, 3, f"Vid 1 av 3 tillfällen {start} Utan bidrag vid varje tillfälle: "
                      "E-nämnden (inga bidrag i 1 godkänd inlämning; 2026-delar avvisad; 2026-ar saknas)."),
        # 1.4: AN, its only responsible board, contributed at every occasion: no lesson.
    ]
