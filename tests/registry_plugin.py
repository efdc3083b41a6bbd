"""An addition as an office would write one: a table and a chart, registered when the
module is imported (through MALSTYRNING_TILLAGG, see analysis.plugins)."""

from __future__ import annotations

from analysis.report import charts as chart_registry
from analysis.report.plots import Chart
from analysis.tables import registry
from analysis.tables.registry import AggregateTable
from analysis.tables.tally import stamp

SHEET = "Prov nämnder per mål"


def boards_per_goal(catalogue, contributions):
    """Per occasion and KF goal: how many boards have a contribution to it."""
    counts = contributions.dropna(subset=["goal_code"]).groupby(["occasion", "goal_code"])["board_code"].nunique()
    out = counts.rename("boards_with_contribution").reset_index()
    return stamp(out, catalogue)


def boards_chart(frame, ctx) -> Chart:
    import plotly.graph_objects as go

    rows = frame.astype({"goal_code": object})
    figure = go.Figure(go.Bar(x=list(rows["goal_code"]), y=list(rows["boards_with_contribution"])))
    return Chart("prov_namnder_per_mal", "Nämnder med bidrag per KF-mål", figure,
                 "Stapeldiagram: nämnder med bidrag per KF-mål. " + ctx.note)


registry.register(AggregateTable("boards_per_goal", boards_per_goal, SHEET,
                                 headers={"boards_with_contribution": "Nämnder med bidrag"},
                                 reads={"contributions": ("occasion", "board_code", "goal_code")}))
chart_registry.register_chart(chart_registry.ChartSpec("prov_namnder_per_mal", "boards_per_goal", boards_chart))


def unregister() -> None:
    chart_registry.unregister_chart("prov_namnder_per_mal")
    registry.unregister("boards_per_goal")
