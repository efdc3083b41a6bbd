"""The store and the report's files are replaced as one set, and only one command writes
at a time: an ingestion or a report killed (SIGKILL) at any of its file replacements
leaves exactly the old set or exactly the new one, and the next run removes what it left
and makes what an uninterrupted run makes; two ingestions started together both land; a
second writer waits with a Swedish line, and gives up after its limit; readers never wait.

The commands run in subprocesses, as a scheduled run would; tests/kill_at.py kills one
just before its k-th call of os.replace, os.rename or os.symlink."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import analysis
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.intake.store import stored_tables
from analysis.versions import KEEP, Versions, report_versions, table_versions

from conftest import CLI_WITHOUT_PDF, copy_city, copy_data, copy_raw

OCCASION = "2026-delar"
INGEST = ("ingest", "--period", OCCASION, "--quiet")
REPORT = ("report", "--period", OCCASION)
KILL_AT = Path(__file__).with_name("kill_at.py")
TIMEOUT_S = 600


def _env(**extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT), **extra}


def _cli(paths: Paths, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(paths.root), *args], env=_env(**env),
                          capture_output=True, text=True, timeout=TIMEOUT_S)


def _killed_at(k: int, paths: Paths, calls: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILL_AT), str(k), str(calls), "--root", str(paths.root), *args],
                          env=_env(), capture_output=True, text=True, timeout=TIMEOUT_S)


def _copy(paths: Paths, root: Path) -> Paths:
    shutil.copytree(paths.root, root, symlinks=True)
    return Paths.at(root)


def _same_tables(one: dict, other: dict) -> bool:
    if one.keys() != other.keys():
        return False
    for name in one:
        try:
            pd.testing.assert_frame_equal(one[name], other[name])
        except AssertionError:
            return False
    return True


_REPORT_VERSION = re.compile(r"\.\d{4}-[a-z]+\.\d{6}-\d{8}T\d{6}")


def _leftovers(paths: Paths) -> list[str]:
    """Temporary files, hidden staging folders and links, and versions newer than the one
    their stable path leads to (renamed into place, never switched to)."""
    found = []
    for parent, dirs, files in os.walk(paths.root):
        for name in dirs + files:
            if name.endswith(".tmp") or (name.startswith(".") and name != ".malstyrning.lock"
                                         and not _REPORT_VERSION.fullmatch(name)):
                found.append(os.path.relpath(os.path.join(parent, name), paths.root))
    links = [(paths.processed, sorted(p.name for p in paths.snapshots.iterdir()) if paths.snapshots.is_dir() else [])]
    for link in paths.reports.iterdir() if paths.reports.is_dir() else []:
        if not link.name.startswith("."):
            links.append((link, sorted(p.name for p in paths.reports.iterdir() if p.name.startswith(f".{link.name}."))))
    for link, versions in links:
        if versions and Path(os.readlink(link)).name != versions[-1]:
            found.append(f"{link.name}: {versions[-1]} is newer than {os.readlink(link)}")
    return found


def _more_versions(*sets: Versions) -> None:
    """Earlier versions (of the same files), up to the number kept, so that the next
    write also removes the oldest."""
    for versions in sets:
        while len(versions.versions()) < 1 + KEEP:
            with versions.stage() as stage:
                stage.publish()


def _feedback(paths: Paths) -> dict[str, bytes | list]:
    folder = paths.report_for(OCCASION) / "validering"
    return {"files": sorted(p.name for p in folder.iterdir()), "summary": (folder / "sammanfattning.html").read_bytes()}


# --- an ingestion killed at every step ---------------------------------------------


@pytest.mark.slow
def test_an_ingestion_killed_at_any_step_of_its_publication_leaves_the_old_or_the_new_tables(example_city, tmp_path):
    """An ingestion writes its tables into a new snapshot and makes it current in one
    switch: killed at any replacement of that publication (the real code, in a
    subprocess, with the tables a real ingestion made), the tables read are all the old
    ones or all the new ones; the next writer removes what was left."""
    names = sorted(p.name for p in example_city.raw_for(OCCASION).iterdir())[:4]
    before = Paths.at(tmp_path / "before")
    copy_raw(example_city, before, OCCASION, names[:3])
    assert _cli(before, *INGEST).returncode in (0, 1)
    _more_versions(table_versions(before), report_versions(before, OCCASION))
    old = stored_tables(before)
    made = _copy(before, tmp_path / "made")  # the next ingestion, with a board's workbook more
    copy_raw(example_city, made, OCCASION, names[3:])
    assert _cli(made, *INGEST).returncode in (0, 1)
    new = stored_tables(made)
    assert len(new["submissions"]) == 4 and len(old["submissions"]) == 3
    source = made.processed.resolve()

    reference = _copy(before, tmp_path / "reference")
    calls = tmp_path / "calls.txt"
    assert _tables_at(0, reference, calls, source).returncode == 0
    assert _same_tables(stored_tables(reference), new)
    steps = calls.read_text(encoding="utf-8").splitlines()
    # Among the steps: the new snapshot renamed into place, the link switched to it, and
    # the oldest snapshot removed.
    assert any(re.fullmatch(r"\d+ rename .*/data/processed/snapshots/\d{6}-\d{8}T\d{6}", s) for s in steps), steps
    assert any(s.endswith(" replace " + str(reference.processed)) for s in steps), steps
    assert any(re.fullmatch(r"\d+ rename .*/\.bort-[0-9a-f]+", s) for s in steps), steps

    for k, step in enumerate(steps, 1):
        case = _copy(before, tmp_path / f"k{k}")
        killed = _tables_at(k, case, tmp_path / f"calls{k}.txt", source)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        now = stored_tables(case)
        assert _same_tables(now, old) or _same_tables(now, new), f"killed before {step}"
        again = _tables_at(0, case, tmp_path / f"again{k}.txt", source)
        assert again.returncode == 0, (step, again.stderr)
        assert _same_tables(stored_tables(case), new), f"after a kill before {step}"
        assert _leftovers(case) == [], f"after a kill before {step}"
        shutil.rmtree(case.root)


def _tables_at(k: int, paths: Paths, calls: Path, source: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILL_AT), str(k), str(calls), "publish-tables", str(paths.root),
                           str(source)], env=_env(), capture_output=True, text=True, timeout=TIMEOUT_S)


# --- a report killed at every step -----------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a report folder as shown (the stable link followed), by path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _publication(reported_city, tmp_path: Path) -> tuple[Paths, Path, dict, dict]:
    """A root holding the shared example city's report of 2026-delar (its versions behind
    the link, up to the number kept), and a folder with the next report's files: the same
    real files, made later (another time of making, a changed text, one chart fewer, no
    PDF). Returns (root, the new files, the files shown before, the files a whole
    publication shows)."""
    paths, _ = reported_city
    before = Paths.at(tmp_path / "before")
    before.reports.mkdir(parents=True)
    (before.root / "data").mkdir()
    for entry in paths.reports.iterdir():
        if entry.name == OCCASION or entry.name.startswith(f".{OCCASION}."):
            shutil.copytree(entry, before.reports / entry.name, symlinks=True)
    _more_versions(report_versions(before, OCCASION))
    old = _files(before.report_for(OCCASION))
    source = tmp_path / "ny"
    shutil.copytree(before.report_for(OCCASION), source)
    for leftover in ("malstyrning.log", "sammanstalld_analys.pdf"):
        (source / leftover).unlink(missing_ok=True)
    next(iter(sorted((source / "diagram").glob("*.png")))).unlink()
    stamp = json.loads((source / "underlag.json").read_text(encoding="utf-8"))
    stamp["made_at"] = "2027-01-15T10:00:00+01:00"
    (source / "underlag.json").write_text(json.dumps(stamp), encoding="utf-8")
    html = source / "sammanstalld_analys.html"
    html.write_text(html.read_text(encoding="utf-8").replace("</body>", "<!-- den nya rapporten --></body>"), encoding="utf-8")
    new = _files(source)
    if (before.report_for(OCCASION) / "malstyrning.log").exists():  # carried over from the report it replaces
        new["malstyrning.log"] = old["malstyrning.log"]
    return before, source, old, new


def _publish_at(k: int, paths: Paths, calls: Path, source: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILL_AT), str(k), str(calls), "publish", str(paths.root), OCCASION,
                           str(source)], env=_env(), capture_output=True, text=True, timeout=TIMEOUT_S)


def test_a_report_killed_at_any_step_of_its_publication_leaves_the_old_or_the_new_report(reported_city, tmp_path):
    """The report's files are made in a staging folder and replaced as one set: killed at
    any replacement of its publication, the report shown is the old one or the new one,
    whole; the next writer removes what was left, and publishing again shows the new."""
    before, source, old, new = _publication(reported_city, tmp_path)
    assert old != new and "sammanstalld_analys.pdf" not in new

    reference = _copy(before, tmp_path / "reference")
    calls = tmp_path / "calls.txt"
    assert _publish_at(0, reference, calls, source).returncode == 0
    assert _files(reference.report_for(OCCASION)) == new
    steps = calls.read_text(encoding="utf-8").splitlines()
    # Among the steps: the version renamed into place, the link switched, the oldest removed.
    assert any(s.endswith(" replace " + str(reference.report_for(OCCASION))) for s in steps), steps
    assert any(re.fullmatch(r"\d+ rename .*/reports/\.2026-delar\.bort-[0-9a-f]+", s) for s in steps), steps

    for k, step in enumerate(steps, 1):
        case = _copy(before, tmp_path / f"k{k}")
        killed = _publish_at(k, case, tmp_path / f"calls{k}.txt", source)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        assert _files(case.report_for(OCCASION)) in (old, new), f"killed before {step}"
        again = _publish_at(0, case, tmp_path / f"again{k}.txt", source)
        assert again.returncode == 0, (step, again.stderr)
        assert _files(case.report_for(OCCASION)) == new, f"after a kill before {step}"
        assert _leftovers(case) == [], f"after a kill before {step}"
        shutil.rmtree(case.root)


@pytest.mark.slow
def test_a_run_killed_at_a_random_step_leaves_one_whole_report(reported_city, tmp_path):
    """The parts fit: a whole `run --force` killed at a random one of its replacements
    leaves one whole report (its HTML, Excel file and stamp from one run), and the next
    run makes the report and leaves nothing behind."""
    import random

    paths = copy_city(reported_city[0], tmp_path / "stad")
    calls = tmp_path / "calls.txt"
    run = ("run", "--period", OCCASION, "--force")
    # The number of replacements is known from a run of the shared city's own kind: its
    # ingestion and report of one occasion make several dozen; the kill falls among them.
    k = random.Random().randint(1, 40)
    killed = _killed_at(k, paths, calls, *run)
    said = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    assert killed.returncode in (-signal.SIGKILL, 0, 1), killed.stderr
    _whole_report(paths.report_for(OCCASION))
    again = _cli(paths, "run", "--period", OCCASION)  # does what the killed run left undone
    assert again.returncode in (0, 1), again.stderr
    _whole_report(paths.report_for(OCCASION))
    assert _leftovers(paths) == [], (k, said[-1:] if said else None)


def _whole_report(folder: Path) -> None:
    """The report's HTML, Excel file and stamp come from one run: the same time of making."""
    made = json.loads((folder / "underlag.json").read_text(encoding="utf-8"))["made_at"]
    assert f"Framtagen: {made}" in (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(folder / "sammanstalld_analys.xlsx", read_only=True)
    assert ("Framtagen", made) in [tuple(r[:2]) for r in wb["Om underlaget"].iter_rows(values_only=True)]


# --- writers at the same time ------------------------------------------------------------


def _start(paths: Paths, *args: str) -> subprocess.Popen:
    """`malstyrning ARGS` in a subprocess, as where LibreOffice is missing: the races check
    which tables a report rests on, not its PDF."""
    return subprocess.Popen([sys.executable, "-c", CLI_WITHOUT_PDF, "--root", str(paths.root), *args], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _once_it_holds_the_lock(paths: Paths, process: subprocess.Popen, *args: str) -> None:
    """Return once `process` (started with `args`) holds the root's writer lock: the
    holder writes its command into the lock file (analysis.lock)."""
    deadline = time.monotonic() + TIMEOUT_S
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if json.loads(paths.lock_file.read_text(encoding="utf-8"))["command"] == " ".join(args):
                return
        except (OSError, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.02)
    raise AssertionError(f"{args} never held the lock: {process.poll()}")


@pytest.mark.slow
def test_two_ingestions_started_together_both_land(example_city, tmp_path):
    """Each occasion's ingestion rewrites the tables of every occasion: without one writer
    at a time, the later one would drop the rows of the earlier. The second starts once
    the first holds the lock, so it would read the tables during the first one's seconds
    of validation, before the first writes them."""
    plan = {"2026-budget": 2, "2026-delar": 2}
    paths = Paths.at(tmp_path / "stad")
    for occasion, count in plan.items():
        copy_raw(example_city, paths, occasion, sorted(p.name for p in example_city.raw_for(occasion).iterdir())[:count])
    first, second = (("ingest", "--period", occasion, "--quiet") for occasion in plan)
    started = [_start(paths, *first)]
    _once_it_holds_the_lock(paths, started[0], *first)
    started.append(_start(paths, *second))
    results = [process.communicate(timeout=TIMEOUT_S) for process in started]
    assert [process.returncode in (0, 1) for process in started] == [True, True], results
    assert "väntar på att 'ingest --period 2026-budget --quiet'" in results[1][1]  # the second waited for the first
    tables = analysis.load_tables(paths.root)
    counts = tables["submissions"]["occasion"].astype(str).value_counts().to_dict()
    assert counts == plan
    assert set(tables["follow_ups"]["occasion"].astype(str)) == {"2026-delar"}
    assert set(tables["contributions"]["occasion"].astype(str)) == set(plan)


@pytest.mark.slow
@pytest.mark.parametrize("first", ["report", "ingest"])
def test_a_report_beside_an_ingestion_sees_one_whole_state(reported_city, tmp_path, first):
    """A corrected workbook arrives while the report is asked for: whichever goes first
    (the other is started once the first holds the lock), both succeed and the report
    rests on the tables before the ingestion or after it, as the order says. (The
    reports are made as where LibreOffice is missing: the PDF is not what is checked. On
    a copy of the shared reports: a report before the ingestion copies their charts.)"""
    paths = copy_city(reported_city[0], tmp_path / "stad")
    before = json.loads((paths.processed / "stamps" / f"{OCCASION}.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(next(p for p in paths.raw_for(OCCASION).iterdir() if "Förskolenämnden" in p.name))
    wb["Uppföljning"]["D4"].value = "Ingen förflyttning"
    wb.save(paths.raw_for(OCCASION) / "2026-delar Förskolenämnden rättad.xlsx")
    order = [REPORT, INGEST] if first == "report" else [INGEST, REPORT]
    started = [_start(paths, *order[0])]
    _once_it_holds_the_lock(paths, started[0], *order[0])
    started.append(_start(paths, *order[1]))
    results = [process.communicate(timeout=TIMEOUT_S) for process in started]
    report, ingestion = (started[order.index(args)] for args in (REPORT, INGEST))
    assert report.returncode == 0 and ingestion.returncode in (0, 1), results  # 1: a rejected file stays
    assert "väntar på att" in results[1][1]  # the second waited for the first
    after = json.loads((paths.processed / "stamps" / f"{OCCASION}.json").read_text(encoding="utf-8"))
    assert "2026-delar Förskolenämnden rättad.xlsx" in after["files"] and after != before
    stamp = json.loads((paths.report_for(OCCASION) / "underlag.json").read_text(encoding="utf-8"))
    aggregates = json.loads((paths.aggregates / OCCASION / stamp["aggregates"] / "stamp.json").read_text(encoding="utf-8"))
    assert aggregates["processed"][OCCASION] == (before if first == "report" else after)
    html = (paths.report_for(OCCASION) / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert ("Förskolenämnden rättad.xlsx" in html) == (first == "ingest")


# --- the lock ----------------------------------------------------------------------------

HOLD = """
import sys, time
from analysis.config import Paths
from analysis.lock import writer_lock
with writer_lock(Paths.at(sys.argv[1]), "ingest --period 2026-delar"):
    print("låst", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(root: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(root), str(seconds)], env=_env(), stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "låst"
    return process


TEMPLATE = ("template", "--period", OCCASION, "--board", "GRN")


def test_a_second_writer_waits_for_the_first_and_then_proceeds(fresh_root):
    holder = _holder(fresh_root.root, 3)
    start = time.monotonic()
    second = _cli(fresh_root, *TEMPLATE, MALSTYRNING_LAS_VANTAN_S="60")
    held_until = time.monotonic()
    holder.wait(timeout=30)
    assert second.returncode == 0, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(rf"malstyrning: väntar på att 'ingest --period 2026-delar' \(process {holder.pid}, startad "
                        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\) ska bli klart i .* \(högst 60 s, .*\) …", lines[0]), lines[0]
    assert held_until - start >= 2  # it went on only when the first had ended
    assert len(list(fresh_root.templates_for(OCCASION).glob("GRN *.xlsx"))) == 1


def test_a_second_writer_gives_up_after_the_limit(fresh_root):
    holder = _holder(fresh_root.root, 60)
    try:
        second = _cli(fresh_root, *TEMPLATE, MALSTYRNING_LAS_VANTAN_S="1")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("malstyrning: väntar på att 'ingest --period 2026-delar'")
    assert lines[1].startswith("malstyrning: fel: gav upp efter 1 s: 'ingest --period 2026-delar'"), lines[1]
    assert "Traceback" not in second.stderr
    assert not fresh_root.templates.exists()


def test_a_holder_killed_with_sigkill_blocks_nobody(fresh_root):
    holder = _holder(fresh_root.root, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    second = _cli(fresh_root, *TEMPLATE, MALSTYRNING_LAS_VANTAN_S="5")
    assert second.returncode == 0 and "väntar" not in second.stderr, second.stderr


def test_readers_never_wait_for_a_writer(example_city, tmp_path):
    paths = copy_data(example_city, tmp_path / "city")
    holder = _holder(paths.root, 60)
    try:
        start = time.monotonic()
        tables = analysis.load_tables(paths.root, history=True)
        catalogue = _cli(paths, "katalog", MALSTYRNING_LAS_VANTAN_S="0")
        elapsed = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert catalogue.returncode == 0 and "väntar" not in catalogue.stderr
    assert {"submissions", "follow_ups", "history/follow_ups"} <= set(tables)
    assert elapsed < 30


def test_a_wait_limit_that_is_no_number_is_a_usage_error(fresh_root, monkeypatch, capsys):
    monkeypatch.setenv("MALSTYRNING_LAS_VANTAN_S", "tio minuter")
    assert main(["--root", str(fresh_root.root), *TEMPLATE]) == 2
    assert "MALSTYRNING_LAS_VANTAN_S ska vara ett antal sekunder" in capsys.readouterr().err


def test_a_root_that_does_not_exist_is_refused_before_anything_is_made(tmp_path, capsys):
    missing = tmp_path / "finns-inte"
    for args in (["run", "--period", OCCASION], ["ingest", "--all"], ["demo", "--all"], ["katalog"]):
        assert main(["--root", str(missing), *args]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"malstyrning: fel: Mappen {missing} (--root) finns inte."]
    assert not missing.exists()
    # A wrong occasion, too, is refused before the lock file (or any folder) is made.
    assert main(["--root", str(tmp_path), "run", "--period", "2026-halvår"]) == 2
    assert list(tmp_path.iterdir()) == []


# --- snapshots and versions ------------------------------------------------------------


def test_import_analysis_stays_light_and_load_tables_is_its_one_reader(example_city):
    out = subprocess.run([sys.executable, "-c", "import sys, analysis; print('pandas' in sys.modules)"],
                         env=_env(), capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    # The analysis tables, in this order; the store's staging tables (staged/...) are not among them.
    analysed = ["submissions", "contributions", "follow_ups", "human_rights", "indicators", "assignment_follow_ups",
                "validation_issues"]
    assert list(analysis.load_tables(example_city.root)) == analysed
    tables = analysis.load_tables(example_city.root, history=True)
    assert list(tables) == [*analysed, "history/contributions", "history/follow_ups", "history/human_rights",
                            "history/indicators", "history/assignment_follow_ups"]
    stored = stored_tables(example_city)
    assert {name for name in stored if "/" not in name} == set(analysed)  # every table ingestion writes is handed out
    assert any(name.startswith("staged/") for name in stored)  # the staging tables are stored, only not handed out
    # What a person opens: the Parquet files behind data/processed/aktuell.
    for name in ("submissions", "follow_ups", "history/follow_ups"):
        pd.testing.assert_frame_equal(tables[name], pd.read_parquet(example_city.root / "data" / "processed" / "aktuell"
                                                                    / f"{name}.parquet"))
    assert analysis.load_tables(example_city.root / "data" / "raw") == {}


def _publish(versions: Versions, files: dict[str, str], leave_out=()) -> Path:
    with versions.stage() as stage:
        for name, text in files.items():
            (stage.folder / name).parent.mkdir(parents=True, exist_ok=True)
            (stage.folder / name).write_text(text, encoding="utf-8")
        return stage.publish(leave_out)


def test_a_new_version_carries_the_rest_over_and_the_oldest_are_pruned(tmp_path):
    versions = Versions(tmp_path / "aktuell", tmp_path / "snapshots")
    first = _publish(versions, {"a.txt": "a1", "sub/b.txt": "b1", "sub/c.txt": "c1"})
    for i in range(2, 7):
        _publish(versions, {"sub/b.txt": f"b{i}"}, leave_out=["sub/c.txt"] if i == 6 else ())
    names = sorted(p.name for p in versions.store.iterdir())
    assert [int(n[:6]) for n in names] == [3, 4, 5, 6]  # the current one and the three before it
    assert os.readlink(versions.link) == f"snapshots/{names[-1]}"
    current = versions.link
    assert (current / "a.txt").read_text() == "a1" and (current / "sub" / "b.txt").read_text() == "b6"
    assert not (current / "sub" / "c.txt").exists() and (versions.store / names[-2] / "sub" / "c.txt").exists()
    assert (current / "a.txt").stat().st_ino == (versions.store / names[0] / "a.txt").stat().st_ino  # a hard link
    assert not first.exists()


def test_the_next_writer_removes_what_a_killed_one_left(tmp_path):
    versions = Versions(tmp_path / "aktuell", tmp_path / "snapshots")
    for i in range(1, 4):
        _publish(versions, {"t.txt": str(i)})
    staging = versions.stage().folder  # a stage never published
    (staging / "t.txt").write_text("x")
    unswitched = versions.store / "000009-20260101T000000"  # renamed into place, never switched to
    unswitched.mkdir()
    os.symlink("snapshots/000009-20260101T000000", tmp_path / ".aktuell.link-0000")
    versions.sweep()
    assert sorted(p.name[:6] for p in versions.store.iterdir()) == ["000001", "000002", "000003"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aktuell", "snapshots"]
    assert (versions.link / "t.txt").read_text() == "3"

    # Rolled back by hand to an earlier version: the later ones go at the next write.
    os.symlink(f"snapshots/{sorted(p.name for p in versions.store.iterdir())[0]}", tmp_path / "tillbaka")
    os.replace(tmp_path / "tillbaka", versions.link)
    versions.sweep()
    assert [p.name[:6] for p in versions.store.iterdir()] == ["000001"]
    assert (versions.link / "t.txt").read_text() == "1"


def test_a_first_version_renamed_but_not_linked_is_taken_up(tmp_path):
    versions = Versions(tmp_path / "aktuell", tmp_path / "snapshots")
    versions.store.mkdir()
    (versions.store / "000001-20260101T000000").mkdir()
    (versions.store / "000001-20260101T000000" / "t.txt").write_text("1")
    versions.sweep()
    assert (versions.link / "t.txt").read_text() == "1"


def test_a_copy_made_without_links_is_read_and_taken_over_by_the_next_writer(example_city, tmp_path):
    """`cp -r -L` (or an old layout) leaves real folders where the links were: they are
    read as they are and become the first version of the copy at its next write."""
    paths = Paths.at(tmp_path / "copy")
    shutil.copytree(example_city.root / "data", paths.root / "data")  # links followed
    assert paths.processed.is_dir() and not paths.processed.is_symlink()
    expected = stored_tables(example_city)
    assert _same_tables(stored_tables(paths), expected)
    assert main(["--root", str(paths.root), "aggregate", "--period", OCCASION]) == 0
    assert paths.processed.is_symlink()
    assert _same_tables(stored_tables(paths), expected)


def test_tables_written_before_snapshots_become_the_first_snapshot(example_city, tmp_path):
    paths = Paths.at(tmp_path)
    legacy = paths.processed.parent
    shutil.copytree(example_city.processed, legacy)  # the flat layout: data/processed/*.parquet
    expected = stored_tables(example_city)
    assert main(["--root", str(paths.root), "aggregate", "--period", OCCASION]) == 0
    assert sorted(p.name for p in legacy.iterdir()) == ["aggregates", "aktuell", "snapshots"]
    assert _same_tables(stored_tables(paths), expected)


def test_the_run_log_follows_the_outputs_to_their_new_version_even_without_hard_links(tmp_path, monkeypatch):
    import logging

    from analysis.run import _follow

    versions = Versions(tmp_path / OCCASION, tmp_path, f".{OCCASION}.")
    versions.ensure()
    log_path = versions.link / "malstyrning.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    log = logging.getLogger("test_store.follow")
    log.addHandler(handler)
    try:
        log.warning("före")

        def no_hard_links(*args, **kwargs):
            raise OSError("hard links are not supported here")

        monkeypatch.setattr(os, "link", no_hard_links)  # the new version gets a copy of the log
        _publish(versions, {"validering/x.txt": "x"})
        _follow(handler, log_path)
        log.warning("efter")
    finally:
        log.removeHandler(handler)
        handler.close()
    assert log_path.read_text(encoding="utf-8") == "före\nefter\n"
