"""The office's dialogue workbook (analysis.dialogue): a rerun keeps every reply, status
and comment; a question whose cause is gone becomes Inaktuell; rows moved or deleted by
hand lose nothing; replies read from a board's file never write over one already there;
a formula stays text; a workbook open in Excel is refused with nothing written."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from analysis import dialogue
from analysis.dialogue import FIRST_ROW, HEADER_ROW, SHEET, merge, take_replies, update_workbook
from analysis.errors import UsageError
from analysis.occasion import Occasion

OCCASION = Occasion.parse("2025-ar")


def _question(n: int, board: str = "AN", text: str | None = None) -> dict:
    return {"board_code": board, "board_name": f"{board}-nämnden", "goal_code": "1.1", "contribution_id": f"{board}-{n}",
            "rule_label": "Samma analys som förra gången", "question": text or f"Fråga {n} till {board}?",
            "cells": f"{board}.xlsx, flik Uppföljning, cell F{3 + n}", "key": f"2025-ar:samma_analys:{board}:{board}-{n}"}


def _sheet_rows(path: Path) -> list[dict]:
    """The question rows as a person sees them: header -> value, in sheet order."""
    ws = openpyxl.load_workbook(path)[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    return [dict(zip(headers, (c.value for c in row))) for row in ws.iter_rows(min_row=FIRST_ROW) if any(c.value for c in row)]


def _type(path: Path, key: str, **values: str) -> None:
    """What an analyst does: in the question's row, type each value under its header."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, headers.index("Frågans nyckel") + 1).value == key)
    for header, value in values.items():
        ws.cell(row, headers.index(header) + 1).value = value
    wb.save(path)


def _by_key(path: Path) -> dict[str, dict]:
    return {r["Frågans nyckel"]: r for r in _sheet_rows(path)}


# --- merge: the rules on plain rows ---------------------------------------------------------


def test_merge_keeps_the_offices_columns_and_marks_a_gone_cause_inactive():
    q1, q2, q3 = _question(1), _question(2), _question(3)
    existing = [
        {**q1, "reply": "Vi förklarar.", "status": "Besvarad", "comment": "Bra svar.", "_row": 4},
        {**q2, "reply": None, "status": "Avslutad", "comment": "Stängd.", "_row": 5},
        {**q3, "reply": None, "status": "Öppen", "comment": None, "_row": 6},
    ]
    merged = merge(existing, [], [_question(1, text="Fråga 1, nu med nya värden?"), _question(4)])
    by_key = {r["key"]: r for r in merged.rows}
    # q1 still raised: its text is the workbench's, its reply, status and comment stay.
    assert (by_key[q1["key"]]["question"], by_key[q1["key"]]["reply"], by_key[q1["key"]]["status"],
            by_key[q1["key"]]["comment"]) == ("Fråga 1, nu med nya värden?", "Vi förklarar.", "Besvarad", "Bra svar.")
    assert by_key[q2["key"]]["status"] == "Avslutad"  # closed by the office: stays closed
    assert by_key[q3["key"]]["status"] == "Inaktuell"  # its cause is gone
    assert by_key[_question(4)["key"]]["status"] == "Öppen" and "_row" not in by_key[_question(4)["key"]]
    assert (merged.new, merged.inactive, merged.restored, merged.reopened) == (1, 1, 0, 0)
    # The cause comes back: open again, answered where there is a reply.
    again = merge(merged.rows, [], [_question(3)])
    assert {r["key"]: r["status"] for r in again.rows}[q3["key"]] == "Öppen" and again.reopened == 1


def test_replies_fill_an_empty_reply_only_and_a_different_one_is_reported():
    rows = [{**_question(1), "reply": None, "status": "Öppen"}, {**_question(2), "reply": "Redan svarat.", "status": "Besvarad"},
            {**_question(3), "reply": None, "status": "Avslutad"}]
    outcome = take_replies(rows, [("AN.xlsx", _question(1)["key"], "Nytt svar."),
                                  ("AN.xlsx", _question(2)["key"], "Redan  svarat."),  # the same, spacing aside
                                  ("AN2.xlsx", _question(1)["key"], "Ett annat svar."),  # a second file, later
                                  ("AN.xlsx", _question(3)["key"], "Sent svar."),
                                  ("AN.xlsx", "2025-ar:samma_analys:AN:AN-9", "Okänd."),
                                  ("AN.xlsx", "2024-ar:samma_analys:AN:AN-1", "Fel år.")], OCCASION)
    assert [(r["reply"], r["status"]) for r in rows] == [("Nytt svar.", "Besvarad"), ("Redan svarat.", "Besvarad"),
                                                         ("Sent svar.", "Avslutad")]
    assert (outcome.taken, outcome.same) == (2, 1)
    assert outcome.notes == [
        "AN2.xlsx: svaret på frågan 2025-ar:samma_analys:AN:AN-1 skiljer sig från svaret som redan står i stadskontorets "
        "arbetsbok; det befintliga svaret har behållits. Svaret i filen: \"Ett annat svar.\"",
        "AN.xlsx: frågan 2025-ar:samma_analys:AN:AN-9 finns inte i stadskontorets arbetsbok; svaret har inte lästs in.",
        "AN.xlsx: frågan 2024-ar:samma_analys:AN:AN-1 hör inte till Årsredovisning 2025; svaret har inte lästs in.",
    ]


# --- the workbook on disk ----------------------------------------------------------------------


def test_a_rerun_keeps_reply_status_and_comment_typed_in_the_workbook(tmp_path):
    path = tmp_path / "dialog" / "2025-ar.xlsx"
    made = update_workbook(path, [_question(1), _question(2)], OCCASION, example=True)
    assert made.created and made.note() == (f"Dialogarbetsbok skapad: {path} (2 frågor: 2 öppna; 2 nya).")
    _type(path, _question(1)["key"], **{"Svar från nämnden/bolaget": "Analysen var densamma av misstag.",
                                        "Status": "Besvarad", "Kommentar från stadskontoret": "Följs upp i mars."})
    _type(path, _question(2)["key"], **{"Status": "Avslutad"})
    assert update_workbook(path, [_question(1), _question(2)], OCCASION, example=True).written  # its copy of the rows
    before = path.read_bytes()
    again = update_workbook(path, [_question(1), _question(2)], OCCASION, example=True)
    assert not again.written and path.read_bytes() == before  # nothing changed: the office's file is not touched
    update_workbook(path, [_question(1, text="Fråga 1 med nya värden?"), _question(2)], OCCASION, example=True)
    rows = _by_key(path)
    assert rows[_question(1)["key"]] | {} == {
        "Nämnd/bolag (kod)": "AN", "Nämnd/bolag": "AN-nämnden", "KF-mål": "1.1", "Bidrags-id": "AN-1",
        "Regel": "Samma analys som förra gången", "Fråga": "Fråga 1 med nya värden?", "Källceller": "AN.xlsx, flik Uppföljning, cell F4",
        "Svar från nämnden/bolaget": "Analysen var densamma av misstag.", "Status": "Besvarad",
        "Kommentar från stadskontoret": "Följs upp i mars.", "Frågans nyckel": _question(1)["key"]}
    assert rows[_question(2)["key"]]["Status"] == "Avslutad"
    # Both causes gone (the board sent its workbook again): q1 inactive with its words kept, q2 stays closed.
    gone = update_workbook(path, [], OCCASION)
    rows = _by_key(path)
    assert (rows[_question(1)["key"]]["Status"], rows[_question(1)["key"]]["Svar från nämnden/bolaget"],
            rows[_question(1)["key"]]["Kommentar från stadskontoret"]) == (
        "Inaktuell", "Analysen var densamma av misstag.", "Följs upp i mars.")
    assert rows[_question(2)["key"]]["Status"] == "Avslutad"
    assert gone.note().endswith("(2 frågor: 1 avslutad, 1 inaktuell; 1 blev inaktuell).")


def test_rows_reordered_and_deleted_by_hand_are_matched_by_key_and_nothing_is_lost(tmp_path):
    path = tmp_path / "2025-ar.xlsx"
    update_workbook(path, [_question(1), _question(2), _question(3)], OCCASION)
    for n in (1, 2, 3):
        _type(path, _question(n)["key"], **{"Svar från nämnden/bolaget": f"Svar {n}.", "Kommentar från stadskontoret": f"K{n}."})
    update_workbook(path, [_question(1), _question(2), _question(3)], OCCASION)  # a run: the workbench copies the rows
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    # The analyst sorts the rows backwards (3, 2, 1) by hand, then deletes the row of question 2.
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + 2)]
    for r, row in enumerate(reversed(values), FIRST_ROW):
        for c, v in enumerate(row, 1):
            ws.cell(r, c).value = v
    ws.delete_rows(FIRST_ROW + 1)
    wb.save(path)
    outcome = update_workbook(path, [_question(1), _question(2), _question(3), _question(4)], OCCASION)
    rows = _sheet_rows(path)
    assert [(r["Frågans nyckel"][-4:], r["Svar från nämnden/bolaget"], r["Kommentar från stadskontoret"], r["Status"])
            for r in rows] == [("AN-3", "Svar 3.", "K3.", "Öppen"), ("AN-1", "Svar 1.", "K1.", "Öppen"),
                               ("AN-2", "Svar 2.", "K2.", "Öppen"),  # put back from the workbench's copy
                               ("AN-4", None, None, "Öppen")]
    assert outcome.merged.restored == 1
    assert "1 ny, 1 borttagen för hand och återställd" in outcome.note()


def test_a_column_the_office_adds_and_columns_it_moves_are_kept(tmp_path):
    path = tmp_path / "2025-ar.xlsx"
    update_workbook(path, [_question(1)], OCCASION)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws.move_range(f"H{HEADER_ROW}:H{FIRST_ROW}", cols=5)  # the reply column moved to M
    ws.cell(HEADER_ROW, 12).value = "Handläggare"
    ws.cell(FIRST_ROW, 12).value = "Eva"
    ws.cell(FIRST_ROW, 13).value = "Ett svar."
    wb.save(path)
    update_workbook(path, [_question(1, text="Ny text?"), _question(2)], OCCASION)
    rows = _sheet_rows(path)
    assert (rows[0]["Handläggare"], rows[0]["Svar från nämnden/bolaget"], rows[0]["Fråga"]) == ("Eva", "Ett svar.", "Ny text?")
    assert rows[1]["Fråga"] == "Fråga 2 till AN?" and rows[1]["Handläggare"] is None


def test_a_workbook_open_in_excel_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "2025-ar.xlsx"
    update_workbook(path, [_question(1)], OCCASION)
    before = path.read_bytes()
    for lock in (f"~${path.name}", f".~lock.{path.name}#"):
        (tmp_path / lock).write_bytes(b"owner")
        with pytest.raises(UsageError) as found:
            update_workbook(path, [_question(1), _question(2)], OCCASION)
        assert str(found.value) == (f"Dialogarbetsboken {path} är öppen i Excel eller LibreOffice (låsfilen {lock} finns "
                                    "bredvid den). Spara och stäng den och kör igen; inget har skrivits.")
        assert path.read_bytes() == before
        (tmp_path / lock).unlink()


def test_a_workbook_without_its_key_column_or_not_a_workbook_is_refused_unchanged(tmp_path):
    path = tmp_path / "2025-ar.xlsx"
    update_workbook(path, [_question(1)], OCCASION)
    wb = openpyxl.load_workbook(path)
    wb[SHEET].delete_cols(11)
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(UsageError, match="Kolumnen 'Frågans nyckel' saknas i fliken Frågor"):
        update_workbook(path, [_question(1)], OCCASION)
    assert path.read_bytes() == before
    path.write_text("inte en arbetsbok", encoding="utf-8")
    with pytest.raises(UsageError, match=r"kan inte läsas som Excel-arbetsbok \(.*\)\. Spara den som"):
        update_workbook(path, [_question(1)], OCCASION)
    assert path.read_text(encoding="utf-8") == "inte en arbetsbok"


def test_a_reply_holding_a_formula_is_kept_as_text(tmp_path):
    office = tmp_path / "2025-ar.xlsx"
    update_workbook(office, [_question(1), _question(2)], OCCASION)
    board = tmp_path / "AN.xlsx"
    wb = dialogue.board_workbook(OCCASION, "AN-nämnden", dialogue.sent_rows(dialogue.read_rows(office), "AN"), example=False)
    ws = wb[SHEET]
    ws.cell(FIRST_ROW, 5).value = "=1+1"  # a real formula cell, as Excel saves one
    ws.cell(FIRST_ROW + 1, 5).value = "=HYPERLINK(\"http://x\",\"klicka\")"
    wb.save(board)
    replies, problem = dialogue.read_reply_file(board)
    assert problem is None and [r[2] for r in replies] == ["=1+1", "=HYPERLINK(\"http://x\",\"klicka\")"]
    update_workbook(office, [_question(1), _question(2)], OCCASION, replies=replies)
    ws = openpyxl.load_workbook(office)[SHEET]
    cells = [ws.cell(r, 8) for r in (FIRST_ROW, FIRST_ROW + 1)]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ("=HYPERLINK(\"http://x\",\"klicka\")", "s")]
    assert [ws.cell(r, 9).value for r in (FIRST_ROW, FIRST_ROW + 1)] == ["Besvarad", "Besvarad"]


def test_the_workbooks_hidden_parts():
    wb = dialogue._new_workbook(OCCASION, example=True)
    ws = wb[SHEET]
    assert ws.column_dimensions["K"].hidden and ws.cell(HEADER_ROW, 11).value == "Frågans nyckel"
    assert ws.data_validations.dataValidation[0].formula1 == '"Öppen,Besvarad,Avslutad,Inaktuell"'
    assert "Exempeldata." in ws.cell(2, 1).value


def test_a_reply_file_that_is_no_workbook_of_questions_is_named_and_not_read(tmp_path):
    text = tmp_path / "GRN.xlsx"
    text.write_text("svar;ja\n", encoding="utf-8")
    assert dialogue.read_reply_file(text) == ([], "GRN.xlsx har inte lästs: Filen är en textfil (till exempel CSV eller "
                                                  "ett meddelande), inte en arbetsbok. Använd mallen från stadskontoret "
                                                  "och skicka in den som arbetsbok (.xlsx, .xlsm, .ods eller .xls).")
    other = tmp_path / "TN.xlsx"
    openpyxl.Workbook().save(other)
    assert dialogue.read_reply_file(other) == ([], "TN.xlsx har inga kolumner 'Svar från nämnden/bolaget' och 'Frågans "
                                                   "nyckel'; den är ingen av arbetsbänkens filer med frågor och har inte lästs.")
    (tmp_path / f"~${other.name}").write_bytes(b"")
    assert dialogue.read_reply_file(other)[1].startswith("TN.xlsx är öppen i Excel eller LibreOffice")
    assert dialogue.reply_files(tmp_path) == [text, other]  # the lock file is no reply
