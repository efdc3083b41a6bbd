"""`malstyrning run`: ingestion, aggregates and report of one occasion in one step, for
scheduled runs, doing only what the inputs call for. It first compares the stamps the
outputs would get (analysis.stamps) with those stored:
- nothing changed: one line, exit 0, nothing else is loaded;
- only the judgement file (or the report's own files) changed: the report alone;
- new or changed workbooks, catalogue or code: ingestion, feedback, aggregates, report.
`force` redoes everything. Quiet unless something needs attention, but a run that made the
report ends by naming the files a reader opens (report_files); everything is logged in
reports/<occasion>/malstyrning.log. The caller (the command line) holds the root's lock
(analysis.lock) from before the stamps are compared until the run ends."""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from analysis.config import Paths
from analysis.intake.store import current_folder
from analysis.occasion import Occasion
from analysis.stamps import REPORT_STAMP, aggregates_stamp, processed_stamp, read_stamp, report_stamp, same, stored_processed_stamps
from analysis.versions import report_versions

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 3


@dataclass(frozen=True)
class Plan:
    ingest: bool
    report: bool
    reason: str


def plan(paths: Paths, occasion: Occasion, force: bool = False) -> Plan:
    """What a run must do, from the stamps alone."""
    if force:
        return Plan(True, True, "allt görs om (--force)")
    stored = stored_processed_stamps(current_folder(paths))
    if not same(stored.get(occasion.code), processed_stamp(paths, occasion, stored)):
        return Plan(True, True, "nya eller ändrade arbetsböcker, målkatalog eller programversion")
    folder = report_versions(paths, occasion.code).current()
    if folder is None:
        return Plan(False, True, "rapporten finns inte")
    expected = report_stamp(aggregates_stamp(paths, occasion, stored), paths.judgement_for(occasion.code), None,
                             paths.report_template)
    from analysis.report.outputs import expected_files
    from analysis.report.pdf import soffice

    stamp = read_stamp(folder / REPORT_STAMP) or {}
    if not same(stamp, expected) or not all((folder / name).exists() for name in expected_files(soffice() is not None)):
        return Plan(False, True, "bedömningsfilen eller rapportens filer har ändrats")
    return Plan(False, False, "inget har ändrats")


def check_covered(paths: Paths, occasion: Occasion) -> None:
    """Refuse an occasion no goal catalogue covers before anything is made, from the
    catalogue files' names (malkatalog-<first year>-<last year>.yaml) alone; a name that
    does not say its years is left to the catalogue's own check."""
    import re

    from analysis.errors import UsageError

    names = [p.name for p in paths.reference.glob("malkatalog-*.yaml")]
    years = [re.fullmatch(r"malkatalog-(\d{4})-(\d{4})\.yaml", n) for n in names]
    if names and all(years) and not any(int(m.group(1)) <= occasion.year <= int(m.group(2)) for m in years):
        raise UsageError(f"Ingen målkatalog täcker {occasion.code}. Lägg till malkatalog-<startår>-<slutår>.yaml i "
                         f"{paths.reference}.")


def _log(paths: Paths, occasion: Occasion) -> tuple[logging.Logger, logging.FileHandler, Path]:
    """The run's log, in the occasion's outputs (their first, empty version is made when
    there is none yet)."""
    report_versions(paths, occasion.code).ensure()
    log_path = paths.report_for(occasion.code) / "malstyrning.log"
    log = logging.getLogger("malstyrning.run")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log.addHandler(handler)
    return log, handler, log_path


def _follow(handler: logging.FileHandler, log_path: Path) -> None:
    """After the outputs got a new version (analysis.versions), log on where the stable
    path leads: the same file where the version carried the log over as a hard link,
    else (a file system without them) its copy."""
    open_file, there = os.fstat(handler.stream.fileno()), os.stat(log_path)
    if (open_file.st_dev, open_file.st_ino) != (there.st_dev, there.st_ino):
        handler.setStream(open(log_path, "a", encoding="utf-8")).close()


def report_summary(outputs) -> str:
    """The report's other files, for --verbose and the log (report_files names those a
    reader opens), and what became of the judgement file."""
    from analysis.report.outputs import FOR_READERS, REPORT_FILES
    from analysis.vocabulary import count

    lines = []
    for f in REPORT_FILES:
        if f.step in outputs.files and f.step not in FOR_READERS:
            if f.step == "charts":
                if outputs.charts:
                    lines.append(f"Diagram: {count(len(outputs.charts), 'diagram', 'diagram')} i {outputs.files['charts']}")
            else:
                lines.append(f"{f.label}: {outputs.files[f.step]}")
    return "\n".join([*lines, outputs.judgement.note()])


def report_files(outputs, occasion: Occasion) -> str:
    """The files a reader opens, with their paths: what `run` and `report` end with. The PDF
    (the Word document where LibreOffice did not make one), the HTML report and the Excel
    workbook of the tables, as analysis.report.outputs declares them."""
    from analysis.report.outputs import FOR_READERS, output

    lines = [f"Rapporten för {occasion.label}:"]
    if "pdf" not in outputs.files:
        lines.append(f"  Word (ingen PDF): {outputs.files['docx']}")
    lines += [f"  {output(step).label}: {outputs.files[step]}" for step in FOR_READERS if step in outputs.files]
    return "\n".join(lines)


def rejected_line(occasion: Occasion, rejected_files: list[str], log_path: Path) -> str:
    """A run that made the report although submissions were rejected: which, and where to look."""
    from analysis.vocabulary import count

    return (f"malstyrning: rapporten för {occasion.code} är framtagen, men "
            f"{count(len(rejected_files), 'inlämning', 'inlämningar')} avvisades: {', '.join(rejected_files)}. "
            f"Se {log_path} och reports/{occasion.code}/validering/.")


def _dialogue(paths: Paths, catalogues, occasion: Occasion, log) -> None:
    """Merge the occasion's questions to the boards into the office's dialogue workbook
    (analysis.dialogue). A workbook open in Excel, or one that cannot be read, is said in
    one line and left as it is: the report is made all the same."""
    from analysis import dialogue
    from analysis.errors import UsageError

    try:
        outcome = dialogue.refresh(paths, catalogues, occasion)
    except UsageError as exc:
        log.warning("%s", exc)
        print(f"malstyrning: {exc}", file=sys.stderr)
        return
    log.info("%s", outcome.note())


def run(paths: Paths, occasion: Occasion, force: bool = False, verbose: bool = False) -> int:
    """The scheduled run; returns the exit status (0 done or nothing to do, 1 done with
    rejected submissions, 3 failed). A usage error is raised for the CLI to print."""
    check_covered(paths, occasion)
    log, handler, log_path = _log(paths, occasion)
    try:
        log.info("Körning startad för %s (rot %s)", occasion.code, paths.root)
        todo = plan(paths, occasion, force)
        if not todo.report:
            message = (f"Inget har ändrats sedan förra körningen: rapporten för {occasion.label} i "
                       f"{paths.report_for(occasion.code)} bygger redan på dessa filer.")
            log.info("%s", message)
            print(message)
            return EXIT_OK
        log.info("Att göra: %s", todo.reason)
        return _work(paths, occasion, todo, force, verbose, log, handler, log_path)
    except Exception as exc:
        log.error("%s", exc)
        raise
    finally:
        log.removeHandler(handler)
        handler.close()


def _work(paths: Paths, occasion: Occasion, todo: Plan, force: bool, verbose: bool, log, handler, log_path: Path) -> int:
    from analysis.catalogue import load_catalogues
    from analysis.errors import ReportFailed
    from analysis.report.produce import produce_report
    from analysis.vocabulary import ERROR

    catalogues = load_catalogues(paths.reference)  # a broken catalogue is refused before anything starts
    steps: dict[str, float] = {}
    if todo.ingest:
        from analysis.feedback import write_feedback
        from analysis.intake.ingest import ingest

        t = time.perf_counter()
        for r in ingest(paths, [occasion], catalogues=catalogues, force=force):
            log.info("Inläsning: %d filer, %d godkända, %d avvisade", r.files, len(r.accepted), len(r.rejected))
            for rec in r.issues[r.issues["severity"] == ERROR].to_dict("records"):
                log.warning("Avvisad %s: %s (%s %s)", rec["source_file"], rec["message"], rec["sheet"] or "", rec["cell"] or "")
        steps["ingest"] = time.perf_counter() - t
        t = time.perf_counter()
        feedback = write_feedback(paths, [occasion.code])
        steps["feedback"] = time.perf_counter() - t
        _follow(handler, log_path)
        log.info("Återkoppling: %d filer i %s", len(feedback), paths.reports / occasion.code / "validering")
    try:
        outputs = produce_report(paths, catalogues, occasion, force=force)
    except ReportFailed as exc:
        _follow(handler, log_path)
        log.error("Rapporten misslyckades: %s", exc)
        print(f"malstyrning: rapporten för {occasion.code} kunde inte tas fram: {exc} Logg: {log_path}", file=sys.stderr)
        return EXIT_FAILED
    _follow(handler, log_path)
    _dialogue(paths, catalogues, occasion, log)
    steps |= outputs.seconds
    log.info("Tider (s): %s", ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    heading, *files = report_files(outputs, occasion).splitlines()
    log.info("Klar. %s %s", heading, "; ".join([*(f.strip() for f in files), *report_summary(outputs).splitlines()]))
    for note in outputs.notes:  # the PDF skipped: said once, even in a quiet run
        log.warning("%s", note)
        print(f"malstyrning: {note}", file=sys.stderr)
    if outputs.judgement.status == "upgraded" and not verbose:
        print(outputs.judgement.note())  # the analysts' file changed form: worth a line even in a quiet run
    if verbose:
        print(report_summary(outputs))
    if outputs.rejected_files:
        print(rejected_line(occasion, outputs.rejected_files, log_path), file=sys.stderr, flush=True)
    print(report_files(outputs, occasion))  # the last lines, even in a quiet run: where the report is
    return EXIT_REJECTED if outputs.rejected_files else EXIT_OK
