"""Catalogue changes, not code changes: a period end at the last interim report, six goal
areas, a fifth human-rights theme with a board named for no KF goal. Each catalogue runs
the whole path the example city does: demo, ingest, report. The catalogues are small (two
years, six boards) so that each path takes seconds."""

from __future__ import annotations


import openpyxl
import yaml

from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.intake.store import read_table
from conftest import aggregates_folder
import pytest

pytestmark = pytest.mark.slow  # full reports

SOURCE = REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"
BOARDS = [{"code": "KS", "name": "Kommunstyrelsen", "kind": "nämnd"},
          {"code": "ASN", "name": "Arbetsmarknads- och socialnämnden", "kind": "nämnd"},
          {"code": "GRN", "name": "Grundskolenämnden", "kind": "nämnd"},
          {"code": "TN", "name": "Tekniska nämnden", "kind": "nämnd"},
          {"code": "MKB", "name": "MKB Fastighets AB", "kind": "bolag"}]


def small_catalogue(areas: int = 4, **extra) -> dict:
    """Two years (2025–2026), five boards, one or two goals per goal area."""
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    raw["mandate_period"] = "2025-2026"
    raw["goal_areas"] = raw["goal_areas"][:areas] + [
        {"code": str(a), "name": f"Ett Malmö med målområde {a}", "sdgs": [17]} for a in range(len(raw["goal_areas"]) + 1, areas + 1)]
    codes = [b["code"] for b in BOARDS]
    raw["goals"] = [{"code": f"{a}.1", "goal_area": str(a), "name": f"Mål {a}.1 för staden",
                     "responsible": [codes[a % 5], codes[(a + 1) % 5], codes[(a + 2) % 5]]} for a in range(1, areas + 1)]
    raw["goals"].append({"code": "1.2", "goal_area": "1", "name": "Mål 1.2 för alla", "responsible": "alla"})
    raw["boards"] = [dict(b) for b in BOARDS]
    raw.pop("assignments")  # the example city's council assignments name its boards and years
    raw.update(extra)
    return raw


def run_city(root, raw: dict) -> Paths:
    """demo --all, ingest --all and report for the catalogue's period end, as a user would."""
    reference = root / "data" / "reference"
    reference.mkdir(parents=True)
    (reference / "malkatalog-2025-2026.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["--root", str(root), "katalog"]) == 0
    assert main(["--root", str(root), "demo", "--all"]) == 0
    assert main(["--root", str(root), "ingest", "--all", "--quiet"]) == 1  # the example's uncorrected file at the end
    return Paths.at(root)


def _html(paths: Paths, occasion: str) -> str:
    return (paths.reports / occasion / "sammanstalld_analys.html").read_text(encoding="utf-8")


def test_a_period_end_at_the_last_interim_report(tmp_path, capsys, no_pdf):
    paths = run_city(tmp_path, small_catalogue(period_end_occasion="2026-delar"))
    assert "mandatperiodsanalys vid Delårsrapport 2026" in capsys.readouterr().out
    assert sorted(p.name for p in paths.raw.iterdir()) == ["2025-ar", "2025-budget", "2025-delar", "2026-budget", "2026-delar"]
    assert main(["--root", str(paths.root), "report", "--period", "2026-delar"]) == 0
    follow = read_table(paths.processed, "follow_ups").astype({"occasion": object})
    assert follow.loc[follow["occasion"] == "2026-delar", "reached"].notna().all()
    assert follow.loc[follow["occasion"] != "2026-delar", "reached"].isna().all()
    html = _html(paths, "2026-delar")
    assert "Mandatperiodsanalys 2025-2026" in html and "Lärdomar inför nästa mandatperiod" in html
    assert html.count("Har önskad förflyttning nåtts i målområdet?") == 4
    judgement = openpyxl.load_workbook(paths.judgement_for("2026-delar"))["KF-mål"]
    assert "Kommunstyrelsens bedömning: har önskad förflyttning nåtts?" in [c.value for c in judgement[3]]
    assert (aggregates_folder(paths, "2026-delar") / "lessons.parquet").exists()


def test_six_goal_areas(tmp_path, capsys, no_pdf):
    paths = run_city(tmp_path, small_catalogue(areas=6))
    assert "Varning: goal_areas: 6 målområden; strukturen anger 4–5 som riktmärke" in capsys.readouterr().out
    assert main(["--root", str(paths.root), "report", "--period", "2026-ar"]) == 0
    summary = read_table(aggregates_folder(paths, "2026-ar"), "goal_area_summary")
    assert list(summary["goal_area_code"].astype(object)) == ["1", "2", "3", "4", "5", "6"]
    html = _html(paths, "2026-ar")
    assert "Målområde 6: Ett Malmö med målområde 6" in html and "KF-mål 6.1: Mål 6.1 för staden" in html
    assert html.count("Har önskad förflyttning nåtts i målområdet?") == 6


def test_a_fifth_theme_and_a_board_named_for_no_goal(tmp_path, no_pdf):
    """The themes are the catalogue's list: a fifth one is asked in every template, required
    in every follow-up, counted and reported. Valnämnden, named for no KF goal, follows up
    its base mission, and its answers reach the human-rights section."""
    raw = small_catalogue()
    raw["scales"]["theme"].append({"code": "disability_rights", "label": "Funktionsrätt"})
    raw["boards"].append({"code": "VN", "name": "Valnämnden", "kind": "nämnd"})
    raw["goals"][-1]["responsible"] = ["KS", "GRN"]  # no goal for all boards: Valnämnden is named for none
    paths = run_city(tmp_path, raw)
    assert main(["--root", str(paths.root), "report", "--period", "2026-ar"]) == 0

    hr = read_table(paths.processed, "human_rights").astype(object)
    vn = hr[(hr["board_code"] == "VN") & (hr["occasion"] == "2026-ar")]
    assert sorted(vn["theme"]) == sorted(["child_rights", "gender_equality", "equality", "anti_discrimination",
                                          "disability_rights"]) and set(vn["scope"]) == {"base_mission"}
    assert (hr.groupby(["occasion", "board_code", "scope", "contribution_id"], dropna=False)["theme"].nunique() == 5).all()
    by_area = read_table(aggregates_folder(paths, "2026-ar"), "human_rights_by_goal_area")
    assert "Funktionsrätt" in set(by_area["theme_label"].astype(object))
    base = read_table(aggregates_folder(paths, "2026-ar"), "human_rights_base_mission").astype(object)
    assert set(base.loc[base["board_code"] == "VN", "consideration"].dropna()) and (base["board_code"] == "VN").sum() == 5
    html = _html(paths, "2026-ar")
    assert "<h4>Funktionsrätt</h4>" in html and "<th>Funktionsrätt</th>" in html and "<td>Valnämnden</td>" in html

    # The fifth theme is required in a follow-up like the other four.
    path = next(p for p in paths.raw_for("2026-delar").iterdir() if "GRN" in p.name or "Grundskole" in p.name)
    wb = openpyxl.load_workbook(path)
    ws = wb["Mänskliga rättigheter"]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "Funktionsrätt")
    for c in range(1, 5):
        ws.cell(row, c).value = None
    wb.save(paths.raw_for("2026-delar") / "GRN utan funktionsrätt.xlsx")
    assert main(["--root", str(paths.root), "ingest", "--period", "2026-delar", "--quiet"]) == 1
    issues = read_table(paths.processed, "validation_issues").astype(object)
    found = issues[(issues["source_file"] == "GRN utan funktionsrätt.xlsx") & (issues["severity"] == "error")]
    assert list(found["rule"]) == ["mr_tema_saknas"] and "Temat Funktionsrätt saknas" in found["message"].iloc[0]
