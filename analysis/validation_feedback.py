"""Feedback on the checks, written after ingestion from the `submissions` and
`validation_issues` tables:

- `reports/<occasion>/validering/<BOARD>.xlsx`: per board, every finding with a link that
  opens the board's own file at the cell, in Swedish, to act on;
- `reports/<occasion>/validering/sammanfattning.html`: one page for the city office, with
  counts per board and rule.

Everything a board wrote is shown as text: never a formula in Excel, always escaped in HTML."""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import quote_sheetname

from analysis.config import Paths
from analysis.excel_output import TITLE_FONT, WRAP, link_target, save_workbook, set_link, set_value, table_filter, table_header
from analysis.processed_store import read_table
from analysis.validation_rules import (
    ERROR,
    RULE_SEVERITY,
    RULE_WHAT,
    SEVERITY_LABELS,
    SHEET_ORDER,
    WARNING,
    occasion_label,
)
from analysis.workbook_layout import EXAMPLE_DATA_MARK

FOLDER = "validering"
SUMMARY = "sammanfattning.html"
UNKNOWN_SENDER = "okand_avsandare"
UNKNOWN_SENDER_LABEL = "Okänd avsändare (filen kunde inte läsas)"
STATUS_LABELS = {"current": "Gällande", "superseded": "Ersatt av senare inlämning", "rejected": "Avvisad"}
FINDINGS_SHEET, FILES_SHEET = "Fynd", "Inlämningar"
FINDINGS_HEADER_ROW = 6
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


def _text(value) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _plain(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Categoricals and nullable columns as plain Python values (None for missing)."""
    if frame is None:
        return pd.DataFrame()
    return frame.astype(object).where(frame.notna(), None)


def _sheet_rank(sheet) -> int:
    return SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER)


def _cell_rank(cell) -> tuple[int, str]:
    match = re.match(r"^([A-Z]+)(\d+)$", cell or "")
    return (int(match.group(2)), match.group(1).rjust(3)) if match else (0, "")


def ordered_findings(issues: pd.DataFrame) -> pd.DataFrame:
    """Per file, errors first, then in workbook order: sheet, row, column."""
    if issues.empty:
        return issues
    keys = issues.assign(
        _sev=(issues["severity"] != ERROR).astype(int),
        _sheet=issues["sheet"].map(_sheet_rank),
        _cell=issues["cell"].map(_cell_rank),
    )
    return keys.sort_values(["source_file", "_sev", "_sheet", "_cell"], kind="stable").drop(columns=["_sev", "_sheet", "_cell"])


def _counts(issues: pd.DataFrame, source_file: str) -> tuple[int, int]:
    mine = issues[issues["source_file"] == source_file]
    return int((mine["severity"] == ERROR).sum()), int((mine["severity"] == WARNING).sum())


def board_status(files: pd.DataFrame, issues: pd.DataFrame) -> str:
    """One Swedish sentence on where the board stands for the occasion."""
    current = files[files["status"] == "current"]
    rejected = files[files["status"] == "rejected"]
    parts = []
    if len(current):
        name = current["source_file"].iloc[0]
        _, warnings = _counts(issues, name)
        note = f", {warnings} {'varning' if warnings == 1 else 'varningar'} att se över" if warnings else " utan anmärkningar"
        parts.append(f"Gällande inlämning: {name} (godkänd{note}).")
    if len(rejected):
        names = ", ".join(rejected["source_file"].astype(str))
        parts.append(f"Avvisad: {names}. Rätta felen i arbetsboken och skicka in den igen.")
        if len(current):
            parts.append("Till dess gäller den godkända inlämningen ovan.")
    if not parts:
        parts.append("Ingen inlämning.")
    return " ".join(parts)


def board_workbook(
    occasion: str, board_code: str | None, board_name: str, files: pd.DataFrame, issues: pd.DataFrame,
    raw_folder: Path, out_folder: Path, example_data: bool,
) -> Workbook:
    """The feedback workbook of one board for one occasion (see module docstring)."""
    wb = Workbook()
    ws = wb.active
    ws.title = FINDINGS_SHEET
    who = f"{board_name} ({board_code})" if board_code else board_name
    set_value(ws.cell(1, 1), f"Återkoppling på inlämningen: {occasion_label(occasion)} – {who}")
    ws.cell(1, 1).font = TITLE_FONT
    set_value(ws.cell(2, 1), board_status(files, issues))
    set_value(ws.cell(3, 1), "Fel gör att hela inlämningen avvisas och måste rättas. Varningar godtas men ses över av "
                             "stadskontoret. Länken i kolumnen 'Gå till cellen' öppnar er fil vid cellen.")
    if example_data:
        set_value(ws.cell(4, 1), f"{EXAMPLE_DATA_MARK.upper()} – inte verkliga uppgifter")
        ws.cell(4, 1).font = EXAMPLE_FONT
    table_header(ws, FINDINGS_HEADER_ROW, FINDING_HEADERS)
    r = FINDINGS_HEADER_ROW
    for rec in _plain(ordered_findings(issues)).to_dict("records"):
        r += 1
        severity = rec["severity"]
        sheet, cell = rec["sheet"], rec["cell"]
        values = [rec["source_file"], sheet, cell, SEVERITY_LABELS.get(severity, severity), rec["rule"], rec["message"], rec["value"]]
        for c, value in enumerate(values, 1):
            set_value(ws.cell(r, c), value)
            ws.cell(r, c).alignment = WRAP
        ws.cell(r, 4).fill = SEVERITY_FILLS.get(severity, PatternFill())
        target = link_target(out_folder, raw_folder / rec["source_file"])
        location = f"{quote_sheetname(sheet)}!{cell}" if sheet and cell else None
        text = f"{sheet}!{cell}" if location else "Öppna filen"
        set_link(ws.cell(r, 8), text, target, location, tooltip=f"Öppna {rec['source_file']}" + (f", fliken {sheet}, cell {cell}" if location else ""))
    if r == FINDINGS_HEADER_ROW:
        r += 1
        set_value(ws.cell(r, 1), "Inga fynd.")
    table_filter(ws, FINDINGS_HEADER_ROW, len(FINDING_HEADERS), r)

    fs = wb.create_sheet(FILES_SHEET)
    table_header(fs, 1, FILE_HEADERS)
    for r, rec in enumerate(_plain(files).to_dict("records"), 2):
        errors, warnings = _counts(issues, rec["source_file"])
        submitted = rec.get("submitted_on")
        values = [rec["source_file"], submitted.date() if hasattr(submitted, "date") else submitted,
                  STATUS_LABELS.get(rec["status"], rec["status"]), errors, warnings]
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


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def summary_html(occasion: str, submissions: pd.DataFrame, issues: pd.DataFrame, example_data: bool) -> str:
    """The summary page of one occasion: files, counts per board and per rule, rejected files."""
    subs, found = _plain(submissions), _plain(issues)
    label = occasion_label(occasion)
    out = ["<!DOCTYPE html>", '<html lang="sv"><head><meta charset="utf-8">',
           f"<title>Validering – {_e(label)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Validering av inlämningar – {_e(label)}</h1>"]
    if example_data:
        out.append(f'<p class="exempel">{_e(EXAMPLE_DATA_MARK.upper())} – inte verkliga uppgifter</p>')
    n_rejected = int((subs["status"] == "rejected").sum()) if len(subs) else 0
    errors = int((found["severity"] == ERROR).sum()) if len(found) else 0
    warnings = int((found["severity"] == WARNING).sum()) if len(found) else 0
    out.append(f"<p>{_number(len(subs))} filer lästa, {_number(len(subs) - n_rejected)} godkända, "
               f"{_number(n_rejected)} avvisade. {_number(errors)} fel och {_number(warnings)} varningar.</p>")

    out.append("<h2>Per nämnd och bolag</h2><table><tr><th>Nämnd/bolag</th><th>Kod</th><th>Filer</th><th>Status</th>"
               "<th>Fel</th><th>Varningar</th><th>Återkoppling</th></tr>")
    boards = _boards(subs)
    for code, name in boards:
        files = subs[subs["board_code"].map(lambda b: b == code)]
        mine = found[found["board_code"].map(lambda b: b == code)] if len(found) else found
        status = "Godkänd" if (files["status"] == "current").any() else "Avvisad"
        if status == "Godkänd" and (files["status"] == "rejected").any():
            status = "Godkänd (en fil avvisad)"
        e = int((mine["severity"] == ERROR).sum()) if len(mine) else 0
        w = int((mine["severity"] == WARNING).sum()) if len(mine) else 0
        link = f'<a href="{_e(feedback_name(code))}">{_e(feedback_name(code))}</a>'
        out.append(f"<tr><td>{_e(name)}</td><td>{_e(code or '')}</td><td class=n>{len(files)}</td><td>{_e(status)}</td>"
                   f'<td class="n{" fel" if e else ""}">{e}</td><td class="n{" varning" if w else ""}">{w}</td><td>{link}</td></tr>')
    out.append("</table>")

    out.append("<h2>Fynd per regel och nämnd</h2>")
    if len(found):
        rules = sorted(found["rule"].unique(), key=lambda r: (RULE_SEVERITY.get(r) != ERROR, r))
        with_findings = [(c, n) for c, n in boards if (found["board_code"].map(lambda b: b == c)).any()]
        out.append("<table><tr><th>Regel</th><th>Allvarlighetsgrad</th><th>Beskrivning</th><th>Totalt</th>"
                   + "".join(f"<th>{_e(c or '?')}</th>" for c, _ in with_findings) + "</tr>")
        for rule in rules:
            of_rule = found[found["rule"] == rule]
            severity = RULE_SEVERITY.get(rule, of_rule["severity"].iloc[0])
            cells = "".join(f"<td class=n>{int((of_rule['board_code'].map(lambda b: b == c)).sum()) or ''}</td>" for c, _ in with_findings)
            out.append(f"<tr><td>{_e(rule)}</td><td class={'fel' if severity == ERROR else 'varning'}>"
                       f"{_e(SEVERITY_LABELS.get(severity, severity))}</td><td>{_e(RULE_WHAT.get(rule, ''))}</td>"
                       f"<td class=n>{len(of_rule)}</td>{cells}</tr>")
        out.append("</table>")
    else:
        out.append("<p>Inga fynd.</p>")

    rejected = subs[subs["status"] == "rejected"] if len(subs) else subs
    if len(rejected):
        out.append("<h2>Avvisade filer</h2><table><tr><th>Fil</th><th>Nämnd/bolag</th><th>Fel</th><th>Första felet</th></tr>")
        for rec in rejected.to_dict("records"):
            errs = found[(found["source_file"] == rec["source_file"]) & (found["severity"] == ERROR)] if len(found) else found
            first = ordered_findings(errs)["message"].iloc[0] if len(errs) else ""
            out.append(f"<tr><td>{_e(rec['source_file'])}</td><td>{_e(rec.get('board_name') or UNKNOWN_SENDER_LABEL)}</td>"
                       f"<td class=n>{len(errs)}</td><td>{_e(first)}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _boards(subs: pd.DataFrame) -> list[tuple[str | None, str]]:
    """(code, name) of every sender, known boards by code, then the unknown sender."""
    if subs.empty:
        return []
    known = subs[subs["board_code"].notna()].drop_duplicates("board_code").sort_values("board_code")
    out = [(str(c), str(n or c)) for c, n in zip(known["board_code"], known["board_name"])]
    if subs["board_code"].isna().any():
        out.append((None, UNKNOWN_SENDER_LABEL))
    return out


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feedback(paths: Paths, occasions: list[str]) -> list[Path]:
    """Write the feedback workbooks and the summary page of each occasion from the
    processed tables; returns the files written. Feedback files of boards that no longer
    have a submission for the occasion are removed; nothing else in the folder is."""
    submissions = _plain(read_table(paths.processed, "submissions"))
    issues = _plain(read_table(paths.processed, "validation_issues"))
    written: list[Path] = []
    for occasion in occasions:
        subs = submissions[submissions["occasion"] == occasion] if len(submissions) else submissions
        found = issues[issues["occasion"] == occasion] if len(issues) else pd.DataFrame(columns=["occasion", "board_code", "source_file", "severity", "rule"])
        folder = feedback_folder(paths, occasion)
        if subs.empty:
            continue
        example = bool(subs["example_data"].fillna(False).any())
        names = set()
        for code, name in _boards(subs):
            files = subs[subs["board_code"].map(lambda b: b == code)]
            mine = found[found["board_code"].map(lambda b: b == code)]
            wb = board_workbook(occasion, code, name, files, mine, paths.raw_for(occasion), folder, example)
            path = folder / feedback_name(code)
            save_workbook(wb, path)
            written.append(path)
            names.add(path.name)
        summary = folder / SUMMARY
        _write_text(summary, summary_html(occasion, subs, found, example))
        written.append(summary)
        for stale in folder.glob("*.xlsx"):
            if _OWN_FILE.match(stale.name) and stale.name not in names:
                stale.unlink()
    return written
