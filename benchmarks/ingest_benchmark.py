"""Ingestion cost per submission at 20, 200 and 2,000 workbooks, cold (nothing read
before) and, at the largest size, again after one workbook changed.

The example city has 19 boards. To reach 2,000 submissions the benchmark replicates it:
a catalogue with board copies (GRN -> GRN0001, ...) that have the same responsibilities,
and copies of the example workbooks with the board code changed in the details sheet.
Each measurement runs in a fresh interpreter (as `malstyrning ingest` would) and reports
wall time of the ingest call alone (and its CPU time, steadier on a shared machine), the
fixed start-up (imports), and peak memory. The rerun starts from the tables of a cold
ingestion with one workbook changed, so it parses and checks that one file (the others keep
their rows and findings, analysis.intake.reuse).

Targets: marginal cost per workbook <= 5 ms without the checks and <= 8 ms with them,
peak memory <= 400 MB at 2,000, the rerun <= 10 % of the cold ingestion. The rerun's
floor is Great Expectations' import and context, which the one changed file needs for
its checks: about a fifth of the cold ingestion on every machine measured (2.5-2.8 s of
12.9 s; 5.6-7.7 s of 26-33 s), so the last target is not met while the checks run in GX.
A rerun with no changed file imports no GX.

Run: .venv/bin/python benchmarks/ingest_benchmark.py [--sizes 20 200 2000] [--repeat 3] [--validation without]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OCCASION = "2024-delar"
SOURCE_CATALOGUE = ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"

MEASURE = r"""
import json, resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0 = time.perf_counter()
from analysis.config import Paths
from analysis.intake.ingest import ingest
from analysis.occasion import Occasion
if sys.argv[3] == "without":  # reading and tables alone: no findings, GX never imported
    import analysis.intake.ingest, analysis.checks.validation
    analysis.intake.ingest.run_checks = lambda *args, **kwargs: analysis.checks.validation.Checked(analysis.checks.validation.empty_issues(), {}, [])
t1, c1 = time.perf_counter(), cpu()
results = ingest(Paths.at(sys.argv[1]), [Occasion.parse(sys.argv[2])])
t2, c2 = time.perf_counter(), cpu()
print(json.dumps({"startup": t1 - t0, "ingest": t2 - t1, "cpu": c2 - c1, "accepted": sum(len(r.accepted) for r in results),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def replicated_catalogue(copies: int) -> dict:
    """The example catalogue with `copies` copies of every board (same responsibilities and
    council assignments)."""
    raw = yaml.safe_load(SOURCE_CATALOGUE.read_text(encoding="utf-8"))
    boards = raw["boards"]
    raw["boards"] = [dict(b, code=f"{b['code']}{i:04d}", name=f"{b['name']} {i}") for i in range(copies) for b in boards]
    for goal in raw["goals"]:
        if goal["responsible"] != "alla":
            goal["responsible"] = [f"{code}{i:04d}" for i in range(copies) for code in goal["responsible"]]
    # Every copy of a board answers the same council assignments (the workbooks list them by
    # id): the first copy leads, the other copies take part.
    for a in raw.get("assignments") or []:
        a["participating"] = [f"{a['lead']}{i:04d}" for i in range(1, copies)] + \
            [f"{b}{i:04d}" for i in range(copies) for b in a.get("participating") or []]
        a["lead"] = f"{a['lead']}0000"
    return raw


def sheet_part(archive: zipfile.ZipFile, name: str) -> str:
    """The zip member of the sheet called `name` (from the workbook's sheet list and its
    relationships; the sheets' order in the file is the template's to choose)."""
    workbook = archive.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="([^"]+)"', workbook).group(1)
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).removeprefix("/xl/")


def renamed_copy(source: Path, target: Path, old_code: str, new_code: str, contact: str | None = None) -> None:
    """Copy a workbook, changing the board code cell of the details sheet only (and the
    contact person, when given)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        details = sheet_part(zin, "Uppgifter")
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == details:
                data = re.sub(rf"<t>{old_code}</t>".encode(), f"<t>{new_code}</t>".encode(), data, count=1)
                if contact:
                    data = re.sub(rb"(Kontaktperson</t></is></c><c [^>]*><is><t>)[^<]*", rb"\g<1>" + contact.encode(), data)
            zout.writestr(item, data)


def build(workdir: Path, size: int, examples: list[tuple[Path, str]]) -> Path:
    root = workdir / f"n{size}"
    ref = root / "data" / "reference"
    ref.mkdir(parents=True)
    copies = -(-size // len(examples))
    (ref / SOURCE_CATALOGUE.name).write_text(yaml.safe_dump(replicated_catalogue(copies), allow_unicode=True), encoding="utf-8")
    raw = root / "data" / "raw" / OCCASION
    raw.mkdir(parents=True)
    for n in range(size):
        path, code = examples[n % len(examples)]
        renamed_copy(path, raw / f"{n:05d}.xlsx", code, f"{code}{n // len(examples):04d}")
    return root


def example_files(workdir: Path) -> list[tuple[Path, str]]:
    from analysis.catalogue import load_catalogue
    from analysis.boards.demo import write_demo
    from analysis.occasion import Occasion

    folder = workdir / "example"
    catalogue = load_catalogue(SOURCE_CATALOGUE)
    write_demo(catalogue, Occasion.parse(OCCASION), folder)
    import openpyxl

    out = []
    for path in sorted(folder.glob("*.xlsx")):
        code = openpyxl.load_workbook(path, read_only=True)["Uppgifter"]["B3"].value
        out.append((path, code))
    return out


def change_one(root: Path, examples: list[tuple[Path, str]]) -> None:
    """The first workbook of the occasion sent again with another contact person."""
    path, code = examples[0]
    target = root / "data" / "raw" / OCCASION / "00000.xlsx"
    before = target.read_bytes()
    renamed_copy(path, target, code, f"{code}0000", contact="Ny kontaktperson")
    if target.read_bytes() == before:
        sys.exit("the changed workbook is the same as before; the rerun would not be measuring a change")


def measure(root: Path, validation: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(root), OCCASION, validation], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--validation", choices=["with", "without"], default="with",
                        help="'without' measures reading and the tables alone (the issue-2 target)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="malstyrning-bench-") as tmp:
        workdir = Path(tmp)
        examples = example_files(workdir)
        rows = []
        for size in args.sizes:
            root = build(workdir, size, examples)
            runs = []
            for _ in range(args.repeat):
                shutil.rmtree(root / "data" / "processed", ignore_errors=True)
                runs.append(measure(root, args.validation))
                if runs[-1]["accepted"] != size:
                    sys.exit(f"only {runs[-1]['accepted']} of {size} submissions were accepted; the benchmark is not measuring ingestion")
            ingest_s = statistics.median(r["ingest"] for r in runs)
            cpu_s = statistics.median(r["cpu"] for r in runs)
            rows.append((size, statistics.median(r["startup"] for r in runs), ingest_s, max(r["peak_mb"] for r in runs), cpu_s))
            print(f"n={size:5d}  start-up {rows[-1][1]:6.2f} s  ingest median {ingest_s:7.2f} s (cpu {cpu_s:7.2f} s)  "
                  f"per submission {1000 * ingest_s / size:6.1f} ms  peak {rows[-1][3]:6.0f} MB", flush=True)
        if len(rows) >= 2:
            (n0, _, t0, _, c0), (n1, _, t1, _, c1) = rows[0], rows[-1]
            slope = (t1 - t0) / (n1 - n0)
            print(f"marginal cost per submission ({n0}->{n1}): {1000 * slope:.1f} ms (cpu {1000 * (c1 - c0) / (n1 - n0):.1f} ms; "
                  f"fixed part {t0 - slope * n0:.2f} s); target <= 5 ms without validation, <= 8 ms with; "
                  f"peak {rows[-1][3]:.0f} MB, target <= 400 MB at 2,000")
            for (na, _, ta, _, _), (nb, _, tb, _, _) in zip(rows, rows[1:]):
                print(f"ratio time({nb})/time({na}) = {tb / ta:.2f} for size ratio {nb / na:.0f}")
        # The largest size again, from its cold tables, after one workbook changed.
        size, cold = rows[-1][0], rows[-1][2]
        kept = workdir / "cold"
        shutil.copytree(root / "data" / "processed", kept)
        change_one(root, examples)
        reruns = []
        for _ in range(args.repeat):
            shutil.rmtree(root / "data" / "processed")
            shutil.copytree(kept, root / "data" / "processed")
            reruns.append(measure(root, args.validation))
        rerun = statistics.median(r["ingest"] for r in reruns)
        print(f"rerun of n={size} with one workbook changed: median {rerun:.2f} s (cpu "
              f"{statistics.median(r['cpu'] for r in reruns):.2f} s) = {100 * rerun / cold:.0f} % of the cold ingestion; "
              "target <= 10 %")


if __name__ == "__main__":
    main()
