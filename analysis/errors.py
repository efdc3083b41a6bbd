"""Errors a person running the workbench can act on; the CLI prints them in Swedish."""


class UsageError(Exception):
    """Wrong arguments or a broken setup: the command cannot start (exit status 2)."""


class CatalogueError(UsageError):
    """The goal catalogue is inconsistent; each problem is one Swedish line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            super().__init__(f"Målkatalogen {source} har fel: {problems[0]}")
        else:
            super().__init__(f"Målkatalogen {source} har fel:\n" + "\n".join(f"  - {p}" for p in problems))


class SubmissionError(Exception):
    """A file cannot be read as a submission. The message names sheet and cell where it
    can; `rule` is the reader rule of the finding (analysis.checks.rules.READER_RULES)."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None,
                 rule: str = "arbetsbok_olaslig"):
        self.message = message
        self.sheet = sheet
        self.cell = cell
        self.rule = rule
        super().__init__(message)


class DiskFull(Exception):
    """A file could not be written for want of space (a full disk or a used-up quota; exit
    status 3). `label` names the file as the person running the command knows it (the
    table's name, or the report file's name and occasion), never a staging path; see
    analysis.files.writing, which raises it. Nothing half-written is left behind."""

    def __init__(self, label: str):
        self.label = label
        super().__init__(f"disken är full; kunde inte skriva {label}")


class ReportFailed(Exception):
    """The report could not be produced (a notebook cell, the kernel or the chart browser
    failed); the message says what, in Swedish. The last good report is left as it was."""
