"""Only changed files are checked: a file whose content, catalogues, rules and cross-file
context (its board's budgets and answers on council assignments) are those of the last
run keeps its findings without the rules running on it again (and without Great
Expectations being imported when no file needs the rules), and the result is the same,
byte for byte, as a forced run that reads and checks every file."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import openpyxl
import pytest

import analysis.checks.validation as validation
import analysis.intake.ingest as ingest
from analysis.boards.layout import CONTRIBUTIONS_SHEET, FIRST_DATA_ROW
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.intake.store import current_folder, read_table
from analysis.vocabulary import KEY_SEPARATOR
from conftest import board_file, copy_raw, renamed_board_catalogue
from validation_corpus import Sheets

BUDGET, FOLLOW_UP = "2024-budget", "2024-delar"


def _ingest(paths: Paths, *args: str) -> int:
    return main(["--root", str(paths.root), "ingest", "--all", "--quiet", *args])


def _table_bytes(paths: Paths) -> dict[str, bytes]:
    """Every table of the current snapshot (the staged rows too), by path in it."""
    folder = current_folder(paths)
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.parquet")}


def _checked(monkeypatch) -> list[tuple[str, str]]:
    """(occasion, file name) of every file the rules run on, from here on."""
    checked: list[tuple[str, str]] = []
    real = ingest.run_checks

    def recording(*args, **kwargs):
        result = real(*args, **kwargs)
        checked.extend(tuple(k.split(KEY_SEPARATOR)[:2]) for k in result.checked)
        return result

    monkeypatch.setattr(ingest, "run_checks", recording)
    return checked


@pytest.fixture
def two_occasions(tmp_path, example_city) -> Paths:
    paths = Paths.at(tmp_path)
    for occasion in (BUDGET, FOLLOW_UP):
        copy_raw(example_city, paths, occasion)
    _ingest(paths)
    return paths


def _files(paths: Paths) -> set[tuple[str, str]]:
    return {(o, p.name) for o in (BUDGET, FOLLOW_UP) for p in paths.raw_for(o).glob("*.xlsx")}


def test_unchanged_files_keep_their_findings_without_great_expectations(two_occasions, monkeypatch):
    paths = two_occasions
    before = _table_bytes(paths)
    checked = _checked(monkeypatch)

    def no_gx():
        raise AssertionError("Great Expectations must not be needed when no file changed")

    monkeypatch.setattr(validation, "_gx", no_gx)
    _ingest(paths)
    assert checked == []
    after = _table_bytes(paths)
    assert after == before
    assert len(read_table(paths.processed, "validation_issues")) > 0


def test_a_changed_budget_rechecks_its_boards_follow_up_and_equals_a_forced_run(two_occasions, monkeypatch):
    paths = two_occasions
    issues = read_table(paths.processed, "validation_issues")
    budget, follow_up = board_file(paths, BUDGET, "GRN"), board_file(paths, FOLLOW_UP, "GRN")
    rules_before = set(issues.loc[issues["source_file"].astype(str) == follow_up.name, "rule"].astype(str))
    assert "uppfoljning_saknas" not in rules_before

    wb = openpyxl.load_workbook(budget)
    Sheets(wb, None).put(CONTRIBUTIONS_SHEET, "contribution_id", FIRST_DATA_ROW, "GRN-NYTT-BIDRAG")
    wb.save(budget)
    checked = _checked(monkeypatch)
    _ingest(paths)
    # The budget changed; the follow-up of the same board is checked against it again.
    assert sorted(checked) == sorted({(BUDGET, budget.name), (FOLLOW_UP, follow_up.name)})
    issues = read_table(paths.processed, "validation_issues")
    mine = issues[(issues["occasion"].astype(str) == FOLLOW_UP) & (issues["source_file"].astype(str) == follow_up.name)]
    assert "GRN-NYTT-BIDRAG" in " ".join(mine.loc[mine["rule"] == "uppfoljning_saknas", "message"].astype(str))
    incremental = _table_bytes(paths)

    checked.clear()
    _ingest(paths, "--force")
    assert set(checked) == _files(paths)
    assert _table_bytes(paths) == incremental


def test_a_changed_rule_rechecks_every_file(two_occasions, monkeypatch):
    paths = two_occasions
    issues = read_table(paths.processed, "validation_issues")
    rule = issues["rule"].astype(str).value_counts().index[0]
    changed = tuple(dataclasses.replace(r, message="Ny lydelse för {sheet}.") if r.id == rule else r
                    for r in validation.RULES)
    monkeypatch.setattr(validation, "RULES", changed)
    checked = _checked(monkeypatch)
    _ingest(paths)
    assert set(checked) == _files(paths)
    issues = read_table(paths.processed, "validation_issues")
    messages = issues.loc[issues["rule"] == rule, "message"].astype(str)
    assert len(messages) > 0 and messages.str.startswith("Ny lydelse för ").all()


def test_a_changed_catalogue_rechecks_every_file(two_occasions, monkeypatch):
    paths = two_occasions
    renamed_board_catalogue(paths)
    checked = _checked(monkeypatch)
    _ingest(paths)
    assert set(checked) == _files(paths)


def test_the_rule_digest_is_the_same_in_every_process():
    """A digest that changed between processes would check every file on every run."""
    code = "from analysis.checks.validation import rules_digest; print(rules_digest())"
    runs = {subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT, capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)}
    assert runs == {validation.rules_digest()}
