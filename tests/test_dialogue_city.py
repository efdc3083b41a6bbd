"""The dialogue on the example city, through the command a person runs: every rule fires
somewhere in the period; `malstyrning dialog` writes the office's workbook and one file per
board; replies typed into a board's file are read back and never written over; a board
that sends its workbook again without the contradiction makes its question Inaktuell; a
workbook open in Excel stops the command with nothing written."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest

from analysis.aggregates import aggregate_many
from analysis.catalogue import load_catalogues
from analysis.checks.dialogue_rules import DIALOGUE_RULES
from analysis.cli import main
from analysis.dialogue import FIRST_ROW, HEADER_ROW, SHEET
from conftest import copy_data

OCCASION = "2025-ar"


@pytest.fixture(scope="module")
def city(example_city, tmp_path_factory):
    return copy_data(example_city, tmp_path_factory.mktemp("dialogue_city"))


def _rows(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    return [dict(zip(headers, (c.value for c in row))) for row in ws.iter_rows(min_row=FIRST_ROW) if row[0].value]


def _fill(path, replies: dict[str, str]) -> None:
    """What a board does: types its replies into its file and saves it."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = ws.cell(r, headers.index("Frågans nyckel") + 1).value
        if key in replies:
            ws.cell(r, headers.index("Svar från nämnden/bolaget") + 1).value = replies[key]
    wb.save(path)


def test_every_rule_fires_in_the_example_period_and_rarely(example_city):
    catalogues = load_catalogues(example_city.reference)
    period = aggregate_many(example_city, catalogues, next(iter(catalogues.values())).occasions_to_period_end, store=False)
    counts = pd.concat([t["dialogue"] for t in period.values()]).groupby("rule").size()
    assert set(counts.index) == {r.id for r in DIALOGUE_RULES}
    per_occasion = pd.concat([t["dialogue"] for t in period.values()]).groupby("occasion", observed=True).size()
    assert per_occasion.max() <= 12  # few enough to be read
    assert all(set(t["dialogue"]["occasion"].astype(str)) <= {code} for code, t in period.items())


def test_board_files_are_written_and_their_replies_read_back_never_over_a_reply(city, capsys):
    root = str(city.root)
    assert main(["--root", root, "dialog", "--period", OCCASION]) == 0
    office = city.dialogue_for(OCCASION)
    rows = _rows(office)
    assert rows and {r["Status"] for r in rows} == {"Öppen"}
    folder = city.report_for(OCCASION) / "dialog"
    boards = sorted({r["Nämnd/bolag (kod)"] for r in rows})
    assert sorted(p.stem for p in folder.glob("*.xlsx")) == boards
    assert "att skicka" in capsys.readouterr().out

    same = next(r for r in rows if r["Frågans nyckel"].split(":")[1] == "samma_analys")
    board, key = same["Nämnd/bolag (kod)"], same["Frågans nyckel"]
    sent = folder / f"{board}.xlsx"
    back = city.root / "svar"
    back.mkdir()
    shutil.copy(sent, back / sent.name)
    _fill(back / sent.name, {key: "Analysen kopierades av misstag; en ny analys kommer i delårsrapporten."})
    (back / "~$lock.xlsx").write_bytes(b"")  # an owner file beside them is skipped
    assert main(["--root", root, "dialog", "--period", OCCASION, "--replies", str(back)]) == 0
    out = capsys.readouterr().out
    assert "Svar inlästa: 1." in out
    row = next(r for r in _rows(office) if r["Frågans nyckel"] == key)
    assert (row["Svar från nämnden/bolaget"], row["Status"]) == (
        "Analysen kopierades av misstag; en ny analys kommer i delårsrapporten.", "Besvarad")

    # The board sends another reply later: reported, the first one kept.
    _fill(back / sent.name, {key: "Ett annat svar."})
    before = office.read_bytes()
    assert main(["--root", root, "dialog", "--period", OCCASION, "--replies", str(back / sent.name)]) == 1
    out = capsys.readouterr().out
    assert f"{sent.name}: svaret på frågan {key} skiljer sig från svaret som redan står i stadskontorets arbetsbok; " \
           "det befintliga svaret har behållits. Svaret i filen: \"Ett annat svar.\"" in out
    assert office.read_bytes() == before
    # Answered, the question is still sent, with its reply, in the board's next file.
    assert main(["--root", root, "dialog", "--period", OCCASION, "--board", board.lower()]) == 0
    ws = openpyxl.load_workbook(folder / f"{board}.xlsx")[SHEET]
    assert "Analysen kopierades av misstag; en ny analys kommer i delårsrapporten." in [c.value for c in ws["E"]]


def test_a_resubmission_without_the_contradiction_makes_the_question_inactive(city, capsys):
    root = str(city.root)
    assert main(["--root", root, "dialog", "--period", OCCASION]) == 0
    office = city.dialogue_for(OCCASION)
    same = next(r for r in _rows(office) if r["Frågans nyckel"].split(":")[1] == "samma_analys")
    key = same["Frågans nyckel"]
    file_name, cell = same["Källceller"].split("; ")[0].split(", flik Uppföljning, cell ")
    # The board writes a new analysis and sends its workbook again, dated a day later.
    raw = city.raw_for(OCCASION) / file_name
    wb = openpyxl.load_workbook(raw)
    wb["Uppföljning"][cell].value = "En ny analys: arbetet har nått fler familjer sedan delårsrapporten, och " \
                                    "uppföljningen visar att fler barn deltar i läxhjälpen varje vecka."
    details = wb["Uppgifter"]
    for row in details.iter_rows(min_row=3, max_col=2):
        if row[0].value == "Inlämningsdatum" and isinstance(row[1].value, dt.date):
            row[1].value = row[1].value + dt.timedelta(days=1)
    wb.save(raw.with_name(raw.stem + " (ny version).xlsx"))
    assert main(["--root", root, "ingest", "--period", OCCASION, "--quiet"]) in (0, 1)
    capsys.readouterr()
    assert main(["--root", root, "dialog", "--period", OCCASION]) == 0
    assert "1 blev inaktuell" in capsys.readouterr().out
    row = next(r for r in _rows(office) if r["Frågans nyckel"] == key)
    assert row["Status"] == "Inaktuell"


def test_a_dialogue_workbook_open_in_excel_stops_the_command_with_nothing_written(city, capsys):
    root = str(city.root)
    assert main(["--root", root, "dialog", "--period", OCCASION]) == 0
    office = city.dialogue_for(OCCASION)
    lock = office.with_name(f"~${office.name}")
    lock.write_bytes(b"owner")
    before = office.read_bytes()
    outputs = city.report_for(OCCASION).resolve()
    capsys.readouterr()
    try:
        assert main(["--root", root, "dialog", "--period", OCCASION]) == 2
    finally:
        lock.unlink()
    err = capsys.readouterr().err
    assert err == (f"malstyrning: fel: Dialogarbetsboken {office} är öppen i Excel eller LibreOffice (låsfilen "
                   f"{lock.name} finns bredvid den). Spara och stäng den och kör igen; inget har skrivits.\n")
    assert office.read_bytes() == before and city.report_for(OCCASION).resolve() == outputs  # no new board files
