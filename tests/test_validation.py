"""Validation: every faulty submission of the corpus gets its own finding, with the right
severity and cell, while the valid submissions of the same run are all accepted; the
rules are complete and consistent; context from earlier runs is used; a fixed file is
taken in on the next run; Great Expectations is loaded only when validating."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.boards import demo
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.excel import save_workbook
from analysis.occasion import Occasion
from analysis.intake.store import read_table
from analysis.checks.rules import READER_RULES, RULES, header
from analysis.vocabulary import SEVERITIES
from analysis.boards.layout import FIRST_DATA_ROW, FOLLOW_UPS_SHEET
from validation_corpus import CASES, VALID, Sheets, valid_file

ERRORS_REJECT = "error"


def _findings(issues: pd.DataFrame, occasion: str, source_file: str) -> set[tuple]:
    mine = issues[(issues["occasion"] == occasion) & (issues["source_file"] == source_file)]
    return {tuple(None if pd.isna(v) else v for v in rec) for rec in mine[["rule", "severity", "sheet", "cell"]].itertuples(index=False)}


@pytest.fixture(scope="module")
def corpus(validation_corpus):
    paths, expected = validation_corpus
    issues = read_table(paths.processed, "validation_issues")
    subs = read_table(paths.processed, "submissions").astype({"occasion": object, "status": object, "source_file": object})
    return paths, expected, issues, subs


def test_the_corpus_has_at_least_thirty_distinct_faulty_submissions():
    faulty = [c for c in CASES if c.name not in ("giltig indikator", "utan indikatorflik")]
    assert len({c.name for c in faulty}) == len(faulty) >= 30


def test_every_rule_is_exercised_by_the_corpus(corpus):
    _, expected, _, _ = corpus
    used = {f[0] for findings in expected.values() for f in findings}
    assert used == {r.id for r in RULES} | {r.id for r in READER_RULES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_mistake_adds_exactly_its_finding(corpus, case):
    _, expected, issues, subs = corpus
    added = _findings(issues, case.occasion, case.file) - _findings(issues, case.occasion, valid_file(case.board))
    assert added == expected[case.file]
    status = subs.loc[(subs["occasion"] == case.occasion) & (subs["source_file"] == case.file), "status"]
    assert len(status) == 1
    rejects = any(f[1] == ERRORS_REJECT for f in expected[case.file])
    assert (status.iloc[0] == "rejected") == rejects


def test_valid_submissions_of_the_same_run_are_all_accepted(corpus):
    _, _, issues, subs = corpus
    for occasion, board in VALID:
        status = subs.loc[(subs["occasion"] == occasion) & (subs["source_file"] == valid_file(board)), "status"]
        assert status.tolist() in (["current"], ["superseded"]), (occasion, board)
        errors = issues[(issues["occasion"] == occasion) & (issues["source_file"] == valid_file(board)) & (issues["severity"] == "error")]
        assert errors.empty, errors[["rule", "cell", "message"]]
    # A rejected file's rows never reach the current tables; the valid original is there.
    paths, expected = corpus[0], corpus[1]
    rejected = {c.file for c in CASES if any(f[1] == "error" for f in expected[c.file])}
    for table in ("contributions", "follow_ups", "human_rights", "indicators", "assignment_follow_ups"):
        current = read_table(paths.processed, table)
        assert not set(current["source_file"].astype(str)) & rejected, table
    follow_ups = read_table(paths.processed, "follow_ups")
    for occasion, board in VALID:
        if not occasion.endswith("-budget"):
            got = follow_ups[(follow_ups["occasion"] == occasion) & (follow_ups["board_code"] == board)]
            assert set(got["source_file"]) == {valid_file(board)}


def test_findings_name_the_cell_and_carry_a_swedish_message_and_the_value(corpus):
    _, _, issues, _ = corpus
    ours = issues[issues["source_file"].str.startswith("fel ")]
    readable = ours[~ours["rule"].isin([r.id for r in READER_RULES if r.id != "okand_namnd"])]
    assert readable["cell"].notna().all() and readable["sheet"].notna().all()
    assert set(issues["severity"]) <= set(SEVERITIES)
    script = ours[ours["source_file"] == "fel skript som bedömning.xlsx"].iloc[0]
    assert script["value"] == '<script>alert("x")</script>'
    assert "inget giltigt värde i kolumnen 'Bedömd förflyttning'" in script["message"]
    assert "Välj ett av: Tydlig förflyttning i önskad riktning" in script["message"]
    late = ours[ours["rule"] == "sen_inlamning"].iloc[0]
    assert "efter sista dag för Nämndsbudget 2024 (2024-01-31)" in late["message"]
    missing = ours[(ours["rule"] == "uppfoljning_saknas") & ours["source_file"].str.contains("planerat i budget")].iloc[0]
    assert missing["value"] == "TN-02" and "planerat i Nämndsbudget 2024" in missing["message"]
    short = ours[(ours["rule"] == "kort_analys") & (ours["source_file"] == "fel kort analys som ser ut som formel.xlsx")].iloc[0]
    assert short["value"] == "=1+1 pågår" and "(10 tecken)" in short["message"]
    theme = ours[ours["rule"] == "mr_grunduppdrag_saknas"].iloc[0]
    assert theme["message"].startswith("Temat Barnrätt saknas för grunduppdraget")
    reopened = ours[ours["rule"] == "uppdrag_ater_pagaende"].iloc[0]
    assert reopened["message"] == ("KF-uppdraget U2025-02 rapporterades avslutat i Delårsrapport 2026 men har nu status "
                                   "'Pågår'. Kontrollera statusen; ett slutfört uppdrag går inte tillbaka till pågående.")
    overdue = ours[(ours["rule"] == "uppdrag_forsenat") & (ours["source_file"] == "fel uppdrag försenat.xlsx")].iloc[0]
    assert overdue["message"].startswith("KF-uppdraget U2024-02 skulle vara klart 2025 men har status 'Pågår'.")
    unanswered = ours[(ours["source_file"] == "fel uppdrag saknas.xlsx") & (ours["rule"] == "uppdrag_obesvarat")].iloc[0]
    assert unanswered["message"].startswith("KF-uppdraget U2023-03 (Samordna stadens trygghetsskapande arbete")
    partner = ours[ours["rule"] == "samverkanspart_ej_ansvarig"].iloc[0]
    assert partner["message"].startswith("Samverkansparten ") and "är inte ansvarig för KF-mål" in partner["message"]
    for text in ours["message"]:
        assert "None" not in text and "nan" not in text.split() and "{" not in text


def test_no_indicator_is_ever_required(corpus):
    _, _, issues, _ = corpus
    indicator_rules = {"ej_tal", "basar_efter_varde", "indikator_ofullstandig", "indikator_okant_bidrag"}
    for occasion, board in VALID:
        found = _findings(issues, occasion, valid_file(board))
        assert not {f for f in found if f[0] in indicator_rules or f[2] == "Indikatorer"}


def test_rules_are_described_once_and_consistently():
    ids = [r.id for r in RULES] + [r.id for r in READER_RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.severity in SEVERITIES and rule.what and rule.message
        assert rule.expect.kind in ("not_null", "in_set", "true", "unique", "min_length", "regex", "a_greater_than_b")
        for table, field in rule.where:
            assert table in ("submissions", "contributions", "follow_ups", "human_rights", "indicators",
                             "assignment_follow_ups", "expected_follow_ups", "expected_themes", "expected_assignments"), rule.id


def test_swedish_headers_are_used_in_messages():
    assert header("Uppföljning", "movement") == "Bedömd förflyttning"
    assert header("Uppgifter", "declared_occasion") == "Rapporteringstillfälle"


# --- context across runs, and reruns ---------------------------------------------------------


def _write(catalogue, paths: Paths, occasion: str, board: str, name: str, mutate=None, days_before_deadline: int = 5):
    occ = Occasion.parse(occasion)
    wb = demo.fill_submission(catalogue, occ, board, demo.board_plan(catalogue, board))
    sheets = Sheets(wb, catalogue)
    sheets.detail("submitted_on", catalogue.deadline(occ) - pd.Timedelta(days=days_before_deadline).to_pytimedelta())
    if mutate:
        mutate(sheets)
    save_workbook(wb, paths.raw_for(occasion) / name)


def _drop_tn02_from_follow_up(s: Sheets) -> None:
    from analysis.boards.layout import CONTRIBUTIONS_SHEET, HUMAN_RIGHTS_SHEET

    s.clear_row(FOLLOW_UPS_SHEET, s.row_of(FOLLOW_UPS_SHEET, contribution_id="TN-02"))
    s.clear_row(CONTRIBUTIONS_SHEET, s.row_of(CONTRIBUTIONS_SHEET, contribution_id="TN-02"))
    for _ in range(4):
        s.clear_row(HUMAN_RIGHTS_SHEET, s.row_of(HUMAN_RIGHTS_SHEET, contribution_id="TN-02"))


def test_follow_ups_are_checked_against_budgets_ingested_in_an_earlier_run(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    _write(catalogue, paths, "2024-budget", "TN", "TN budget.xlsx")
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-budget", "--quiet"]) == 0
    # The interim report leaves out a contribution: only the stored budget knows it was planned.
    _write(catalogue, paths, "2024-delar", "TN", "TN delår.xlsx", _drop_tn02_from_follow_up)
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-delar", "--quiet"]) == 1
    issues = read_table(paths.processed, "validation_issues")
    missing = issues[issues["rule"] == "uppfoljning_saknas"]
    assert missing["value"].tolist() == ["TN-02"] and missing["occasion"].tolist() == ["2024-delar"]


def test_a_fixed_file_is_taken_in_on_the_next_run_and_the_rejected_one_stays_listed(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path)
    raw = paths.raw_for("2024-delar")

    def bad(s):
        s.put(FOLLOW_UPS_SHEET, "movement", FIRST_DATA_ROW, "Bra")

    _write(catalogue, paths, "2024-delar", "GRN", "GRN.xlsx", bad, days_before_deadline=10)
    _write(catalogue, paths, "2024-delar", "TN", "TN.xlsx")
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-delar", "--quiet"]) == 1
    assert set(read_table(paths.processed, "follow_ups")["board_code"].astype(str)) == {"TN"}
    report = paths.reports / "2024-delar" / "validering" / "GRN.xlsx"
    assert report.exists()

    _write(catalogue, paths, "2024-delar", "GRN", "GRN rättad.xlsx", days_before_deadline=2)
    # Exit 1 still: the rejected first version stays in raw and is listed as rejected.
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-delar", "--quiet"]) == 1
    subs = read_table(paths.processed, "submissions")
    grn = subs[subs["board_code"] == "GRN"].set_index("source_file")["status"].astype(str).to_dict()
    assert grn == {"GRN.xlsx": "rejected", "GRN rättad.xlsx": "current"}
    assert set(read_table(paths.processed, "follow_ups")["board_code"].astype(str)) == {"TN", "GRN"}
    # Raw files are only read.
    assert {p.name: p.read_bytes() for p in raw.iterdir() if p.name in before} == before
    import openpyxl

    status = openpyxl.load_workbook(report)["Fynd"]["A2"].value
    assert "Gällande inlämning: GRN rättad.xlsx (godkänd" in status and "Avvisad: GRN.xlsx" in status


def test_goals_are_checked_against_the_catalogue_of_each_submissions_own_mandate_period(tmp_path):
    """One run over the end of one period and the start of the next: a goal that exists,
    or is the board's, in 2023–2026 may not be in 2027–2030."""
    import yaml

    from analysis.catalogue import load_catalogues

    ref = tmp_path / "data" / "reference"
    ref.mkdir(parents=True)
    source = (REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8")
    (ref / "malkatalog-2023-2026.yaml").write_text(source, encoding="utf-8")
    nxt = yaml.safe_load(source)
    nxt["mandate_period"] = "2027-2030"
    nxt.pop("assignments")  # a new period's council assignments are its own
    nxt["goals"] = [g for g in nxt["goals"] if g["code"] != "1.3"]  # goal 1.3 is not in the new period
    for g in nxt["goals"]:
        if g["code"] == "1.1":
            g["responsible"] = [b for b in g["responsible"] if b != "GRN"]  # nor is GRN responsible for 1.1
    (ref / "malkatalog-2027-2030.yaml").write_text(yaml.safe_dump(nxt, allow_unicode=True), encoding="utf-8")
    paths = Paths.at(tmp_path)
    catalogues = load_catalogues(paths.reference)
    old, new = catalogues["2023-2026"], catalogues["2027-2030"]
    _write(old, paths, "2026-ar", "GRN", "GRN 2026.xlsx")
    _write(new, paths, "2027-budget", "GRN", "GRN 2027.xlsx")
    _write(new, paths, "2027-budget", "GRN", "GRN 2027 gammalt mål.xlsx", lambda s: s.put("Bidrag", "goal_code", 4, Sheets(s.wb, old).goal("1.3")))
    _write(new, paths, "2027-budget", "GRN", "GRN 2027 utan ansvar.xlsx", lambda s: s.put("Bidrag", "goal_code", 4, s.goal("1.1")))
    assert main(["--root", str(tmp_path), "ingest", "--all", "--quiet"]) == 1
    issues = read_table(paths.processed, "validation_issues")
    errors = issues[issues["severity"] == "error"]
    assert set(zip(errors["source_file"], errors["rule"], errors["cell"])) == {
        ("GRN 2027 gammalt mål.xlsx", "okant_kf_mal", "B4"), ("GRN 2027 utan ansvar.xlsx", "mal_ej_ansvar", "B4")}
    assert "målkatalogen för 2027-2030" in errors.loc[errors["rule"] == "okant_kf_mal", "message"].iloc[0]
    subs = read_table(paths.processed, "submissions")
    assert set(subs.loc[subs["status"] != "rejected", "source_file"]) == {"GRN 2026.xlsx", "GRN 2027.xlsx"}


def test_only_the_validation_step_imports_great_expectations(tmp_path):
    code = (
        "import sys\n"
        "import analysis.intake.ingest, analysis.checks.validation, analysis.feedback, analysis.checks.rules\n"
        "assert 'great_expectations' not in sys.modules, 'imported at module level'\n"
        "from analysis.checks.validation import _gx\n"
        "_gx()\n"
        "assert 'great_expectations' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Calculating Metrics" not in done.stderr


def test_validation_writes_nothing_to_stderr(validation_corpus, tmp_path, catalogue):
    """Progress bars and warnings of the validation library stay silent."""
    code = (
        "import sys\n"
        "from analysis.cli import main\n"
        f"sys.exit(main(['--root', {str(tmp_path)!r}, 'ingest', '--all', '--quiet']))\n"
    )
    paths = Paths.at(tmp_path)
    _write(catalogue, paths, "2024-delar", "TN", "TN.xlsx")
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
