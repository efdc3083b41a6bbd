"""Intake against what a careless or hostile sender can put in `data/raw/<occasion>/`:
nothing outside the folder is read (links are not followed, only regular files are
opened), a file that cannot be read is one finding and the others load, answers that look
right are accepted whatever invisible characters or Unicode form they carry, a date
written as text is reported, and every input is read within bounds (the catalogue, a
dense workbook, an OpenDocument row bomb, the findings printed and listed)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.boards.layout import DETAILS_SHEET, FIRST_DATA_ROW, FOLLOW_UPS_SHEET
from analysis import feedback
from analysis.cli import main
from analysis.config import Paths
from analysis.intake.store import read_table
from analysis.vocabulary import number

from conftest import CATALOGUE_FILE, renamed_board_catalogue, write_submission
from validation_corpus import Sheets

OCCASION = "2024-delar"
MAX_SHEET_ROWS = 5_000  # more rows than any board could mean
PRINTED_PER_FILE = 10  # errors printed per file
LISTED_PER_FILE = 1_000  # findings listed per file in a feedback workbook


def _ingest(paths: Paths, *args: str) -> int:
    return main(["--root", str(paths.root), "ingest", "--quiet", "--period", OCCASION, *args])


def _issues(paths: Paths, source_file: str) -> pd.DataFrame:
    issues = read_table(paths.processed, "validation_issues")
    return issues[issues["source_file"] == source_file]


def _boards(paths: Paths, table: str = "follow_ups") -> set[str]:
    return set(read_table(paths.processed, table)["board_code"].astype(str))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- nothing outside data/raw/<occasion>/ ------------------------------------------------


def test_links_are_never_followed_inside_or_outside_raw(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path / "root")
    write_submission(catalogue, paths, OCCASION, "GRN")
    inside = write_submission(catalogue, paths, "2024-ar", "TN")  # another occasion's folder, inside data/raw
    outside = tmp_path / "utanför.xlsx"
    outside.write_bytes(write_submission(catalogue, paths, OCCASION, "MKB", name="tmp.xlsx").read_bytes())
    (paths.raw_for(OCCASION) / "tmp.xlsx").unlink()
    folder = paths.raw_for(OCCASION)
    links = {"TN kopia.xlsx": inside, "MKB.xlsx": outside, "lösenord.xlsx": Path("/etc/passwd"),
             "trasig länk.xlsx": tmp_path / "finns inte.xlsx"}
    for name, target in links.items():
        (folder / name).symlink_to(target)

    assert _ingest(paths) == 1

    out = capsys.readouterr().out
    for name in links:
        found = _issues(paths, name)
        assert found["rule"].tolist() == ["ej_vanlig_fil"], name
        assert f"'{name}' är en genväg (symbolisk länk) och läses inte" in found["message"].iloc[0]
        assert f"AVVISAD {name}:" in out
    subs = read_table(paths.processed, "submissions")
    assert set(subs.loc[subs["source_file"].isin(links), "sha256"]) == {""}  # never opened, never hashed
    assert not {_sha(inside), _sha(outside), _sha(Path("/etc/passwd"))} & set(subs["sha256"])
    assert _boards(paths) == {"GRN"}


def test_a_folder_named_like_a_workbook_and_a_pipe_are_findings_and_nothing_waits(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    write_submission(catalogue, paths, OCCASION, "GRN")
    folder = paths.raw_for(OCCASION)
    (folder / "mapp.xlsx").mkdir()
    (folder / "arkiv").mkdir()  # a folder not named like a workbook is no submission
    os.mkfifo(folder / "pipe.xlsx")

    assert _ingest(paths) == 1

    assert "'mapp.xlsx' är en mapp, inte en arbetsbok" in _issues(paths, "mapp.xlsx")["message"].iloc[0]
    assert "'pipe.xlsx' är ingen vanlig fil" in _issues(paths, "pipe.xlsx")["message"].iloc[0]
    assert set(read_table(paths.processed, "submissions")["source_file"]) == {"GRN.xlsx", "mapp.xlsx", "pipe.xlsx"}
    assert _boards(paths) == {"GRN"}


def _failing(monkeypatch, name: str, fault: str) -> None:
    """The file `name` cannot be opened (no permission) or read (an I/O error), as the
    operating system would say; the tests run as root, who may read anything."""
    real_open, real_fdopen = os.open, os.fdopen

    def opening(path, *args, **kwargs):
        if fault == "open" and Path(path).name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise OSError(errno.EIO, "Input/output error")

        __enter__ = lambda self: self  # noqa: E731

    def fdopen(fd, *args, **kwargs):
        if fault == "read" and os.readlink(f"/proc/self/fd/{fd}").endswith(name):
            return Unreadable()
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "open", opening)
    monkeypatch.setattr(os, "fdopen", fdopen)


@pytest.mark.parametrize("fault, message", [("open", "kunde inte öppnas (behörighet saknas)"),
                                            ("read", "kunde inte läsas (läsfel på disken (I/O-fel))")])
def test_a_file_that_cannot_be_opened_or_read_is_one_finding_and_the_others_load(tmp_path, catalogue, monkeypatch,
                                                                                 capsys, fault, message):
    paths = Paths.at(tmp_path)
    for board in ("GRN", "TN", "MKB"):
        write_submission(catalogue, paths, OCCASION, board)
    write_submission(catalogue, paths, OCCASION, "FN", name="oläslig.xlsx")
    _failing(monkeypatch, "oläslig.xlsx", fault)

    assert _ingest(paths) == 1

    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    found = _issues(paths, "oläslig.xlsx")
    assert len(found) == 1 and message in found["message"].iloc[0]
    assert _boards(paths) == {"GRN", "TN", "MKB"}


# --- bad values the checks must see ----------------------------------------------------------


def test_a_resubmission_dated_as_text_is_reported_and_ordered_by_file_time(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    first = write_submission(catalogue, paths, OCCASION, "GRN", name="GRN första.xlsx",
                             mutate=lambda wb: Sheets(wb, catalogue).detail("submitted_on", pd.Timestamp("2024-09-10").date()))
    cell = {}

    def corrected(wb):
        cell["date"] = Sheets(wb, catalogue).detail("submitted_on", "15 september 2024")

    second = write_submission(catalogue, paths, OCCASION, "GRN", name="GRN rättad.xlsx", mutate=corrected)
    os.utime(first, (1_726_000_000, 1_726_000_000))  # 2024-09-10
    os.utime(second, (1_726_400_000, 1_726_400_000))  # 2024-09-15

    assert _ingest(paths) == 0

    subs = read_table(paths.processed, "submissions").set_index("source_file")
    assert subs.loc["GRN rättad.xlsx", "status"] == "current"
    assert subs.loc["GRN första.xlsx", "status"] == "superseded"
    assert pd.isna(subs.loc["GRN rättad.xlsx", "submitted_on"])  # text is never guessed to be a date
    found = _issues(paths, "GRN rättad.xlsx")
    found = found[found["rule"] == "datum_ej_datum"]
    assert found[["severity", "sheet", "cell", "value"]].values.tolist() == [
        ["warning", DETAILS_SHEET, cell["date"], "15 september 2024"]]
    assert "'15 september 2024' är inte ett datum" in found["message"].iloc[0]
    assert "filernas ändringstid" in found["message"].iloc[0]
    assert set(read_table(paths.processed, "follow_ups")["source_file"]) == {"GRN rättad.xlsx"}


def _looking_right(wb) -> None:
    """The same answers, written so they only look the same: decomposed letters (NFD),
    zero-width and no-break spaces, a word joiner, a byte-order mark."""
    s, row = Sheets(wb, None), FIRST_DATA_ROW
    value = {key: s.get(FOLLOW_UPS_SHEET, key, row)
             for key in ("movement", "outlook", "evidence_type", "contribution_id", "goal_code")}
    assert any(ch in "åäö" for ch in value["movement"] + value["outlook"])
    s.put(FOLLOW_UPS_SHEET, "movement", row, unicodedata.normalize("NFD", value["movement"]))
    s.put(FOLLOW_UPS_SHEET, "outlook", row, "\u200b" + unicodedata.normalize("NFD", value["outlook"]).replace(" ", "\u00a0") + "\ufeff")
    s.put(FOLLOW_UPS_SHEET, "evidence_type", row, value["evidence_type"][:2] + "\u200b" + value["evidence_type"][2:])
    s.put(FOLLOW_UPS_SHEET, "contribution_id", row, value["contribution_id"][:3] + "\u200b" + value["contribution_id"][3:])
    s.put(FOLLOW_UPS_SHEET, "goal_code", row, "\u2060" + value["goal_code"][:2] + "\u200b" + value["goal_code"][2:])


def test_answers_that_look_the_same_are_the_same(tmp_path, catalogue):
    plain, varied = Paths.at(tmp_path / "plain"), Paths.at(tmp_path / "varied")
    write_submission(catalogue, plain, OCCASION, "GRN")
    write_submission(catalogue, varied, OCCASION, "GRN", mutate=_looking_right)
    assert _ingest(plain) == 0
    assert _ingest(varied) == 0
    provenance = ["source_file", "sha256"]
    a = read_table(plain.processed, "follow_ups").drop(columns=provenance)
    b = read_table(varied.processed, "follow_ups").drop(columns=provenance)
    pd.testing.assert_frame_equal(a, b)


def test_a_lone_zero_width_space_is_no_answer_and_messages_show_what_shows_nothing(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    cells = {}

    def mutate(wb):
        s = Sheets(wb, catalogue)
        cells["analysis"] = s.put(FOLLOW_UPS_SHEET, "analysis", FIRST_DATA_ROW, "\u200b")
        cells["movement"] = s.put(FOLLOW_UPS_SHEET, "movement", FIRST_DATA_ROW + 1, "Ingen\u200bförflyttning")

    write_submission(catalogue, paths, OCCASION, "GRN", mutate=mutate)
    assert _ingest(paths) == 1
    found = _issues(paths, "GRN.xlsx").set_index("cell")
    assert found.loc[cells["analysis"], "rule"] == "saknas_analys"
    assert found.loc[cells["movement"], "rule"] == "ogiltig_kod"
    assert found.loc[cells["movement"], "message"].startswith("'Ingen⟨U+200B⟩förflyttning' är inget giltigt värde")


# --- bounded resources --------------------------------------------------------------------------


def _catalogue_root(tmp_path: Path, content: bytes) -> Path:
    reference = tmp_path / "data" / "reference"
    reference.mkdir(parents=True)
    (reference / CATALOGUE_FILE.name).write_bytes(content)
    return tmp_path


ALIAS_BOMB = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]).encode()


@pytest.mark.parametrize("content, message", [
    (CATALOGUE_FILE.read_text(encoding="utf-8").encode("latin-1"), "inte sparad som UTF-8"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "ingen text (den innehåller binära data)"),
    (ALIAS_BOMB, "aliasbomb"),
    (b"mandate_period: &p [*p]\n", "hänvisar till sig självt"),
], ids=["latin-1", "binary", "alias bomb", "self-reference"])
def test_a_catalogue_in_a_wrong_encoding_or_with_an_alias_bomb_is_one_line(tmp_path, capsys, content, message):
    root = _catalogue_root(tmp_path, content)
    start = time.perf_counter()
    assert main(["--root", str(root), "katalog"]) == 2
    assert time.perf_counter() - start < 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"malstyrning: fel: Målkatalogen {CATALOGUE_FILE.name} har fel: ") and message in err


def _dense_workbook(source: Path, target: Path, rows: int) -> None:
    """The workbook with `rows` more rows of varied text in its follow-up sheet: within
    every zip limit (it packs to a few MB), as dense as a sender likes."""
    rng = random.Random(13)
    extra = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="G%d" t="inlineStr"><is><t>%s</t></is></c></row>'
        % (r, r, rng.randbytes(6).hex().encode(), r, rng.randbytes(9).hex().encode())
        for r in range(FIRST_DATA_ROW + 10, FIRST_DATA_ROW + 10 + rows))
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet5.xml":  # Uppföljning, after the instructions, Kontroll and Uppgifter
                assert FOLLOW_UPS_SHEET.encode() in zin.read("xl/workbook.xml")
                data = data.replace(b"</sheetData>", extra + b"</sheetData>")
            zout.writestr(item, data)


def _ods_row_bomb(path: Path, rows: int) -> None:
    """An OpenDocument spreadsheet of a few hundred bytes whose one row, repeated, makes
    `rows` rows of 100 cells when parsed."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               f'<table:table table:name="{DETAILS_SHEET}"><table:table-row table:number-rows-repeated="{rows}">'
               '<table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
               '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)


def test_a_dense_workbook_is_refused_before_it_is_parsed_with_its_row_count(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path)
    write_submission(catalogue, paths, OCCASION, "GRN")
    source = write_submission(catalogue, paths, OCCASION, "TN", name="tmp.xlsx")
    folder = paths.raw_for(OCCASION)
    _dense_workbook(source, folder / "tät.xlsx", 200_000)
    source.unlink()
    _ods_row_bomb(folder / "radbomb.ods", 1_000_000)
    assert (folder / "radbomb.ods").stat().st_size < 1_000
    assert 1e6 < (folder / "tät.xlsx").stat().st_size < 25e6

    start = time.perf_counter()
    assert _ingest(paths) == 1
    assert time.perf_counter() - start < 30

    out = capsys.readouterr().out
    assert len(out.splitlines()) < 10
    dense = _issues(paths, "tät.xlsx")
    assert dense["rule"].tolist() == ["arbetsbok_olaslig"] and dense["sheet"].tolist() == [FOLLOW_UPS_SHEET]
    assert f"Fliken '{FOLLOW_UPS_SHEET}' har {number(FIRST_DATA_ROW + 9 + 200_000, 0)} rader" in dense["message"].iloc[0]
    assert f"högst {number(MAX_SHEET_ROWS, 0)} rader per flik" in dense["message"].iloc[0]
    bomb = _issues(paths, "radbomb.ods")
    assert f"Fliken '{DETAILS_SHEET}' har {number(1_000_000, 0)} rader" in bomb["message"].iloc[0]
    assert _boards(paths) == {"GRN"}


def test_findings_printed_are_capped_per_file(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path)
    rows = 30

    def many_wrong(wb):
        s = Sheets(wb, catalogue)
        for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + rows):
            s.copy_row(FOLLOW_UPS_SHEET, FIRST_DATA_ROW, r)
            s.put(FOLLOW_UPS_SHEET, "contribution_id", r, f"GRN-{r}")
            s.put(FOLLOW_UPS_SHEET, "movement", r, "Bra")

    write_submission(catalogue, paths, OCCASION, "GRN", mutate=many_wrong)
    assert _ingest(paths) == 1
    lines = [l for l in capsys.readouterr().out.splitlines() if "GRN.xlsx" in l]
    errors = _issues(paths, "GRN.xlsx")
    errors = errors[errors["severity"] == "error"]
    assert len(errors) > rows
    assert len(lines) == PRINTED_PER_FILE + 1
    assert lines[-1] == f"  … och {number(len(errors) - PRINTED_PER_FILE, 0)} fel till i GRN.xlsx, se återkopplingen."


def test_the_feedback_workbook_lists_a_bounded_number_of_findings_per_file(tmp_path):
    n = 20_000
    issues = [{"source_file": "GRN.xlsx", "severity": "error", "sheet": FOLLOW_UPS_SHEET, "cell": f"D{r}",
               "rule": "ogiltig_kod", "message": "'Bra' är inget giltigt värde.", "value": "Bra"} for r in range(4, 4 + n)]
    files = [{"source_file": "GRN.xlsx", "status": "rejected", "submitted_on": None}]
    start = time.perf_counter()
    wb = feedback.board_workbook(OCCASION, "GRN", "Grundskolenämnden", files, issues, tmp_path, tmp_path, False)
    assert time.perf_counter() - start < 10
    ws = wb[feedback.FINDINGS_SHEET]
    listed = [r for r in range(feedback.FINDINGS_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 3).value]
    assert len(listed) == LISTED_PER_FILE
    assert ws.cell(ws.max_row, 6).value.startswith(f"… och {number(n - LISTED_PER_FILE, 0)} fynd till")
    assert wb[feedback.FILES_SHEET].cell(2, 4).value == n  # the count is of every finding


# --- only what changed is read ---------------------------------------------------------------


def _parsed(monkeypatch) -> list[str]:
    import analysis.intake.ingest as ingest

    names: list[str] = []
    real = ingest.read_workbook

    def counting(data, source_file, *args):
        names.append(source_file)
        return real(data, source_file, *args)

    monkeypatch.setattr(ingest, "read_workbook", counting)
    return names


def _table_bytes(paths: Paths) -> dict[str, bytes]:
    return {str(p.relative_to(paths.processed)): p.read_bytes() for p in paths.processed.rglob("*.parquet")}


def test_only_new_or_changed_files_are_parsed_and_the_tables_equal_a_full_read(tmp_path, example_city, monkeypatch):
    from conftest import copy_raw

    paths = Paths.at(tmp_path)
    for occasion in ("2024-budget", OCCASION):
        copy_raw(example_city, paths, occasion)
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 0
    parsed = _parsed(monkeypatch)

    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 0
    assert parsed == []
    unchanged = _table_bytes(paths)

    changed = sorted(paths.raw_for(OCCASION).glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(changed)
    Sheets(wb, None).detail("contact", "Ny kontaktperson")
    wb.save(changed)
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 0
    assert parsed == [changed.name]
    reused = _table_bytes(paths)
    assert reused != unchanged

    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet", "--force"]) == 0
    assert len(parsed) == 1 + len(list(paths.raw.rglob("*.xlsx")))
    assert _table_bytes(paths) == reused


def test_a_changed_catalogue_reads_every_file_again(tmp_path, catalogue, monkeypatch):
    paths = Paths.at(tmp_path)
    for board in ("GRN", "TN"):
        write_submission(catalogue, paths, OCCASION, board)
    assert _ingest(paths) == 0
    parsed = _parsed(monkeypatch)
    renamed = renamed_board_catalogue(paths)
    assert _ingest(paths) == 0
    assert sorted(parsed) == ["GRN.xlsx", "TN.xlsx"]
    names = read_table(paths.processed, "submissions").astype({"board_code": str}).set_index("board_code")["board_name"]
    assert names["GRN"] == renamed


def test_an_encrypted_xls_is_refused_as_password_protected(tmp_path, catalogue):
    """Excel marks an encrypted .xls by a FILEPASS record at the start of its workbook stream."""
    import olefile
    import struct

    from office_formats import to_xls

    paths = Paths.at(tmp_path)
    write_submission(catalogue, paths, OCCASION, "GRN")
    source = write_submission(catalogue, paths, OCCASION, "TN", name="tmp.xlsx")
    target = paths.raw_for(OCCASION) / "krypterad.xls"
    to_xls(source, target)
    source.unlink()
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        bof_size = struct.unpack_from("<H", stream, 2)[0]
        assert struct.unpack_from("<H", stream, 4 + bof_size)[0] == 0x00E1  # the record after BOF, replaced in place
        struct.pack_into("<H", stream, 4 + bof_size, 0x002F)  # FILEPASS
        ole.write_stream("Workbook", bytes(stream))

    assert _ingest(paths) == 1
    assert "lösenordsskyddad" in _issues(paths, "krypterad.xls")["message"].iloc[0]
    assert _boards(paths) == {"GRN"}
