"""Writes data/reference/rapportmall.docx, the built-in Word template of the council
document (analysis.report.word_template), beside this script:

    .venv/bin/python data/reference/make_rapportmall.py

The city office may replace the file with its own template (open it in Word, change the
styles, header and footer, save as .docx); run this script to go back to the built-in one.
tests/test_document.py checks that the committed file is what this script writes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analysis.files import write_bytes  # noqa: E402
from analysis.report.word_template import TEMPLATE_NAME, template_bytes  # noqa: E402

if __name__ == "__main__":
    target = Path(__file__).resolve().parent / TEMPLATE_NAME
    write_bytes(target, template_bytes())
    sys.stdout.write(f"{target} skriven.\n")
