"""The compiled analysis of an occasion, read top to bottom:
1. prepare: the aggregate tables (stored ones while their stamp is current), the
   executive board's judgement file (written the first time, upgraded once when an
   earlier version wrote it, otherwise only read; a budget has none), the report data and
   the charts, each built once;
2. charts: exported as PNG and SVG through one browser, opened and closed in a `with`
   block, and only when a chart changed (an unchanged chart is copied from the last report);
3. Excel: every aggregate table as a sheet;
4. Word: the outline (analysis.report.outline) rendered on the office's template;
5. the notebook, run by papermill in its own kernel: it renders the same outline as HTML;
6. the PDF, from the Word file by LibreOffice (a plain blocking call with a timeout),
   beside the notebook and the HTML: the one step that runs beside others;
7. the HTML, from the executed notebook;
8. publish: the stamp of what the report rests on, and the report's files replaced as one
   set: they are made in a new version of the occasion's outputs, which becomes current in
   one atomic switch of the link reports/<occasion> (analysis.versions).
The files are declared in analysis.report.outputs. A failed step leaves the last good
report as it was (a notebook that failed is kept beside it). This module is the edge for
reports: it loads and writes; what is shown comes from the outline."""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from analysis.catalogue import Catalogue, catalogue_for
from analysis.config import Paths
from analysis.errors import ReportFailed, UsageError
from analysis.files import write_text, writing
from analysis.occasion import Occasion
from analysis.report.notebook import REPORT_NOTEBOOK, execute_notebook
from analysis.report.outputs import FAILED_NOTEBOOK, REPORT_FILES, output
from analysis.stamps import CHARTS as CHART_DIGESTS, MADE_AT, REPORT_STAMP as STAMP, read_stamp, stamp_text
from analysis.versions import Versions, report_versions


@dataclass
class ReportOutputs:
    folder: Path
    files: dict[str, Path]  # step -> the published file (analysis.report.outputs), the PDF only when made
    stamp: dict
    notes: list[str] = field(default_factory=list)  # what the person running it should know (the PDF skipped)
    charts: list = field(default_factory=list)
    judgement: object = None  # analysis.report.judgement.JudgementFile
    rejected_files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Prepared:
    data: object  # ReportData
    charts: list  # Chart, in the registry's order: those that apply to the report
    judgement: object  # JudgementFile: what became of the judgement file


def check_goal_area(catalogue: Catalogue, goal_area: str | None) -> None:
    if goal_area and goal_area not in set(catalogue.goal_areas["goal_area_code"]):
        raise UsageError(f"Målområde '{goal_area}' finns inte i målkatalogen för {catalogue.mandate_period}.")


def prepare(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion, goal_area: str | None = None,
            force: bool = False, store: bool = True, made_at: str | None = None) -> Prepared:
    """The report data and charts of an occasion, all from one snapshot of the processed
    tables. `store`: aggregates made anew are stored, and the judgement file is written
    where it is missing or out of date (a notebook opened on its own holds no lock, and
    only reads and computes). `made_at`: when the report is made (default now)."""
    from analysis.aggregates import aggregates_for, load_processed
    from analysis.report.charts import iter_charts
    from analysis.report.data import report_data
    from analysis.report.judgement import JudgementFile, ensure_judgement_file, read_judgement
    from analysis.stamps import report_stamp

    catalogue = catalogue_for(occasion, catalogues)
    check_goal_area(catalogue, goal_area)
    processed = load_processed(paths)
    tables, aggregates_stamp = aggregates_for(paths, catalogues, occasion, processed, force, store)
    judgement = paths.judgement_for(occasion.code)
    made = ensure_judgement_file(judgement, tables, catalogue, occasion) if store else JudgementFile(judgement, "read")
    stamp = report_stamp(aggregates_stamp, judgement, goal_area, paths.report_template)
    stamp[MADE_AT] = made_at or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    data = report_data(catalogue, occasion, tables, processed.tables, read_judgement(judgement, catalogue, occasion), stamp,
                       goal_area)
    return Prepared(data, list(iter_charts(data)), made)


def write_excel(tables: dict, path: Path, title: str) -> None:
    """Every table as a formatted sheet: Swedish headers, frozen header row, filters, widths."""
    from openpyxl import Workbook

    from analysis.excel import write_table_sheet

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, frame in tables.items():
        write_table_sheet(wb.create_sheet(sheet[:31]), frame)
    wb.properties.title = title
    wb.save(path)


def write_word(data, charts: list, chart_folder: Path, template, path: Path) -> None:
    """The council document: the outline rendered on the office's template, with the
    exported charts' PNG files."""
    from analysis.report.document import Picture, council_document, write_document
    from analysis.report.export import chart_files
    from analysis.report.outline import report_blocks

    pictures = {c.name: Picture(chart_files(c.name, chart_folder).png, c.alt_text, c.title) for c in charts}
    write_document(council_document(data, report_blocks(data, pictures), pictures, template), path)


def produce_report(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion, goal_area: str | None = None,
                   force: bool = False) -> ReportOutputs:
    """The report of the occasion in reports/<occasion>/ (see the module docstring).
    `force`: aggregates and charts made anew even where the stored ones are current."""
    from analysis.report.content import excel_tables
    from analysis.report.export import export_charts
    from analysis.report.html import notebook_html
    from analysis.report.word_template import open_template

    folder = paths.report_for(occasion.code, goal_area)
    template = open_template(paths.report_template)  # a missing or broken template stops the report at once
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step], clock = now - clock, now

    prepared = prepare(paths, catalogues, occasion, goal_area, force)
    data = prepared.data
    # The libraries prepare imported and the tables and figures it made live as long as the
    # report: frozen, Python's collector no longer walks them in every full pass while the
    # later steps import theirs (run_benchmark.py: a third less time in collections).
    gc.freeze()
    lap("prepare")
    versions = report_versions(paths, occasion.code)
    inside = Path(folder.relative_to(paths.report_for(occasion.code)))  # '.' or malomrade-N
    earlier = (versions.current() or paths.report_for(occasion.code)) / inside  # the report being replaced
    notes: list[str] = []

    def file(name: str):
        """A full disk while writing this file names it as the reader knows it (exit 3)."""
        shown = (inside / name).as_posix()
        return writing(f"{shown}{'/' if name == output('charts').name else ''} för {occasion.code}")

    with versions.stage() as stage:
        out = stage.folder / inside
        out.mkdir(parents=True, exist_ok=True)
        made = {f.step: out / f.name for f in REPORT_FILES}
        try:
            digests_before = {} if force else (read_stamp(earlier / STAMP) or {}).get(CHART_DIGESTS, {})
            with file(output("charts").name):
                files, digests = export_charts(prepared.charts, made["charts"], digests_before, earlier / "diagram")
            lap("charts")
            with file(output("excel").name):
                write_excel(excel_tables(data), made["excel"], data.title)
            lap("excel")
            with file(output("docx").name):
                write_word(data, prepared.charts, made["charts"], template, made["docx"])
            lap("docx")
            parameters = {"occasion": occasion.code, "goal_area": goal_area, "root": str(paths.root),
                          "made_at": data.stamp[MADE_AT]}
            # The one step beside the others: LibreOffice converts the Word file while the
            # kernel runs the notebook and its HTML is made; the PDF waits on a process of its
            # own (run_benchmark.py: beside the notebook, a cold run about 7 s shorter).
            with ThreadPoolExecutor(max_workers=1) as beside:
                pdf = beside.submit(_timed, _pdf, made["docx"], made["pdf"], notes, file(output("pdf").name))
                # The kernel works in the notebooks' folder: the report folder is a link that
                # switches to a new version during the report (analysis.versions).
                with file(output("notebook").name):
                    execute_notebook(REPORT_NOTEBOOK, made["notebook"], parameters, REPORT_NOTEBOOK.parent,
                                     out / FAILED_NOTEBOOK)
                lap("notebook")
                with file(output("html").name):
                    write_text(made["html"], notebook_html(made["notebook"], data.title))
                lap("html")
                seconds["pdf"] = pdf.result()
        except ReportFailed as exc:
            if (out / FAILED_NOTEBOOK).exists():
                _keep_failed(versions, out / FAILED_NOTEBOOK, inside)
                raise ReportFailed(f"{exc} Den körda notebooken finns i {folder / FAILED_NOTEBOOK}; "
                                   f"förra godkända rapporten är orörd.") from None
            raise
        clock = time.perf_counter()  # the PDF was made beside the notebook and the HTML
        with file(STAMP):
            write_text(out / STAMP, stamp_text({**data.stamp, CHART_DIGESTS: digests}))
        published = {step: folder / path.name for step, path in made.items() if path.exists()}
        publish_report(stage, inside)  # everything has succeeded: only now are the report's files replaced
        lap("publish")
    return ReportOutputs(folder, published, dict(data.stamp), notes=notes,
                         charts=[f.__class__(f.name, folder / "diagram" / f.png.name, folder / "diagram" / f.svg.name,
                                             folder / "diagram" / f.alt.name) for f in files],
                         judgement=prepared.judgement, seconds=seconds,
                         rejected_files=sorted(data.submissions.loc[data.submissions["status"].astype(object) == "rejected",
                                                                    "source_file"].astype(str)))


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _pdf(docx: Path, target: Path, notes: list[str], file) -> None:
    """The council document as PDF; where LibreOffice is missing or fails, a note says so
    (everything else is made). A full disk while writing it is DiskFull, as for any file."""
    from analysis.report.pdf import INSTALL_HINT, PdfFailed, convert_to_pdf, soffice

    if soffice() is None:
        notes.append(f"PDF-versionen gjordes inte: LibreOffice saknas. Allt annat är framtaget. {INSTALL_HINT}")
        return
    try:
        with file:
            convert_to_pdf(docx, target)
    except PdfFailed as exc:
        notes.append(f"PDF-versionen gjordes inte: {exc} Allt annat är framtaget; nästa körning försöker igen.")


def publish_report(stage, inside: Path) -> None:
    """The staged report becomes current, as one set, in one switch of the link
    (analysis.versions). Of the report being replaced, the files the new one has not made
    are carried over, except its charts (the new report's are all there is), a notebook
    that failed before, and its PDF (a PDF not made this time is never one of an earlier
    report)."""
    stage.publish(leave_out=[(inside / output("charts").name).as_posix(), (inside / FAILED_NOTEBOOK).as_posix(),
                             (inside / output("pdf").name).as_posix()])


def _keep_failed(versions: Versions, notebook: Path, inside: Path) -> None:
    """A new version with the notebook that failed beside the last good report, which is
    carried over unchanged."""
    with versions.stage() as stage:
        (stage.folder / inside).mkdir(parents=True, exist_ok=True)
        os.rename(notebook, stage.folder / inside / FAILED_NOTEBOOK)
        stage.publish()
