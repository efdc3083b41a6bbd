"""The office's own additions: modules that register aggregate tables and charts of their
own (analysis.tables.registry.register, analysis.report.charts.register_chart), named in
the environment variable MALSTYRNING_TILLAGG (module names, comma-separated, importable
from the Python path). They are imported when the chart registry is, in every process
that makes a report, the report notebook's kernel included, so an addition reaches the
Excel workbook, the chart files, the Word file and the HTML alike."""

from __future__ import annotations

import importlib
import os

from analysis.errors import UsageError

VARIABLE = "MALSTYRNING_TILLAGG"


def load_plugins() -> list[str]:
    """Import the modules named in MALSTYRNING_TILLAGG (once each); their names."""
    names = [n.strip() for n in os.environ.get(VARIABLE, "").split(",") if n.strip()]
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise UsageError(f"Tillägget '{name}' i {VARIABLE} kunde inte läsas in: {exc}") from None
    return names
