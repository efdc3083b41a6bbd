"""The aggregate tables of an occasion, from the processed tables to Parquet under
`data/processed/aggregates/<occasion>/`, with the stamp of what they were made from.
This module is the edge: it loads and writes; the tables themselves are the pure
functions declared in `analysis.tables.registry`.

The stored tables are used only while their stamp matches the processed tables, the
catalogues and the code they would be made from today; otherwise they are made again.
So nothing else (ingestion least of all) needs to know about them."""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from analysis.catalogue import Catalogue, catalogue_for
from analysis.config import Paths
from analysis.errors import UsageError
from analysis.intake.store import read_table, write_tables
from analysis.occasion import Occasion
from analysis.stamps import aggregates_stamp, read_stamp, same, stamp_text, stored_processed_stamps
from analysis.tables.registry import TABLES, MissingColumn, as_of, compute_tables, processed_inputs

AGGREGATES = "aggregates"
STAMP = "stamp.json"


def load_processed(paths: Paths) -> dict[str, pd.DataFrame | None]:
    """The processed tables the aggregates are made from (None where not written yet)."""
    tables = {name: read_table(paths.processed, name) for name in processed_inputs()}
    if tables.get("submissions") is None:
        raise UsageError(f"Det finns inga inlästa tabeller i {paths.processed}. Kör först: malstyrning ingest --period TILLFÄLLE")
    return tables


def _compute(catalogue: Catalogue, processed: Mapping[str, pd.DataFrame | None], occasions: Sequence[Occasion]):
    try:
        return compute_tables(catalogue, processed, occasions)
    except MissingColumn as exc:
        raise UsageError(str(exc)) from None


def aggregate_many(paths: Paths, catalogues: Mapping[str, Catalogue], occasions: Sequence[Occasion],
                   processed: Mapping[str, pd.DataFrame | None] | None = None) -> dict[str, dict[str, pd.DataFrame]]:
    """Aggregate the occasions (from `processed`, the processed tables already loaded, or
    from the store), write each one's tables with its stamp to aggregates/<occasion>/
    (all together, atomically) and return them by occasion code."""
    for o in occasions:
        catalogue_for(o, catalogues)
    processed = load_processed(paths) if processed is None else processed
    stamps = stored_processed_stamps(paths)
    result: dict[str, dict[str, pd.DataFrame]] = {}
    texts: dict[str, str] = {}
    for catalogue in catalogues.values():
        wanted = sorted(o for o in occasions if catalogue.covers(o))
        if not wanted:
            continue
        computed = _compute(catalogue, processed, [o for o in catalogue.occasions if o <= wanted[-1]])
        for o in wanted:
            result[o.code] = as_of(computed, o)
            texts[f"{AGGREGATES}/{o.code}/{STAMP}"] = stamp_text(aggregates_stamp(paths, o, stamps))
    write_tables(
        paths.processed,
        {f"{AGGREGATES}/{code}/{name}": frame for code, tables in result.items() for name, frame in tables.items()},
        texts=texts,
    )
    return result


def aggregates_for(paths: Paths, catalogues: Mapping[str, Catalogue], occasion: Occasion,
                   processed: Mapping[str, pd.DataFrame | None] | None = None,
                   force: bool = False) -> tuple[dict[str, pd.DataFrame], dict]:
    """One occasion's aggregate tables and their stamp: the stored ones while their stamp
    matches what they would be made from now (and `force` is not given), else made anew
    and stored."""
    expected = aggregates_stamp(paths, occasion, stored_processed_stamps(paths))
    folder = paths.processed / AGGREGATES / occasion.code
    if not force and same(read_stamp(folder / STAMP), expected):
        tables = {name: read_table(folder, name) for name in TABLES}
        if all(frame is not None for frame in tables.values()):
            return tables, expected
    return aggregate_many(paths, catalogues, [occasion], processed)[occasion.code], expected


def aggregated_occasions(paths: Paths) -> list[Occasion]:
    """The occasions that have processed submissions, in reporting order."""
    submissions = read_table(paths.processed, "submissions")
    if submissions is None:
        raise UsageError(f"Det finns inga inlästa tabeller i {paths.processed}. Kör först: malstyrning ingest --period TILLFÄLLE")
    return sorted({Occasion.parse(str(o)) for o in submissions["occasion"].dropna().astype(object).unique()})


def summary(tables: dict[str, pd.DataFrame], occasion: Occasion) -> str:
    """A short Swedish account of one occasion's aggregate tables, for the command line."""
    from analysis.tables.goal_signal import LEVELS

    dq = tables["data_quality"]  # every board and company: each reports at least on its base mission
    status = dq["submission_status"].astype(object)
    if dq["files"].sum() == 0:
        return f"{occasion.code}: inga inlämningar inlästa ännu; alla {len(dq)} nämnder och bolag saknas."
    cov = tables["coverage"]
    named = cov[cov["responsible"]]
    without = int(((named["submission_status"].astype(object) == "accepted") & ~named["has_contribution"]).sum())
    text = (
        f"{occasion.code}: {int((status == 'accepted').sum())} av {len(dq)} nämnder och bolag godkända "
        f"({int(dq['on_time'].fillna(False).sum())} i tid), {_count(int((status == 'rejected').sum()), 'avvisad', 'avvisade')}, "
        f"{int((status == 'missing').sum())} saknas; {without} av {len(named)} ansvarsuppdrag utan bidrag."
    )
    signal = tables["goal_signal"]
    if len(signal):
        counts = signal["suggested_level"].astype(object).value_counts()
        text += " Sammanvägning av nämndernas och bolagens bedömningar per KF-mål: " + ", ".join(
            f"{int(counts.get(code, 0))} {label.lower()}" for code, label in LEVELS.items()
        ) + "."
    gaps = tables["human_rights_gaps"]
    if len(gaps):
        text += f" {len(gaps)} kombinationer av målområde och tema utan beaktande."
    return text


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
