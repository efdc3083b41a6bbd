"""The report's output files, declared once: name, what it is, and the step of the report
that makes it (analysis.report.produce runs the steps in this order). The run's check of
what exists, the publication and the closing message derive their lists from here.
Import-light: the run's quick check reads it without pandas."""

from __future__ import annotations

from dataclasses import dataclass

REPORT_NAME = "sammanstalld_analys"
FAILED_NOTEBOOK = f"{REPORT_NAME}.misslyckad.ipynb"  # a notebook that stopped, kept beside the last good report


@dataclass(frozen=True)
class OutputFile:
    name: str
    label: str  # what it is, in Swedish
    step: str  # the report's step that makes it
    folder: bool = False
    needs_libreoffice: bool = False  # made only where LibreOffice is installed


REPORT_FILES: tuple[OutputFile, ...] = (
    OutputFile("diagram", "Diagram (PNG och SVG)", "charts", folder=True),
    OutputFile(f"{REPORT_NAME}.xlsx", "Excel", "excel"),
    OutputFile(f"{REPORT_NAME}.docx", "Word", "docx"),
    OutputFile(f"{REPORT_NAME}.ipynb", "Notebook", "notebook"),
    OutputFile(f"{REPORT_NAME}.pdf", "PDF", "pdf", needs_libreoffice=True),
    OutputFile(f"{REPORT_NAME}.html", "HTML", "html"),
)


FOR_READERS = ("pdf", "html", "excel")  # what a reader opens, named in this order at the end of a run


def output(step: str) -> OutputFile:
    return next(f for f in REPORT_FILES if f.step == step)


def expected_files(with_libreoffice: bool) -> list[str]:
    """The names a complete report has."""
    return [f.name for f in REPORT_FILES if with_libreoffice or not f.needs_libreoffice]
