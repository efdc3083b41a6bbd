"""Column letters and numbers (analysis.boards.layout), which the reader and the checks
use in place of openpyxl's, and that an ingestion imports no openpyxl."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.boards.layout import column_letter, column_number
from analysis.config import REPOSITORY_ROOT

# Worked out by hand: 26 letters, then two-letter columns from 27, three from 26 + 26² + 1.
KNOWN = {1: "A", 2: "B", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 16384: "XFD"}


@pytest.mark.parametrize("number,letters", KNOWN.items())
def test_known_columns(number, letters):
    assert column_letter(number) == letters
    assert column_number(letters) == number
    assert column_number(letters.lower()) == number


def test_every_column_of_a_sheet_round_trips():
    assert [column_number(column_letter(n)) for n in range(1, 16385)] == list(range(1, 16385))


@pytest.mark.parametrize("bad", ["", "A1", "Ä", "-", " A"])
def test_no_column(bad):
    with pytest.raises(ValueError):
        column_number(bad)
    with pytest.raises(ValueError):
        column_letter(0)


def test_ingestion_imports_no_openpyxl():
    code = "import sys, analysis.intake.ingest; sys.exit('openpyxl' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT).returncode == 0
