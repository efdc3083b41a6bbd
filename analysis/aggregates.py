"""The aggregate tables of an occasion, from the processed tables to Parquet. They are a
cache keyed by their stamp (what they were made from: the processed tables' stamps, the
catalogues, the code): stored in `data/processed/aggregates/<occasion>/<SHA-256 of the
stamp>/` with the stamp beside them, written in a hidden folder and renamed into place
whole (a rename of a complete folder is atomic; a folder that exists already is kept, it
holds the same tables). A report reads them only when the folder of the digest it expects
exists, and makes them anew otherwise; so nothing else (ingestion least of all) needs to
know about them. The oldest are removed, `KEEP` kept per occasion.

This module is the edge: it loads and writes; the tables themselves are the pure
functions declared in `analysis.tables.registry`."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from analysis.catalogue import Catalogue, catalogue_for
from analysis.config import Paths
from analysis.errors import UsageError
from analysis.files import remove_folder, temporary_folder, writing
from analysis.intake.store import current_folder, read_table, write_tables
from analysis.occasion import Occasion
from analysis.stamps import aggregates_stamp, digest, stamp_text, stored_processed_stamps
from analysis.tables.registry import TABLES, MissingColumn, as_of, compute_tables, processed_inputs, stored_name
from analysis.vocabulary import count

STAMP = "stamp.json"
KEEP = 3  # aggregate folders kept per occasion
_NOTHING_INGESTED = "Det finns inga inlästa tabeller i {}. Kör först: malstyrning ingest --period TILLFÄLLE"


@dataclass(frozen=True)
class Processed:
    """The processed tables the aggregates are made from (None where not written yet) and
    the stamps of their occasions, all from one snapshot."""

    tables: dict[str, pd.DataFrame | None]
    stamps: dict[str, dict]


def load_processed(paths: Paths) -> Processed:
    """The processed tables the aggregates read, from the current snapshot."""
    folder = current_folder(paths)
    tables = {name: read_table(folder, stored_name(name)) for name in processed_inputs()}
    if tables.get("submissions") is None:
        raise UsageError(_NOTHING_INGESTED.format(paths.processed))
    return Processed(tables, stored_processed_stamps(folder))


def aggregate_folder(paths: Paths, occasion: str, stamp: Mapping) -> Path:
    """Where the aggregate tables with this stamp are stored."""
    return paths.aggregates / occasion / digest(stamp)


def _compute(catalogue: Catalogue, processed: Mapping[str, pd.DataFrame | None], occasions: Sequence[Occasion]):
    try:
        return compute_tables(catalogue, processed, occasions)
    except MissingColumn as exc:
        raise UsageError(str(exc)) from None


def aggregate_many(paths: Paths, catalogues: Mapping[str, Catalogue], occasions: Sequence[Occasion],
                   processed: Processed | None = None, store: bool = True) -> dict[str, dict[str, pd.DataFrame]]:
    """Aggregate the occasions (from `processed`, the processed tables already loaded, or
    from the current snapshot), store each one's tables with its stamp (unless `store` is
    false: a reader that holds no lock only computes) and return them by occasion code."""
    for o in occasions:
        catalogue_for(o, catalogues)
    processed = load_processed(paths) if processed is None else processed
    result: dict[str, dict[str, pd.DataFrame]] = {}
    for catalogue in catalogues.values():
        wanted = sorted(o for o in occasions if catalogue.covers(o))
        if not wanted:
            continue
        computed = _compute(catalogue, processed.tables, [o for o in catalogue.occasions if o <= wanted[-1]])
        for o in wanted:
            result[o.code] = as_of(computed, o)
            if store:
                stamp = aggregates_stamp(paths, o, processed.stamps)
                _store(aggregate_folder(paths, o.code, stamp), result[o.code], stamp)
    return result


def _store(target: Path, tables: Mapping[str, pd.DataFrame], stamp: Mapping) -> None:
    """Write the tables into a hidden folder beside `target` and rename it into place
    (kept as it is when it exists: the same stamp, the same tables); then remove the
    oldest of the occasion."""
    if target.is_dir():
        return
    occasion = stamp["occasion"]
    with writing(f"sammanställningarna för {occasion}"):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = temporary_folder(target.parent, ".ny-")
    try:
        write_tables(staging, tables, {STAMP: stamp_text(stamp)}, label=partial(_label, occasion))
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    made = sorted((p for p in target.parent.iterdir() if p.is_dir() and not p.name.startswith(".") and p != target),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in made[KEEP - 1:]:
        remove_folder(old)


def _label(occasion: str, name: str) -> str:
    """An aggregate table, or their stamp, as the person running the command knows it."""
    if name == STAMP:
        return f"stämpeln för sammanställningarna för {occasion}"
    return f"sammanställningstabellen {name} för {occasion}"


def aggregates_for(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion,
                   processed: Processed | None = None, force: bool = False,
                   store: bool = True) -> tuple[dict[str, pd.DataFrame], dict]:
    """One occasion's aggregate tables and their stamp: the stored ones when there are
    tables with the stamp they would be made with now (and `force` is not given), else
    made anew (and stored, see aggregate_many)."""
    processed = load_processed(paths) if processed is None else processed
    expected = aggregates_stamp(paths, occasion, processed.stamps)
    folder = aggregate_folder(paths, occasion.code, expected)
    if not force and folder.is_dir():
        tables = {name: read_table(folder, name) for name in TABLES}
        if all(frame is not None for frame in tables.values()):
            return tables, expected
    return aggregate_many(paths, catalogues, [occasion], processed, store)[occasion.code], expected


def aggregated_occasions(paths: Paths) -> list[Occasion]:
    """The occasions that have processed submissions, in reporting order."""
    submissions = read_table(current_folder(paths), "submissions")
    if submissions is None:
        raise UsageError(_NOTHING_INGESTED.format(paths.processed))
    return sorted({Occasion.parse(str(o)) for o in submissions["occasion"].dropna().astype(object).unique()})


def summary(tables: dict[str, pd.DataFrame], occasion: Occasion) -> str:
    """A short Swedish account of one occasion's aggregate tables, for the command line
    (rejected and missing submissions, levels and gaps said only when there are any)."""
    from analysis.tables.goal_signal import LEVELS

    dq = tables["data_quality"]  # every board and company: each reports at least on its base mission
    status = dq["submission_status"].astype(object)
    boards = count(len(dq), "nämnd eller bolag", "nämnder och bolag")
    if dq["files"].sum() == 0:
        return f"{occasion.code}: inga inlämningar inlästa ännu; {'' if len(dq) == 1 else 'alla '}{boards} saknas."
    cov = tables["coverage"]
    named = cov[cov["responsible"]]
    without = int(((named["submission_status"].astype(object) == "accepted") & ~named["has_contribution"]).sum())
    accepted, rejected, missing = (int((status == s).sum()) for s in ("accepted", "rejected", "missing"))
    parts = [f"{accepted} av {boards} {'godkänd' if accepted == 1 else 'godkända'} ({int(dq['on_time'].fillna(False).sum())} i tid)"]
    if rejected:
        parts.append(count(rejected, "avvisad", "avvisade"))
    if missing:
        parts.append(f"{missing} saknas")
    text = f"{occasion.code}: {', '.join(parts)}; {without} av {count(len(named), 'ansvarsuppdrag', 'ansvarsuppdrag')} utan bidrag."
    signal = tables["goal_signal"]
    if len(signal):
        counts = signal["suggested_level"].astype(object).value_counts()
        levels = [f"{int(counts.get(code, 0))} {label.lower()}" for code, label in LEVELS.items() if counts.get(code, 0)]
        text += " Sammanvägning av nämndernas och bolagens bedömningar per KF-mål: " + ", ".join(levels) + "."
    gaps = tables["human_rights_gaps"]
    if len(gaps):
        text += f" {count(len(gaps), 'kombination', 'kombinationer')} av målområde och tema utan beaktande."
    return text
