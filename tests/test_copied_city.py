"""The exploration benchmark's city at ten times the boards (tests/copied_city.py): its
catalogue passes `malstyrning katalog`, council assignments included, and its tables are
the city's rows once per copy, under the copies' codes."""

from __future__ import annotations

import pandas as pd
import yaml

from analysis.catalogue import load_catalogue
from analysis.cli import main
from conftest import CATALOGUE_FILE
from copied_city import copied_catalogue, copied_tables


def _raw() -> dict:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


def test_the_catalogue_at_ten_times_the_boards_passes_the_catalogue_check(tmp_path, capsys, catalogue):
    reference = tmp_path / "data" / "reference"
    reference.mkdir(parents=True)
    path = reference / CATALOGUE_FILE.name
    path.write_text(yaml.safe_dump(copied_catalogue(_raw(), 10), allow_unicode=True, sort_keys=False), encoding="utf-8")

    assert main(["--root", str(tmp_path), "katalog"]) == 0
    out = capsys.readouterr().out
    assert "190 nämnder och bolag" in out and "Inga fel." in out  # 19 boards, ten times

    big = load_catalogue(path)
    assert len(big.responsibilities) == 10 * len(catalogue.responsibilities)
    assert len(big.assignments) == 10 * len(catalogue.assignments)
    assert len(big.assignment_boards) == 10 * len(catalogue.assignment_boards)
    # Goal 1.1 is FSKN's, GRN's, GVN's and KN's: now their forty copies.
    assert sorted(big.responsibilities.loc[big.responsibilities["goal_code"] == "1.1", "board_code"]) == sorted(
        f"{b}{i:02d}" for b in ("FSKN", "GRN", "GVN", "KN") for i in range(1, 11))
    # U2023-02 is led by ASN with GVN taking part: its third copy by their third copies.
    third = big.assignment_boards[big.assignment_boards["assignment_id"] == "U2023-02-03"]
    assert sorted(zip(third["board_code"], third["role"])) == [("ASN03", "lead"), ("GVN03", "participating")]
    assert big.board_name("ASN03") == "Arbetsmarknads- och socialnämnden 3"


def test_the_tables_hold_each_row_once_per_copy_under_the_copies_codes():
    tables = {
        "follow_ups": pd.DataFrame({"board_code": pd.Categorical(["GRN", "XX"]), "contribution_id": ["GRN-1", "X-1"],
                                    "sha256": ["aa", "bb"]}),
        "assignment_follow_ups": pd.DataFrame({"board_code": ["GVN"], "assignment_id": ["U2023-02"], "sha256": ["cc"]}),
        "submissions": pd.DataFrame({"board_code": ["ASN"], "board_name": ["Arbetsmarknads- och socialnämnden"],
                                     "sha256": ["dd"]}),
        "contributions": pd.DataFrame({"board_code": ["GRN", "GRN"], "partner_boards": ["FN, XX", None],
                                       "sha256": ["ee", "ee"]}),
        "staged/cells": pd.DataFrame({"sha256": ["aa"], "cell": ["D4"]}),
        "elsewhere": pd.DataFrame({"value": [1]}),
    }
    out = copied_tables(tables, _raw(), 2)

    follow = out["follow_ups"]
    assert isinstance(follow["board_code"].dtype, pd.CategoricalDtype)
    # An unknown code (XX) is copied as it is.
    assert list(zip(follow["board_code"], follow["contribution_id"], follow["sha256"])) == [
        ("GRN01", "GRN-1", "aa01"), ("XX", "X-1", "bb01"), ("GRN02", "GRN-1", "aa02"), ("XX", "X-1", "bb02")]
    answers = out["assignment_follow_ups"]
    assert list(zip(answers["board_code"], answers["assignment_id"])) == [("GVN01", "U2023-02-01"), ("GVN02", "U2023-02-02")]
    assert list(out["submissions"]["board_name"]) == ["Arbetsmarknads- och socialnämnden 1", "Arbetsmarknads- och socialnämnden 2"]
    assert list(out["contributions"]["partner_boards"].fillna("–")) == ["FN01, XX", "–", "FN02, XX", "–"]
    assert list(out["staged/cells"]["sha256"]) == ["aa01", "aa02"]
    assert out["elsewhere"] is tables["elsewhere"]
