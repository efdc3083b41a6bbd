"""The executive board's judgement at every level, on the example city's period end: a
judgement file of today's layout (one sheet, KF goals only) filled in by hand is upgraded
without losing a character; the upgraded file filled in by hand at every level puts each
text at the head of its section in the HTML and in the Excel output. And a budget, which
has no movement to judge, gets no judgement file."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from analysis.aggregates import aggregates_for
from analysis.catalogue import load_catalogues
from analysis.cli import main
from analysis.config import Paths
from analysis.excel import HEADER_FILL, HEADER_FONT, WRAP, save_workbook, set_value
from analysis.occasion import Occasion
from analysis.report.judgement import ensure_judgement_file, read_judgement
from conftest import fill_judgement, without_pdf

pytestmark = pytest.mark.slow  # full reports

OCCASION = "2026-ar"
# What analysts typed in today's file: every kind of text must come back unchanged.
TODAYS_TEXTS = {
    "1.1": ("Viss förflyttning i önskad riktning", "Fler elever når målen.\nSärskilt i årskurs 9 – se bilaga 3."),
    "2.2": ("Ingen förflyttning", '=SUMMA(A1:A3) är inte en formel, "citat" och <b>märkning</b>  '),
    "5.3": (None, "Text utan bedömning: återbruket ökar 🌱."),
}


def todays_layout(catalogue, signals, occasion_label: str):
    """A judgement workbook exactly as the workbench wrote it before this version (commit
    adb4451): one sheet 'Bedömning', one row per KF goal, columns A–G."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = [("goal_area_code", "Målområde", 12), ("goal_code", "KF-mål", 10), ("goal_name", "Mål", 45),
               ("suggested_level_label", "Föreslagen signal", 24), ("reasons", "Skäl till förslaget", 60),
               ("assessment", "KS bedömning", 34), ("wording", "KS formulering i sammanställd analys", 70)]
    goals = catalogue.goals.merge(signals[["goal_code", "suggested_level_label", "reasons"]].astype({"goal_code": object}),
                                  on="goal_code", how="left")
    wb = Workbook()
    ws = wb.active
    ws.title = "Bedömning"
    ws.cell(1, 1, f"Kommunstyrelsens bedömning per KF-mål – {occasion_label}").font = Font(bold=True, size=14)
    ws.cell(2, 1, "Fyll i KS bedömning (lista) och formulering. Föreslagen signal är underlag, inte en bedömning."
                  " Exempeldata.").font = Font(italic=True)
    for c, (_, header, width) in enumerate(columns, 1):
        cell = ws.cell(3, c, header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for r, rec in enumerate(goals.to_dict("records"), 4):
        for c, (key, _, _) in enumerate(columns, 1):
            cell = ws.cell(r, c)
            set_value(cell, rec.get(key))
            cell.alignment = WRAP
            if key in ("assessment", "wording"):
                cell.protection = Protection(locked=False)
    lists = wb.create_sheet("Listor")
    labels = catalogue.scales["movement"].labels
    for r, label in enumerate(labels, 1):
        lists.cell(r, 1, label)
    lists.sheet_state = "hidden"
    last = 3 + len(goals)
    dv = DataValidation(type="list", formula1=f"=Listor!$A$1:$A${len(labels)}", allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"F4:F{last}")
    ws.freeze_panes = "D4"
    ws.protection.sheet = True
    return wb


def _cells(ws) -> dict:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.fixture(scope="module")
def city(example_city, tmp_path_factory):
    """The example city with today's judgement file for the period end, filled in by hand
    for three goals; then a report (which upgrades the file)."""
    root = tmp_path_factory.mktemp("judgement_city")
    shutil.copytree(example_city.root / "data", root / "data")
    paths = Paths.at(root)
    catalogues = load_catalogues(paths.reference)
    occasion = Occasion.parse(OCCASION)
    tables, _ = aggregates_for(paths, catalogues, occasion)
    wb = todays_layout(catalogues["2023-2026"], tables["goal_signal"], occasion.label)
    ws = wb["Bedömning"]
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 2).value in TODAYS_TEXTS:
            assessment, wording = TODAYS_TEXTS[ws.cell(r, 2).value]
            ws.cell(r, 6).value = assessment
            set_value(ws.cell(r, 7), wording)  # as typed: text, even where it starts with '='  
    path = paths.judgement_for(OCCASION)
    save_workbook(wb, path)
    return paths, path.read_bytes(), {s.title: _cells(s) for s in wb.worksheets}


def test_a_file_of_todays_layout_is_upgraded_without_losing_a_character(city, capsys, no_pdf):
    paths, original_bytes, original_cells = city
    assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 0
    out = capsys.readouterr().out
    path = paths.judgement_for(OCCASION)
    backup = path.with_name(f"{OCCASION}.före-uppgradering.xlsx")
    assert f"Bedömningsfilen {path} har uppgraderats till dagens utformning" in out and str(backup) in out
    assert backup.read_bytes() == original_bytes  # the original, kept as it was

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["KF-mål", "Hela staden", "Målområden", "Mänskliga rättigheter", "Listor"]
    upgraded = _cells(wb["KF-mål"])
    # Every cell of today's file is there with the same value; the rest is new columns only.
    assert {k: upgraded.get(k) for k in original_cells["Bedömning"]} == original_cells["Bedömning"]
    assert {k[0] for k in set(upgraded) - set(original_cells["Bedömning"])} == {"H", "I"}
    assert wb["KF-mål"]["H3"].value.startswith("Nämndernas och bolagens bedömning: har önskad förflyttning nåtts?")
    assert wb["KF-mål"]["I3"].value == "Kommunstyrelsens bedömning: har önskad förflyttning nåtts?"
    assert {k: v for k, v in _cells(wb["Listor"]).items() if k.startswith("A")} == original_cells["Listor"]

    catalogue = load_catalogues(paths.reference)["2023-2026"]
    goals = read_judgement(path, catalogue, Occasion.parse(OCCASION)).goals.set_index("goal_code")
    for goal, (assessment, wording) in TODAYS_TEXTS.items():
        assert goals.loc[goal, "wording"] == wording.strip()
        assert goals.loc[goal, "assessment_label"] == (assessment or "Kommunstyrelsens bedömning pågår")
    html = (paths.reports / OCCASION / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "Fler elever når målen.\nSärskilt i årskurs 9 – se bilaga 3." in html
    assert '=SUMMA(A1:A3) är inte en formel, "citat" och &lt;b&gt;märkning&lt;/b&gt;' in html


# The executive board's words at every level, as an analyst types them into the upgraded file.
CITY_TEXT = "Staden rör sig mot målen i fyra av fem målområden; <i>tryggheten</i> släpar."
AREAS = {a: (f"{label}", f"Målområde {a}: Kommunstyrelsen ser {word} förflyttning.") for a, label, word in
         (("1", "Tydlig förflyttning i önskad riktning", "tydlig"), ("2", "Viss förflyttning i önskad riktning", "viss"),
          ("3", "Ingen förflyttning", "ingen"), ("4", "Viss förflyttning i önskad riktning", "viss"),
          ("5", "Förflyttning i motsatt riktning", "motsatt"))}
REACHED = {"1.1": "Önskad förflyttning har nåtts", "3.1": "Önskad förflyttning har inte nåtts"}
THEMES = {"Barnrätt": "Barnets bästa syns i fler beslut.", "Jämställdhet": "Könsuppdelad statistik används oftare.",
          "Jämlikhet": "Skillnaderna mellan stadsdelar består.", "Antidiskriminering": "Få nämnder analyserar temat.",
          "Grunduppdraget": "Grunduppdragen beaktar temana allt oftare."}


@pytest.fixture(scope="module")
def judged(city):
    paths, _, _ = city
    with without_pdf():  # the texts are read from the HTML and the Excel workbook
        if not paths.judgement_for(OCCASION).with_name(f"{OCCASION}.före-uppgradering.xlsx").exists():
            assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 0
    path = paths.judgement_for(OCCASION)
    fill_judgement(path, "Hela staden", "Hela staden", {"Kommunstyrelsens bedömning (text)": CITY_TEXT})
    for area, (assessment, text) in AREAS.items():
        fill_judgement(path, "Målområden", area, {"Kommunstyrelsens bedömning": assessment, "Kommunstyrelsens text": text})
    for goal, reached in REACHED.items():
        fill_judgement(path, "KF-mål", goal, {"Kommunstyrelsens bedömning: har önskad förflyttning nåtts?": reached})
    for subject, text in THEMES.items():
        fill_judgement(path, "Mänskliga rättigheter", subject, {"Kommunstyrelsens text": text})
    with without_pdf():
        assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 0
    return paths


def _section(html: str, head: str) -> str:
    """What follows a section's heading up to the end of the box at its head."""
    after = html.split(head, 1)[1]
    return after[:after.index("</div>")]


def test_every_text_stands_at_the_head_of_its_section(judged):
    import html as escape

    paths = judged
    page = (paths.reports / OCCASION / "sammanstalld_analys.html").read_text(encoding="utf-8")
    catalogue = load_catalogues(paths.reference)["2023-2026"]
    assert escape.escape(CITY_TEXT, quote=False) in _section(page, "Sammanfattning för hela staden")
    for area in catalogue.goal_areas.itertuples():
        box = _section(page, f"Målområde {area.goal_area_code}: {area.goal_area_name}")
        assessment, text = AREAS[area.goal_area_code]
        assert assessment in box and text in box, area.goal_area_code
    for goal, (assessment, wording) in TODAYS_TEXTS.items():
        name = catalogue.goals.set_index("goal_code").loc[goal, "goal_name"]
        box = _section(page, f"KF-mål {goal}: {name}")
        assert escape.escape(wording.strip(), quote=False) in box and (assessment or "Kommunstyrelsens bedömning pågår") in box
        assert REACHED.get(goal, "Kommunstyrelsens bedömning pågår") in box
    for subject, text in THEMES.items():
        assert text in _section(page, f"<h4>{subject}</h4>"), subject
    assert "Kommunstyrelsens text pågår." in _section(page, "KF-mål 3.1:")  # an assessment, no text yet
    assert "<em>Kommunstyrelsens bedömning pågår.</em>" in _section(page, "KF-mål 1.2:")  # nothing written


def test_every_text_is_in_the_excel_output(judged):
    paths = judged
    ws = openpyxl.load_workbook(paths.reports / OCCASION / "sammanstalld_analys.xlsx")["Kommunstyrelsens bedömning"]
    rows = list(ws.values)
    header, rows = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    by_key = {(r[col["Nivå"]], r[col["Kod"]] or r[col["Namn"]]): r for r in rows}
    text, assessment, reached = (col["Kommunstyrelsens text"], col["Kommunstyrelsens bedömning"],
                                 col["Kommunstyrelsens bedömning: har önskad förflyttning nåtts?"])
    assert by_key[("Hela staden", "Hela staden")][text] == CITY_TEXT
    for area, (label, words) in AREAS.items():
        assert (by_key[("Målområde", area)][assessment], by_key[("Målområde", area)][text]) == (label, words)
    for goal, (label, words) in TODAYS_TEXTS.items():
        assert by_key[("KF-mål", goal)][text] == words.strip()
        assert by_key[("KF-mål", goal)][reached] == REACHED.get(goal, "Kommunstyrelsens bedömning pågår")
    for subject, words in THEMES.items():
        assert by_key[("Mänskliga rättigheter", subject)][text] == words


def test_the_upgrade_happens_once(judged):
    path = judged.judgement_for(OCCASION)
    # (the other occasions' files are the demo's, left as they were)
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(OCCASION)) == [
        f"{OCCASION}.före-uppgradering.xlsx", f"{OCCASION}.xlsx"]


def test_a_budget_report_is_titled_as_what_it_is_and_has_no_judgement_file(city):
    from analysis.report.content import excel_tables
    from analysis.report.produce import prepare

    paths, _, _ = city
    prepared = prepare(paths, load_catalogues(paths.reference), Occasion.parse("2026-budget"))
    assert prepared.data.title == "Nämndernas och bolagens planerade bidrag och träffbild – Nämnds- och bolagsbudget 2026 – Exempeldata"
    assert prepared.judgement.status == "none" and not paths.judgement_for("2026-budget").exists()
    assert "Kommunstyrelsens bedömning" not in excel_tables(prepared.data)
    assert not {c.name for c in prepared.charts} & {"forflyttning_per_malomrade", "utveckling_per_malomrade",
                                                     "utveckling_per_kf_mal"}


def test_a_judgement_file_that_is_not_a_workbook_is_one_clear_line_and_left_as_it_is(city, tmp_path):
    from analysis.errors import UsageError

    paths, _, _ = city
    catalogue = load_catalogues(paths.reference)["2023-2026"]
    path = tmp_path / f"{OCCASION}.xlsx"
    path.write_bytes(b"Kommunstyrelsens anteckningar, sparade som text.")
    tables, _ = aggregates_for(paths, load_catalogues(paths.reference), Occasion.parse(OCCASION))
    for attempt in (lambda: ensure_judgement_file(path, tables, catalogue, Occasion.parse(OCCASION)),
                    lambda: read_judgement(path, catalogue, Occasion.parse(OCCASION))):
        with pytest.raises(UsageError, match="kan inte läsas som Excel-arbetsbok") as info:
            attempt()
        assert "\n" not in str(info.value) and "filen har inte ändrats" in str(info.value)
    assert path.read_bytes() == b"Kommunstyrelsens anteckningar, sparade som text."
