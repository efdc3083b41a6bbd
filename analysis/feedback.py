"""Feedback on the checks, written after ingestion from the `submissions` and
`validation_issues` tables:

- `reports/<occasion>/validering/<BOARD>.xlsx`: per board, every finding with a link that
  opens the board's own file at the cell, in Swedish, to act on;
- `reports/<occasion>/validering/sammanfattning.html`: one page for the city office, with
  counts per board and rule.

Everything a board wrote is shown as text: never a formula in Excel, always escaped in HTML."""

from __future__ import annotations

import html
import re
from itertools import groupby
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import quote_sheetname

from analysis.config import Paths
from analysis.excel import TITLE_FONT, WRAP, link_target, set_link, set_value, table_filter, table_header
from analysis.files import writing
from analysis.intake.store import current_folder, read_table
from analysis.checks.rules import RULE_SEVERITY, RULE_WHAT, SHEET_ORDER
from analysis.occasion import Occasion
from analysis.versions import report_versions
from analysis.vocabulary import ERROR, FILE_STATUS_LABELS, SEVERITY_LABELS, WARNING, and_list, count, number
from analysis.boards.layout import EXAMPLE_DATA_MARK

FOLDER = "validering"
SUMMARY = "sammanfattning.html"
UNKNOWN_SENDER = "okand_avsandare"
UNKNOWN_SENDER_LABEL = "Okänd avsändare (filen kunde inte läsas)"
FINDINGS_SHEET, FILES_SHEET = "Fynd", "Inlämningar"
FINDINGS_HEADER_ROW = 6
LISTED_PER_FILE = 1_000  # findings listed per file in a board's workbook; the table has them all
FINDING_HEADERS = [("Fil", 34), ("Flik", 22), ("Cell", 8), ("Allvarlighetsgrad", 16), ("Regel", 26),
                   ("Meddelande", 80), ("Värde i cellen", 40), ("Gå till cellen", 30)]
FILE_HEADERS = [("Fil", 44), ("Inlämningsdatum", 16), ("Status", 26), ("Fel", 8), ("Varningar", 11), ("Öppna filen", 16)]
SEVERITY_FILLS = {ERROR: PatternFill("solid", fgColor="F8CBAD"), WARNING: PatternFill("solid", fgColor="FFF2CC")}
EXAMPLE_FONT = Font(bold=True, color="C00000")
_OWN_FILE = re.compile(r"^(?:[A-Z0-9]+|" + UNKNOWN_SENDER + r")\.xlsx$")


def feedback_folder(paths: Paths, occasion: str) -> Path:
    return paths.reports / occasion / FOLDER


def feedback_name(board_code: str | None) -> str:
    return f"{board_code or UNKNOWN_SENDER}.xlsx"


def _records(frame: pd.DataFrame | None) -> list[dict]:
    """Rows as plain Python values: categoricals as their values, missing as None."""
    if frame is None or frame.empty:
        return []
    plain = frame.astype(object)
    return plain.where(plain.notna(), None).to_dict("records")


def _sheet_rank(sheet) -> int:
    return SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER)


def _cell_rank(cell) -> tuple[int, str]:
    match = re.match(r"^([A-Z]+)(\d+)$", cell or "")
    return (int(match.group(2)), match.group(1).rjust(3)) if match else (0, "")


def ordered_findings(issues: list[dict]) -> list[dict]:
    """Per file, errors first, then in workbook order: sheet, row, column."""
    return sorted(issues, key=lambda f: (str(f["source_file"]), f["severity"] != ERROR, _sheet_rank(f["sheet"]), _cell_rank(f["cell"])))


def _counts(issues: list[dict], source_file: str) -> tuple[int, int]:
    mine = [f["severity"] for f in issues if f["source_file"] == source_file]
    return mine.count(ERROR), mine.count(WARNING)


def board_status(files: list[dict], issues: list[dict]) -> str:
    """One Swedish sentence on where the board stands for the occasion."""
    current = [f["source_file"] for f in files if f["status"] == "current"]
    rejected = [f["source_file"] for f in files if f["status"] == "rejected"]
    parts = []
    if current:
        _, warnings = _counts(issues, current[0])
        note = f", {warnings} {'varning' if warnings == 1 else 'varningar'} att se över" if warnings else " utan anmärkningar"
        parts.append(f"Gällande inlämning: {current[0]} (godkänd{note}).")
    if rejected:
        parts.append(f"Avvisad: {', '.join(map(str, rejected))}. Rätta felen i arbetsboken och skicka in den igen.")
        if current:
            parts.append("Till dess gäller den godkända inlämningen ovan.")
    if not parts:
        parts.append("Ingen inlämning.")
    return " ".join(parts)


def board_workbook(
    occasion: str, board_code: str | None, board_name: str, files: list[dict], issues: list[dict],
    raw_folder: Path, out_folder: Path, example_data: bool,
) -> Workbook:
    """The feedback workbook of one board for one occasion (see module docstring):
    `files` are its rows of the submissions table, `issues` its findings. At most
    LISTED_PER_FILE findings are listed per file (errors first), then how many more
    there are: a file with very many findings has a bounded workbook."""
    wb = Workbook()
    ws = wb.active
    ws.title = FINDINGS_SHEET
    who = f"{board_name} ({board_code})" if board_code else board_name
    set_value(ws.cell(1, 1), f"Återkoppling på inlämningen: {Occasion.parse(occasion).label} – {who}")
    ws.cell(1, 1).font = TITLE_FONT
    set_value(ws.cell(2, 1), board_status(files, issues))
    set_value(ws.cell(3, 1), "Fel gör att hela inlämningen avvisas och måste rättas. Varningar godtas men ses över av "
                             "stadskontoret. Länken i kolumnen 'Gå till cellen' öppnar er fil vid cellen.")
    if example_data:
        set_value(ws.cell(4, 1), f"{EXAMPLE_DATA_MARK.upper()} – inte verkliga uppgifter")
        ws.cell(4, 1).font = EXAMPLE_FONT
    table_header(ws, FINDINGS_HEADER_ROW, FINDING_HEADERS)
    r = FINDINGS_HEADER_ROW
    for file, found in groupby(ordered_findings(issues), key=lambda f: f["source_file"]):
        target = link_target(out_folder, raw_folder / file)
        found = list(found)
        for rec in found[:LISTED_PER_FILE]:
            r += 1
            severity, sheet, cell = rec["severity"], rec["sheet"], rec["cell"]
            values = [file, sheet, cell, SEVERITY_LABELS.get(severity, severity), rec["rule"], rec["message"], rec["value"]]
            for c, value in enumerate(values, 1):
                set_value(ws.cell(r, c), value)
                ws.cell(r, c).alignment = WRAP
            ws.cell(r, 4).fill = SEVERITY_FILLS.get(severity, PatternFill())
            location = f"{quote_sheetname(sheet)}!{cell}" if sheet and cell else None
            text = f"{sheet}!{cell}" if location else "Öppna filen"
            set_link(ws.cell(r, 8), text, target, location,
                     tooltip=f"Öppna {file}" + (f", fliken {sheet}, cell {cell}" if location else ""))
        if len(found) > LISTED_PER_FILE:
            r += 1
            set_value(ws.cell(r, 1), file)
            set_value(ws.cell(r, 6), f"… och {number(len(found) - LISTED_PER_FILE, 0)} fynd till, som inte visas här "
                                     f"(högst {number(LISTED_PER_FILE, 0)} per fil). Rätta dem som visas och skicka in "
                                     "filen igen, så kontrolleras den på nytt.")
            ws.cell(r, 6).alignment = WRAP
    if r == FINDINGS_HEADER_ROW:
        r += 1
        set_value(ws.cell(r, 1), "Inga fynd.")
    table_filter(ws, FINDINGS_HEADER_ROW, len(FINDING_HEADERS), r)

    fs = wb.create_sheet(FILES_SHEET)
    table_header(fs, 1, FILE_HEADERS)
    for r, rec in enumerate(files, 2):
        errors, warnings = _counts(issues, rec["source_file"])
        submitted = rec.get("submitted_on")
        values = [rec["source_file"], submitted.date() if hasattr(submitted, "date") else submitted,
                  FILE_STATUS_LABELS.get(rec["status"], rec["status"]), errors, warnings]
        for c, value in enumerate(values, 1):
            set_value(fs.cell(r, c), value)
        fs.cell(r, 2).number_format = "yyyy-mm-dd"
        set_link(fs.cell(r, 6), "Öppna", link_target(out_folder, raw_folder / rec["source_file"]), tooltip=f"Öppna {rec['source_file']}")
    table_filter(fs, 1, len(FILE_HEADERS), len(files) + 1)
    wb.active = 0
    return wb


# --- the office's summary page ---------------------------------------------------------

_CSS = """body{font-family:Segoe UI,Arial,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#1F4E79;color:#fff}td.n{text-align:right}.fel{background:#F8CBAD}.varning{background:#FFF2CC}
.exempel{color:#C00000;font-weight:bold}"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _by_board(rows: list[dict]) -> dict[str | None, list[dict]]:
    out: dict[str | None, list[dict]] = {}
    for row in rows:
        out.setdefault(row["board_code"], []).append(row)
    return out


def _boards(subs: list[dict]) -> list[tuple[str | None, str]]:
    """(code, name) of every sender: known boards by code, then the unknown sender."""
    names = {s["board_code"]: s.get("board_name") or s["board_code"] for s in subs if s["board_code"] is not None}
    out: list[tuple[str | None, str]] = [(c, str(names[c])) for c in sorted(names)]
    if any(s["board_code"] is None for s in subs):
        out.append((None, UNKNOWN_SENDER_LABEL))
    return out


def counts_line(files: int, rejected: int, errors: int, warnings: int) -> str:
    """The summary page's first line: files read, accepted and rejected, errors and warnings
    (a count of zero is left out; no findings at all is said)."""
    if not files:
        return "Inga filer lästa."
    read = [count(files, "fil läst", "filer lästa")]
    read += [count(files - rejected, "godkänd", "godkända")] if files - rejected else []
    read += [count(rejected, "avvisad", "avvisade")] if rejected else []
    found = [count(n, one, many) for n, one, many in ((errors, "fel", "fel"), (warnings, "varning", "varningar")) if n]
    return f"{', '.join(read)}. {and_list(found) if found else 'Inga fel eller varningar'}."


def summary_html(occasion: str, submissions: list[dict], issues: list[dict], example_data: bool) -> str:
    """The summary page of one occasion: files, counts per board and per rule, rejected
    files. `submissions` and `issues` are the occasion's rows of the two tables."""
    label = Occasion.parse(occasion).label
    files_of, found_of = _by_board(submissions), _by_board(issues)
    out = ["<!DOCTYPE html>", '<html lang="sv"><head><meta charset="utf-8">',
           f"<title>Validering – {_e(label)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Validering av inlämningar – {_e(label)}</h1>"]
    if example_data:
        out.append(f'<p class="exempel">{_e(EXAMPLE_DATA_MARK.upper())} – inte verkliga uppgifter</p>')
    n_rejected = sum(s["status"] == "rejected" for s in submissions)
    severities = [f["severity"] for f in issues]
    out.append(f"<p>{_e(counts_line(len(submissions), n_rejected, severities.count(ERROR), severities.count(WARNING)))}</p>")

    out.append("<h2>Per nämnd och bolag</h2><table><tr><th>Nämnd/bolag</th><th>Kod</th><th>Filer</th><th>Status</th>"
               "<th>Fel</th><th>Varningar</th><th>Återkoppling</th></tr>")
    boards = _boards(submissions)
    for code, name in boards:
        files, mine = files_of.get(code, []), [f["severity"] for f in found_of.get(code, [])]
        statuses = {f["status"] for f in files}
        status = ("Godkänd (en fil avvisad)" if "rejected" in statuses else "Godkänd") if "current" in statuses else "Avvisad"
        e, w = mine.count(ERROR), mine.count(WARNING)
        link = f'<a href="{_e(feedback_name(code))}">{_e(feedback_name(code))}</a>'
        out.append(f"<tr><td>{_e(name)}</td><td>{_e(code or '')}</td><td class=n>{len(files)}</td><td>{_e(status)}</td>"
                   f'<td class="n{" fel" if e else ""}">{e}</td><td class="n{" varning" if w else ""}">{w}</td><td>{link}</td></tr>')
    out.append("</table>")

    out.append("<h2>Fynd per regel och nämnd eller bolag</h2>")
    if issues:
        counts: dict[str, dict[str | None, int]] = {}
        for f in issues:
            per_board = counts.setdefault(f["rule"], {})
            per_board[f["board_code"]] = per_board.get(f["board_code"], 0) + 1
        rules = sorted(counts, key=lambda r: (RULE_SEVERITY.get(r) != ERROR, r))
        with_findings = [(c, n) for c, n in boards if c in found_of]
        out.append("<table><tr><th>Regel</th><th>Allvarlighetsgrad</th><th>Beskrivning</th><th>Totalt</th>"
                   + "".join(f"<th>{_e(c or '?')}</th>" for c, _ in with_findings) + "</tr>")
        for rule in rules:
            severity = RULE_SEVERITY.get(rule, ERROR)
            cells = "".join(f"<td class=n>{counts[rule].get(c) or ''}</td>" for c, _ in with_findings)
            out.append(f"<tr><td>{_e(rule)}</td><td class={'fel' if severity == ERROR else 'varning'}>"
                       f"{_e(SEVERITY_LABELS.get(severity, severity))}</td><td>{_e(RULE_WHAT.get(rule, ''))}</td>"
                       f"<td class=n>{sum(counts[rule].values())}</td>{cells}</tr>")
        out.append("</table>")
    else:
        out.append("<p>Inga fynd.</p>")

    rejected = [s for s in submissions if s["status"] == "rejected"]
    if rejected:
        errors_of: dict[str, list[dict]] = {}
        for f in issues:
            if f["severity"] == ERROR:
                errors_of.setdefault(f["source_file"], []).append(f)
        out.append("<h2>Avvisade filer</h2><table><tr><th>Fil</th><th>Nämnd/bolag</th><th>Fel</th><th>Första felet</th></tr>")
        for rec in rejected:
            errs = ordered_findings(errors_of.get(rec["source_file"], []))
            first = errs[0]["message"] if errs else ""
            out.append(f"<tr><td>{_e(rec['source_file'])}</td><td>{_e(rec.get('board_name') or UNKNOWN_SENDER_LABEL)}</td>"
                       f"<td class=n>{len(errs)}</td><td>{_e(first)}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _workbook_bytes(wb) -> bytes:
    """The workbook made in memory: on a full disk nothing half-written is left to fail again."""
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write(staged: Path, occasion: str, data: bytes) -> None:
    """Write into the staged version (nobody reads it yet); a full disk names the file as
    people know it (reports/<occasion>/validering/<name>)."""
    with writing(f"återkopplingen {FOLDER}/{staged.name} för {occasion}"):
        staged.write_bytes(data)


def write_feedback(paths: Paths, occasions: list[str]) -> list[Path]:
    """Write the feedback workbooks and the summary page of each occasion from the
    processed tables, as a new version of the occasion's outputs (analysis.versions: the
    feedback is replaced as one set); returns the files written, by their stable paths.
    Feedback files of boards that no longer have a submission for the occasion are
    removed; nothing else in the folder is."""
    snapshot = current_folder(paths)
    submissions = _records(read_table(snapshot, "submissions"))
    issues = _records(read_table(snapshot, "validation_issues"))
    written: list[Path] = []
    for occasion in occasions:
        subs = [s for s in submissions if s["occasion"] == occasion]
        found = [f for f in issues if f["occasion"] == occasion]
        if not subs:
            continue
        folder = feedback_folder(paths, occasion)  # the stable path, which the links start from
        versions = report_versions(paths, occasion)
        with versions.stage() as stage:
            staged = stage.folder / FOLDER  # nobody reads it yet: written in place
            with writing(versions.label):
                staged.mkdir()
            example = any(bool(s.get("example_data")) for s in subs)
            files_of, found_of = _by_board(subs), _by_board(found)
            names = {SUMMARY}
            for code, name in _boards(subs):
                wb = board_workbook(occasion, code, name, files_of.get(code, []), found_of.get(code, []),
                                    paths.raw_for(occasion), folder, example)
                _write(staged / feedback_name(code), occasion, _workbook_bytes(wb))
                names.add(feedback_name(code))
            _write(staged / SUMMARY, occasion, summary_html(occasion, subs, found, example).encode("utf-8"))
            current = versions.current()
            earlier = current / FOLDER if current is not None else None
            stale = [p.name for p in earlier.glob("*.xlsx")] if earlier is not None and earlier.is_dir() else []
            stage.publish(leave_out=[f"{FOLDER}/{n}" for n in stale if _OWN_FILE.match(n) and n not in names])
        written += [folder / n for n in sorted(names)]
    return written
