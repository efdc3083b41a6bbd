"""One registry per kind of output: a table and a chart added through the registries alone
reach the Excel workbook, the exported charts and the HTML; a declaration with a mistake
fails when it is made, and an unknown chart name fails when it is asked for. And the
report path does its work once: every aggregate table and chart is made once per
report, and the goal catalogue is read once per run."""

from __future__ import annotations

import dataclasses
import functools
import shutil
from collections import Counter

import openpyxl
import pytest

from analysis.cli import main
from analysis.config import Paths
from analysis.intake.store import read_table
from analysis.report import charts as chart_registry
from analysis.tables import registry
from analysis.tables.registry import AggregateTable, MissingColumn, compute_tables

OCCASION = "2026-delar"
PLUGIN = "registry_plugin"  # tests/registry_plugin.py


@pytest.fixture
def plugin(monkeypatch):
    """A table and a chart added as an office adds them (MALSTYRNING_TILLAGG), in this
    process and in the report notebook's kernel; removed afterwards."""
    import os
    import sys
    from pathlib import Path

    from analysis.plugins import VARIABLE, load_plugins

    tests = str(Path(__file__).parent)
    monkeypatch.setenv(VARIABLE, PLUGIN)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])))
    load_plugins()
    yield sys.modules[PLUGIN]
    sys.modules.pop(PLUGIN).unregister()


def _copy(example_city, tmp_path) -> Paths:
    root = tmp_path / "stad"
    shutil.copytree(example_city.root / "data", root / "data", symlinks=True)
    return Paths.at(root)


@pytest.mark.slow
def test_a_table_and_a_chart_added_through_the_registries_reach_every_output(example_city, tmp_path, plugin, no_pdf):
    paths = _copy(example_city, tmp_path)
    assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 0
    folder = paths.reports / OCCASION

    # Expected values worked out here from the processed tables, not by the table's function.
    contributions = read_table(paths.processed, "contributions").astype(object)
    current = contributions[contributions["occasion"] == OCCASION]
    expected = {goal: len(set(rows["board_code"])) for goal, rows in current.groupby("goal_code")}

    ws = openpyxl.load_workbook(folder / "sammanstalld_analys.xlsx")[plugin.SHEET]
    rows = list(ws.values)
    assert rows[0] == ("Tillfälle", "Mandatperiod", "KF-mål", "Nämnder med bidrag")
    assert {r[2]: r[3] for r in rows[1:]} == expected and len(expected) > 5

    assert (folder / "diagram" / "prov_namnder_per_mal.png").stat().st_size > 1000
    assert "Stapeldiagram: nämnder med bidrag per KF-mål" in (folder / "diagram" / "prov_namnder_per_mal.alt.txt").read_text()
    html = (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    assert "Övriga diagram" in html and "Stapeldiagram: nämnder med bidrag per KF-mål" in html


def test_an_unknown_chart_name_fails_loudly():
    with pytest.raises(chart_registry.UnknownChart, match="Diagrammet 'forflytning_per_kf_mal' finns inte"):
        chart_registry.check_name("forflytning_per_kf_mal")
    chart_registry.check_name("forflyttning_per_kf_mal")
    with pytest.raises(ValueError, match="not a registered aggregate table"):
        chart_registry.register_chart(chart_registry.ChartSpec("x", "no_such_table", lambda frame, ctx: None))
    assert "x" not in chart_registry.CHARTS


def test_the_report_outline_names_only_declared_charts():
    import inspect
    import re

    from analysis.report import outline

    named = set(re.findall(r'Chart\("([a-z_]+)"\)', inspect.getsource(outline)))
    assert len(named) >= 10 and named <= set(chart_registry.CHARTS)


def test_a_declaration_with_a_mistake_fails_when_it_is_made():
    def table(catalogue, follow_ups):
        return follow_ups

    with pytest.raises(ValueError, match="'follow_ups' has no column movemnt"):
        registry.register(AggregateTable("t", table, "Prov", reads={"follow_ups": ("occasion", "movemnt")}))
    with pytest.raises(ValueError, match="no sheet name"):
        registry.register(AggregateTable("t", table, "", reads={"follow_ups": ("occasion",)}))
    with pytest.raises(ValueError, match="longer than 31"):
        registry.register(AggregateTable("t", table, "x" * 32, reads={"follow_ups": ("occasion",)}))
    with pytest.raises(ValueError, match="needs follow_ups"):
        registry.register(AggregateTable("t", table, "Prov"))
    with pytest.raises(ValueError, match="sheet name 'Träffbild' is taken"):
        registry.register(AggregateTable("t", table, "Träffbild", reads={"follow_ups": ("occasion",)}))
    with pytest.raises(ValueError, match="uses 'later'"):
        registry.register(AggregateTable("t", lambda catalogue, later: later, "Prov", uses=("later",)))
    assert "t" not in registry.TABLES


def test_a_stored_table_without_a_declared_column_is_an_error_not_an_empty_column(example_city, catalogue):
    processed = {name: read_table(example_city.processed, name) for name in registry.processed_inputs()}
    processed["follow_ups"] = processed["follow_ups"].drop(columns=["evidence_type"])
    with pytest.raises(MissingColumn, match="follow_ups saknar kolumnen evidence_type"):
        compute_tables(catalogue, processed, catalogue.occasions[:6])


def test_a_column_without_a_swedish_header_is_an_error():
    with pytest.raises(KeyError, match="no Swedish header"):
        registry.TABLES["coverage"].header("no_such_column")


@pytest.mark.slow
def test_aggregates_and_charts_are_made_once_and_the_catalogue_read_once(example_city, tmp_path, monkeypatch, no_pdf):
    paths = _copy(example_city, tmp_path)
    calls: Counter = Counter()

    def counted(key, function):
        @functools.wraps(function)  # the registry reads a table function's parameters
        def wrapper(*args, **kwargs):
            calls[key] += 1
            return function(*args, **kwargs)
        return wrapper

    for name, table in list(registry.TABLES.items()):
        monkeypatch.setitem(registry.TABLES, name, dataclasses.replace(table, function=counted(("table", name), table.function)))
    for name, chart in list(chart_registry.CHARTS.items()):
        monkeypatch.setitem(chart_registry.CHARTS, name, dataclasses.replace(chart, draw=counted(("chart", name), chart.draw)))
    import analysis.catalogue

    monkeypatch.setattr(analysis.catalogue, "load_catalogue", counted("catalogue", analysis.catalogue.load_catalogue))

    # A whole scheduled run: ingestion, feedback, aggregates, report (no rejected file at 2026-delar).
    assert main(["--root", str(paths.root), "run", "--period", OCCASION]) == 0
    assert calls["catalogue"] == 2  # the example city has two catalogue files (2023–2026, 2027–2030), each read once
    assert {name: calls[("table", name)] for name in registry.TABLES} == {name: 1 for name in registry.TABLES}
    drawn = {name: calls[("chart", name)] for name in chart_registry.CHARTS}
    period_end_only = {"uppnadd_forflyttning_per_kf_mal", "uppnadd_forflyttning_per_malomrade"}
    assert drawn == {name: 0 if name in period_end_only else 1 for name in chart_registry.CHARTS}
    exported = sorted(p.name.removesuffix(".png") for p in (paths.reports / OCCASION / "diagram").glob("*.png"))
    assert exported == sorted(name for name, n in drawn.items() if n)

    # The report alone, on aggregates that are current: they are read, not made again.
    calls.clear()
    assert main(["--root", str(paths.root), "report", "--period", OCCASION]) == 0
    assert calls["catalogue"] == 2 and not [k for k in calls if k[0] == "table"]
    assert all(calls[("chart", name)] == n for name, n in drawn.items())


def test_an_addition_that_cannot_be_imported_is_a_clear_message(monkeypatch):
    from analysis.errors import UsageError
    from analysis.plugins import VARIABLE, load_plugins

    monkeypatch.setenv(VARIABLE, "finns_inte_alls")
    with pytest.raises(UsageError, match="Tillägget 'finns_inte_alls' i MALSTYRNING_TILLAGG kunde inte läsas in"):
        load_plugins()
