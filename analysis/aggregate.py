"""The aggregate tables of an occasion, from the processed tables to Parquet under
`data/processed/aggregates/<occasion>/`. This module is the edge: it loads and writes;
`aggregate_tables` and everything it calls are pure.

Every table has the occasion as a column. The tables of an occasion's folder describe that
occasion, except `trajectory` and `transitions`, which hold every interim and annual
report of the mandate period up to it."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue, catalogue_for, load_catalogues
from analysis.config import Paths
from analysis.coverage import coverage
from analysis.data_quality import data_quality
from analysis.errors import UsageError
from analysis.evidence import evidence_mix
from analysis.goal_signal import goal_signal
from analysis.human_rights import human_rights_base_mission, human_rights_by_goal_area, human_rights_gaps
from analysis.indicators import indicators
from analysis.movement import movement_by_goal, movement_by_goal_area
from analysis.occasion import Occasion
from analysis.processed_store import read_table, write_tables
from analysis.tally import plain
from analysis.trajectory import trajectory, transitions

AGGREGATES = "aggregates"
# The processed tables and the columns the aggregates read from them.
INPUTS = {
    "submissions": ["occasion", "board_code", "status", "submitted_on", "file_modified"],
    "contributions": ["occasion", "board_code", "contribution_id", "goal_code"],
    "follow_ups": ["occasion", "board_code", "contribution_id", "goal_code", "movement", "outlook", "reached", "evidence_type"],
    "human_rights": ["occasion", "board_code", "scope", "contribution_id", "theme", "consideration", "comment"],
    "indicators": ["occasion", "board_code", "contribution_id", "indicator", "unit", "direction", "baseline_year",
                   "baseline_value", "value_year", "value"],
    "validation_issues": ["occasion", "board_code", "severity"],
}
# Tables holding the mandate period so far rather than only the folder's occasion.
OVER_PERIOD = ("trajectory", "transitions")
TABLE_NAMES = (
    "coverage", "movement_by_goal", "movement_by_goal_area", "human_rights_by_goal_area", "human_rights_base_mission",
    "human_rights_gaps", "evidence_mix", "indicators", "trajectory", "transitions", "goal_signal", "data_quality",
)


def aggregate_tables(catalogue: Catalogue, processed: dict[str, pd.DataFrame | None], occasions: Sequence[Occasion]) -> dict[str, pd.DataFrame]:
    """Every aggregate table for the occasions (one mandate period), from the processed
    tables by name. Pure: the inputs are not changed."""
    occs = sorted(occasions)
    processed = {name: None if processed.get(name) is None else plain(processed[name], columns)
                 for name, columns in INPUTS.items()}
    subs, contrib, follow = processed.get("submissions"), processed.get("contributions"), processed.get("follow_ups")
    hr = processed.get("human_rights")
    by_goal = movement_by_goal(catalogue, subs, follow, occs)
    by_area_hr = human_rights_by_goal_area(catalogue, subs, contrib, follow, hr, occs)
    cov = coverage(catalogue, subs, contrib, follow, occs)
    ind = indicators(catalogue, subs, contrib, follow, processed.get("indicators"), occs)
    tables = {
        "coverage": cov,
        "movement_by_goal": by_goal,
        "movement_by_goal_area": movement_by_goal_area(catalogue, subs, follow, occs),
        "human_rights_by_goal_area": by_area_hr,
        "human_rights_base_mission": human_rights_base_mission(catalogue, subs, hr, occs),
        "human_rights_gaps": human_rights_gaps(catalogue, by_area_hr),
        "evidence_mix": evidence_mix(catalogue, subs, follow, occs),
        "indicators": ind,
        "trajectory": trajectory(by_goal),
        "transitions": transitions(catalogue, subs, follow, occs),
        "goal_signal": goal_signal(catalogue, cov, ind),
        "data_quality": data_quality(catalogue, subs, processed.get("validation_issues"), occs),
    }
    return {name: tables[name] for name in TABLE_NAMES}


def as_of(tables: dict[str, pd.DataFrame], occasion: Occasion) -> dict[str, pd.DataFrame]:
    """The tables for one occasion's folder: its own rows, and for `OVER_PERIOD` tables the
    rows up to and including it."""
    out = {}
    for name, frame in tables.items():
        codes = frame["occasion"].astype(object)
        if name in OVER_PERIOD:
            keep = codes.map(lambda c: Occasion.parse(c) <= occasion if isinstance(c, str) else False).astype(bool)
        else:
            keep = codes == occasion.code
        out[name] = frame[keep].reset_index(drop=True)
    return out


def load_processed(paths: Paths) -> dict[str, pd.DataFrame | None]:
    """The processed tables the aggregates are made from (None where not written yet)."""
    tables = {name: read_table(paths.processed, name) for name in INPUTS}
    if tables["submissions"] is None:
        raise UsageError(f"Det finns inga inlästa tabeller i {paths.processed}. Kör först: malstyrning ingest --period TILLFÄLLE")
    return tables


def aggregate_many(paths: Paths, occasions: Sequence[Occasion]) -> dict[str, dict[str, pd.DataFrame]]:
    """Aggregate the occasions, write each one's tables to aggregates/<occasion>/ (all
    together, atomically) and return them by occasion code."""
    catalogues = load_catalogues(paths.reference)
    for o in occasions:
        catalogue_for(o, paths.reference)
    processed = load_processed(paths)
    result: dict[str, dict[str, pd.DataFrame]] = {}
    for catalogue in catalogues.values():
        wanted = sorted(o for o in occasions if catalogue.covers(o))
        if not wanted:
            continue
        period = [o for o in catalogue.occasions if o <= wanted[-1]]
        computed = aggregate_tables(catalogue, processed, period)
        for o in wanted:
            result[o.code] = as_of(computed, o)
    write_tables(
        paths.processed,
        {f"{AGGREGATES}/{code}/{name}": frame for code, tables in result.items() for name, frame in tables.items()},
    )
    return result


def aggregate(paths: Paths, occasion: Occasion) -> dict[str, pd.DataFrame]:
    """Aggregate one occasion: load the processed tables, compute every aggregate table,
    write them under data/processed/aggregates/<occasion>/ and return them by name."""
    return aggregate_many(paths, [occasion])[occasion.code]


def aggregated_occasions(paths: Paths) -> list[Occasion]:
    """The occasions that have processed submissions, in reporting order."""
    submissions = load_processed(paths)["submissions"]
    return sorted({Occasion.parse(str(o)) for o in submissions["occasion"].dropna().astype(object).unique()})


def summary(tables: dict[str, pd.DataFrame], occasion: Occasion) -> str:
    """A short Swedish account of one occasion's aggregate tables, for the command line."""
    dq = tables["data_quality"]
    dq = dq[dq["goals"] > 0]
    status = dq["submission_status"].astype(object)
    if dq["files"].sum() == 0:
        return f"{occasion.code}: inga inlämningar inlästa ännu; alla {len(dq)} ansvariga nämnder och bolag saknas."
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
        from analysis.goal_signal import LEVELS

        counts = signal["suggested_level"].astype(object).value_counts()
        text += " Förslag per KF-mål: " + ", ".join(
            f"{int(counts.get(code, 0))} {label.lower()}" for code, label in LEVELS.items()
        ) + "."
    gaps = tables["human_rights_gaps"]
    if len(gaps):
        text += f" {len(gaps)} kombinationer av målområde och tema utan beaktande."
    return text


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
