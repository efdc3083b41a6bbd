"""Views for analysts exploring the processed tables in JupyterLab (notebooks/utforska.ipynb):
the follow-ups with their goal, goal area and board names, filtered as asked; one
contribution over the whole period; and the human-rights answers for a theme. Pure
functions; the notebook adds the widgets."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.report.plots import LEVEL_COLOURS, PATTERNS, SEPARATORS
from analysis.occasion import Occasion


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    return out


def follow_up_view(
    follow_ups: pd.DataFrame,
    catalogue: Catalogue,
    *,
    occasion: str | None = None,
    goal_area: str | None = None,
    goal: str | None = None,
    board: str | None = None,
) -> pd.DataFrame:
    """Follow-ups with goal area, goal name, board name and Swedish answer labels; each
    filter narrows the rows when given."""
    rows = _plain(follow_ups)
    goals = catalogue.goals[["goal_code", "goal_area_code", "goal_name"]]
    rows = rows.merge(goals, on="goal_code", how="left").merge(catalogue.boards[["board_code", "board_name"]], on="board_code", how="left")
    for column, wanted in (("occasion", occasion), ("goal_area_code", goal_area), ("goal_code", goal), ("board_code", board)):
        if wanted:
            rows = rows[rows[column] == wanted]
    for scale in ("movement", "outlook", "evidence_type"):
        labels = dict(zip(catalogue.scales[scale].codes, catalogue.scales[scale].labels))
        rows[f"{scale}_label"] = rows[scale].map(labels)
    return rows.reset_index(drop=True)


def contribution_history(contributions: pd.DataFrame, follow_ups: pd.DataFrame, contribution_id: str) -> pd.DataFrame:
    """One contribution at every occasion it appears in, in reporting order: what was
    planned and how it was assessed."""
    plans = _plain(contributions)
    plans = plans[plans["contribution_id"] == contribution_id][["occasion", "board_code", "goal_code", "title", "plan_year"]]
    follows = _plain(follow_ups)
    follows = follows[follows["contribution_id"] == contribution_id][["occasion", "movement", "outlook", "analysis", "evidence_type"]]
    out = plans.merge(follows, on="occasion", how="outer")
    out["_order"] = out["occasion"].map(Occasion.parse)
    return out.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def movement_counts_figure(view: pd.DataFrame, catalogue: Catalogue, title: str):
    """Stacked bars: how the filtered follow-ups' movement answers spread over the occasions."""
    import plotly.graph_objects as go

    scale = catalogue.scales["movement"]
    occasions = sorted(view["occasion"].dropna().unique(), key=Occasion.parse)
    fig = go.Figure()
    for i, (code, label) in enumerate(zip(scale.codes, scale.labels)):
        counts = view[view["movement"] == code].groupby("occasion").size().reindex(occasions, fill_value=0)
        fig.add_trace(go.Bar(name=label, x=[Occasion.parse(o).label for o in occasions], y=counts.values,
                             marker={"color": LEVEL_COLOURS.get(code), "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}}))
    fig.update_layout(barmode="stack", title=title, separators=SEPARATORS, template="plotly_white",
                      yaxis_title="Antal uppföljningar", legend={"orientation": "h", "y": -0.2})
    return fig


def theme_view(human_rights: pd.DataFrame, catalogue: Catalogue, theme: str, occasion: str | None = None) -> pd.DataFrame:
    """Per board: how often the theme was considered, not considered or found not relevant."""
    rows = _plain(human_rights)
    rows = rows[rows["theme"] == theme]
    if occasion:
        rows = rows[rows["occasion"] == occasion]
    table = rows.groupby(["board_code", "consideration"]).size().unstack(fill_value=0)
    labels = dict(zip(catalogue.scales["consideration"].codes, catalogue.scales["consideration"].labels))
    table = table.reindex(columns=list(labels), fill_value=0).rename(columns=labels)
    names = dict(zip(catalogue.boards["board_code"], catalogue.boards["board_name"]))
    table.index = [names.get(b, b) for b in table.index]
    return table
