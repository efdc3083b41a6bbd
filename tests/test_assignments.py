"""Council assignments (KF-uppdrag) and cooperation between boards in the aggregate
tables: the small hand-made city (tests/aggregate_small_city.py) against tables written
out by hand, and the example city's cooperation pairs against its workbooks read back
with openpyxl, independently of the project's reader."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from aggregate_small_city import DELAR, small_catalogue, small_tables
from analysis.assignments import is_overdue
from analysis.occasion import Occasion
from analysis.tables.assignments import assignment_answers, assignment_status, assignment_status_counts
from analysis.tables.cooperation import cooperation, cooperation_matrix

AR_2023, DELAR_2025 = Occasion.parse("2023-ar"), Occasion.parse("2025-delar")
STATUS = ["occasion", "assignment_id", "status", "answered", "finished_at", "overdue", "expected_completion", "comment"]


@pytest.fixture(scope="module")
def cat():
    return small_catalogue()


def _plain(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else v for v in row)
            for row in frame[columns].astype(object).itertuples(index=False)]


def _three_occasions():
    """The small city with a third occasion, 2025-delar: AN and BN answer (BN drops its
    ongoing U2023-02 with a reason); CB sends nothing."""
    t = small_tables()
    subs = pd.concat([t["submissions"], pd.DataFrame([
        ("2025-delar", "AN", "current", dt.date(2025, 9, 1), dt.datetime(2025, 9, 1, 9), "a2", "AN 2025-delar.xlsx"),
        ("2025-delar", "BN", "current", dt.date(2025, 9, 2), dt.datetime(2025, 9, 2, 9), "b3", "BN 2025-delar.xlsx")],
        columns=t["submissions"].columns)], ignore_index=True)
    answers = pd.concat([t["assignment_follow_ups"], pd.DataFrame([
        ("2025-delar", "AN", "U2023-02", "ongoing", None, "A deltar fortfarande."),
        ("2025-delar", "BN", "U2023-02", "discontinued", None, "Ersätts av ett nytt uppdrag.")],
        columns=t["assignment_follow_ups"].columns)], ignore_index=True)
    return subs, answers


def test_status_over_time_equals_the_hand_made_table(cat):
    subs, answers = _three_occasions()
    got = assignment_status(cat, subs, answers, [AR_2023, DELAR, DELAR_2025])
    # By hand. U2023-01 (lead AN): ongoing at 2023-ar, completed at 2024-delar, which stands
    # at 2025-delar without being asked again. U2023-02 (lead BN): ongoing; at 2024-delar
    # BN left the status blank (AN's "completed" is a participant's and does not count);
    # dropped at 2025-delar. U2024-01 (lead CB, given 2024, due 2024): CB's only file was
    # rejected and it sent nothing at 2025-delar: unanswered, and overdue in 2025.
    expected = [
        ("2023-ar", "U2023-01", "ongoing", True, None, False, 2024, "Planen tas fram."),
        ("2024-delar", "U2023-01", "completed", True, "2024-delar", False, 2024, "Planen är antagen."),
        ("2025-delar", "U2023-01", "completed", False, "2024-delar", False, None, None),
        ("2023-ar", "U2023-02", "ongoing", True, None, False, None, "Pågår."),
        ("2024-delar", "U2023-02", "unanswered", False, None, False, None, None),
        ("2025-delar", "U2023-02", "discontinued", True, "2025-delar", False, None, "Ersätts av ett nytt uppdrag."),
        ("2024-delar", "U2024-01", "unanswered", False, None, False, None, None),
        ("2025-delar", "U2024-01", "unanswered", False, None, True, None, None),
    ]
    assert _plain(got, STATUS) == expected
    assert got["status_label"].tolist() == ["Pågår", "Slutfört", "Slutfört", "Pågår", "Inget svar",
                                            "Avslutat utan att slutföras", "Inget svar", "Inget svar"]
    assert got["lead_board"].tolist() == ["AN"] * 3 + ["BN"] * 3 + ["CB"] * 2
    assert got["due_year"].astype(object).where(got["due_year"].notna(), None).tolist() == [2024] * 3 + [None] * 3 + [2024] * 2

    counts = assignment_status_counts(cat, got, [AR_2023, DELAR, DELAR_2025])
    table = {(o, lv): (n, od, total) for o, lv, n, od, total in
             _plain(counts, ["occasion", "level", "count", "overdue", "assignments"])}
    assert table[("2023-ar", "ongoing")] == (2, 0, 2)
    assert table[("2024-delar", "completed")] == (1, 0, 3) and table[("2024-delar", "unanswered")] == (2, 0, 3)
    assert table[("2025-delar", "completed")] == (1, 0, 3) and table[("2025-delar", "discontinued")] == (1, 0, 3)
    assert table[("2025-delar", "unanswered")] == (1, 1, 3) and table[("2025-delar", "ongoing")] == (0, 0, 3)
    assert len(counts) == 3 * 5  # every level at every occasion
    assert counts.loc[counts["occasion"] == "2024-delar", "share"].tolist() == [0.0, 0.0, 1 / 3, 0.0, 2 / 3]


# Due 2025, by hand: not overdue at any occasion of 2024 nor at the budget and interim report
# of 2025; overdue at the annual report of 2025 (it covers the whole year) and at every
# occasion of 2026, unless finished (completed or discontinued). Unanswered counts as not finished.
OVERDUE_BY_HAND = {
    "2024-budget": False, "2024-delar": False, "2024-ar": False,
    "2025-budget": False, "2025-delar": False, "2025-ar": True,
    "2026-budget": True, "2026-delar": True, "2026-ar": True,
}


@pytest.mark.parametrize("occasion", list(OVERDUE_BY_HAND))
@pytest.mark.parametrize("status", ["not_started", "ongoing", "unanswered", None])
def test_an_unfinished_assignment_is_overdue_from_the_annual_report_of_its_due_year(occasion, status):
    assert is_overdue(2025, Occasion.parse(occasion), status) is OVERDUE_BY_HAND[occasion]
    assert is_overdue(float(2025), Occasion.parse(occasion), status) is OVERDUE_BY_HAND[occasion]  # as Parquet may hold it


@pytest.mark.parametrize("occasion", list(OVERDUE_BY_HAND))
@pytest.mark.parametrize("status", ["completed", "discontinued"])
def test_a_finished_assignment_is_never_overdue(occasion, status):
    assert is_overdue(2025, Occasion.parse(occasion), status) is False


@pytest.mark.parametrize("occasion", list(OVERDUE_BY_HAND))
def test_an_assignment_without_a_due_year_is_never_overdue(occasion):
    assert is_overdue(None, Occasion.parse(occasion), "ongoing") is False
    assert is_overdue(float("nan"), Occasion.parse(occasion), "ongoing") is False


def test_every_boards_answer_is_kept_lead_first(cat):
    t = small_tables()
    got = assignment_answers(cat, t["submissions"], t["assignment_follow_ups"], DELAR)
    # CB's answer came in a rejected file: not shown.
    assert _plain(got, ["assignment_id", "board_code", "role_label", "status_label", "comment"]) == [
        ("U2023-01", "AN", "Ansvarig", "Slutfört", "Planen är antagen."),
        ("U2023-02", "BN", "Ansvarig", "Inget svar", None),
        ("U2023-02", "AN", "Deltar", "Slutfört", "A:s del är klar."),
    ]


def test_cooperation_pairs_of_the_small_city(cat):
    t = small_tables()
    got = cooperation(cat, t["submissions"], t["contributions"], t["follow_ups"], DELAR)
    # By hand: XX is no board of the catalogue; CB-1 came in a rejected file. BN reports on
    # 1.1 itself (BN-1); CB was rejected and DN sent nothing; AN is not named for 4.1.
    assert _plain(got, ["goal_code", "board_code", "contribution_id", "partner_code", "partner_responsible",
                        "partner_submission_status", "partner_reports"]) == [
        ("1.1", "AN", "AN-1", "BN", True, "accepted", True),
        ("1.1", "AN", "AN-1", "CB", True, "rejected", False),
        ("2.1", "BN", "BN-2", "DN", True, "missing", False),
        ("3.1", "AN", "AN-3", "DN", True, "missing", False),
        ("4.1", "BN", "BN-3", "AN", False, "accepted", False),
    ]
    matrix = cooperation_matrix(cat, got)
    assert _plain(matrix, ["board_code", "partner_code", "contributions", "goals", "goal_area_codes"]) == [
        ("AN", "BN", 1, 1, "1"), ("AN", "CB", 1, 1, "1"), ("AN", "DN", 1, 1, "3"), ("BN", "AN", 1, 1, "4"),
        ("BN", "DN", 1, 1, "2")]


def _read_back(folder) -> tuple[set, set]:
    """From every workbook of an occasion, with openpyxl alone: the (board, contribution,
    goal, partner) each contributions row names, and the (board, goal) pairs any row of the
    contributions or follow-up sheet has."""
    pairs, reports = set(), set()
    for path in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        board = next(r[1] for r in wb["Uppgifter"].iter_rows(values_only=True) if r[0] == "Nämnd/bolag (kod)")
        for sheet in ("Bidrag", "Uppföljning"):
            if sheet not in wb.sheetnames:
                continue
            rows = list(wb[sheet].iter_rows(values_only=True))
            header = list(rows[2])
            cid, goal = header.index("Bidrags-id"), header.index("KF-mål")
            partners = header.index("Samverkar med (koder, kommaseparerade)") if sheet == "Bidrag" else None
            for row in rows[3:]:
                if not row[cid]:
                    continue
                code = str(row[goal]).split(" ")[0]
                reports.add((board, code))
                if partners is not None and row[partners]:
                    for p in str(row[partners]).split(","):
                        pairs.add((board, row[cid], code, p.strip()))
    return pairs, reports


def test_cooperation_equals_the_pairs_named_in_the_demo_workbooks(example_city):
    """2025-delar: every board's one workbook was accepted (no rejected or second file)."""
    from analysis.aggregates import aggregate_many
    from analysis.catalogue import load_catalogues
    from analysis.intake.store import current_folder, read_table

    subs = read_table(current_folder(example_city), "submissions")
    assert set(subs.loc[subs["occasion"] == "2025-delar", "status"]) == {"current"}
    pairs, reports = _read_back(example_city.raw_for("2025-delar"))
    tables = aggregate_many(example_city, load_catalogues(example_city.reference), [Occasion.parse("2025-delar")],
                            store=False)["2025-delar"]
    got = tables["cooperation"]
    assert len(pairs) > 40
    assert set(zip(got["board_code"], got["contribution_id"], got["goal_code"], got["partner_code"])) == pairs
    assert len(got) == len(pairs)
    assert got["partner_reports"].tolist() == [(p, g) in reports for p, g in zip(got["partner_code"], got["goal_code"])]
