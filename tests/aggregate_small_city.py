"""A small hand-made city for the aggregation tests: four goal areas, five goals, four
boards, one interim report (2024-delar) and the annual report before it (2023-ar). Every
expected figure in the tests is worked out by hand from the rows below.

Responsible boards (11 pairs):
  1.1 (area 1): AN, BN, CB     1.2 (area 1): AN     2.1 (area 2): BN, DN
  3.1 (area 3): all four       4.1 (area 4): DN
At 2024-delar: AN accepted on time; BN accepted 5 days late after a rejected first file;
CB sent only a rejected file; DN sent nothing. BN also reports on 4.1 without being
named for it.

Council assignments (KF-uppdrag): U2023-01 (AN, due 2024), U2023-02 (lead BN, AN taking
part, ongoing: no due year), U2024-01 (CB, due 2024). Cooperation: AN-1 names BN and CB,
AN-3 names DN, BN-2 names DN and an unknown XX, BN-3 names AN; CB-1 (rejected) names AN."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import yaml

from analysis.catalogue import catalogue_from_dict
from analysis.config import REPOSITORY_ROOT
from analysis.occasion import Occasion

SOURCE = REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"
DELAR = Occasion.parse("2024-delar")
AR_BEFORE = Occasion.parse("2023-ar")


def small_catalogue():
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["goal_areas"] = [{"code": c, "name": f"Målområde {c}", "sdgs": [1]} for c in ("1", "2", "3", "4")]
    raw["goals"] = [
        {"code": "1.1", "goal_area": "1", "name": "Mål 1.1", "responsible": ["AN", "BN", "CB"]},
        {"code": "1.2", "goal_area": "1", "name": "Mål 1.2", "responsible": ["AN"]},
        {"code": "2.1", "goal_area": "2", "name": "Mål 2.1", "responsible": ["BN", "DN"]},
        {"code": "3.1", "goal_area": "3", "name": "Mål 3.1", "responsible": "alla"},
        {"code": "4.1", "goal_area": "4", "name": "Mål 4.1", "responsible": ["DN"]},
    ]
    raw["boards"] = [
        {"code": "AN", "name": "A-nämnden", "kind": "nämnd"},
        {"code": "BN", "name": "B-nämnden", "kind": "nämnd"},
        {"code": "CB", "name": "C-bolaget AB", "kind": "bolag"},
        {"code": "DN", "name": "D-nämnden", "kind": "nämnd"},
    ]
    raw["assignments"] = [
        {"id": "U2023-01", "given": 2023, "text": "Uppdrag ett", "lead": "AN", "due": 2024},
        {"id": "U2023-02", "given": 2023, "text": "Uppdrag två", "lead": "BN", "participating": ["AN"], "due": "löpande"},
        {"id": "U2024-01", "given": 2024, "text": "Uppdrag tre", "lead": "CB", "due": 2024},
    ]
    return catalogue_from_dict(raw, "liten-stad")


def _frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def small_tables() -> dict[str, pd.DataFrame]:
    submissions = _frame(
        ["occasion", "board_code", "status", "submitted_on", "file_modified", "sha256"],
        [
            ("2023-ar", "AN", "current", dt.date(2024, 2, 1), dt.datetime(2024, 2, 1, 9), "a0"),
            ("2023-ar", "BN", "current", dt.date(2024, 2, 2), dt.datetime(2024, 2, 2, 9), "b0"),
            ("2024-delar", "AN", "current", dt.date(2024, 9, 10), dt.datetime(2024, 9, 10, 9), "a1"),
            ("2024-delar", "BN", "rejected", dt.date(2024, 9, 1), dt.datetime(2024, 9, 1, 9), "b1"),
            ("2024-delar", "BN", "current", dt.date(2024, 9, 20), dt.datetime(2024, 9, 20, 9), "b2"),
            ("2024-delar", "CB", "rejected", dt.date(2024, 9, 14), dt.datetime(2024, 9, 14, 9), "c1"),
        ],
    )
    contributions = _frame(
        ["occasion", "board_code", "contribution_id", "goal_code"],
        [
            ("2023-ar", "AN", "AN-1", "1.1"), ("2023-ar", "AN", "AN-2", "1.1"), ("2023-ar", "AN", "AN-3", "3.1"),
            ("2023-ar", "BN", "BN-1", "1.1"), ("2023-ar", "BN", "BN-9", "1.1"),
            ("2024-delar", "AN", "AN-1", "1.1"), ("2024-delar", "AN", "AN-2", "1.1"), ("2024-delar", "AN", "AN-3", "3.1"),
            ("2024-delar", "BN", "BN-1", "1.1"), ("2024-delar", "BN", "BN-2", "2.1"), ("2024-delar", "BN", "BN-3", "4.1"),
            # From CB's rejected file: must not count anywhere.
            ("2024-delar", "CB", "CB-1", "1.1"),
        ],
    )
    follow_ups = _frame(
        ["occasion", "board_code", "contribution_id", "goal_code", "movement", "outlook", "reached", "evidence_type"],
        [
            ("2023-ar", "AN", "AN-1", "1.1", "some", "likely", None, "both"),
            ("2023-ar", "AN", "AN-2", "1.1", "negative", "unlikely", None, "both"),
            ("2023-ar", "AN", "AN-3", "3.1", "none", "partly", None, "both"),
            ("2023-ar", "BN", "BN-1", "1.1", "some", "partly", None, "both"),
            ("2023-ar", "BN", "BN-9", "1.1", "none", "partly", None, "both"),
            ("2024-delar", "AN", "AN-1", "1.1", "clear", "likely", None, "quantitative"),
            ("2024-delar", "AN", "AN-2", "1.1", "negative", "unlikely", None, "both"),
            ("2024-delar", "AN", "AN-3", "3.1", "not_assessable", "uncertain", None, "qualitative"),
            ("2024-delar", "BN", "BN-1", "1.1", "some", "partly", None, "qualitative"),
            ("2024-delar", "BN", "BN-2", "2.1", "none", "uncertain", None, "both"),
            ("2024-delar", "BN", "BN-3", "4.1", "some", "likely", None, "quantitative"),
            ("2024-delar", "CB", "CB-1", "1.1", "clear", "likely", None, "quantitative"),
        ],
    )
    human_rights = _frame(
        ["occasion", "board_code", "scope", "contribution_id", "theme", "consideration", "comment"],
        [
            ("2024-delar", "AN", "contribution", "AN-1", "child_rights", "considered", "Barnets bästa."),
            ("2024-delar", "AN", "contribution", "AN-1", "gender_equality", "not_considered", None),
            ("2024-delar", "AN", "contribution", "AN-3", "child_rights", "not_relevant", None),
            ("2024-delar", "BN", "contribution", "BN-1", "child_rights", "considered", None),
            ("2024-delar", "BN", "contribution", "BN-2", "child_rights", "not_considered", None),
            ("2024-delar", "AN", "base_mission", None, "child_rights", "considered", "Hela verksamheten."),
            ("2024-delar", "BN", "base_mission", None, "child_rights", "not_relevant", None),
            ("2024-delar", "CB", "base_mission", None, "child_rights", "considered", None),
        ],
    )
    indicators = _frame(
        ["occasion", "board_code", "contribution_id", "indicator", "unit", "direction",
         "baseline_year", "baseline_value", "value_year", "value"],
        [
            ("2024-delar", "AN", "AN-1", "Andel", "%", "increase", 2022, 10.0, 2024, 12.0),
            ("2024-delar", "AN", "AN-2", "Väntetid", "dagar", "decrease", 2022, 5.0, 2024, 6.0),
            ("2024-delar", "BN", "BN-3", "Antal", "antal", "increase", 2022, 0.0, 2024, 3.0),
        ],
    )
    validation_issues = _frame(
        ["occasion", "board_code", "sha256", "severity", "rule"],
        [
            ("2024-delar", "BN", "b1", "error", "kod_movement"),
            ("2024-delar", "BN", "b2", "warning", "sen_inlamning"),
            ("2024-delar", "CB", "c1", "error", "kod_movement"),
            ("2024-delar", "CB", "c1", "error", "okant_kf_mal"),
        ],
    )
    assignment_follow_ups = _frame(
        ["occasion", "board_code", "assignment_id", "status", "expected_completion", "comment"],
        [
            ("2023-ar", "AN", "U2023-01", "ongoing", 2024, "Planen tas fram."),
            ("2023-ar", "AN", "U2023-02", "ongoing", None, "A deltar."),
            ("2023-ar", "BN", "U2023-02", "ongoing", None, "Pågår."),
            ("2024-delar", "AN", "U2023-01", "completed", 2024, "Planen är antagen."),
            ("2024-delar", "AN", "U2023-02", "completed", 2024, "A:s del är klar."),  # a participant: not the status
            ("2024-delar", "BN", "U2023-02", None, None, None),  # the lead left the status blank
            ("2024-delar", "CB", "U2024-01", "ongoing", 2025, "Från en avvisad fil."),
        ],
    )
    # The boards' own words, which no count depends on.
    partner_boards = {("2024-delar", "AN-1"): "BN, CB", ("2024-delar", "AN-3"): "DN", ("2024-delar", "BN-2"): "DN, XX",
                      ("2024-delar", "BN-3"): "AN", ("2024-delar", "CB-1"): "AN"}
    contributions = contributions.assign(title=[f"Bidrag {c}" for c in contributions["contribution_id"]],
                                         expected_movement="Fler nås av insatsen.",
                                         partner_boards=[partner_boards.get(k) for k in
                                                         zip(contributions["occasion"], contributions["contribution_id"])])
    follow_ups = follow_ups.assign(title=None, analysis=[f"Analys av {c}." for c in follow_ups["contribution_id"]])
    submissions = submissions.assign(source_file=[f"{b} {o} ({s}).xlsx" for o, b, s in
                                                  zip(submissions["occasion"], submissions["board_code"], submissions["sha256"])])
    return {
        "submissions": submissions, "contributions": _provenance(contributions, submissions, "Bidrag"),
        "follow_ups": _provenance(follow_ups, submissions, "Uppföljning"),
        "human_rights": human_rights, "indicators": _provenance(indicators, submissions, "Indikatorer"),
        "validation_issues": validation_issues, "assignment_follow_ups": assignment_follow_ups,
    }


def _provenance(frame: pd.DataFrame, submissions: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Where each row was read: the board's last file of the occasion, its sheet, and rows
    from 4 on in the order above (no figure in the tests depends on these)."""
    last = submissions.drop_duplicates(["occasion", "board_code"], keep="last").set_index(["occasion", "board_code"])
    keys = list(zip(frame["occasion"], frame["board_code"]))
    return frame.assign(source_file=[last.loc[k, "source_file"] for k in keys], sha256=[last.loc[k, "sha256"] for k in keys],
                        sheet=sheet, excel_row=frame.groupby(["occasion", "board_code"]).cumcount() + 4)
