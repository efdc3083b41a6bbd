"""`malstyrning run` does only what its inputs call for, and what it makes is what a full
run (`--force`) makes from the same inputs: the processed tables, the aggregates and the
report compared file by file, the report's time of making aside."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import openpyxl
import pytest

from analysis.cli import main
from analysis.stamps import REPORT_STAMP, STAMPS

from conftest import aggregates_folder, assess, copy_data, without_pdf

pytestmark = pytest.mark.slow  # every test rests on full runs of the report

OCCASION = "2026-delar"


def _visible(folder: Path) -> list[Path]:
    """Every file under `folder` as people see it: the stable links followed, hidden entries
    (the versions behind the links, the writer's lock file) left out."""
    found = []
    for parent, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(parent, f) for f in files if not f.startswith(".")]
    return sorted(found)


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in _visible(folder)}


@pytest.fixture(scope="module")
def runs(example_city, tmp_path_factory):
    """A first run, an unchanged one, one after the judgement file changed, and a
    `--force` run on a copy of the same inputs."""
    root = tmp_path_factory.mktemp("run_city")
    paths = copy_data(example_city, root)
    out = {"paths": paths}
    with without_pdf():  # what the runs do does not depend on the PDF (the files compared are the rest)
        out["first"] = main(["--root", str(root), "run", "--period", OCCASION])
        out["before_unchanged"] = _mtimes(root)
        out["unchanged"] = main(["--root", str(root), "run", "--period", OCCASION])
        out["after_unchanged"] = _mtimes(root)

        assess(paths, OCCASION, "2.1", "Tydlig förflyttning i önskad riktning",
               "Fler unga har fått arbete; <b>KS</b> ser en tydlig förflyttning.")
        processed_before = _mtimes(paths.processed.parent)
        out["judgement_only"] = main(["--root", str(root), "run", "--period", OCCASION])
        out["processed_changed"] = {k for k, v in _mtimes(paths.processed.parent).items() if processed_before.get(k) != v}

        forced_root = tmp_path_factory.mktemp("run_city_forced")
        out["forced_paths"] = copy_data(paths, forced_root)
        shutil.rmtree(out["forced_paths"].aggregates)  # made anew, to compare with those the runs made
        out["forced"] = main(["--root", str(forced_root), "run", "--period", OCCASION, "--force"])
    return out


def test_an_unchanged_run_says_so_in_one_line_and_touches_nothing(runs, capsys):
    assert runs["first"] == 0  # the example city's rejected file is at the period end, not here
    assert runs["unchanged"] == 0
    changed = {k for k, v in runs["after_unchanged"].items() if runs["before_unchanged"].get(k) != v}
    assert changed == {f"reports/{OCCASION}/malstyrning.log"}
    log = (runs["paths"].reports / OCCASION / "malstyrning.log").read_text(encoding="utf-8")
    assert "Inget har ändrats sedan förra körningen" in log


def test_only_the_judgement_file_changed_redoes_the_report_alone(runs):
    assert runs["judgement_only"] == 0
    assert runs["processed_changed"] == set()  # neither ingestion nor aggregates were redone
    html = (runs["paths"].reports / OCCASION / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "Fler unga har fått arbete; &lt;b&gt;KS&lt;/b&gt; ser en tydlig förflyttning." in html
    stamp = json.loads((runs["paths"].reports / OCCASION / REPORT_STAMP).read_text(encoding="utf-8"))
    assert list(stamp["judgement"]) == [f"{OCCASION}.xlsx"]
    log = (runs["paths"].reports / OCCASION / "malstyrning.log").read_text(encoding="utf-8")
    assert "Att göra: bedömningsfilen eller rapportens filer har ändrats" in log


def _svg(text: str) -> str:
    """plotly.js names clip paths and patterns with random ids per drawing: the same
    picture under other names. Each id becomes its place in order of appearance."""
    for uid in set(re.findall(r'<defs id="defs-([0-9a-f]+)"', text) + re.findall(r'class="cb([0-9a-f]+) colorbar"', text)):
        text = text.replace(uid, "UID")
    ids = list(dict.fromkeys(re.findall(r' id="([^"]+)"', text)))
    for i, name in sorted(enumerate(ids), key=lambda pair: -len(pair[1])):
        text = text.replace(name, f"ID{i}")
    return canonicalize(text)  # and the attributes in one order: plotly.js writes the root's in either


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [row for row in ws.values if not (row and row[0] == "Framtagen")] for ws in wb.worksheets}


def test_every_output_is_what_a_forced_run_makes_from_the_same_inputs(runs):
    assert runs["forced"] == 0
    a, b = runs["paths"], runs["forced_paths"]
    names = [p.relative_to(a.processed) for p in _visible(a.processed)]
    assert names == [p.relative_to(b.processed) for p in _visible(b.processed)]
    for name in names:
        assert (a.processed / name).read_bytes() == (b.processed / name).read_bytes(), name
    assert (a.processed / STAMPS / f"{OCCASION}.json").exists()
    one, other = aggregates_folder(a, OCCASION), aggregates_folder(b, OCCASION)
    assert one.name == other.name
    assert {p.name: p.read_bytes() for p in one.iterdir()} == {p.name: p.read_bytes() for p in other.iterdir()}

    report_a, report_b = a.reports / OCCASION, b.reports / OCCASION
    made = re.compile(r"Framtagen: [^<]*")
    html_a = (report_a / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert made.search(html_a)
    assert made.sub("", html_a) == made.sub("", (report_b / "sammanstalld_analys.html").read_text(encoding="utf-8"))
    assert _cells(report_a / "sammanstalld_analys.xlsx") == _cells(report_b / "sammanstalld_analys.xlsx")
    files = sorted(p.name for p in (report_a / "diagram").iterdir())
    assert files == sorted(p.name for p in (report_b / "diagram").iterdir()) and len(files) == 3 * 10  # 10 charts at the interim report
    for name in files:
        one, other = (report_a / "diagram" / name).read_bytes(), (report_b / "diagram" / name).read_bytes()
        if name.endswith(".svg"):
            one, other = _svg(one.decode()), _svg(other.decode())
        assert one == other, name
    stamp_a, stamp_b = (json.loads((r / REPORT_STAMP).read_text(encoding="utf-8")) for r in (report_a, report_b))
    assert stamp_a.pop("made_at") != "" and stamp_b.pop("made_at") != ""
    assert stamp_a == stamp_b


def test_an_interim_report_has_the_shorter_period_sections(runs):
    """Every follow-up report shows, per KF goal, the change since the previous follow-up
    and each contribution's plan beside its outcome; the whole-period analysis is the
    period end's alone."""
    html = (runs["paths"].reports / OCCASION / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert (html.count("Sedan Årsredovisning 2025 har ")
            + html.count("Ingen bedömning av förflyttningen har ändrats sedan Årsredovisning 2025")) == 15
    assert html.count("Utfall per bidrag och uppföljning") == 15 and "Bilaga 1: Plan och utfall per bidrag" in html
    assert "Mandatperiodsanalys 2023-2026" not in html and "Lärdomar inför nästa mandatperiod" not in html
    assert "Har önskad förflyttning nåtts" not in html


def test_an_occasion_no_catalogue_covers_is_refused_before_anything_is_made(tmp_path, capsys):
    root = tmp_path / "stad"
    root.mkdir()
    assert main(["--root", str(root), "run", "--period", "2031-ar"]) == 2
    assert "Ingen målkatalog täcker 2031-ar" in capsys.readouterr().err
    assert list(root.iterdir()) == []
