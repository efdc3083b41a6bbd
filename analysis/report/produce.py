"""The compiled analysis of an occasion, end to end, read top to bottom:
1. the aggregate tables (stored ones while their stamp is current) and the executive
   board's judgement file (written the first time, upgraded once when an earlier version
   wrote it, otherwise only read; a budget has none);
2. the report data and the charts, each built once;
3. beside each other: the charts exported through the browser, the Excel workbook
   written here, and the notebook run by papermill in the kernel, which shows the same
   report data and charts (handed over in a file, not recomputed); once the charts are
   there, the council document (Word, on the office's template, with the exported PNGs)
   written here and converted to PDF by LibreOffice while the notebook runs;
4. the HTML from the executed notebook, the stamp of what the report rests on, and only
   then, when everything has succeeded, the report's files replaced as one set: they are
   made in a new version of the occasion's outputs, which becomes current in one atomic
   switch of the link reports/<occasion> (analysis.versions).
This module is the edge for reports: it loads and writes; what is shown comes from
`content` and `charts`. A failed run leaves the last good report as it was (a notebook
that failed is kept beside it)."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from analysis.catalogue import Catalogue, catalogue_for
from analysis.config import Paths
from analysis.errors import ReportFailed, UsageError
from analysis.occasion import Occasion
from analysis.report.notebook import REPORT_NAME, REPORT_NOTEBOOK, ReportKernel, execute_notebook
from analysis.stamps import CHARTS as CHART_DIGESTS, MADE_AT, REPORT_STAMP as STAMP, read_stamp, stamp_text
from analysis.versions import Versions, report_versions

BUNDLE = "rapportdata.pickle"  # the report data and charts, handed to the notebook
FAILED = f"{REPORT_NAME}.misslyckad.ipynb"  # a notebook that stopped, kept beside the last good report


@dataclass
class ReportOutputs:
    folder: Path
    notebook: Path
    html: Path
    excel: Path
    stamp: dict
    document: Path | None = None  # the council document (Word)
    pdf: Path | None = None  # its PDF, when LibreOffice made it
    notes: list[str] = field(default_factory=list)  # what the person running it should know (the PDF skipped)
    charts: list = field(default_factory=list)
    judgement: object = None  # analysis.report.judgement.JudgementFile
    rejected_files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Prepared:
    data: object  # ReportData
    charts: list  # Chart, in the report's order
    judgement: object  # JudgementFile: what became of the judgement file


class ReportEngines:
    """The kernel, the browser and LibreOffice a report needs, each started ahead so that
    its start-up overlaps the work before it is needed. The browser starts when this is
    created with `start_browser` (the charts are drawn first), and otherwise when a chart
    must be drawn (a report whose charts have not changed copies the files it made before).
    LibreOffice (where installed; it then waits for the Word file, `analysis.report.pdf`)
    starts when this is created, or with `later` once the browser has started (or at
    `start`, which the report calls as it begins, if that comes first): in `malstyrning
    run` the ingestion comes first, and while Great Expectations is imported for it the
    second core is free; started at once, the starts slowed the ingestion down. The
    kernel starts when the notebook is to run (`notebook_kernel`), once LibreOffice has
    the Word file, on the core LibreOffice then leaves free (measured: a cold run 0.35 s
    shorter than with the kernel started beside LibreOffice); without LibreOffice it
    starts where LibreOffice would, so that its start is not on the notebook's path.
    `warm_up`: a Word file
    LibreOffice opens while it waits (the office's template). The converter makes one PDF."""

    def __init__(self, folder: Path, start_browser: bool = True, warm_up: Path | None = None, later: bool = False):
        self.folder = folder
        self.warm_up = warm_up if warm_up is not None and warm_up.is_file() else None
        self.kernel: ReportKernel | None = None
        self.converter = None
        self.notes: list[str] = []  # the PDF that will not be made, and why
        self.started_browser = None
        self._starting = threading.Lock()
        self._closed = False
        self._started = False
        if start_browser:
            self.browser()
        if not later:
            self.start()
        elif start_browser:
            self.started_browser.when_started(self.start)

    def start(self) -> None:
        """LibreOffice, unless it has been started (from any thread); the kernel instead
        where there is no LibreOffice."""
        with self._starting:
            if not self._started and not self._closed:
                self._started = True
                self.converter = _start_converter(self.warm_up, self.notes)
                if self.converter is None:
                    self._start_kernel()

    def notebook_kernel(self) -> ReportKernel:
        """The kernel, started now unless it has been: where LibreOffice converts, the
        notebook starts once LibreOffice has the Word file, and the kernel's start then
        takes the core LibreOffice leaves free rather than one the work before needs."""
        with self._starting:
            self._start_kernel()
        return self.kernel

    def _start_kernel(self) -> None:
        if self.kernel is None and not self._closed:
            # The kernel works in the notebooks' folder: the report folder is a link that
            # switches to a new version during the report (analysis.versions).
            self.kernel = ReportKernel(REPORT_NOTEBOOK.parent)

    def browser(self):
        from analysis.report.export import ChartBrowser

        if self.started_browser is None:
            self.started_browser = ChartBrowser()
        return self.started_browser

    def close(self) -> None:
        with self._starting:  # nothing starts after this (the browser's start may still call `start`)
            self._closed = True
        if self.converter is not None:
            self.converter.stop()  # a report that failed meanwhile leaves no LibreOffice running
        if self.started_browser is not None:
            self.started_browser.close()
        if self.kernel is not None:
            self.kernel.close()

    def __enter__(self) -> ReportEngines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_goal_area(catalogue: Catalogue, goal_area: str | None) -> None:
    if goal_area and goal_area not in set(catalogue.goal_areas["goal_area_code"]):
        raise UsageError(f"Målområde '{goal_area}' finns inte i målkatalogen för {catalogue.mandate_period}.")


def prepare(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion, goal_area: str | None = None,
            force: bool = False, store: bool = True, charts: bool = True) -> Prepared:
    """The report data and charts of an occasion (steps 1 and 2 above), all from one
    snapshot of the processed tables. `store`: aggregates made anew are stored (a
    notebook opened on its own holds no lock and only computes them). Without `charts`,
    Prepared.charts is empty: the report builds them one at a time while they are drawn."""
    from analysis.aggregates import aggregates_for, load_processed
    from analysis.report.charts import iter_charts
    from analysis.report.data import report_data
    from analysis.report.judgement import ensure_judgement_file, read_judgement
    from analysis.stamps import report_stamp

    catalogue = catalogue_for(occasion, catalogues)
    check_goal_area(catalogue, goal_area)
    processed = load_processed(paths)
    tables, aggregates_stamp = aggregates_for(paths, catalogues, occasion, processed, force, store)
    judgement = paths.judgement_for(occasion.code)
    made = ensure_judgement_file(judgement, tables, catalogue, occasion)
    stamp = report_stamp(aggregates_stamp, judgement, goal_area, paths.report_template)
    stamp[MADE_AT] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    data = report_data(catalogue, occasion, tables, processed.tables, read_judgement(judgement, catalogue, occasion), stamp,
                       goal_area)
    return Prepared(data, list(iter_charts(data)) if charts else [], made)


def load_report(root: str | Path | None, occasion: str, goal_area: str | None = None) -> dict:
    """What a report run hands its notebook (the report data, the charts by name, the names
    of every declared chart), for a notebook opened on its own."""
    from analysis.catalogue import load_catalogues
    from analysis.report.charts import CHARTS

    paths = Paths.at(root)
    prepared = prepare(paths, load_catalogues(paths.reference), Occasion.parse(occasion), goal_area, store=False)
    return {"data": prepared.data, "charts": {c.name: c.shown() for c in prepared.charts}, "declared": list(CHARTS)}


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


def _timed(function, *args) -> tuple:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def produce_report(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion, goal_area: str | None = None,
                   engines: ReportEngines | None = None, force: bool = False) -> ReportOutputs:
    """The report of the occasion in reports/<occasion>/ (see the module docstring), with
    `engines` started earlier by the caller or, when not given, started here. `force`:
    aggregates and charts made anew even where the stored ones are current."""
    folder = paths.report_for(occasion.code, goal_area)
    if engines is None:
        check_goal_area(catalogue_for(occasion, catalogues), goal_area)
        with ReportEngines(folder, start_browser=force, warm_up=paths.report_template) as engines:
            return produce_report(paths, catalogues, occasion, goal_area, engines, force)
    if engines.folder != folder:
        raise ValueError(f"The report engines (started for {engines.folder}) do not fit the report in {folder}.")
    from analysis.report import html as report_html
    from analysis.report.charts import CHARTS, iter_charts
    from analysis.report.content import excel_tables
    from analysis.report.export import ChartExport
    from analysis.report.word_template import open_template

    seconds: dict[str, float] = {}
    template = open_template(paths.report_template)  # a missing or broken template stops the report at once
    engines.start()
    prepared, seconds["prepare"] = _timed(partial(prepare, charts=False), paths, catalogues, occasion, goal_area, force)
    data = prepared.data
    versions = report_versions(paths, occasion.code)
    inside = Path(folder.relative_to(paths.report_for(occasion.code)))  # '.' or malomrade-N
    earlier = (versions.current() or paths.report_for(occasion.code)) / inside  # the report being replaced
    with versions.stage() as stage:
        out = stage.folder / inside
        out.mkdir(parents=True, exist_ok=True)
        staged, bundle = out / REPORT_NAME, out / BUNDLE
        parameters = {"occasion": occasion.code, "goal_area": goal_area, "root": str(paths.root), "bundle": str(bundle)}
        notes = list(engines.notes)
        converter = engines.converter  # started ahead: it converts once the Word file is written
        try:
            outputs_started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=2) as pool:
                # The longest chain goes first: the charts, each handed to the browser as soon
                # as it is built; the council document's text while the browser draws, its
                # pictures once the chart files are there, then LibreOffice's PDF. The
                # notebook starts once LibreOffice has the Word file (before that, the kernel
                # would take a core from that chain); the Excel workbook and the HTML
                # template are made while LibreOffice converts and the kernel runs the notebook.
                digests_before = {} if force else (read_stamp(earlier / STAMP) or {}).get(CHART_DIGESTS, {})
                charts_started = time.perf_counter()
                with ChartExport(out / "diagram", engines.browser, digests_before, earlier / "diagram") as export:
                    charts = []
                    for chart in iter_charts(data):
                        export.add(chart)
                        charts.append(chart)
                    with bundle.open("wb") as handle:
                        pickle.dump({"data": data, "charts": {c.name: c.shown() for c in charts},
                                     "declared": list(CHARTS)}, handle, protocol=pickle.HIGHEST_PROTOCOL)
                    (document, add_pictures), text_s = _timed(council_document_text, data, charts,
                                                              out / "diagram", template)
                    files, digests = export.finish()
                seconds["charts"] = time.perf_counter() - charts_started
                _, pictures_s = _timed(write_council_document, document, add_pictures, staged.with_suffix(".docx"))
                seconds["docx"] = text_s + pictures_s
                pdf = None
                if converter is not None:
                    converter.convert(staged.with_suffix(".docx"), staged.with_suffix(".pdf"))
                    pdf = pool.submit(_finish_pdf, converter, notes)
                notebook = pool.submit(_timed, execute_notebook, REPORT_NOTEBOOK, staged.with_suffix(".ipynb"),
                                       parameters, engines.notebook_kernel(), out / FAILED)
                _, seconds["excel"] = _timed(write_excel, excel_tables(data), staged.with_suffix(".xlsx"), data.title)
                report_html.warm()
                _, seconds["notebook"] = notebook.result()
                html, seconds["html"] = _timed(report_html.notebook_html, staged.with_suffix(".ipynb"), data.title)
                staged.with_suffix(".html").write_text(html, encoding="utf-8")
                made = pdf.result() if pdf is not None else None
                if made is not None:  # "pdf": the whole chain from the outputs' start; "conversion": LibreOffice's part
                    seconds["conversion"], seconds["pdf"] = made[0], made[1] - outputs_started
        except ReportFailed as exc:
            if (out / FAILED).exists():
                _keep_failed(versions, out / FAILED, inside)
                raise ReportFailed(f"{exc} Den körda notebooken finns i {folder / FAILED}; "
                                   f"förra godkända rapporten är orörd.") from None
            raise
        bundle.unlink()
        (out / STAMP).write_text(stamp_text({**data.stamp, CHART_DIGESTS: digests}), encoding="utf-8")
        # Everything has succeeded: only now are the report's files replaced, as one set.
        # (A PDF not made this time is left out too: never one of an earlier report.)
        stage.publish(leave_out=[(inside / "diagram").as_posix(), (inside / FAILED).as_posix(),
                                 (inside / f"{REPORT_NAME}.pdf").as_posix()])
    pdf = folder / f"{REPORT_NAME}.pdf"
    return ReportOutputs(folder, folder / f"{REPORT_NAME}.ipynb", folder / f"{REPORT_NAME}.html",
                         folder / f"{REPORT_NAME}.xlsx", dict(data.stamp), document=folder / f"{REPORT_NAME}.docx",
                         pdf=pdf if "pdf" in seconds else None, notes=notes,
                         charts=[f.__class__(f.name, folder / "diagram" / f.png.name, folder / "diagram" / f.svg.name,
                                             folder / "diagram" / f.alt.name) for f in files],
                         judgement=prepared.judgement, seconds=seconds,
                         rejected_files=sorted(data.submissions.loc[data.submissions["status"].astype(object) == "rejected",
                                                                    "source_file"].astype(str)))


def council_document_text(data, charts: list, folder: Path, template):
    """The council document from the report data, its pictures to come from the chart
    files the export writes into `folder`: (document, add_pictures)."""
    from analysis.report.document import Picture, council_document_text
    from analysis.report.export import chart_files

    pictures = {c.name: Picture(chart_files(c.name, folder).png, c.alt_text, c.title) for c in charts}
    return council_document_text(data, pictures, template)


def write_council_document(document, add_pictures, path: Path) -> None:
    from analysis.report.document import write_document

    add_pictures()
    write_document(document, path)


def _start_converter(warm_up: Path | None, notes: list[str]):
    """LibreOffice started ahead, or None with a note saying why there will be no PDF."""
    from analysis.report.pdf import INSTALL_HINT, start_converter

    converter = start_converter(warm_up)
    if converter is None:
        notes.append(f"PDF-versionen gjordes inte: LibreOffice saknas. Allt annat är framtaget. {INSTALL_HINT}")
    return converter


def _finish_pdf(converter, notes: list[str]) -> tuple[float, float] | None:
    """(seconds LibreOffice took after the handover, when it was done), or None with a note."""
    from analysis.report.pdf import PdfFailed

    try:
        return converter.wait(), time.perf_counter()
    except PdfFailed as exc:
        notes.append(f"PDF-versionen gjordes inte: {exc} Allt annat är framtaget; nästa körning försöker igen.")
        return None


def _keep_failed(versions: Versions, notebook: Path, inside: Path) -> None:
    """A new version with the notebook that failed beside the last good report, which is
    carried over unchanged."""
    with versions.stage() as stage:
        (stage.folder / inside).mkdir(parents=True, exist_ok=True)
        os.rename(notebook, stage.folder / inside / FAILED)
        stage.publish()
