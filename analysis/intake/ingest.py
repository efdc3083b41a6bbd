"""Ingestion: every workbook in `data/raw/<occasion>/` into the tidy tables.

Each file is read on its own (a broken one is reported and the others go on). The staged
rows of every occasion of the run are then checked together, once (`analysis.checks.validation`,
with the budgets ingested earlier as context; a file whose check inputs are unchanged keeps
its earlier findings, analysis.intake.reuse), and the tables are rebuilt for the run's
occasions only:
- `history/<table>`: every submission ever read for the occasion, as written;
- `<table>`: the rows of the *current* submission of each board (the latest accepted one);
- `submissions`: every file with its status (current, superseded, rejected);
- `validation_issues`: every finding, with its cell.
All tables are written into one new snapshot (each let go once written; the history and
staged rows, which do not depend on the findings, before the rules run), made current
atomically at the end (analysis.intake.store). Raw files are only read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue, Scale, catalogue_for, load_catalogues
from analysis.config import Paths
from analysis.errors import SubmissionError, UsageError
from analysis.occasion import Occasion
from analysis.stamps import STAMPS, processed_stamp, stamp_text, stored_processed_stamps
from analysis.vocabulary import CURRENT, ERROR, FILE_STATUSES, REJECTED, SUPERSEDED, file_key, in_submission_order
from analysis.intake.store import HISTORY, current_folder, read_table, snapshot_stage, write_tables
from analysis.boards.container import MAX_FILE_BYTES
from analysis.boards.submission import (
    SHEET_TABLES, TABLES, add_records, cell_columns, staged_columns, staged_frame, staged_rows, table_columns,
    typed_table,
)
from analysis.checks.validation import ISSUE_COLUMNS, Earlier, empty_issues, plan_checks, run_checks
from analysis.boards.reader import read_workbook
from analysis.inbox import FILE, inbox_entries, not_a_file, read_submission
from analysis.intake.reuse import CELLS, STAGED, Known, checked_before, known_files, made_with, staged_store

STATUS_COLUMNS = ["status", "status_reason"]


@dataclass
class OccasionResult:
    occasion: str
    files: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=empty_issues)


def _unreadable(occasion: Occasion, catalogue: Catalogue, name: str, sha: str, modified: dt.datetime,
                error: SubmissionError) -> tuple[dict, dict]:
    submission = {c: None for c in table_columns("submissions")}
    submission.update(
        occasion=occasion.code, mandate_period=catalogue.mandate_period, source_file=name, sha256=sha,
        file_modified=modified, sheet=error.sheet,
    )
    issue = {
        "occasion": occasion.code, "board_code": None, "source_file": name, "sha256": sha,
        "sheet": error.sheet, "cell": error.cell, "rule": error.rule, "severity": ERROR,
        "message": error.message, "value": None,
    }
    return submission, issue


@dataclass
class StagedOccasion:
    """What the files of one occasion folder hold: the staged rows of each table, the
    findings for files that could not be read at all, and where each readable
    workbook's fields are (column letters per sheet; the details sheet's cells)."""

    staged: dict[str, pd.DataFrame]
    unreadable: pd.DataFrame
    letters: dict[str, dict[str, dict[str, str]]]
    details_cells: dict[str, dict[str, str]]


def read_occasion(paths: Paths, occasion: Occasion, catalogue: Catalogue, progress: bool = False,
                  known: Known | None = None) -> StagedOccasion:
    """Read every entry of the occasion's folder; see StagedOccasion. An entry that is
    not a regular file, or a file that cannot be opened or read as a submission, is one
    finding for that entry, and the others are read. A file `known` holds (the same
    occasion, name and content) is not parsed again: its staged rows are reused."""
    folder = paths.raw_for(occasion.code)
    if not folder.is_dir():
        raise UsageError(f"Mappen {folder} finns inte. Lägg nämndernas och bolagens arbetsböcker för {occasion.code} där.")
    entries = inbox_entries(folder)
    columns = {t: staged_columns(t) for t in TABLES}
    unreadable: list[dict] = []
    letters: dict[str, dict[str, dict[str, str]]] = {}
    details_cells: dict[str, dict[str, str]] = {}
    iterator = entries
    if progress:
        from tqdm import tqdm

        iterator = tqdm(entries, desc=f"Läser {occasion.code}", unit=" fil", leave=False, disable=None)
    for entry in iterator:
        sha, modified = "", entry.modified
        try:
            if entry.kind != FILE:
                raise not_a_file(entry)
            file = read_submission(folder, entry.name, MAX_FILE_BYTES)
            sha, modified = file.sha256, file.modified
            reused = known.get(occasion.code, entry.name, sha) if known is not None else None
            if reused is None:
                raw = read_workbook(file.data, entry.name, sha, modified)
                found = staged_rows(raw, occasion, catalogue)
                letters[sha], details_cells[sha] = cell_columns(raw), dict(raw.details_cells)
        except SubmissionError as error:
            submission, issue = _unreadable(occasion, catalogue, entry.name, sha, modified, error)
            add_records(columns["submissions"], [submission])
            unreadable.append(issue)
            continue
        if reused is not None:
            letters[sha], details_cells[sha] = reused.letters, reused.details_cells
            for table, (start, stop) in reused.rows.items():
                for name, values in columns[table].items():
                    values.extend(known.columns[table][name][start:stop])
            columns["submissions"]["file_modified"][-1] = modified
        else:
            for table, records in found.items():
                add_records(columns[table], records)
    staged = {t: staged_frame(t, columns.pop(t)) for t in TABLES}
    issues = pd.DataFrame(unreadable, columns=ISSUE_COLUMNS).astype("string") if unreadable else empty_issues()
    return StagedOccasion(staged, issues, letters, details_cells)


def choose_current(submissions: pd.DataFrame, rejected: set[str]) -> pd.DataFrame:
    """Status of every submission of one occasion: per board, the latest accepted file is
    current (analysis.vocabulary.in_submission_order); earlier ones are superseded;
    rejected ones stay rejected."""
    out = submissions.copy()
    out["status"] = SUPERSEDED
    out["status_reason"] = None
    is_rejected = out["sha256"].isin(rejected) | out["board_code"].isna()
    out.loc[is_rejected, "status"] = REJECTED
    out.loc[is_rejected, "status_reason"] = "Avvisad: se valideringsfynden."
    order = in_submission_order(out[~is_rejected], ["board_code"])
    latest = order.groupby("board_code", sort=False).tail(1).index
    out.loc[latest, "status"] = CURRENT
    superseded = out["status"] == SUPERSEDED
    out.loc[superseded, "status_reason"] = "Ersatt av en senare inlämning."
    return out


def _scales(catalogues: dict[str, Catalogue]) -> dict:
    """Each scale with the codes of every mandate period, first period's order first."""
    merged: dict[str, Scale] = {}
    for catalogue in sorted(catalogues.values(), key=lambda c: c.first_year):
        for name, scale in catalogue.scales.items():
            old = merged.get(name)
            codes = list(old.codes) if old else []
            labels = list(old.labels) if old else []
            for c, l in zip(scale.codes, scale.labels):
                if c not in codes:
                    codes.append(c)
                    labels.append(l)
            merged[name] = Scale(name, tuple(codes), tuple(labels))
    return merged


def _occasion_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in reporting order: occasion chronologically, then board, sheet and row."""
    if frame.empty:
        return frame.reset_index(drop=True)
    occasions = sorted({str(o) for o in frame["occasion"].dropna()}, key=Occasion.parse)
    out = frame.assign(occasion=pd.Categorical(frame["occasion"].astype(object), categories=occasions, ordered=True))
    keys = [c for c in ("occasion", "board_code", "source_file", "excel_row") if c in out.columns]
    return out.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _replace_occasion(old: pd.DataFrame | None, occasion: str, new: pd.DataFrame, keep: pd.Series | None = None) -> pd.DataFrame:
    """`old` without the occasion's rows (except those `keep` marks), plus `new`."""
    if old is None or old.empty:
        return new
    old = old.astype({"occasion": object})
    drop = old["occasion"] == occasion
    if keep is not None:
        drop &= ~keep.reindex(old.index, fill_value=False)
    frames = [f for f in (old[~drop], new) if not f.empty]
    return pd.concat([f.astype(object) for f in frames], ignore_index=True) if frames else new


def _readable(staged: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The staged rows of files that could be read (unreadable ones have no board)."""
    out = dict(staged)
    out["submissions"] = staged["submissions"][staged["submissions"]["board_code"].notna()]
    return out


def ingest(paths: Paths, occasions: list[Occasion], progress: bool = False,
           catalogues: Mapping[str, Catalogue] | None = None, force: bool = False) -> list[OccasionResult]:
    """Ingest the occasions' folders and rewrite the processed tables; see module docstring.
    `catalogues`: every mandate period's catalogue, when the caller has loaded them.
    Files read before are not parsed again (analysis.intake.reuse) unless `force`."""
    catalogues = load_catalogues(paths.reference) if catalogues is None else catalogues
    occasions = list(dict.fromkeys(occasions))
    for occasion in occasions:
        catalogue_for(occasion, catalogues)  # raises the usage error that names the gap
    store = current_folder(paths)  # resolved once: every earlier row and stamp comes from one snapshot
    history = {t: read_table(store / HISTORY if store else None, t) for t in SHEET_TABLES}
    submissions = read_table(store, "submissions")
    issues_all = read_table(store, "validation_issues")

    staged_before = {t: read_table(store / STAGED if store else None, t) for t in (*TABLES, CELLS)}
    staged_under = made_with(paths)
    known = None if force else known_files(staged_before, staged_under)
    read = {o.code: read_occasion(paths, o, next(c for c in catalogues.values() if c.covers(o)), progress, known)
            for o in occasions}
    del known
    run_tables = {t: _together([r.staged[t] for r in read.values()], t) for t in TABLES}
    letters = {sha: cells for r in read.values() for sha, cells in r.letters.items()}
    details_cells = {sha: cells for r in read.values() for sha, cells in r.details_cells.items()}
    earlier = None if force else Earlier(checked_before(staged_before), issues_all)
    plan = plan_checks(_readable(run_tables), catalogues, read_table(store, "contributions"),
                       read_table(store, "assignment_follow_ups"), staged_under, earlier)

    # What does not depend on the findings (the history and the staged rows) is written
    # into the new snapshot and let go before the rules run: Great Expectations, imported
    # for them, is the largest part of an ingestion's memory.
    with snapshot_stage(paths) as stage:
        this_run = {}
        for occasion in occasions:
            staged = read[occasion.code].staged
            this_run[occasion.code] = set(staged["submissions"]["sha256"].dropna())
            for table in SHEET_TABLES:
                old = history[table]
                keep = None
                if old is not None and not old.empty:
                    keep = (old["occasion"].astype(object) == occasion.code) & ~old["sha256"].isin(this_run[occasion.code])
                history[table] = _replace_occasion(old, occasion.code, staged[table], keep)
        for table in SHEET_TABLES:
            if history[table] is None:
                history[table] = pd.DataFrame(columns=table_columns(table))
            _write(stage.folder, f"{HISTORY}/{table}", _occasion_order(typed_table(table, history[table], None)))
        for table, frame in staged_store(run_tables, letters, details_cells, staged_under, staged_before, plan.inputs):
            _write(stage.folder, f"{STAGED}/{table}", frame)
        del frame, staged_before, run_tables
        _give_back_memory()  # the earlier tables read for reuse (a rerun at 2,000: 77 MB)

        checked = run_checks(plan, letters, details_cells)
        del plan
        _give_back_memory()
        found = checked.issues

        results = []
        for occasion in occasions:
            staged = read[occasion.code].staged
            issues = pd.concat([read[occasion.code].unreadable, found[found["occasion"] == occasion.code]], ignore_index=True)
            rejected = set(issues.loc[issues["severity"] == ERROR, "sha256"].dropna())
            occasion_run = this_run[occasion.code]

            # Submissions read earlier for this occasion whose files are gone stay in the history.
            earlier = None
            if submissions is not None and not submissions.empty:
                s = submissions.astype({"occasion": object})
                earlier = s[(s["occasion"] == occasion.code) & ~s["sha256"].isin(occasion_run)]
                rejected |= set(earlier.loc[earlier["status"] == REJECTED, "sha256"])
            occasion_subs = staged["submissions"].astype(object)
            if earlier is not None and not earlier.empty:
                occasion_subs = pd.concat([earlier.drop(columns=STATUS_COLUMNS).astype(object), occasion_subs], ignore_index=True)
            occasion_subs = choose_current(occasion_subs.reset_index(drop=True), rejected)
            submissions = _replace_occasion(submissions, occasion.code, occasion_subs)

            keep = None
            if issues_all is not None and not issues_all.empty:
                keep = (issues_all["occasion"].astype(object) == occasion.code) & issues_all["sha256"].notna() & ~issues_all["sha256"].isin(occasion_run)
            issues_all = _replace_occasion(issues_all, occasion.code, issues, keep)
            result = OccasionResult(occasion.code, files=len(occasion_subs[occasion_subs["sha256"].isin(occasion_run) | occasion_subs["board_code"].isna()]))
            current_files = occasion_subs[occasion_subs["sha256"].isin(occasion_run)]
            result.accepted = sorted(current_files.loc[current_files["status"] != REJECTED, "source_file"])
            result.rejected = sorted(current_files.loc[current_files["status"] == REJECTED, "source_file"].astype(str))
            result.issues = issues
            results.append(result)

        scales = _scales(catalogues)
        # A file is its occasion, name and content: the same bytes filed twice (say, also in
        # the wrong occasion's folder) must not bring its rows in twice.
        current_keys = set(file_key(submissions[submissions["status"] == CURRENT]).dropna())
        _write(stage.folder, "submissions", _typed_submissions(submissions, scales))
        _write(stage.folder, "validation_issues", _occasion_order(issues_all.astype("string")))
        for table in SHEET_TABLES:  # one at a time: each is let go once written
            full = history.pop(table)
            current = full[file_key(full).isin(current_keys)] if len(full) else full
            _write(stage.folder, table, _occasion_order(typed_table(table, current, scales)))
        write_tables(stage.folder, {}, texts=_stamps(paths, store, occasions), label=_stamp_label)
        stage.publish()
    return results


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """One table into the snapshot being built; then the memory its conversion took is
    given back (_give_back_memory), so that the tables written one after another do not
    add up."""
    write_tables(folder, {name: frame})
    _give_back_memory()


def _give_back_memory() -> None:
    """Return to the system what Arrow's memory pool keeps of the tables let go (text
    columns are Arrow arrays, and Parquet is written through Arrow): the pool holds on to
    tens of megabytes otherwise, on top of which Great Expectations would be imported."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()


def _together(frames: list[pd.DataFrame], table: str) -> pd.DataFrame:
    """The staged rows of the run's occasions as one table (one occasion's as they are)."""
    if not frames:
        return pd.DataFrame(columns=table_columns(table))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _stamps(paths: Paths, store: Path | None, occasions: list[Occasion]) -> dict[str, str]:
    """The stamps of the occasions ingested, by path in the snapshot: what each one's rows
    were made from (see analysis.stamps); the others are carried over from `store`."""
    stamps = stored_processed_stamps(store)
    texts = {}
    for occasion in sorted(occasions):
        stamps[occasion.code] = processed_stamp(paths, occasion, stamps)
        texts[f"{STAMPS}/{occasion.code}.json"] = stamp_text(stamps[occasion.code])
    return texts


def _stamp_label(name: str) -> str:
    """An occasion's stamp (stamps/<occasion>.json) as the person running the command knows it."""
    return f"stämpeln för {Path(name).stem}"


def _typed_submissions(submissions: pd.DataFrame, scales: dict) -> pd.DataFrame:
    typed = typed_table("submissions", submissions, scales)
    typed["status"] = pd.Categorical(submissions["status"].values, categories=list(FILE_STATUSES))
    typed["status_reason"] = pd.array(submissions["status_reason"].values, dtype="string")
    return _occasion_order(typed)
