"""Every office format a board may send is read with the same checks and the same cell
references: the example city's workbooks, written by the project's own writer and saved
again as .ods, .xls and .xlsm, give the same tables and the same findings as the .xlsx."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import Paths
from analysis.intake.store import read_table

from conftest import copy_raw
from office_formats import CONVERTERS

OCCASIONS = ("2026-budget", "2026-ar")  # an example file of the period end, 2026-ar, has a deliberate mistake
TABLES = ("submissions", "contributions", "follow_ups", "human_rights", "indicators", "validation_issues")


def _tables(paths: Paths) -> dict[str, pd.DataFrame]:
    """The tables without what names the file itself (its name, content hash and time)."""
    out = {}
    for name in TABLES:
        frame = read_table(paths.processed, name).drop(columns=["sha256", "file_modified"], errors="ignore")
        frame["source_file"] = frame["source_file"].astype(str).str.rsplit(".", n=1).str[0]
        sort = [c for c in ("occasion", "source_file", "sheet", "cell", "rule", "excel_row") if c in frame.columns]
        out[name] = frame.sort_values(sort, kind="stable").reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def as_xlsx(example_city, tmp_path_factory):
    paths = Paths.at(tmp_path_factory.mktemp("xlsx"))
    for occasion in OCCASIONS:
        copy_raw(example_city, paths, occasion)
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 1
    return paths


@pytest.mark.parametrize("suffix", sorted(CONVERTERS))
def test_another_format_gives_the_same_tables_and_findings_as_the_xlsx(as_xlsx, tmp_path, suffix):
    paths = Paths.at(tmp_path)
    for occasion in OCCASIONS:
        folder = paths.raw_for(occasion)
        folder.mkdir(parents=True)
        for source in sorted(as_xlsx.raw_for(occasion).glob("*.xlsx")):
            CONVERTERS[suffix](source, folder / f"{source.stem}{suffix}")
    assert main(["--root", str(paths.root), "ingest", "--all", "--quiet"]) == 1

    expected, got = _tables(as_xlsx), _tables(paths)
    assert len(got["follow_ups"]) > 50 and (got["submissions"]["status"] == "rejected").sum() == 1
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=f"{name} ({suffix})")
