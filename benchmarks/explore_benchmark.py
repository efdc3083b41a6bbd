"""The exploration notebook in JupyterLab, in headless Chromium: seconds from opening
utforska.ipynb to its last cell done (all six views drawn), on the example city and on
the example city with ten times the boards (every board copied ten times with its
responsibilities, contributions, follow-ups and answers, under new codes).

Run: .venv/bin/python benchmarks/explore_benchmark.py [--repeat 3] [--copies 10]
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from analysis import load_tables  # noqa: E402
from analysis.config import Paths  # noqa: E402
from analysis.intake.store import stored_tables, write_snapshot  # noqa: E402
from jupyterlab_browser import browser_page, jupyterlab, notebook_for, run_all_cells  # noqa: E402

SOURCE_CATALOGUE = ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"


def example_city(folder: Path) -> Paths:
    folder.mkdir(parents=True)
    cli = [sys.executable, "-m", "analysis.cli", "--root", str(folder)]
    subprocess.run([*cli, "demo", "--all"], check=True, capture_output=True)
    subprocess.run([*cli, "ingest", "--all", "--quiet"], capture_output=True)
    return Paths.at(folder)


def copied(city: Paths, folder: Path, copies: int) -> Paths:
    """The city with every board copied `copies` times (code GRN -> GRN01 ... GRN10)."""
    raw = yaml.safe_load(SOURCE_CATALOGUE.read_text(encoding="utf-8"))
    codes = [b["code"] for b in raw["boards"]]
    new = copy.deepcopy(raw)
    new["boards"] = [{**b, "code": f"{b['code']}{i:02d}", "name": f"{b['name']} {i}"} for b in raw["boards"]
                     for i in range(1, copies + 1)]
    for goal in new["goals"]:
        if goal["responsible"] != "alla":
            goal["responsible"] = [f"{c}{i:02d}" for c in goal["responsible"] for i in range(1, copies + 1)]
    folder.mkdir(parents=True)
    reference = folder / "data" / "reference"
    reference.mkdir(parents=True)
    (reference / SOURCE_CATALOGUE.name).write_text(yaml.safe_dump(new, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tables = {}
    for name, frame in stored_tables(city).items():
        if "board_code" not in frame.columns:
            tables[name] = frame
            continue
        parts = []
        for i in range(1, copies + 1):
            part = frame.copy()
            part["board_code"] = part["board_code"].astype(object).map(lambda c: f"{c}{i:02d}" if c in codes else c)
            if "sha256" in part.columns:
                part["sha256"] = part["sha256"].astype(object).map(lambda s: f"{s}{i:02d}" if isinstance(s, str) else s)
            parts.append(part)
        import pandas as pd

        tables[name] = pd.concat(parts, ignore_index=True)
    paths = Paths.at(folder)
    write_snapshot(paths, tables)
    return paths


def timed(paths: Paths, work: Path) -> float:
    lab = work / "lab"
    lab.mkdir(parents=True, exist_ok=True)
    notebook_for(paths.root, lab)
    with jupyterlab(lab) as (base, token), browser_page() as page:
        return run_all_cells(page, base, token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="malstyrning-explore-") as tmp:
        tmp = Path(tmp)
        city = example_city(tmp / "stad")
        big = copied(city, tmp / f"stad-x{args.copies}", args.copies)
        for label, paths in (("example city (19 boards)", city), (f"{args.copies}x the boards", big)):
            follow_ups = len(load_tables(paths.root)["follow_ups"])
            runs = [timed(paths, tmp / f"run-{label[:2]}-{i}") for i in range(args.repeat)]
            print(f"{label}: {follow_ups} follow-ups; open -> last cell done: median {statistics.median(runs):.1f} s "
                  f"({' '.join(f'{r:.1f}' for r in runs)})")
            shutil.rmtree(paths.root / "reports", ignore_errors=True)


if __name__ == "__main__":
    main()
