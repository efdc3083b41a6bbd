"""Aggregate tables of the small hand-made city (tests/aggregate_small_city.py). Every
expected figure is worked out by hand in the comments, not by calling the code."""

import math

import pandas as pd
import pytest

from aggregate_small_city import AR_BEFORE, DELAR, small_catalogue, small_tables
from analysis.tables.registry import compute_tables as aggregate_tables
from analysis.tables.coverage import board_movement, coverage
from analysis.tables.data_quality import data_quality
from analysis.tables.evidence import evidence_mix
from analysis.tables.goal_signal import goal_signal, suggested_level
from analysis.tables.human_rights import human_rights_base_mission, human_rights_by_goal_area, human_rights_gaps
from analysis.tables.indicators import indicators
from analysis.tables.movement import movement_by_goal, movement_by_goal_area
from analysis.occasion import Occasion
from analysis.tables.trajectory import transitions


@pytest.fixture(scope="module")
def cat():
    return small_catalogue()


@pytest.fixture
def t():
    return small_tables()


def _row(frame, **where):
    hit = frame
    for k, v in where.items():
        hit = hit[hit[k].astype(object) == v]
    assert len(hit) == 1, f"{where}: {len(hit)} rows"
    return hit.iloc[0]


def _cov(cat, t):
    return coverage(cat, t["submissions"], t["contributions"], t["follow_ups"], DELAR)


def test_coverage_lists_every_responsible_board_and_the_one_reporting_without_being_named(cat, t):
    cov = _cov(cat, t)
    # 11 responsible pairs + BN on 4.1.
    assert len(cov) == 12
    assert set(cov["occasion"].astype(str)) == {"2024-delar"}
    expected = {
        # (goal, board): (responsible, status, contributions, follow_ups, board_movement)
        ("1.1", "AN"): (True, "accepted", 2, 2, "negative"),  # clear + negative: the less favourable middle
        ("1.1", "BN"): (True, "accepted", 1, 1, "some"),
        ("1.1", "CB"): (True, "rejected", 0, 0, None),  # its rejected file's contribution does not count
        ("1.2", "AN"): (True, "accepted", 0, 0, None),  # träffbild: named, no contribution
        ("2.1", "BN"): (True, "accepted", 1, 1, "none"),
        ("2.1", "DN"): (True, "missing", 0, 0, None),
        ("3.1", "AN"): (True, "accepted", 1, 1, "not_assessable"),
        ("3.1", "BN"): (True, "accepted", 0, 0, None),
        ("3.1", "CB"): (True, "rejected", 0, 0, None),
        ("3.1", "DN"): (True, "missing", 0, 0, None),
        ("4.1", "DN"): (True, "missing", 0, 0, None),
        ("4.1", "BN"): (False, "accepted", 1, 1, "some"),
    }
    for (goal, board), (responsible, status, n_contrib, n_follow, movement) in expected.items():
        r = _row(cov, goal_code=goal, board_code=board)
        assert (bool(r["responsible"]), r["submission_status"], r["contributions"], r["follow_ups"]) == (
            responsible, status, n_contrib, n_follow
        ), (goal, board)
        assert bool(r["has_contribution"]) == (n_contrib > 0)
        assert bool(r["has_follow_up"]) == (n_follow > 0)
        assert (None if pd.isna(r["board_movement"]) else r["board_movement"]) == movement, (goal, board)
    assert list(cov["goal_code"]) == ["1.1"] * 3 + ["1.2"] + ["2.1"] * 2 + ["3.1"] * 4 + ["4.1"] * 2


def test_coverage_at_a_budget_occasion_expects_no_follow_ups(cat, t):
    cov = coverage(cat, t["submissions"], t["contributions"], t["follow_ups"], Occasion.parse("2024-budget"))
    assert len(cov) == 11  # nothing submitted: every responsible pair, all missing
    assert (cov["submission_status"] == "missing").all()
    assert cov["follow_ups"].isna().all() and cov["has_follow_up"].isna().all()


def test_board_movement_takes_the_less_favourable_middle():
    assert board_movement(pd.Series(["clear", "some", "none"])) == "some"
    assert board_movement(pd.Series(["clear", "none"])) == "none"
    assert board_movement(pd.Series(["clear", "not_assessable"])) == "clear"
    assert board_movement(pd.Series(["not_assessable"])) == "not_assessable"
    assert board_movement(pd.Series([], dtype=object)) is None


def test_movement_by_goal(cat, t):
    m = movement_by_goal(cat, t["submissions"], t["follow_ups"], DELAR)
    # 5 goals × (5 movement levels + 4 outlook levels); no 'reached' before the last annual report.
    assert len(m) == 5 * 9
    assert set(m["scale"]) == {"movement", "outlook"}
    # 1.1: AN-1 clear, AN-2 negative, BN-1 some (CB-1 rejected): 3 follow-ups from 2 of 3 named boards.
    g = m[(m["goal_code"] == "1.1") & (m["scale"] == "movement")].set_index("level")
    assert g["count"].to_dict() == {"clear": 1, "some": 1, "none": 0, "negative": 1, "not_assessable": 0}
    assert g.loc["clear", "share"] == pytest.approx(1 / 3)
    first = g.iloc[0]
    assert (first["follow_ups"], first["assessed"], first["boards"], first["other_boards"], first["responsible_boards"]) == (3, 3, 2, 0, 3)
    assert first["assessed_share"] == 1.0
    assert g.loc["clear", "level_label"] == "Tydlig förflyttning i önskad riktning"
    o = m[(m["goal_code"] == "1.1") & (m["scale"] == "outlook")].set_index("level")
    assert o["count"].to_dict() == {"likely": 1, "partly": 1, "unlikely": 1, "uncertain": 0}
    # 3.1: one follow-up, not assessable: assessed 0 of 1; 1 of 4 named boards reports.
    r = _row(m, goal_code="3.1", scale="movement", level="not_assessable")
    assert (r["count"], r["share"], r["follow_ups"], r["assessed"], r["assessed_share"], r["boards"], r["responsible_boards"]) == (1, 1.0, 1, 0, 0.0, 1, 4)
    # 2.1: movement 'none' can be assessed, outlook 'uncertain' cannot.
    assert _row(m, goal_code="2.1", scale="movement", level="none")["assessed"] == 1
    assert _row(m, goal_code="2.1", scale="outlook", level="uncertain")["assessed"] == 0
    # 4.1: BN reports without being named: no responsible board, one other board.
    r = _row(m, goal_code="4.1", scale="movement", level="some")
    assert (r["count"], r["boards"], r["other_boards"], r["responsible_boards"]) == (1, 0, 1, 1)
    # 1.2: nobody reports: counts 0, shares empty.
    r = _row(m, goal_code="1.2", scale="movement", level="clear")
    assert r["count"] == 0 and r["follow_ups"] == 0 and math.isnan(r["share"]) and math.isnan(r["assessed_share"])


def test_movement_at_the_last_annual_report_includes_reached(cat):
    t = small_tables()
    fu = t["follow_ups"]
    last = pd.DataFrame([
        ("2026-ar", "AN", "AN-1", "1.1", "clear", "likely", "reached", "both"),
        ("2026-ar", "AN", "AN-2", "1.1", "none", "unlikely", "not_reached", "both"),
    ], columns=fu.columns[:8])
    subs = pd.concat([t["submissions"], pd.DataFrame([("2026-ar", "AN", "current", None, None, "z", "z.xlsx")], columns=t["submissions"].columns)])
    m = movement_by_goal(cat, subs, pd.concat([fu, last]), Occasion.parse("2026-ar"))
    r = m[(m["goal_code"] == "1.1") & (m["scale"] == "reached")].set_index("level")
    assert r["count"].to_dict() == {"reached": 1, "partly_reached": 0, "not_reached": 1}
    assert r["assessed"].iloc[0] == 2


def test_movement_by_goal_area_counts_a_board_once_per_area(cat, t):
    a = movement_by_goal_area(cat, t["submissions"], t["follow_ups"], DELAR)
    assert len(a) == 4 * 9
    # Area 1 = goals 1.1 and 1.2: the 3 follow-ups of 1.1; boards AN and BN; named AN, BN, CB.
    r = _row(a, goal_area_code="1", scale="movement", level="negative")
    assert (r["count"], r["follow_ups"], r["boards"], r["responsible_boards"], r["goals"]) == (1, 3, 2, 3, 2)
    assert r["share"] == pytest.approx(1 / 3)
    r = _row(a, goal_area_code="4", scale="movement", level="some")
    assert (r["count"], r["boards"], r["other_boards"], r["responsible_boards"], r["goals"]) == (1, 0, 1, 1, 1)


def test_evidence_mix(cat, t):
    e = evidence_mix(cat, t["submissions"], t["follow_ups"], DELAR)
    assert len(e) == 5 * 3
    g = e[e["goal_code"] == "1.1"].set_index("evidence_type")
    # AN-1 quantitative, AN-2 both, BN-1 qualitative.
    assert g["count"].to_dict() == {"quantitative": 1, "qualitative": 1, "both": 1}
    assert g["share"].tolist() == pytest.approx([1 / 3] * 3)
    assert (g["follow_ups"] == 3).all()
    assert _row(e, goal_code="3.1", evidence_type="qualitative")["share"] == 1.0
    assert evidence_mix(cat, t["submissions"], t["follow_ups"], Occasion.parse("2024-budget")).empty


def test_human_rights_by_goal_area_and_gaps(cat, t):
    hr = human_rights_by_goal_area(cat, t["submissions"], t["contributions"], t["follow_ups"], t["human_rights"], DELAR)
    assert len(hr) == 4 * 4 * 3  # areas × themes × considerations
    # Area 1, child rights: AN-1 and BN-1 (both goal 1.1) considered it.
    g = hr[(hr["goal_area_code"] == "1") & (hr["theme"] == "child_rights")].set_index("consideration")
    assert g["count"].to_dict() == {"considered": 2, "not_considered": 0, "not_relevant": 0}
    assert g.loc["considered", "share"] == 1.0 and g.loc["considered", "answers"] == 2
    assert g.loc["considered", "theme_label"] == "Barnrätt"
    assert _row(hr, goal_area_code="1", theme="gender_equality", consideration="not_considered")["count"] == 1
    assert _row(hr, goal_area_code="2", theme="child_rights", consideration="not_considered")["count"] == 1
    assert _row(hr, goal_area_code="3", theme="child_rights", consideration="not_relevant")["count"] == 1

    gaps = human_rights_gaps(cat, hr)
    # Only area 1 considered a theme (child rights): the other 15 combinations are gaps.
    assert len(gaps) == 15
    assert ("1", "child_rights") not in set(zip(gaps["goal_area_code"], gaps["theme"]))
    r = _row(gaps, goal_area_code="1", theme="gender_equality")
    assert (r["answers"], r["not_considered"], r["not_relevant"]) == (1, 1, 0)
    r = _row(gaps, goal_area_code="4", theme="equality")
    assert (r["answers"], r["not_considered"], r["not_relevant"]) == (0, 0, 0)
    assert r["goal_area_name"] == "Målområde 4"


def test_human_rights_base_mission_per_board(cat, t):
    b = human_rights_base_mission(cat, t["submissions"], t["human_rights"], DELAR)
    assert len(b) == 4 * 4
    assert _row(b, board_code="AN", theme="child_rights")["consideration"] == "considered"
    assert _row(b, board_code="AN", theme="child_rights")["consideration_label"] == "Beaktat"
    assert _row(b, board_code="BN", theme="child_rights")["consideration"] == "not_relevant"
    assert pd.isna(_row(b, board_code="AN", theme="equality")["consideration"])
    cb = _row(b, board_code="CB", theme="child_rights")  # only a rejected file: its answer does not count
    assert cb["submission_status"] == "rejected" and pd.isna(cb["consideration"])
    assert _row(b, board_code="DN", theme="child_rights")["submission_status"] == "missing"


def test_indicators_change_and_direction(cat, t):
    i = indicators(cat, t["submissions"], t["contributions"], t["follow_ups"], t["indicators"], DELAR)
    assert len(i) == 3
    r = _row(i, contribution_id="AN-1")  # increase 10 -> 12
    assert (r["goal_code"], r["goal_area_code"], r["change"], r["in_desired_direction"]) == ("1.1", "1", 2.0, True)
    assert r["relative_change"] == pytest.approx(0.2)
    r = _row(i, contribution_id="AN-2")  # decrease wanted, 5 -> 6
    assert (r["change"], r["in_desired_direction"]) == (1.0, False)
    r = _row(i, contribution_id="BN-3")  # baseline 0: no relative change
    assert (r["goal_code"], r["change"], r["in_desired_direction"]) == ("4.1", 3.0, True)
    assert pd.isna(r["relative_change"])


def test_transitions_since_the_previous_report(cat, t):
    tr = transitions(cat, t["submissions"], t["follow_ups"], DELAR)
    assert set(tr["previous_occasion"].astype(str)) == {"2023-ar"}
    got = dict(zip(tr["contribution_id"], tr["change"].astype(str)))
    assert got == {
        "AN-1": "improved",  # some -> clear
        "AN-2": "unchanged",  # negative -> negative
        "AN-3": "not_comparable",  # none -> not assessable
        "BN-1": "unchanged",  # some -> some
        "BN-2": "new",
        "BN-3": "new",
        "BN-9": "no_follow_up",  # followed up at 2023-ar, not now
    }
    r = _row(tr, contribution_id="AN-1")
    assert (r["previous_movement"], r["movement"], r["change_label"]) == ("some", "clear", "Bättre bedömning")
    assert _row(tr, contribution_id="BN-9")["goal_code"] == "1.1"
    # The first report of the period has nothing before it.
    first = transitions(cat, t["submissions"], t["follow_ups"], Occasion.parse("2023-delar"))
    assert first.empty


def test_goal_signal_rule_and_reasons(cat, t):
    cov = _cov(cat, t)
    ind = indicators(cat, t["submissions"], t["contributions"], t["follow_ups"], t["indicators"], DELAR)
    s = goal_signal(cat, cov, ind).set_index("goal_code")
    assert list(s.index) == ["1.1", "1.2", "2.1", "3.1", "4.1"]
    # 1.1: R=3; AN negative, BN moving, CB rejected -> M=1, N=1, A=2: 2A>=R, 3M<2R, 3M>=R.
    r = s.loc["1.1"]
    assert (r["responsible_boards"], r["boards_moving"], r["boards_negative"], r["boards_rejected"]) == (3, 1, 1, 1)
    assert r["suggested_level"] == "partly_moving"
    assert r["reasons"] == (
        "1 av 3 ansvariga nämnder och bolag rapporterar viss eller tydlig förflyttning; 1 rapporterar förflyttning i motsatt "
        "riktning; 1 har fått sin inlämning avvisad. 1 av 2 indikatorer har utvecklats i önskad riktning sedan basåret."
    )
    # 1.2: R=1, AN has no contribution -> A=0 < R/2.
    assert s.loc["1.2", "suggested_level"] == "insufficient"
    assert s.loc["1.2", "reasons"] == "0 av 1 ansvarig nämnd eller ansvarigt bolag rapporterar viss eller tydlig förflyttning; 1 saknar bidrag."
    # 2.1: R=2; BN none, DN missing -> M=0, A=1 = R/2 -> not insufficient; 3M<R.
    assert s.loc["2.1", "suggested_level"] == "not_moving"
    assert s.loc["2.1", "reasons"] == (
        "0 av 2 ansvariga nämnder och bolag rapporterar viss eller tydlig förflyttning; 1 rapporterar ingen förflyttning; 1 har inte lämnat in."
    )
    # 3.1: AN not assessable, BN no contribution, CB rejected, DN missing -> A=0.
    r = s.loc["3.1"]
    assert (r["boards_not_assessable"], r["boards_without_contribution"], r["boards_rejected"], r["boards_missing"]) == (1, 1, 1, 1)
    assert r["suggested_level"] == "insufficient"
    # 4.1: only DN is named, and it is missing; BN's report on 4.1 does not count.
    assert (s.loc["4.1", "responsible_boards"], s.loc["4.1", "boards_missing"], s.loc["4.1", "suggested_level"]) == (1, 1, "insufficient")
    assert s.loc["4.1", "indicators"] == 1  # BN-3's indicator is still shown as evidence


@pytest.mark.parametrize(
    "responsible, moving, negative, assessable, level",
    [
        (3, 2, 0, 2, "moving"),  # 3·2 >= 2·3, none opposite
        (3, 2, 1, 3, "partly_moving"),  # one opposite: at most partly
        (3, 1, 0, 2, "partly_moving"),  # 3·1 >= 3
        (4, 1, 0, 4, "not_moving"),  # 3·1 < 4
        (4, 1, 0, 1, "insufficient"),  # 2·1 < 4
        (0, 0, 0, 0, "insufficient"),
    ],
)
def test_suggested_level_thresholds(responsible, moving, negative, assessable, level):
    assert suggested_level(responsible, moving, negative, assessable) == level


def test_data_quality(cat, t):
    d = data_quality(cat, t["submissions"], t["validation_issues"], DELAR).set_index("board_code")
    assert list(d.index) == ["AN", "BN", "CB", "DN"]
    assert (d["deadline"] == pd.Timestamp("2024-09-15")).all()
    an, bn, cb, dn = (d.loc[b] for b in ("AN", "BN", "CB", "DN"))
    assert (an["submission_status"], an["files"], an["on_time"], an["days_late"], an["errors"], an["warnings"], an["goals"]) == (
        "accepted", 1, True, 0, 0, 0, 3)
    assert an["submitted_on"] == pd.Timestamp("2024-09-10")
    # BN: a rejected file on 1 Sep, the accepted one 5 days after the deadline.
    assert (bn["files"], bn["rejected_files"], bn["on_time"], bn["days_late"], bn["errors"], bn["warnings"]) == (2, 1, False, 5, 1, 1)
    assert (cb["submission_status"], cb["files"], cb["rejected_files"], cb["errors"], cb["goals"]) == ("rejected", 1, 1, 2, 2)
    assert pd.isna(cb["on_time"]) and pd.isna(cb["submitted_on"])
    assert (dn["submission_status"], dn["files"], dn["goals"]) == ("missing", 0, 3)
    assert pd.isna(dn["on_time"]) and pd.isna(dn["days_late"])


def test_every_table_carries_the_occasion_and_trajectory_covers_the_period_so_far(cat, t):
    tables = aggregate_tables(cat, t, [AR_BEFORE, DELAR])
    for name, frame in tables.items():
        assert list(frame.columns[:2]) == ["occasion", "mandate_period"], name
        assert set(frame["occasion"].astype(str)) <= {"2023-ar", "2024-delar"}, name
        assert frame["occasion"].dtype.ordered, name
    traj = tables["trajectory"]
    # 2023-ar, 1.1: AN-1 some, AN-2 negative, BN-1 some, BN-9 none.
    g = traj[(traj["occasion"] == "2023-ar") & (traj["goal_code"] == "1.1")].set_index("level")
    assert g["count"].to_dict() == {"clear": 0, "some": 2, "none": 1, "negative": 1, "not_assessable": 0}
    assert (g["follow_ups"] == 4).all()
