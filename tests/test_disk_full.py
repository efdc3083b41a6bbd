"""A full disk names the file. Every writer of the store, the aggregates, the feedback, the
templates, the example data and the judgement file is made to fail for want of space
(its low-level write raises ENOSPC, after writing part of the file as a real one would);
the command then ends with exit status 3 and one line naming the file as the person
knows it (a table's name, never a staging path), and nothing half-written is left: no
staging folder, no temporary file, the current tables and outputs as they were. One case
fills a real small disk (a tmpfs)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis import feedback
from analysis.cli import main
from analysis.config import Paths
from analysis.errors import DiskFull
from analysis.files import writing

from conftest import copy_data, write_submission

OCCASION = "2024-delar"
ENOSPC = OSError(errno.ENOSPC, "No space left on device")
# How Arrow's Parquet writer reports it; older versions give no errno, only the text.
ARROW_ENOSPC = OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")


def _message(label: str) -> str:
    return f"malstyrning: fel: disken är full; kunde inte skriva {label}. Frigör utrymme och kör igen.\n"


def _tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, hidden ones too: files by SHA-256, links by target."""
    found = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_file():
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "/"
    return found


def _state(paths: Paths) -> dict[str, str]:
    """The processed tables (every snapshot, the link, the aggregates) and the outputs."""
    return {**{f"processed/{k}": v for k, v in _tree(paths.root / "data" / "processed").items()},
            **{f"reports/{k}": v for k, v in _tree(paths.reports).items()}}


@pytest.fixture(scope="module")
def small_root(tmp_path_factory, catalogue) -> Paths:
    """One board's workbook for one occasion, ingested (its feedback written)."""
    paths = Paths.at(tmp_path_factory.mktemp("disk_full"))
    write_submission(catalogue, paths, OCCASION, "GRN")
    assert main(["--root", str(paths.root), "ingest", "--quiet", "--period", OCCASION]) == 0
    return paths


@pytest.fixture
def root(small_root, tmp_path, catalogue) -> Paths:
    """A copy of the small root (its tables and feedback) with a second board's workbook to ingest."""
    paths = copy_data(small_root, tmp_path)
    shutil.copytree(small_root.reports, paths.reports, symlinks=True)
    write_submission(catalogue, paths, OCCASION, "MN")
    return paths


def _ingest(paths: Paths) -> int:
    return main(["--root", str(paths.root), "ingest", "--quiet", "--period", OCCASION])


def _full_parquet(monkeypatch, name: str, error: OSError = ENOSPC) -> None:
    """The Parquet writer runs out of space on the table `name` (as staged: in a hidden
    `.ny-` folder), after writing part of it."""
    real = pd.DataFrame.to_parquet

    def to_parquet(frame, where, *args, **kwargs):
        path = Path(where)
        if path.as_posix().endswith(f"/{name}.parquet") and path.parents[len(Path(name).parts) - 1].name.startswith(".ny-"):
            path.write_bytes(b"PAR1 and then no more")
            raise error
        return real(frame, where, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)


# --- the mechanism -------------------------------------------------------------------------


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device", "/x/.ny-1/a.parquet"),
                                   OSError(errno.EDQUOT, "Disk quota exceeded"), ARROW_ENOSPC])
def test_a_write_without_space_is_told_by_the_name_people_know(error):
    with pytest.raises(DiskFull) as caught:
        with writing("tabellen follow_ups"):
            raise error
    assert caught.value.label == "tabellen follow_ups"
    assert str(caught.value) == "disken är full; kunde inte skriva tabellen follow_ups"
    assert caught.value.__cause__ is error


def test_other_errors_pass_and_the_innermost_block_names_the_file():
    with pytest.raises(PermissionError):
        with writing("tabellen follow_ups"):
            raise PermissionError(errno.EACCES, "Permission denied")
    with pytest.raises(DiskFull) as caught:
        with writing("en ny version av aktuell"):
            with writing("tabellen history/follow_ups"):
                raise ENOSPC
    assert caught.value.label == "tabellen history/follow_ups"


# --- the snapshot of the processed tables ----------------------------------------------------


@pytest.mark.parametrize("table, error", [("history/follow_ups", ENOSPC), ("staged/cells", ARROW_ENOSPC),
                                          ("submissions", ARROW_ENOSPC), ("follow_ups", ENOSPC),
                                          ("validation_issues", ENOSPC)])
def test_a_table_of_the_snapshot_that_cannot_be_written_is_named(root, monkeypatch, capsys, table, error):
    before = _state(root)
    _full_parquet(monkeypatch, table, error)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"tabellen {table}")
    assert _state(root) == before  # no staging folder, the current snapshot and link as they were


def test_a_stamp_that_cannot_be_written_is_named(root, monkeypatch, capsys):
    before = _state(root)
    real = Path.write_text

    def write_text(self, text, *args, **kwargs):
        if self.parent.name == "stamps" and self.parents[1].name.startswith(".ny-"):
            real(self, text[:10], *args, **kwargs)
            raise ENOSPC
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"stämpeln för {OCCASION}")
    assert _state(root) == before


def test_a_snapshot_that_cannot_be_switched_to_is_named_and_removed(root, monkeypatch, capsys):
    """The new snapshot is complete, but the link to it cannot be made."""
    before = _state(root)
    real = os.symlink

    def symlink(source, target, *args, **kwargs):
        if Path(target).parent == root.processed.parent:
            raise ENOSPC
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "symlink", symlink)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"en ny version av {root.processed}")
    assert _state(root) == before  # not even a complete version left that nothing links to


def test_a_snapshot_that_cannot_be_begun_is_named(root, monkeypatch, capsys):
    import tempfile

    before = _state(root)
    real = tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == root.snapshots:
            raise ENOSPC
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"en ny version av {root.processed}")
    assert _state(root) == before


def test_the_lock_that_cannot_be_written_is_named(root, monkeypatch, capsys):
    before = _state(root)

    def pwrite(fd, data, offset):
        raise ENOSPC

    monkeypatch.setattr(os, "pwrite", pwrite)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"låsfilen {root.lock_file}")
    assert _state(root) == before


# --- the feedback ----------------------------------------------------------------------------


def test_a_feedback_file_that_cannot_be_written_is_named(root, monkeypatch, capsys):
    """The tables are in (the feedback is written after them, from them); the feedback's
    new version is not: the last one stays, and no staged version is left."""
    reports = _tree(root.reports)
    real = Path.write_bytes

    def write_bytes(self, data):
        if self.parent.name == feedback.FOLDER and self.name == "MN.xlsx":
            real(self, data[:100])
            raise ENOSPC
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    assert _ingest(root) == 3
    assert capsys.readouterr().err == _message(f"återkopplingen validering/MN.xlsx för {OCCASION}")
    assert _tree(root.reports) == reports
    assert "MN" in set(pd.read_parquet(root.processed / "submissions.parquet")["board_code"].astype(str))


# --- the aggregates --------------------------------------------------------------------------


@pytest.mark.parametrize("table, label", [("coverage", f"sammanställningstabellen coverage för {OCCASION}"),
                                          ("goal_signal", f"sammanställningstabellen goal_signal för {OCCASION}")])
def test_an_aggregate_table_that_cannot_be_written_is_named(small_root, tmp_path, monkeypatch, capsys, table, label):
    paths = copy_data(small_root, tmp_path)
    before = _state(paths)
    _full_parquet(monkeypatch, table)
    assert main(["--root", str(paths.root), "aggregate", "--period", OCCASION]) == 3
    assert capsys.readouterr().err == _message(label)
    assert _without_aggregates_folder(paths) == before  # no aggregates, staged or whole


def test_the_stamp_of_the_aggregates_that_cannot_be_written_is_named(small_root, tmp_path, monkeypatch, capsys):
    paths = copy_data(small_root, tmp_path)
    before = _state(paths)
    real = Path.write_text

    def write_text(self, text, *args, **kwargs):
        if self.name == "stamp.json":
            raise ENOSPC
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    assert main(["--root", str(paths.root), "aggregate", "--period", OCCASION]) == 3
    assert capsys.readouterr().err == _message(f"stämpeln för sammanställningarna för {OCCASION}")
    assert _without_aggregates_folder(paths) == before


# --- templates, example data, the judgement file ----------------------------------------------


def _full_after(monkeypatch, written: int) -> None:
    """Every file after the first `written` ones is cut short by a full disk."""
    real = Path.write_bytes
    count = [0]

    def write_bytes(self, data):
        count[0] += 1
        if count[0] > written:
            real(self, data[:100])
            raise ENOSPC
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_template_that_cannot_be_written_is_named(fresh_root, tmp_path, monkeypatch, capsys):
    out = tmp_path / "mallar"
    _full_after(monkeypatch, 0)
    assert main(["--root", str(fresh_root.root), "template", "--period", OCCASION, "--board", "GRN", "--out", str(out)]) == 3
    name = "GRN Grundskolenämnden – Delårsrapport 2024.xlsx"
    assert capsys.readouterr().err == _message(f"mallen {out / name}")
    assert list(out.iterdir()) == []


def test_an_example_workbook_that_cannot_be_written_is_named(fresh_root, monkeypatch, capsys):
    _full_after(monkeypatch, 2)
    assert main(["--root", str(fresh_root.root), "demo", "--period", OCCASION]) == 3
    err = capsys.readouterr().err
    folder = fresh_root.raw_for(OCCASION)
    written = sorted(folder.iterdir())
    assert len(written) == 2 and not [p for p in written if p.name.startswith(".")]
    for path in written:
        openpyxl.load_workbook(path)  # whole
    prefix, suffix = _message("exempelarbetsboken X").split("X")
    assert err.startswith(prefix + str(folder) + "/") and err.endswith(suffix)
    assert Path(err[len(prefix):-len(suffix)]).parent == folder
    assert Path(err[len(prefix):-len(suffix)]).suffix == ".xlsx"
    assert not Path(err[len(prefix):-len(suffix)]).exists()


def _without_aggregates_folder(paths: Paths) -> dict[str, str]:
    """The state, less the occasion's aggregates folder, which must be empty (made to hold them)."""
    assert not any((paths.aggregates / OCCASION).iterdir())
    state = _state(paths)
    for folder in (f"processed/aggregates/{OCCASION}", "processed/aggregates"):
        assert state.pop(folder) == "/"
    return state


def _judgement_inputs(small_root):
    from analysis.aggregates import aggregates_for
    from analysis.catalogue import catalogue_for, load_catalogues
    from analysis.occasion import Occasion

    occasion = Occasion.parse(OCCASION)
    catalogues = load_catalogues(small_root.reference)
    tables, _ = aggregates_for(small_root, catalogues, occasion, store=False)
    return tables, catalogue_for(occasion, catalogues), occasion


def test_a_judgement_file_that_cannot_be_written_is_named(small_root, tmp_path, monkeypatch):
    from analysis.report.judgement import ensure_judgement_file

    tables, catalogue, occasion = _judgement_inputs(small_root)
    path = tmp_path / "bedomning.xlsx"
    _full_after(monkeypatch, 0)
    with pytest.raises(DiskFull) as caught:
        ensure_judgement_file(path, tables, catalogue, occasion)
    assert caught.value.label == f"bedömningsfilen {path}"
    assert list(tmp_path.iterdir()) == []


def test_a_judgement_file_that_cannot_be_upgraded_is_left_as_it_was(small_root, tmp_path, monkeypatch):
    """An earlier layout (a sheet missing) to upgrade: the copy of the original is made,
    the upgraded file cannot be written; the file is as it was, with no copy beside it."""
    from analysis.report.judgement import ensure_judgement_file, levels

    tables, catalogue, occasion = _judgement_inputs(small_root)
    path = tmp_path / "bedomning.xlsx"
    ensure_judgement_file(path, tables, catalogue, occasion)
    wb = openpyxl.load_workbook(path)
    del wb[levels(catalogue.is_period_end(occasion))[-1].sheet]
    wb.save(path)
    before = _tree(tmp_path)
    _full_after(monkeypatch, 0)  # the copy is made with shutil (no write_bytes): only the upgrade fails
    with pytest.raises(DiskFull) as caught:
        ensure_judgement_file(path, tables, catalogue, occasion)
    assert caught.value.label == f"bedömningsfilen {path}"
    assert _tree(tmp_path) == before


# --- a real small disk -----------------------------------------------------------------------


def _mount(folder: Path, size_k: int, remount: bool = False) -> None:
    options = f"remount,size={size_k}k" if remount else f"size={size_k}k"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        raise PermissionError(done.stderr.strip() or f"mount ended with {done.returncode}")


def _used_k(folder: Path) -> int:
    stat = os.statvfs(folder)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of its own (needs root: skipped, saying so, where mounting is not allowed)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a real small disk needs `mount -t tmpfs` as root; the writers' own tests above make them fail instead")
    try:
        _mount(folder, 64 * 1024)
    except PermissionError as exc:
        pytest.skip(f"mounting a tmpfs is not permitted here ({exc}); the writers' own tests above make them fail instead")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_ingesting_the_example_city_on_a_full_disk_names_the_table_and_leaves_the_last_snapshot(example_city, small_disk, capsys):
    """`ingest --all` of the whole example city with 300 KB free (its snapshot takes about
    650 KB): a table of the new snapshot cannot be written. Freed, the disk takes it."""
    paths = copy_data(example_city, small_disk)
    current = paths.snapshots / os.readlink(paths.processed).split("/")[-1]
    tables = {f"tabellen {p.relative_to(current).with_suffix('').as_posix()}" for p in current.rglob("*.parquet")}
    before = _state(paths)
    _mount(small_disk, _used_k(small_disk) + 300, remount=True)
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 3
    err = capsys.readouterr().err
    prefix, suffix = _message("X").split("X")
    assert err.startswith(prefix) and err.endswith(suffix) and err.count("\n") == 1, err
    assert err[len(prefix):-len(suffix)] in tables, err
    assert _state(paths) == before  # no staging folder, no part of a table, the same snapshot current
    _mount(small_disk, _used_k(small_disk) + 8 * 1024, remount=True)
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 1  # the example's two rejected files


# --- the report's files ---------------------------------------------------------------------

REPORTED = "2026-delar"  # a report of the shared example city (conftest.reported_city)


def _partly_then_full(path_of):
    """A writer that writes part of its file (`path_of(args, kwargs)`) and then finds the
    disk full."""
    def writer(*args, **kwargs):
        path = Path(path_of(args, kwargs))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"halv")
        raise OSError(errno.ENOSPC, "No space left on device")
    return writer


def _full_for(name: str, real):
    """write_text that finds the disk full for the file named `name` only."""
    def writer(path, text):
        if Path(path).name == name:
            return _partly_then_full(lambda a, k: a[0])(path, text)
        return real(path, text)
    return writer


REPORT_WRITERS = {
    # writer: (what fails, the name the message gives)
    "diagram": ("analysis.report.export.export_charts", lambda a, k: a[1] / "forflyttning_per_malomrade.png", "diagram/"),
    "excel": ("analysis.report.produce.write_excel", lambda a, k: a[1], "sammanstalld_analys.xlsx"),
    "word": ("analysis.report.produce.write_word", lambda a, k: a[4], "sammanstalld_analys.docx"),
    "notebook": ("analysis.report.produce.execute_notebook", lambda a, k: a[1], "sammanstalld_analys.ipynb"),
    "pdf": ("analysis.report.pdf.convert_to_pdf", lambda a, k: a[1], "sammanstalld_analys.pdf"),
    "html": ("write_text", "sammanstalld_analys.html", "sammanstalld_analys.html"),
    "underlag": ("write_text", "underlag.json", "underlag.json"),
}


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(REPORT_WRITERS))
def test_a_report_file_that_cannot_be_written_is_named_and_the_last_report_is_kept(reported_city, tmp_path, monkeypatch,
                                                                                   capsys, writer):
    from conftest import copy_city

    from analysis.report import produce

    target, where, label = REPORT_WRITERS[writer]
    if writer == "pdf" and not shutil.which("soffice"):
        pytest.skip("LibreOffice saknas: ingen PDF skrivs")
    paths = copy_city(reported_city[0], tmp_path / "stad")
    before = _tree(paths.reports)
    if writer != "pdf":  # the PDF is made beside the notebook and the HTML, and only its own case needs it
        monkeypatch.setattr("analysis.report.pdf.soffice", lambda: None)
    if target == "write_text":
        monkeypatch.setattr(produce, "write_text", _full_for(where, produce.write_text))
    else:
        monkeypatch.setattr(target, _partly_then_full(where))
    capsys.readouterr()
    # Not --force: the last report's charts are copied, as a report after a new judgement
    # copies them (the chart writer's own case replaces the writer).
    assert main(["--root", str(paths.root), "report", "--period", REPORTED]) == 3
    assert capsys.readouterr().err == _message(f"{label} för {REPORTED}")
    assert _tree(paths.reports) == before  # the last report as it was, nothing half-written beside it
