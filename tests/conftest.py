"""Shared fixtures. The example city and its reports are built once per test session, in
a temporary root, through the same commands a user runs, and shared by pytest-xdist's
workers (`built_once`); tests treat them as read-only and copy what they want to change."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.catalogue import load_catalogue

CATALOGUE_FILE = REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"
# `make test-quick` (--hypothesis-profile=quick): a few examples of each property while coding;
# `make test` and CI run every test's own number (tests/test_aggregate_properties.py).
settings.register_profile("quick", max_examples=4)


# The files that take longest (pytest --durations=0), handed to the workers first (make test:
# --dist loadfile --no-loadscope-reorder; pytest-xdist would otherwise hand out the files with
# the most tests first): one of them begun last kept one worker busy for a minute after the
# other had finished. The first builds the shared city and its reports (test_engines needs
# them at once); see pytest_collection_modifyitems for the second.
LONGEST_FIRST = ("test_engines.py", "test_store.py", "test_disk_full.py", "test_next_period.py",
                 "test_catalogue_variants.py", "test_run.py", "test_report.py", "test_registries.py",
                 "test_explore_browser.py", "test_aggregate_properties.py", "test_chart_export.py", "test_validation.py")
SHARED = {"example_city", "reported_city"}


def pytest_itemcollected(item):
    """A test that reads the shared reports (reported_city) waits for full reports: slow."""
    if "reported_city" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)  # on what -m and -k left
def pytest_collection_modifyitems(items):
    """The longest files first, each file's tests in their order. If the first file needs
    the shared city (built_once), the second is the first that needs none of it: the
    second worker starts on that while the first builds the city, instead of waiting."""
    first = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))
    files = list(dict.fromkeys(item.path for item in items))
    needs = {item.path for item in items if SHARED & set(getattr(item, "fixturenames", ()))}
    free = next((f for f in files if f not in needs), None)
    if files and files[0] in needs and free is not None:
        rank = {files[0]: 0, free: 1}
        items.sort(key=lambda item: rank.get(item.path, 2))


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(CATALOGUE_FILE)


def _session_folder(tmp_path_factory) -> Path:
    """The test session's temporary folder that every pytest-xdist worker sees (each
    worker's own is a folder within it); without workers, the session's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _contents(folder: Path) -> dict[str, list[int]]:
    """Every file and link under `folder`, by path: its size and time of change. The
    writer lock's file is left out: a command that writes elsewhere (`template --out`)
    still takes the root's lock, and taking it writes the holder's name into it."""
    found = {}
    for parent, _, files in os.walk(folder):
        for name in files:
            if name == ".malstyrning.lock":
                continue
            info = os.lstat(os.path.join(parent, name))
            found[os.path.relpath(os.path.join(parent, name), folder)] = [info.st_size, info.st_mtime_ns]
    return found


def built_once(tmp_path_factory, name: str, build) -> tuple[Path, object]:
    """A folder built once per test session and shared, read-only, by every worker: the
    first worker that asks calls `build(folder)` under a lock, the others wait for it.
    Returns the folder and what `build` returned. What was built is recorded, and the
    fixtures check at their end that no test changed it (`unchanged`)."""
    shared = _session_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, also if a build fails
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            folder.mkdir()
            value = build(folder)
            done.write_text(json.dumps({"value": value, "contents": _contents(folder)}), encoding="utf-8")
        return folder, json.loads(done.read_text(encoding="utf-8"))["value"]


def unchanged(tmp_path_factory, name: str) -> None:
    """The shared folder holds what was built: no test changed, added or removed a file."""
    shared = _session_folder(tmp_path_factory)
    before = json.loads((shared / f"{name}.json").read_text(encoding="utf-8"))["contents"]
    now = _contents(shared / name)
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    assert not changed, f"a test changed the shared {name}: {changed[:10]}"


@pytest.fixture(scope="session")
def example_city(tmp_path_factory) -> Paths:
    """The whole example mandate period (2023-budget to its period end, 2026-ar), demo-filled and ingested."""
    def build(root: Path) -> None:
        assert main(["--root", str(root), "demo", "--all"]) == 0
        # Two example files carry a deliberate mistake, so ingest reports rejections (exit 1).
        assert main(["--root", str(root), "ingest", "--all", "--quiet"]) == 1

    root, _ = built_once(tmp_path_factory, "example_city", build)
    yield Paths.at(root)
    unchanged(tmp_path_factory, "example_city")


# What could become markup in the HTML, or a field, a link or a formula in Word and Excel,
# typed by a board into its analysis text and its comment on a council assignment.
MARKUP = '<b>fet</b><img src=x onerror="document.title=\'XSS\'"><script>document.title="XSS"</script>'
HOSTILE = 'Se { PAGE } och =HYPERLINK("http://x") samt <b>x</b> och {PAGE}.'
# The executive board's words, as analysts type them into the judgement file.
CITY_TEXT = "Staden rör sig mot målen. " + HOSTILE
AREA_TEXTS = {"1": "Målområde 1 går framåt.", "2": "Målområde 2 står still.", "3": "Målområde 3 behöver mer.",
              "4": "Målområde 4 går framåt.", "5": "Målområde 5 går bakåt."}
GOAL_TEXTS = {"1.1": ("Viss förflyttning i önskad riktning", "Fler elever når målen.\nSärskilt i årskurs 9."),
              "3.1": ("Ingen förflyttning", "Summan =SUMMA(A1:A3) är ingen formel.")}
THEME_TEXTS = {"Barnrätt": "Barnets bästa syns oftare.", "Grunduppdraget": "Grunduppdragen beaktar temana."}
REPORTED = ("2026-ar", "2026-delar")


def _replace_cell(paths: Paths, occasion: str, board: str, sheet: str, header: str, text: str, name: str) -> None:
    """A board's workbook sent again with one text changed (the first data row under `header`)."""
    import openpyxl

    from analysis.boards.layout import FIRST_DATA_ROW, HEADER_ROW

    path = board_file(paths, occasion, board)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    column = next(c.column for c in ws[HEADER_ROW] if c.value == header)
    ws.cell(FIRST_DATA_ROW, column).value = text
    path.unlink()
    wb.save(paths.raw_for(occasion) / name)


@pytest.fixture(scope="session")
def reported_city(example_city, tmp_path_factory):
    """The example city with its reports of the period end (2026-ar, made by `malstyrning
    run`, as the scheduled job makes it) and of the interim report before it (2026-delar),
    made once for the whole test session (`built_once`). Before they were made, GRN's first
    analysis at 2026-ar got MARKUP and HOSTILE text, KN's comment on its first council
    assignment got MARKUP at both occasions, and the executive board wrote its texts at
    2026-ar for the whole city, every goal area, goals 1.1 and 3.1 (the other goals pending)
    and two human-rights subjects; at 2026-delar its words are the demo's (every level filled in).
    Read-only: a test that changes something works on `copy_city`.
    Returns (paths, the run's exit status)."""
    from analysis.boards.layout import FOLLOW_UPS_SHEET
    from analysis.catalogue import load_catalogues
    from analysis.occasion import Occasion
    from analysis.report.produce import prepare

    def build(root: Path) -> int:
        paths = copy_data(example_city, root)
        _replace_cell(paths, "2026-ar", "GRN", FOLLOW_UPS_SHEET, "Analys",
                      f"Arbetet går framåt enligt plan och följs upp. {MARKUP} {HOSTILE}", "GRN uppdaterad.xlsx")
        for occasion in REPORTED:
            _replace_cell(paths, occasion, "KN", "KF-uppdrag", "Kommentar", "Arbetet pågår. " + MARKUP, "KN uppdaterad.xlsx")
        assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 1  # the example's rejected files
        paths.judgement_for("2026-ar").unlink()  # not the demo's words at 2026-ar: the executive board's below
        prepare(paths, load_catalogues(paths.reference), Occasion.parse("2026-ar"))  # writes the judgement file
        judgement = paths.judgement_for("2026-ar")
        fill_judgement(judgement, "Hela staden", "Hela staden", {"Kommunstyrelsens bedömning (text)": CITY_TEXT})
        for area, text in AREA_TEXTS.items():
            fill_judgement(judgement, "Målområden", area, {"Kommunstyrelsens bedömning": "Ingen förflyttning",
                                                           "Kommunstyrelsens text": text})
        for goal, (level, text) in GOAL_TEXTS.items():
            fill_judgement(judgement, "KF-mål", goal, {"Kommunstyrelsens bedömning": level,
                                                       "Kommunstyrelsens text i sammanställd analys": text})
        for subject, text in THEME_TEXTS.items():
            fill_judgement(judgement, "Mänskliga rättigheter", subject, {"Kommunstyrelsens text": text})
        status = main(["--root", str(paths.root), "run", "--period", "2026-ar"])
        assert main(["--root", str(paths.root), "report", "--period", "2026-delar"]) == 0
        return status

    root, status = built_once(tmp_path_factory, "reported_city", build)
    yield Paths.at(root), status
    unchanged(tmp_path_factory, "reported_city")


def copy_city(source: Paths, root: Path) -> Paths:
    """A copy of a built root's data/ and reports/ (links kept as links), to change."""
    shutil.copytree(source.root / "data", root / "data", symlinks=True)
    if source.reports.exists():
        shutil.copytree(source.reports, root / "reports", symlinks=True)
    return Paths.at(root)


@contextmanager
def without_pdf():
    """Reports made as where LibreOffice is missing (the run says so and makes the rest),
    for tests of what is not in the PDF: each report is one LibreOffice conversion, some
    4 s of a core, shorter. The PDF's own tests read the shared reports' PDF
    (reported_city), which are made with it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("analysis.report.pdf.soffice", lambda: None)
        yield


# `python -c CLI_WITHOUT_PDF ARGS...` is `malstyrning ARGS...` as where LibreOffice is
# missing, for a test that runs a report in a subprocess (without_pdf).
CLI_WITHOUT_PDF = ("import sys, analysis.report.pdf as pdf; pdf.soffice = lambda: None; "
                   "from analysis.cli import main; sys.exit(main())")


@pytest.fixture
def no_pdf():
    with without_pdf():
        yield


@pytest.fixture
def fresh_root(tmp_path) -> Paths:
    """An empty root that uses the repository's goal catalogue."""
    return Paths.at(tmp_path)


def fill_judgement(path: Path, sheet: str, key: str, values: dict[str, str]) -> None:
    """What an analyst does in the judgement workbook: in the sheet's row whose first
    matching key cell is `key`, type each value under its column header (row 3)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[3]]
    row = next(r for r in range(4, ws.max_row + 1) if key in [ws.cell(r, c).value for c in range(1, 3)])
    for header, value in values.items():
        ws.cell(row, headers.index(header) + 1).value = value
    wb.save(path)


def copy_raw(source: Paths, target: Paths, occasion: str, names: list[str] | None = None) -> list[Path]:
    """Copy some (or all) of an occasion's raw files into another root."""
    src = source.raw_for(occasion)
    dst = target.raw_for(occasion)
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(src.iterdir()):
        if names is None or path.name in names:
            shutil.copy2(path, dst / path.name)
            copied.append(dst / path.name)
    return copied


def copy_data(source: Paths, root: Path) -> Paths:
    """A copy of a root's data/ (links kept as links, as `cp -a` does) under `root`."""
    shutil.copytree(source.root / "data", root / "data", symlinks=True)
    return Paths.at(root)


def aggregates_folder(paths: Paths, occasion: str) -> Path:
    """The one folder of stored aggregate tables of the occasion, checked to be named by
    the SHA-256 of the stamp stored in it (canonical JSON: sorted keys, no escapes)."""
    folders = [p for p in (paths.aggregates / occasion).iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1, folders
    stamp = json.loads((folders[0] / "stamp.json").read_text(encoding="utf-8"))
    assert folders[0].name == hashlib.sha256(json.dumps(stamp, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return folders[0]


def assess(paths: Paths, occasion: str, goal: str, level: str, wording: str) -> None:
    """What the executive board does between two reports: its own assessment and wording
    of a KF goal, written into the occasion's judgement file."""
    fill_judgement(paths.judgement_for(occasion), "KF-mål", goal, {
        "Kommunstyrelsens bedömning": level, "Kommunstyrelsens text i sammanställd analys": wording})


@pytest.fixture(scope="session")
def validation_corpus(tmp_path_factory, catalogue):
    """The faulty submissions of tests/validation_corpus.py beside the valid files they
    were made from, ingested in one run. Returns the root and, per faulty file, the
    findings its mistake must add to those of its valid original."""
    from validation_corpus import build_corpus

    root = tmp_path_factory.mktemp("validation_corpus")
    expected = build_corpus(catalogue, Paths.at(root).raw)
    assert main(["--root", str(root), "ingest", "--all", "--quiet"]) == 1
    return Paths.at(root), expected


def write_submission(catalogue, paths: Paths, occasion: str, board: str, name: str | None = None, mutate=None) -> Path:
    """A demo-filled workbook for one board, optionally changed, saved into raw."""
    from analysis.boards import demo
    from analysis.excel import save_workbook
    from analysis.occasion import Occasion

    wb = demo.fill_submission(catalogue, Occasion.parse(occasion), board, demo.board_plan(catalogue, board))
    if mutate:
        mutate(wb)
    path = paths.raw_for(occasion) / (name or f"{board}.xlsx")
    save_workbook(wb, path)
    return path


def board_file(paths, occasion: str, board: str) -> Path:
    """The example workbook of `board` at `occasion` (found by the board code on its details sheet)."""
    import openpyxl

    from analysis.boards.layout import DETAILS_SHEET

    for path in sorted(paths.raw_for(occasion).glob("*.xlsx")):
        if openpyxl.load_workbook(path, read_only=True)[DETAILS_SHEET]["B3"].value == board:
            return path
    raise LookupError(board)


def renamed_board_catalogue(paths: Paths, board: str = "GRN") -> str:
    """The example catalogue in the root's own reference folder, one board renamed (its
    new name returned): a changed catalogue, which every file's reading and checks depend on."""
    import yaml

    reference = paths.root / "data" / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    renamed = next(b for b in raw["boards"] if b["code"] == board)
    renamed["name"] += " (nytt namn)"
    (reference / CATALOGUE_FILE.name).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return renamed["name"]
