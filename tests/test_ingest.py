"""Ingestion: what the boards wrote arrives in the tidy tables, typed and traceable to
its cell; broken files are reported one by one without stopping the run; raw files are
never touched; reruns are idempotent and writes atomic."""

import hashlib
import io
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.boards import demo
from analysis.cli import main
from analysis.config import Paths
from analysis.intake.store import read_table
from analysis.boards.layout import (
    CONTRIBUTIONS_SHEET,
    DETAILS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HEADER_ROW,
    HUMAN_RIGHTS_SHEET,
)

from conftest import copy_raw, write_submission


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ingest(paths: Paths, *args: str) -> int:
    return main(["--root", str(paths.root), "ingest", "--quiet", *args])


def _board_file(paths: Paths, occasion: str, board: str):
    for path in paths.raw_for(occasion).glob("*.xlsx"):
        wb = openpyxl.load_workbook(path, read_only=True)
        if wb[DETAILS_SHEET]["B3"].value == board:
            return path
    raise LookupError(board)


# --- round trip ----------------------------------------------------------------------


def test_round_trip_contributions_equal_the_generators_plan(example_city, catalogue):
    contributions = read_table(example_city.processed, "contributions")
    budget = contributions[contributions["occasion"] == "2023-budget"]
    for board in ("GRN", "TN", "MKB", "KS"):
        plan = [c for c in demo.board_plan(catalogue, board) if c.start_year == 2023]
        got = budget[budget["board_code"] == board]
        assert got["contribution_id"].tolist() == [c.contribution_id for c in plan]
        assert got["goal_code"].astype(str).tolist() == [c.goal_code for c in plan]
        assert got["title"].tolist() == [c.title for c in plan]
        assert got["expected_movement"].tolist() == [c.expected_movement for c in plan]
        assert got["partner_boards"].fillna("").tolist() == [c.partner_boards or "" for c in plan]


def test_round_trip_follow_ups_equal_the_cells_of_the_workbook(example_city, catalogue):
    """Read the demo workbook with openpyxl (not the ingestion reader) and compare."""
    path = _board_file(example_city, "2025-delar", "GRN")
    ws = openpyxl.load_workbook(path)[FOLLOW_UPS_SHEET]
    headers = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    movement, outlook = catalogue.scales["movement"], catalogue.scales["outlook"]
    expected = []
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        cid = ws.cell(r, headers["Bidrags-id"]).value
        if cid:
            expected.append((cid, movement.code_for(ws.cell(r, headers["Bedömd förflyttning"]).value),
                             outlook.code_for(ws.cell(r, headers["Nås önskad förflyttning under mandatperioden?"]).value),
                             ws.cell(r, headers["Analys"]).value, r))
    follow_ups = read_table(example_city.processed, "follow_ups")
    got = follow_ups[(follow_ups["occasion"] == "2025-delar") & (follow_ups["board_code"] == "GRN")]
    assert len(expected) >= 1
    assert list(zip(got["contribution_id"], got["movement"].astype(str), got["outlook"].astype(str),
                    got["analysis"], got["excel_row"])) == expected
    assert set(got["source_file"]) == {path.name}
    assert set(got["sha256"]) == {_sha(path)}
    assert set(got["sheet"].astype(str)) == {FOLLOW_UPS_SHEET}


def test_every_occasion_of_the_period_is_in_the_tables(example_city):
    subs = read_table(example_city.processed, "submissions")
    occasions = [str(o) for o in subs["occasion"].cat.categories]
    # The period 2023–2026 to its end, and the next period's first budget (the example city's present).
    assert occasions == ["2023-budget", "2023-delar", "2023-ar", "2024-budget", "2024-delar", "2024-ar",
                         "2025-budget", "2025-delar", "2025-ar", "2026-budget", "2026-delar", "2026-ar", "2027-budget"]
    assert subs["occasion"].cat.ordered
    # Every file in raw is listed once.
    raw_files = sum(len(list(example_city.raw_for(o).glob("*.xlsx"))) for o in occasions)
    assert len(subs) == raw_files
    # One current submission per board and occasion.
    current = subs[subs["status"] == "current"]
    assert not current.duplicated(["occasion", "board_code"]).any()


def test_columns_are_typed(example_city, catalogue):
    follow_ups = read_table(example_city.processed, "follow_ups")
    assert isinstance(follow_ups["movement"].dtype, pd.CategoricalDtype)
    assert list(follow_ups["movement"].cat.categories) == list(catalogue.scales["movement"].codes)
    assert isinstance(follow_ups["board_code"].dtype, pd.CategoricalDtype)
    assert str(follow_ups["excel_row"].dtype) == "Int64"
    assert str(follow_ups["analysis"].dtype) == "string"
    indicators = read_table(example_city.processed, "indicators")
    assert str(indicators["baseline_year"].dtype) == "Int64" and str(indicators["value"].dtype) == "Float64"
    assert len(indicators) > 0
    subs = read_table(example_city.processed, "submissions")
    assert str(subs["submitted_on"].dtype).startswith("datetime64")
    assert subs["example_data"].all()
    hr = read_table(example_city.processed, "human_rights")
    base = hr[hr["scope"] == "base_mission"]
    assert base["contribution_id"].isna().all() and len(base) > 0


def test_resubmission_replaces_the_earlier_file_and_keeps_it_in_history(example_city):
    subs = read_table(example_city.processed, "submissions")
    occasion = subs[subs["occasion"] == "2025-ar"]
    board = occasion.loc[occasion["source_file"].str.contains("första versionen"), "board_code"].iloc[0]
    files = occasion[occasion["board_code"] == board].sort_values("submitted_on")
    assert files["status"].tolist() == ["rejected", "current"]
    history = read_table(example_city.processed / "history", "follow_ups")
    in_history = history[(history["occasion"] == "2025-ar") & (history["board_code"] == board)]
    assert set(in_history["sha256"]) == set(files["sha256"])
    current = read_table(example_city.processed, "follow_ups")
    current = current[(current["occasion"] == "2025-ar") & (current["board_code"] == board)]
    assert set(current["sha256"]) == {files["sha256"].iloc[-1]}


# --- tolerated variation and meaning not guessed ------------------------------------


def test_harmless_variation_is_tolerated(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    write_submission(catalogue, paths, "2024-delar", "GRN", name="plain.xlsx")
    assert _ingest(paths, "--period", "2024-delar") == 0
    plain = read_table(paths.processed, "follow_ups").drop(columns=["source_file", "sha256", "excel_row"])

    def vary(wb):
        ws = wb[FOLLOW_UPS_SHEET]
        for r in range(FIRST_DATA_ROW, ws.max_row + 1):
            if isinstance(ws.cell(r, 4).value, str):
                ws.cell(r, 4).value = "  " + ws.cell(r, 4).value.upper() + "  "
            if isinstance(ws.cell(r, 7).value, str):
                ws.cell(r, 7).value = ws.cell(r, 7).value + "   "
        ws.move_range(f"D{HEADER_ROW}:E{ws.max_row}", cols=20)  # move two columns far right
        ws.insert_rows(FIRST_DATA_ROW + 1, amount=3)  # blank rows in between
        ws.cell(HEADER_ROW, 2).value = "  kf-MÅL "

    shutil.rmtree(paths.raw_for("2024-delar"))
    write_submission(catalogue, paths, "2024-delar", "GRN", name="varied.xlsx", mutate=vary)
    assert _ingest(paths, "--period", "2024-delar") == 0
    varied = read_table(paths.processed, "follow_ups").drop(columns=["source_file", "sha256", "excel_row"])
    pd.testing.assert_frame_equal(plain, varied)


def test_unknown_goal_is_reported_never_matched(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path)

    def wrong_goal(wb):
        wb[CONTRIBUTIONS_SHEET].cell(FIRST_DATA_ROW, 2).value = "1.11 Fler barn och elever ska nå kunskapsmålen"

    write_submission(catalogue, paths, "2023-budget", "GRN", mutate=wrong_goal)
    write_submission(catalogue, paths, "2023-budget", "TN")
    assert _ingest(paths, "--period", "2023-budget") == 1
    out = capsys.readouterr().out
    assert "AVVISAD GRN.xlsx" in out and "'1.11'" in out and f"cell B{FIRST_DATA_ROW}" in out
    contributions = read_table(paths.processed, "contributions")
    assert set(contributions["board_code"].astype(str)) == {"TN"}


# --- malformed files ------------------------------------------------------------------


def _encrypted(path):
    import msoffcrypto.format.ooxml as ooxml

    plain = io.BytesIO(path.read_bytes())
    with path.open("wb") as out:
        ooxml.OOXMLFile(plain).encrypt("hemligt", out)


def _zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))


def _drop_sheet(sheet):
    def mutate(wb):
        del wb[sheet]
    return mutate


def _unknown_board(wb):
    wb[DETAILS_SHEET]["B3"].value = "XYZ"


def _zip_with(member: str, text: str = "<x/>", mimetype: str | None = None):
    def make(path):
        with zipfile.ZipFile(path, "w") as z:
            if mimetype:
                z.writestr("mimetype", mimetype)
            z.writestr(member, text)
    return make


MALFORMED = {
    "pdf.xlsx": (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"), "Filen är en PDF, inte en arbetsbok"),
    "brev.pdf": (lambda p: p.write_bytes(b"%PDF-1.7\n"), "Filen är en PDF"),
    "tabell.csv": (lambda p: p.write_text("Bidrag-ID;KF-mål\nGRN-01;1.1\n"), "Filen är en textfil"),
    "tom.xlsx": (lambda p: p.write_bytes(b""), "Filen är tom"),
    "trasig.xls": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024), "skadad"),
    "trasig.xlsx": (None, "skadad"),
    "krypterad.xlsx": (None, "lösenordsskyddad"),
    "bomb.xlsx": (_zip_bomb, "zip-bomb"),
    "word.xlsx": (_zip_with("word/document.xml"), "Word-dokument"),
    "binar.xlsb": (_zip_with("xl/workbook.bin"), "binär Excel-arbetsbok (.xlsb)"),
    "text.odt": (_zip_with("content.xml", mimetype="application/vnd.oasis.opendocument.text"), "inget kalkylark"),
    "utan_flik.xlsx": (None, "Fliken 'Mänskliga rättigheter' saknas"),
    "okand_namnd.xlsx": (None, "Nämnd/bolag 'XYZ' finns inte i målkatalogen"),
    "utan_rubrik.xlsx": (None, "Fliken 'Bidrag' saknar kolumnen 'Beskrivning av bidraget'"),
}


def test_malformed_workbooks_each_get_their_message_and_the_rest_load(tmp_path, catalogue, capsys):
    paths = Paths.at(tmp_path)
    good = [write_submission(catalogue, paths, "2024-delar", b) for b in ("GRN", "TN", "MKB")]
    folder = paths.raw_for("2024-delar")
    for name, (make, _) in MALFORMED.items():
        path = folder / name
        if make is not None:
            make(path)
    valid = good[0].read_bytes()
    (folder / "trasig.xlsx").write_bytes(valid[: len(valid) // 2])
    (folder / "krypterad.xlsx").write_bytes(valid)
    _encrypted(folder / "krypterad.xlsx")
    write_submission(catalogue, paths, "2024-delar", "FN", name="utan_flik.xlsx", mutate=_drop_sheet(HUMAN_RIGHTS_SHEET))
    write_submission(catalogue, paths, "2024-delar", "KN", name="okand_namnd.xlsx", mutate=_unknown_board)
    write_submission(catalogue, paths, "2024-delar", "SN", name="utan_rubrik.xlsx",
           mutate=lambda wb: wb[CONTRIBUTIONS_SHEET].cell(HEADER_ROW, 4, "Något annat"))
    # Lock files are skipped silently.
    (folder / "~$GRN.xlsx").write_bytes(b"lock")
    (folder / ".~lock.GRN.xlsx#").write_text("lock")
    before = {p.name: _sha(p) for p in folder.iterdir()}

    assert _ingest(paths, "--period", "2024-delar") == 1

    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "~$GRN" not in out and ".~lock" not in out
    for name, (_, message) in MALFORMED.items():
        line = next((l for l in out.splitlines() if l.startswith(f"  AVVISAD {name}:")), None)
        assert line is not None, f"{name} not reported:\n{out}"
        assert message in line, line
    issues = read_table(paths.processed, "validation_issues")
    # Valid files may carry warnings (they are accepted); only the malformed ones have errors.
    assert set(issues.loc[issues["severity"] == "error", "source_file"]) == set(MALFORMED)
    assert issues.loc[issues["source_file"] == "okand_namnd.xlsx", "cell"].iloc[0] == "B3"
    # The valid files were loaded, and nothing in raw changed.
    assert set(read_table(paths.processed, "follow_ups")["board_code"].astype(str)) == {"GRN", "TN", "MKB"}
    subs = read_table(paths.processed, "submissions")
    assert (subs["status"] == "rejected").sum() == len(MALFORMED)
    assert {p.name: _sha(p) for p in folder.iterdir()} == before


# --- reruns, occasions, atomic writes -----------------------------------------------


def _tables(paths):
    names = ["submissions", "contributions", "follow_ups", "human_rights", "indicators", "validation_issues"]
    return {n: read_table(paths.processed, n) for n in names}


def test_rerun_gives_identical_tables_and_replaces_only_its_occasion(tmp_path, example_city):
    paths = Paths.at(tmp_path)
    for occasion in ("2024-budget", "2024-delar"):
        copy_raw(example_city, paths, occasion)
    assert _ingest(paths, "--all") == 0
    first = _tables(paths)
    bytes_before = {p.name: p.read_bytes() for p in paths.processed.glob("*.parquet")}
    assert _ingest(paths, "--period", "2024-budget") == 0
    second = _tables(paths)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert {p.name: p.read_bytes() for p in paths.processed.glob("*.parquet")} == bytes_before

    # Removing a board's file from one occasion changes only that occasion's rows.
    board_file = _board_file(paths, "2024-budget", "GRN")
    board_file.unlink()
    assert _ingest(paths, "--period", "2024-budget") == 0
    after = read_table(paths.processed, "contributions")
    delar = lambda f: f[f["occasion"] == "2024-delar"].reset_index(drop=True)
    pd.testing.assert_frame_equal(delar(first["contributions"]), delar(after))
    subs = read_table(paths.processed, "submissions")
    # The board's earlier, now removed, file stays in the history as a submission.
    assert ((subs["occasion"] == "2024-budget") & (subs["board_code"] == "GRN")).sum() == 1


def test_an_interrupted_write_leaves_the_previous_tables(tmp_path, example_city, monkeypatch):
    paths = Paths.at(tmp_path)
    copy_raw(example_city, paths, "2024-budget")
    assert _ingest(paths, "--period", "2024-budget") == 0
    before = {p: p.read_bytes() for p in paths.processed.rglob("*.parquet")}
    copy_raw(example_city, paths, "2024-delar")

    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    assert _ingest(paths, "--all") == 130
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in paths.processed.rglob("*.parquet")}
    assert after == before
    assert not [p for p in paths.processed.parent.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


def test_usage_errors_exit_2_with_a_swedish_message(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-halvår"]) == 2
    assert "Okänt rapporteringstillfälle '2024-halvår'" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "ingest", "--period", "2024-delar"]) == 2
    assert "finns inte" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--root", str(tmp_path), "ingest"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "fel:" in err and "krävs" in err and "Traceback" not in err


def test_help_is_swedish(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("Användning: malstyrning")
    assert "visa den här hjälpen" in out and "kommandon" in out


def test_the_same_file_in_the_wrong_folder_does_not_double_the_current_rows(tmp_path, catalogue):
    paths = Paths.at(tmp_path)
    right = write_submission(catalogue, paths, "2024-delar", "GRN")
    wrong = paths.raw_for("2024-ar") / right.name
    wrong.parent.mkdir(parents=True)
    shutil.copy2(right, wrong)
    write_submission(catalogue, paths, "2024-ar", "TN")
    assert _ingest(paths, "--all") == 1  # the copy declares 2024-delar in a 2024-ar folder
    follow_ups = read_table(paths.processed, "follow_ups")
    grn = follow_ups[follow_ups["board_code"] == "GRN"]
    assert set(grn["occasion"].astype(str)) == {"2024-delar"}
    assert not grn.duplicated(["occasion", "contribution_id"]).any()
    subs = read_table(paths.processed, "submissions")
    copy = subs[(subs["occasion"] == "2024-ar") & (subs["board_code"] == "GRN")]
    assert copy["status"].tolist() == ["rejected"]
