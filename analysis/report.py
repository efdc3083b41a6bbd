"""The compiled analysis of an occasion, end to end: aggregates, the analysts' judgement
file, the notebook run by papermill, the offline HTML, the Excel workbook of every table
and the chart files. This module is the edge for reports: it loads and writes; what is
shown comes from `report_content`. A failed notebook leaves the last good report as it was."""

from __future__ import annotations

import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalogue import catalogue_for
from analysis.config import Paths
from analysis.errors import UsageError
from analysis.files import temporary_folder, write_text
from analysis.occasion import Occasion
from analysis.processed_store import read_table
from analysis import report_runner


@dataclass
class ReportOutputs:
    folder: Path
    notebook: Path
    html: Path
    excel: Path
    charts: list = field(default_factory=list)
    judgement: Path | None = None
    judgement_created: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def check_goal_area(catalogue, goal_area: str | None) -> None:
    if goal_area and goal_area not in set(catalogue.goal_areas["goal_area_code"]):
        raise UsageError(f"Målområde '{goal_area}' finns inte i målkatalogen för {catalogue.mandate_period}.")


def load_report_data(root: str | Path | None, occasion_code: str, goal_area: str | None = None):
    """Everything the report shows, read from the processed and aggregate tables (the
    aggregates are computed when they have not been written yet)."""
    from analysis.aggregate import AGGREGATES, TABLE_NAMES, aggregate
    from analysis.judgement import judgement_path, read_judgement
    from analysis.report_content import ReportData, only_goal_area

    paths = Paths.at(root)
    occasion = Occasion.parse(occasion_code)
    catalogue = catalogue_for(occasion, paths.reference)
    check_goal_area(catalogue, goal_area)
    folder = paths.processed / AGGREGATES / occasion.code
    tables = {name: read_table(folder, name) for name in TABLE_NAMES}
    if any(frame is None for frame in tables.values()):
        tables = aggregate(paths, occasion)

    def at_occasion(name: str) -> pd.DataFrame:
        frame = read_table(paths.processed, name)
        if frame is None:
            raise UsageError(f"Tabellen {name} saknas i {paths.processed}. Kör först: malstyrning ingest --period {occasion.code}")
        rows = frame[frame["occasion"].astype(object) == occasion.code]
        if goal_area and name in ("follow_ups", "contributions"):
            goals = set(catalogue.goals.loc[catalogue.goals["goal_area_code"] == goal_area, "goal_code"])
            rows = rows[rows["goal_code"].astype(object).isin(goals)]
        return rows.reset_index(drop=True)

    return ReportData(
        catalogue=catalogue,
        occasion=occasion,
        tables=only_goal_area(tables, goal_area),
        follow_ups=at_occasion("follow_ups"),
        contributions=at_occasion("contributions"),
        issues=at_occasion("validation_issues"),
        judgement=read_judgement(judgement_path(paths.judgements, occasion.code), catalogue),
        goal_area=goal_area,
    )


def write_excel(tables: dict[str, pd.DataFrame], path: Path, title: str) -> None:
    """Every table as a formatted sheet: Swedish headers, frozen header row, filters, widths."""
    from openpyxl import Workbook

    from analysis.excel_output import save_workbook, write_table_sheet

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, frame in tables.items():
        write_table_sheet(wb.create_sheet(sheet[:31]), frame)
    wb.properties.title = title
    save_workbook(wb, path)


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _export(charts, folder: Path, browser) -> tuple[list, float]:
    from analysis.chart_export import export_charts

    start = time.perf_counter()
    return export_charts(charts, folder, browser), time.perf_counter() - start


def _replace_folder(staging: Path, target: Path, files: list) -> list:
    """Move the exported chart files into `target`, replacing what was there."""
    from analysis.chart_export import ChartFile

    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return [ChartFile(f.name, target / f.png.name, target / f.svg.name, target / f.alt.name) for f in files]


def produce_report(paths: Paths, occasion: Occasion, goal_area: str | None = None, charts: bool = True,
                   engines: report_runner.ReportEngines | None = None) -> ReportOutputs:
    """Aggregate, run the notebook, and write HTML, Excel and charts into reports/<occasion>/,
    with `engines` started earlier by the caller or, when not given, started here."""
    folder = paths.report_for(occasion.code, goal_area)
    if engines is None:
        check_goal_area(catalogue_for(occasion, paths.reference), goal_area)
        with report_runner.ReportEngines(folder, charts) as engines:
            return produce_report(paths, occasion, goal_area, charts, engines)
    if engines.folder != folder or (charts and engines.browser is None):
        raise ValueError(f"The report engines (started for {engines.folder}) do not fit the report in {folder}.")
    from analysis.aggregate import aggregate
    from analysis.judgement import ensure_judgement_file, judgement_path
    from analysis.report_content import excel_tables, report_charts
    from analysis import report_html

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    catalogue = catalogue_for(occasion, paths.reference)
    check_goal_area(catalogue, goal_area)
    aggregates = aggregate(paths, occasion)
    seconds["aggregate"] = time.perf_counter() - start

    judgement = judgement_path(paths.judgements, occasion.code)
    created = ensure_judgement_file(judgement, aggregates["goal_signal"], catalogue, occasion.label)

    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / report_runner.REPORT_NAME
    outputs = ReportOutputs(folder, stem.with_suffix(".ipynb"), stem.with_suffix(".html"), stem.with_suffix(".xlsx"),
                            judgement=judgement, judgement_created=created)
    t = time.perf_counter()
    data = load_report_data(paths.root, occasion.code, goal_area)
    seconds["load"] = time.perf_counter() - t

    # The chart export (a browser) and the Excel workbook are made beside the notebook (a
    # kernel), into staging places that replace the report's files only when the whole
    # report has succeeded; the HTML converter warms up there too. The charts are made
    # first, each going to the browser as soon as it is made; the rest of this process's
    # work waits until they all are.
    staging = temporary_folder(folder, ".diagram-")
    staged_excel = staging.with_name(staging.name + ".xlsx")
    title = f"Sammanställd analys – {occasion.label}" + (" – Exempeldata" if catalogue.example_data else "")
    built = threading.Event()

    def export() -> tuple[list, float]:
        def charts_as_made():
            yield from report_charts(data)
            built.set()

        try:
            return _export(charts_as_made(), staging, engines.browser)
        finally:
            built.set()

    def after_charts(function):
        built.wait()
        return function()

    if not charts:
        built.set()
    with ThreadPoolExecutor(max_workers=3) as pool:
        exported = pool.submit(export) if charts else None
        excel_written = pool.submit(after_charts, lambda: _timed(lambda: write_excel(excel_tables(data), staged_excel, title)))
        html_ready = pool.submit(after_charts, report_html.warm_up)
        try:
            t = time.perf_counter()
            parameters = {"occasion": occasion.code, "mandate_period": catalogue.mandate_period, "goal_area": goal_area,
                          "output_dir": str(folder), "root": str(paths.root)}
            report_runner.execute_notebook(report_runner.REPORT_NOTEBOOK, outputs.notebook, parameters, engines.kernel)
            seconds["notebook"] = time.perf_counter() - t

            t = time.perf_counter()
            html_ready.exception()  # warmed up, or the conversion itself will say what is wrong
            html = report_html.notebook_html(outputs.notebook, title)
            seconds["html"] = time.perf_counter() - t
            seconds["excel_parallel"] = excel_written.result()
            if exported is not None:
                t = time.perf_counter()
                files, export_seconds = exported.result()
                seconds["charts_waited"] = time.perf_counter() - t
                seconds["charts_parallel"] = export_seconds
            # Everything has succeeded: only now are the report's files replaced.
            write_text(outputs.html, html)
            os.replace(staged_excel, outputs.excel)
            if exported is not None:
                outputs.charts = _replace_folder(staging, folder / "diagram", files)
        finally:
            for future in (exported, excel_written, html_ready):
                if future is not None and not future.cancel():
                    future.exception()  # wait; a failure here has already been raised or does not matter
            shutil.rmtree(staging, ignore_errors=True)
            staged_excel.unlink(missing_ok=True)
    outputs.seconds = seconds
    return outputs
