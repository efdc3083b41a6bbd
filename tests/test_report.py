"""The compiled analysis: the notebook run by papermill on the example city, its HTML
(offline, no code, board text escaped), the Excel of every table, the chart files, the
analysts' judgement file, and what happens when the notebook fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.errors import UsageError
from analysis.occasion import Occasion
from analysis.intake.store import read_table
from analysis.report.content import goal_indicator_table
from analysis.report.html import html_table
from analysis.tables.registry import TABLES
from analysis.report.notebook import REPORT_NOTEBOOK, ReportFailed, check_parameters
from analysis.boards.layout import FOLLOW_UPS_SHEET

from conftest import GOAL_TEXTS, MARKUP, aggregates_folder, board_file, copy_city, fill_judgement

OCCASION = "2026-ar"  # the period end: the richest report


@pytest.fixture(scope="module")
def city(reported_city):
    """The shared example city and its reports (conftest.reported_city): board text with
    markup, and `malstyrning run` for the period end, as the scheduled job does it."""
    return reported_city


def load_report_data(root, occasion: str):
    from analysis.catalogue import load_catalogues
    from analysis.report.produce import prepare

    paths = Paths.at(root)
    return prepare(paths, load_catalogues(paths.reference), Occasion.parse(occasion), store=False).data


def _folder(paths: Paths) -> Path:
    return paths.reports / OCCASION


def test_run_produces_the_report_and_says_rejected_submissions(city):
    paths, status = city
    # The example city has one uncorrected, rejected file at the period end: exit 1, not 0 or 3.
    assert status == 1
    folder = _folder(paths)
    for name in ("sammanstalld_analys.ipynb", "sammanstalld_analys.html", "sammanstalld_analys.xlsx",
                 "sammanstalld_analys.docx", "malstyrning.log"):
        assert (folder / name).stat().st_size > 0, name
    assert (folder / "validering" / "sammanfattning.html").exists()
    log = (folder / "malstyrning.log").read_text(encoding="utf-8")
    assert "Tider (s): prepare" in log and "charts" in log


def _running_children() -> list[str]:
    """Command lines of this process's children that are still running (not zombies)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
    return found


def test_written_files_have_the_permissions_of_any_new_file(city):
    # Files are written beside their targets and renamed; the temporary files must not
    # leave them owner-only, or colleagues on a shared drive cannot open the report.
    paths, _ = city
    mask = os.umask(0o022)
    os.umask(mask)
    folder = _folder(paths)
    written = [folder / "sammanstalld_analys.html", folder / "sammanstalld_analys.xlsx", folder / "sammanstalld_analys.ipynb",
               folder / "sammanstalld_analys.docx", *([folder / "sammanstalld_analys.pdf"] if shutil.which("soffice") else []),
               folder / "diagram", folder / "validering" / "sammanfattning.html", paths.judgement_for(OCCASION),
               paths.processed / "follow_ups.parquet"]
    for path in written:
        expected = (0o777 if path.is_dir() else 0o666) & ~mask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_run_leaves_no_kernel_or_browser_running(city):
    # The kernel and the browser are started ahead of the report; the run shuts both down.
    assert _running_children() == []


def test_the_command_ends_with_its_exit_code_and_all_it_printed(tmp_path):
    # `malstyrning` ends without tearing down its modules; what it printed must still arrive.
    command = [sys.executable, "-m", "analysis.cli"]
    ok = subprocess.run(command + ["katalog"], cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    periods = [line for line in ok.stdout.splitlines() if line.startswith("Mandatperiod")]
    assert ok.returncode == 0 and len(periods) == 2 and all(line.endswith("Inga fel.") for line in periods)
    # The last line printed (the crosswalk of 2027–2030) arrives too.
    assert ok.stdout.endswith("  KF-uppdrag som förs över från 2023–2026: U2024-03.\n")
    bad = subprocess.run(command + ["--root", str(tmp_path), "template", "--period", "2031-budget"],
                         cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.startswith("malstyrning: fel: Ingen målkatalog täcker 2031-budget.") and "Traceback" not in bad.stderr


def test_report_tables_show_swedish_numbers_and_board_text_as_text():
    frame = pd.DataFrame({
        "Nämnd": ["<b>TN</b> & co", None],
        "Andel": [0.456, np.nan],
        "Antal": pd.array([1234, None], dtype="Int64"),
        "Värde": [1234.56, 2.0],
        "Ansvarig": [True, False],
    })
    out = html_table(frame, shares=("Andel",), decimals={"Värde": 1})
    assert re.findall(r"<th>(.*?)</th>", out) == ["Nämnd", "Andel", "Antal", "Värde", "Ansvarig"]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", out)[1:]]
    assert rows == [
        ["&lt;b&gt;TN&lt;/b&gt; &amp; co", "46\u00a0%", "1\u00a0234", "1\u00a0234,6", "Ja"],
        ["–", "–", "–", "2,0", "Nej"],
    ]
    assert "<b>" not in out


def test_indicator_years_are_shown_as_years(city):
    paths, _ = city
    data = load_report_data(paths.root, OCCASION)
    given = data.tables["indicators"].dropna(subset=["baseline_year"]).iloc[0]
    out = html_table(goal_indicator_table(data, str(given["goal_code"])))
    assert f"<td>{int(given['baseline_year'])}</td>" in out
    assert "<td>2\u00a00" not in out


def test_html_has_every_goal_area_and_goal_and_no_code(city):
    paths, _ = city
    html = (_folder(paths) / "sammanstalld_analys.html").read_text(encoding="utf-8")
    catalogue = load_report_data(paths.root, OCCASION).catalogue
    for area in catalogue.goal_areas.itertuples():
        assert f"Målområde {area.goal_area_code}: {area.goal_area_name}" in html
    for goal in catalogue.goals.itertuples():
        assert f"KF-mål {goal.goal_code}: {goal.goal_name}" in html
    assert "Exempeldata" in html
    # No code: neither the source nor nbconvert's highlighted code blocks.
    assert "load_report_data" not in html and "pio.renderers" not in html and 'class="highlight' not in html
    assert html.count("Plotly.newPlot(") >= 6
    assert '<html lang="sv">' in html  # read aloud in Swedish, hyphenated as Swedish


def test_html_fetches_nothing_from_the_network(city):
    paths, _ = city
    html = (_folder(paths) / "sammanstalld_analys.html").read_text(encoding="utf-8")
    external = re.findall(r"<(?:script|link|img|iframe|source)[^>]+(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, re.I)
    assert external == []
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:", html)


def test_board_markup_is_escaped_in_the_html(city):
    paths, _ = city
    html = (_folder(paths) / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;fet&lt;/b&gt;" in html
    assert "<b>fet</b>" not in html and "<img src=x" not in html and '<script>document.title' not in html


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium saknas")
def test_report_renders_offline_in_a_headless_browser(city, tmp_path):
    """Network off (an empty network namespace): the plotly charts are drawn, and the
    board's markup is text, not run."""
    paths, _ = city
    html = _folder(paths) / "sammanstalld_analys.html"
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", f"--user-data-dir={tmp_path}/profile", "--virtual-time-budget=15000",
               "--dump-dom", html.as_uri()]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        command = ["unshare", "-n", *command]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180).stdout
    drawn = dom.count('class="main-svg"')
    containers = dom.count('class="plotly-graph-div')
    assert containers >= 6 and drawn >= containers, (containers, drawn)
    assert "<title>XSS</title>" not in dom
    assert "&lt;b&gt;fet&lt;/b&gt;" in dom


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in frame.columns:
        values = frame[c]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[c] = pd.to_numeric(values, errors="coerce").astype(float).round(9)
        else:
            out[c] = values.astype(object).map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v))
                                               else str(v.date() if isinstance(v, pd.Timestamp) else v))
    return pd.DataFrame(out)


def test_excel_has_every_aggregate_table_with_swedish_headers(city):
    paths, _ = city
    workbook = _folder(paths) / "sammanstalld_analys.xlsx"
    wb = openpyxl.load_workbook(workbook)
    for table, declared in TABLES.items():
        sheet = declared.sheet
        ws = wb[sheet]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref, sheet
        stored = read_table(aggregates_folder(paths, OCCASION), table)
        rows = list(ws.values)
        excel = pd.DataFrame(rows[1:], columns=rows[0])  # as a user sees the cells
        assert list(excel.columns) == [declared.header(c) for c in stored.columns], sheet
        assert len(set(excel.columns)) == len(excel.columns), sheet
        assert len(excel) == len(stored), sheet
        expected = _normalised(stored.rename(columns=declared.header))
        got = _normalised(excel)
        for column in expected.columns:
            e, g = expected[column], got[column]
            if e.dtype == float:
                assert np.allclose(e.to_numpy(), pd.to_numeric(g, errors="coerce").to_numpy(dtype=float), equal_nan=True), (sheet, column)
            else:
                g = g.map(lambda v: {"True": "True", "False": "False"}.get(v, v))
                assert e.tolist() == [str(v).removesuffix(" 00:00:00") if v != "" else "" for v in g], (sheet, column)


def test_charts_are_exported_with_alt_texts(city):
    paths, _ = city
    folder = _folder(paths) / "diagram"
    pngs = sorted(folder.glob("*.png"))
    assert len(pngs) >= 6
    for png in pngs:
        svg, alt = png.with_suffix(".svg"), png.with_name(png.stem + ".alt.txt")
        assert svg.exists() and "<svg" in svg.read_text(encoding="utf-8")[:500]
        text = alt.read_text(encoding="utf-8")
        assert "Underlag: godkända inlämningar från" in text and len(text) > 80
        width = int.from_bytes(png.read_bytes()[16:20], "big")
        assert width == round(300 * 160 / 25.4), (png.name, width)  # 300 dpi over the A4 text width (160 mm)
        assert "Exempeldata" in svg.read_text(encoding="utf-8")


def test_every_chart_of_the_report_is_exported_and_drawn_with_its_alt_text(city):
    """The chart folder holds the report's charts, no more and no fewer, and each chart in
    the HTML carries the same alt text as its sidecar file, for screen readers."""
    import html

    paths, _ = city
    folder = _folder(paths)
    page = (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    divs = re.findall(r'<div [^>]*class="plotly-graph-div"[^>]*>', page)
    drawn = [html.unescape(m.group(1)) for m in (re.search(r'aria-label="([^"]*)"', d) for d in divs) if m]
    exported = [alt.read_text(encoding="utf-8").strip() for alt in sorted((folder / "diagram").glob("*.alt.txt"))]
    assert len(divs) == len(drawn) == 12
    assert sorted(drawn) == sorted(exported)


def test_an_empty_judgement_says_pending_at_the_head_of_every_section(city):
    """The first report writes the judgement file; where nothing is written in it yet
    (the KF goals and human-rights themes the executive board has not reached), the
    section opens with 'Kommunstyrelsens bedömning pågår', in the HTML and in the Excel
    output."""
    paths, _ = city
    assert paths.judgement_for(OCCASION).exists()
    folder = _folder(paths)
    html = (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    catalogue = load_report_data(paths.root, OCCASION).catalogue
    pending_goals = [g for g in catalogue.goals.itertuples() if g.goal_code not in GOAL_TEXTS]
    pending_themes = [t for t in catalogue.scales["theme"].labels if t != "Barnrätt"]
    heads = [*(f"KF-mål {g.goal_code}: {g.goal_name}" for g in pending_goals), *(f"<h4>{t}</h4>" for t in pending_themes)]
    for head in heads:
        after = html.split(head, 1)[1]
        box = after[:after.index("</div>")]
        assert 'class="ks-bedomning"' in box and "Kommunstyrelsens bedömning pågår." in box, head
    sheet = openpyxl.load_workbook(folder / "sammanstalld_analys.xlsx")["Kommunstyrelsens bedömning"]
    texts = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(texts) == 1 + 5 + 15 + 5
    assert texts.count("Kommunstyrelsens bedömning pågår") == len(pending_goals) + len(pending_themes)


def test_judgement_file_is_created_then_read_and_never_overwritten(city, tmp_path):
    paths, _ = city
    path = tmp_path / "bedomning.xlsx"
    shutil.copy2(paths.judgement_for(OCCASION), path)
    from analysis.report.judgement import ensure_judgement_file, read_judgement

    data = load_report_data(paths.root, OCCASION)
    fill_judgement(path, "KF-mål", "3.1", {"Kommunstyrelsens bedömning": "Viss förflyttning i önskad riktning",
                                           "Kommunstyrelsens text i sammanställd analys": "Tryggheten ökar i flera stadsdelar."})
    before = path.read_bytes()
    goals = read_judgement(path, data.catalogue, data.occasion).goals.set_index("goal_code")
    assert goals.loc["3.1", "assessment_label"] == "Viss förflyttning i önskad riktning"
    assert goals.loc["3.1", "wording"] == "Tryggheten ökar i flera stadsdelar."
    assert goals.loc["2.1", "assessment_label"] == "Kommunstyrelsens bedömning pågår"  # nothing written for it
    assert ensure_judgement_file(path, data.tables, data.catalogue, data.occasion).status == "read"
    assert path.read_bytes() == before


def test_unknown_notebook_parameter_is_an_error():
    check_parameters({"occasion": "2026-delar", "goal_area": "1"}, REPORT_NOTEBOOK)
    with pytest.raises(UsageError, match="Okänd parameter ocasion"):
        check_parameters({"ocasion": "2026-delar"}, REPORT_NOTEBOOK)


def test_a_failing_notebook_keeps_the_last_good_report(city, tmp_path, monkeypatch, capsys, no_pdf):
    paths = copy_city(city[0], tmp_path / "stad")
    folder = _folder(paths)
    good = {name: (folder / name).read_bytes() for name in ("sammanstalld_analys.ipynb", "sammanstalld_analys.html", "sammanstalld_analys.xlsx")}
    import nbformat

    broken = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("avsiktligt fel i testet")'))
    broken_path = tmp_path / "sammanstalld_analys.ipynb"
    nbformat.write(broken, broken_path)
    monkeypatch.setattr("analysis.report.produce.REPORT_NOTEBOOK", broken_path)

    assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 3
    err = capsys.readouterr().err
    assert "RuntimeError: avsiktligt fel i testet" in err and "cell" in err and "Traceback" not in err
    assert {name: (folder / name).read_bytes() for name in good} == good
    failed = folder / "sammanstalld_analys.misslyckad.ipynb"
    assert failed.exists()
    assert "avsiktligt fel" in failed.read_text(encoding="utf-8")


def test_a_failing_chart_export_keeps_the_last_good_report(city, tmp_path, monkeypatch, capsys):
    paths = copy_city(city[0], tmp_path / "stad")
    folder = _folder(paths)
    names = ("sammanstalld_analys.html", "sammanstalld_analys.xlsx", "diagram/forflyttning_per_malomrade.png")
    good = {name: (folder / name).read_bytes() for name in names}

    def broken_browser():
        raise ReportFailed("Webbläsaren ritade inte ett diagram: avsiktligt fel i testet")

    monkeypatch.setattr("analysis.report.export.chart_browser", broken_browser)
    assert main(["--root", str(paths.root), "report", "--period", OCCASION, "--force"]) == 3
    err = capsys.readouterr().err
    assert "avsiktligt fel i testet" in err and "Traceback" not in err
    assert {name: (folder / name).read_bytes() for name in names} == good
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((REPOSITORY_ROOT / "notebooks").glob("*.ipynb"))
    assert {n.name for n in notebooks} >= {"sammanstalld_analys.ipynb", "utforska.ipynb"}
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


def test_report_for_one_goal_area(city, tmp_path, capsys, no_pdf):
    paths = copy_city(city[0], tmp_path / "stad")
    assert main(["--root", str(paths.root), "report", "--period", OCCASION, "--goal-area", "3"]) == 0
    html = (_folder(paths) / "malomrade-3" / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "KF-mål 3.1:" in html and "KF-mål 3.3:" in html
    assert "KF-mål 1.1:" not in html and "Målområde 5:" not in html
    assert main(["--root", str(paths.root), "report", "--period", OCCASION, "--goal-area", "9"]) == 2
    assert "Målområde '9' finns inte" in capsys.readouterr().err
    assert not (_folder(paths) / "malomrade-9").exists()


def test_a_kernel_that_does_not_start_is_a_clear_failure(monkeypatch, tmp_path):
    """A scheduled run gets exit status 3 and one Swedish line, not a traceback: here the
    project's kernel is one that ends as soon as it starts."""
    from analysis.report import notebook as report_runner

    spec = tmp_path / "jupyter" / "kernels" / "trasig"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["false", "{connection_file}"], "display_name": "trasig",
                                                  "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(report_runner, "KERNEL_NAME", "trasig")
    target = tmp_path / "ut" / "rapport.ipynb"
    with pytest.raises(ReportFailed, match="kärna .*startade inte"):
        report_runner.execute_notebook(REPORT_NOTEBOOK, target, {"occasion": OCCASION}, tmp_path)
    assert not target.exists() and not list(target.parent.glob(".*"))


def test_after_a_new_ingestion_the_report_sees_the_new_tables(example_city, tmp_path):
    """Aggregates written before an ingestion describe the tables it replaced: the
    notebooks must not show them. Here the rejected submission is corrected and read
    again, without `malstyrning aggregate`."""
    root = tmp_path / "stad"
    shutil.copytree(example_city.root / "data", root / "data", symlinks=True)
    paths = Paths.at(root)
    assert main(["--root", str(root), "aggregate", "--period", OCCASION]) == 0
    rejected = load_report_data(root, OCCASION).tables["coverage"]
    assert set(rejected.loc[rejected["board_code"].astype(object) == "FSKN", "submission_status"].astype(object)) == {"rejected"}

    path = board_file(paths, OCCASION, "FSKN")
    wb = openpyxl.load_workbook(path)
    assert wb[FOLLOW_UPS_SHEET]["D4"].value == "Bra"
    wb[FOLLOW_UPS_SHEET]["D4"].value = "Ingen förflyttning"
    wb.save(paths.raw_for(OCCASION) / "Förskolenämnden rättad.xlsx")
    # exit 1: the first version stays in the folder, rejected; the corrected one is current
    assert main(["--root", str(root), "ingest", "--period", OCCASION, "--quiet"]) == 1

    coverage = load_report_data(root, OCCASION).tables["coverage"]
    assert set(coverage.loc[coverage["board_code"].astype(object) == "FSKN", "submission_status"].astype(object)) != {"rejected"}


# --- the whole-period analysis (the period end, 2026-ar) -------------------------------------


def _processed(paths: Paths, table: str) -> pd.DataFrame:
    frame = read_table(paths.processed, table)
    return frame.astype({c: object for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})


def test_every_period_section_is_there_for_every_goal_area_and_goal(city):
    paths, _ = city
    html = (_folder(paths) / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "Mandatperiodsanalys 2023-2026" in html and "Lärdomar inför nästa mandatperiod" in html
    from analysis.tables.lessons import LESSONS

    assert all(label in html for label in LESSONS.values())
    assert html.count("Har önskad förflyttning nåtts i målområdet?") == 5
    assert html.count("Vilar på ") == 5 + 15  # what the reached answers rest on, per goal area and goal
    main, appendices = html.split("Bilaga 1: Plan och utfall per bidrag", 1)
    # in the appendix, per KF goal: each contribution's outcome per follow-up and its plan beside its analysis
    for section in ("Utfall per bidrag och uppföljning", "Plan och analys per bidrag"):
        assert appendices.count(section) == 15 and section not in main, section
    # the changes since the interim report, per goal in the main text; the contributions in an appendix
    changed = main.count("Sedan Delårsrapport 2026 har ")
    assert changed + main.count("Ingen bedömning av förflyttningen har ändrats sedan Delårsrapport 2026") == 15
    assert "Bilaga 2: Förändringar sedan förra uppföljningen" in appendices
    assert appendices.count("<caption>Förändringar sedan Delårsrapport 2026</caption>") == changed > 0
    # Each goal's section, in order: its heading, the executive board's words, then the evidence.
    for goal in load_report_data(paths.root, OCCASION).catalogue.goals.itertuples():
        section = main.split(f"KF-mål {goal.goal_code}: {goal.goal_name}", 1)[1].split("KF-mål ", 1)[0]
        changes = re.search("Sedan Delårsrapport 2026 har|har ändrats sedan", section).start()
        order = [section.index(s) for s in ('class="ks-bedomning"', "Träffbild",
                                            "Har önskad förflyttning nåtts under mandatperioden?")]
        order += [changes, section.index("analyser: se bilaga 1.")]
        assert order == sorted(order), goal.goal_code
    exported = {p.stem for p in (_folder(paths) / "diagram").glob("*.png")}
    assert {"uppnadd_forflyttning_per_kf_mal", "uppnadd_forflyttning_per_malomrade", "utveckling_per_malomrade",
            "utveckling_per_kf_mal"} <= exported


def test_the_reached_counts_are_a_hand_count_of_the_follow_ups(city):
    paths, _ = city
    follow = _processed(paths, "follow_ups")
    follow = follow[follow["occasion"] == OCCASION]
    goal_area = dict(zip(load_report_data(paths.root, OCCASION).catalogue.goals["goal_code"],
                         load_report_data(paths.root, OCCASION).catalogue.goals["goal_area_code"]))
    by_goal = follow.groupby(["goal_code", "reached"]).size().to_dict()
    by_area = follow.assign(area=follow["goal_code"].map(goal_area)).groupby(["area", "reached"]).size().to_dict()
    folder = aggregates_folder(paths, OCCASION)
    for table, key, hand in (("movement_by_goal", "goal_code", by_goal), ("movement_by_goal_area", "goal_area_code", by_area)):
        stored = read_table(folder, table)
        stored = stored[stored["scale"].astype(object) == "reached"]
        counted = {(k, lv): n for k, lv, n in zip(stored[key].astype(object), stored["level"].astype(object), stored["count"]) if n}
        assert counted == hand, table
    assert sum(by_goal.values()) == len(follow) > 50


def test_the_plan_beside_outcome_of_a_contribution_is_its_processed_rows(city):
    """A contribution dropped before the end, and one followed to the end: the table of
    paths holds exactly their rows of the processed tables, occasion by occasion."""
    paths, _ = city
    # The report's paths are its period's: a contribution that continues into 2027 keeps its id there.
    contributions, follow = (frame[frame["mandate_period"] == "2023-2026"]
                             for frame in (_processed(paths, "contributions"), _processed(paths, "follow_ups")))
    stored = read_table(aggregates_folder(paths, OCCASION), "contribution_paths").astype(object)
    last = follow[follow["occasion"] == OCCASION]
    ended = set(zip(last["board_code"], last["contribution_id"]))
    seen = contributions.drop_duplicates(["board_code", "contribution_id"])
    dropped = next(k for k in zip(seen["board_code"], seen["contribution_id"]) if k not in ended)
    for board, cid in (dropped, sorted(ended)[0]):
        plans = contributions[(contributions["board_code"] == board) & (contributions["contribution_id"] == cid)]
        follows = follow[(follow["board_code"] == board) & (follow["contribution_id"] == cid)]
        expected = {o: (p["expected_movement"], None, None, None) for o, p in zip(plans["occasion"], plans.to_dict("records"))}
        for rec in follows.to_dict("records"):
            plan = expected.get(rec["occasion"], (None,))[0]
            expected[rec["occasion"]] = (plan, rec["movement"], rec["outlook"], rec["reached"])
        rows = stored[(stored["board_code"] == board) & (stored["contribution_id"] == cid)]
        got = {r["occasion"]: tuple(None if pd.isna(v) else v for v in (r["expected_movement"], r["movement"], r["outlook"],
                                                                        r["reached"])) for r in rows.to_dict("records")}
        expected = {o: tuple(None if pd.isna(v) else v for v in values) for o, values in expected.items()}
        assert got == expected, (board, cid)


def test_the_changes_since_the_interim_report_are_a_direct_comparison(city):
    paths, _ = city
    follow = _processed(paths, "follow_ups")
    before = follow[follow["occasion"] == "2026-delar"].set_index(["board_code", "contribution_id"])
    now = follow[follow["occasion"] == OCCASION].set_index(["board_code", "contribution_id"])
    order = ["clear", "some", "none", "negative"]
    expected = {}
    for key in before.index.intersection(now.index):
        a, b = before.loc[key, "movement"], now.loc[key, "movement"]
        if a != b:
            expected[key] = ("not_comparable" if "not_assessable" in (a, b) else
                             "improved" if order.index(b) < order.index(a) else "worsened", now.loc[key, "analysis"])
    data = load_report_data(paths.root, OCCASION)
    from analysis.report.content import changes_table

    shown = pd.concat([changes_table(data, g) for g in data.catalogue.goals["goal_code"]], ignore_index=True)
    names = dict(zip(data.catalogue.boards["board_name"], data.catalogue.boards["board_code"]))
    labels = {"improved": "Bättre bedömning", "worsened": "Sämre bedömning", "not_comparable": "Kan inte jämföras"}
    got = {(names[b], c): (d, t) for b, c, d, t in zip(shown["Nämnd/bolag"], shown["Bidrag"], shown["Förändring"],
                                                      shown["Nämndens eller bolagets analys"])}
    assert got == {k: (labels[d], t) for k, (d, t) in expected.items()} and len(got) > 5


def _appendix_rows(page: str) -> dict[str, list[str]]:
    """The rows of the appendix Återrapportering av KF-uppdrag, by assignment id, as the reader sees the cells."""
    import html

    start = re.search(r"Bilaga \d+: Återrapportering av KF-uppdrag", page).start()
    table = page[page.index("<table", start):page.index("</table>", start)]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", tr, flags=re.S)]
        rows[cells[0].split(" ")[0]] = cells
    return rows


@pytest.mark.parametrize("occasion", [OCCASION, "2026-delar"])
def test_the_report_has_every_assignment_with_its_status_and_board_text_as_text(city, occasion):
    """Every assignment of the catalogue given by then is in the appendix with its lead
    board's status, worked out here from the processed answers; the appendix has its sheet
    in the Excel file; a comment with markup is shown as text."""
    paths, _ = city
    folder = paths.reports / occasion
    page = (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    rows = _appendix_rows(page)
    catalogue = load_report_data(paths.root, occasion).catalogue
    answers = read_table(paths.processed, "assignment_follow_ups").astype(object)
    labels = dict(zip(catalogue.scales["assignment_status"].codes, catalogue.scales["assignment_status"].labels))
    year = int(occasion[:4])
    expected = {}
    for a in catalogue.assignments.itertuples():
        if a.given_year > year:
            continue
        lead = answers[(answers["board_code"] == a.lead_board) & (answers["assignment_id"] == a.assignment_id)]
        now = lead[lead["occasion"] == occasion]
        before = lead[lead["occasion"].map(lambda o: Occasion.parse(o) < Occasion.parse(occasion))
                      & lead["status"].isin(["completed", "discontinued"])]
        if len(before):
            expected[a.assignment_id] = labels[before["status"].iloc[0]]
        elif len(now) and now["status"].iloc[0] is not None:
            expected[a.assignment_id] = labels[now["status"].iloc[0]]
        else:
            expected[a.assignment_id] = "Inget svar"
    assert sorted(rows) == sorted(expected) and len(rows) >= 8
    for aid, status in expected.items():
        assert rows[aid][4].startswith(status), (aid, rows[aid][4], status)
    # Overdue and unanswered first.
    flags = [r[5] == "Ja" or r[4] == "Inget svar" for r in rows.values()]
    assert flags == sorted(flags, reverse=True)
    kn = rows["U2024-03"][7]
    assert "Kulturnämnden (ansvarig): Arbetet pågår. " + MARKUP in kn
    appendix = page[re.search(r"Bilaga \d+: Återrapportering av KF-uppdrag", page).start():]
    assert "<b>fet</b>" not in appendix and "<script>document.title" not in appendix and "&lt;b&gt;fet&lt;/b&gt;" in appendix
    wb = openpyxl.load_workbook(folder / "sammanstalld_analys.xlsx", read_only=True)
    sheet = [r for r in wb["KF-uppdrag"].iter_rows(values_only=True)]
    assert sheet[0][:4] == ("Tillfälle", "Mandatperiod", "Uppdrags-id", "KF-uppdrag")
    assert {r[2] for r in sheet[1:] if r[0] == occasion} == set(expected)
    assert any(isinstance(r[-1], str) and r[-1].endswith(MARKUP) for r in sheet[1:])  # text, never a formula or markup
    assert "Samverkan: " in page and (folder / "diagram" / "kf_uppdrag_status.png").exists()
    assert (folder / "diagram" / "samverkan_mellan_namnder.png").exists()
    if occasion == OCCASION:
        assert "KF-uppdragen under mandatperioden 2023-2026" in page
        for heading in ("Slutförda under perioden", "Avslutade utan att slutföras", "Inte slutförda"):
            assert heading in page
