"""Aggregation of the whole example mandate period (every occasion from 2023-budget to the
last one ingested), beyond loading the Parquet files. Target: under one second.

Builds the example city in a temporary folder (demo + ingest, about half a minute) unless
--root points at a folder whose data/processed already holds the ingested tables. Loading
the Parquet files is timed on its own; the measured figure is `aggregate_tables` for all
occasions at once, as `malstyrning aggregate --all` computes them, median of several runs.
For information it also times one occasion at a time (what `aggregate --period` does for
each) and writing all folders.

Run: .venv/bin/python benchmarks/aggregate_benchmark.py [--root MAPP] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0


def _example_city(root: Path) -> None:
    from analysis.cli import main

    print(f"Bygger exempelstaden i {root} (demo + ingest) …", flush=True)
    if main(["--root", str(root), "demo", "--all"]) != 0:
        sys.exit("demo failed")
    if main(["--root", str(root), "ingest", "--all", "--quiet"]) not in (0, 1):
        sys.exit("ingest failed")


def _median(runs: list[float]) -> str:
    return f"median {statistics.median(runs):.3f} s (min {min(runs):.3f}, max {max(runs):.3f}, n={len(runs)})"


def measure(root: Path, repeat: int) -> float:
    from analysis.aggregates import aggregated_occasions, load_processed
    from analysis.tables.registry import as_of, compute_tables as aggregate_tables
    from analysis.catalogue import catalogue_for
    from analysis.config import Paths
    from analysis.intake.store import write_tables

    paths = Paths.at(root)
    start = time.perf_counter()
    processed = load_processed(paths).tables
    load_s = time.perf_counter() - start
    occasions = aggregated_occasions(paths)
    catalogue = catalogue_for(occasions[-1], paths.reference)
    period = [o for o in catalogue.occasions if o <= occasions[-1]]
    rows = sum(len(f) for f in processed.values() if f is not None)
    print(f"Parquet inläst på {load_s:.3f} s: {rows} rader, {len(period)} tillfällen ({period[0]}–{period[-1]}).")

    aggregate_tables(catalogue, processed, period)  # warm-up: imports and first-call costs
    whole = []
    for _ in range(repeat):
        start = time.perf_counter()
        tables = aggregate_tables(catalogue, processed, period)
        whole.append(time.perf_counter() - start)
    print(f"Hela mandatperioden på en gång: {_median(whole)}")

    one_by_one = []
    for _ in range(max(1, repeat // 2)):
        start = time.perf_counter()
        for o in period:
            as_of(aggregate_tables(catalogue, processed, [p for p in period if p <= o]), o)
        one_by_one.append(time.perf_counter() - start)
    print(f"Ett tillfälle i taget ({len(period)} anrop): {_median(one_by_one)}")

    with tempfile.TemporaryDirectory(prefix="malstyrning-aggbench-out-") as out:
        start = time.perf_counter()
        write_tables(Path(out), {f"{o.code}/{name}": frame for o in period for name, frame in as_of(tables, o).items()})
        print(f"Skriva alla tabeller som Parquet: {time.perf_counter() - start:.3f} s")
    median = statistics.median(whole)
    verdict = "inom" if median < TARGET_S else "ÖVER"
    print(f"Resultat: {median:.3f} s för hela mandatperioden utöver inläsningen – {verdict} målet {TARGET_S:.0f} s.")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="mapp med data/processed redan inläst (annars byggs exempelstaden i en tillfällig mapp)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if args.root:
        measure(Path(args.root), args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="malstyrning-aggbench-") as tmp:
        _example_city(Path(tmp))
        measure(Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
