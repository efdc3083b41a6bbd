"""`malstyrning run` for one occasion of the example city, cold (a fresh process, no
report yet), split into start-up, ingest, aggregate, notebook, HTML, Excel and chart
export, against the unavoidable start-up: the interpreter with the libraries, a kernel
with the libraries, and one browser start for the chart export. Each round measures
both; the ratio is of the medians, and each round's own ratio is printed as well.

Run: .venv/bin/python benchmarks/run_benchmark.py [--repeat 3] [--occasion 2026-delar]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Each prints the seconds of its own unavoidable part: the interpreter with the libraries
# is timed from outside (start to exit, ending as `malstyrning` does, without teardown);
# the kernel (start, ready, the report's imports) and the browser (start and one export)
# are timed inside their process, so that interpreter start and imports are not counted twice.
LIBRARIES = ("import os, pandas, pyarrow.parquet, openpyxl, python_calamine, great_expectations, papermill, nbconvert, "
             "plotly.graph_objects, kaleido; os._exit(0)")  # the modules the run uses: plotly alone loads next to nothing
KERNEL = r"""
import time
from jupyter_client.manager import start_new_kernel
start = time.perf_counter()
km, kc = start_new_kernel(kernel_name="malstyrning")
kc.execute_interactive("import pandas, plotly.graph_objects, analysis.report_content", timeout=120)
print(time.perf_counter() - start)
kc.stop_channels(); km.shutdown_kernel(now=True)
"""
BROWSER = r"""
import os, tempfile, time
import kaleido, plotly.graph_objects as go
from analysis.chart_export import ChartBrowser
start = time.perf_counter()
with ChartBrowser() as browser, tempfile.TemporaryDirectory() as folder:  # the browser the run uses
    browser.write([{"fig": go.Figure(go.Bar(y=[1])), "path": os.path.join(folder, "a.png"), "opts": {"format": "png"}}])
    print(time.perf_counter() - start)
"""


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - start


def reported(command: list[str], **kwargs) -> float:
    done = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return float(done.stdout.split()[-1])


def run_once(root: Path, occasion: str) -> dict[str, float]:
    shutil.rmtree(root / "reports", ignore_errors=True)
    shutil.rmtree(root / "data" / "reference" / "bedomning", ignore_errors=True)
    shutil.rmtree(root / "data" / "processed" / "aggregates", ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "malstyrning"), "--root", str(root), "run", "--period", occasion], capture_output=True, text=True)
    total = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"run failed ({done.returncode}): {done.stderr}")
    log = (root / "reports" / occasion / "malstyrning.log").read_text(encoding="utf-8")
    steps = {k: float(v) for k, v in re.findall(r"(\w+) (\d+\.\d+)", log.split("Tider (s):")[1].splitlines()[0])}
    steps["start-up and other"] = total - sum(v for k, v in steps.items() if not k.endswith("_parallel"))
    steps["total"] = total
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--occasion", default="2026-delar")
    args = parser.parse_args()
    cli = str(BIN / "malstyrning")
    with tempfile.TemporaryDirectory(prefix="malstyrning-run-") as tmp:
        root = Path(tmp)
        subprocess.run([cli, "--root", tmp, "demo", "--all"], check=True, capture_output=True)
        subprocess.run([cli, "--root", tmp, "ingest", "--all", "--quiet"], capture_output=True)

        # Each round measures the unavoidable start-up and then the run, so that both see
        # the same machine: on a shared host the speed drifts from minute to minute, and
        # a ratio of figures taken minutes apart measures the drift as much as the run.
        rounds = []
        for _ in range(args.repeat):
            floor = {
                "interpreter + libraries": timed([sys.executable, "-c", LIBRARIES]),
                "kernel + libraries": reported([sys.executable, "-c", KERNEL], cwd=ROOT),
                "browser start + 1 export": reported([sys.executable, "-c", BROWSER], cwd=ROOT),
            }
            rounds.append((floor, run_once(root, args.occasion)))
    steps = {k: statistics.median(run[k] for _, run in rounds) for k in rounds[0][1]}
    unavoidable = {k: statistics.median(floor[k] for floor, _ in rounds) for k in rounds[0][0]}
    floor_s = sum(unavoidable.values())
    ratios = sorted(run["total"] / sum(floor.values()) for floor, run in rounds)
    print(f"malstyrning run --period {args.occasion} (example city, cold), median of {args.repeat}:")
    for k, v in steps.items():
        print(f"  {k:<22} {v:6.1f} s")
    print("unavoidable start-up:")
    for k, v in unavoidable.items():
        print(f"  {k:<26} {v:6.1f} s")
    print(f"  {'sum':<26} {floor_s:6.1f} s")
    print(f"ratio total / unavoidable = {steps['total'] / floor_s:.2f} (target <= 1.5)")
    print(f"  per round: {' '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
