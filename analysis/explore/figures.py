"""One plotly figure per exploration view, drawn from the view's own table (so the
picture shows what the table says). Swedish labels and number format; colours from the
report's palette, every series also told apart by pattern or marker."""

from __future__ import annotations

import pandas as pd

from analysis.report.plots import FONT, LINE_DASHES, MARKERS, PATTERNS, SEPARATORS, SERIES_COLOURS, white_template


def _layout(fig, title: str, height: int = 420):
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, separators=SEPARATORS, template=white_template(),
                      font={"family": FONT, "size": 13}, height=height, margin={"l": 10, "r": 20, "t": 60, "b": 40},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def empty(title: str, note: str):
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, 200)


def counts_by(table: pd.DataFrame, x: str, colour: str, title: str, y_title: str = "Antal", order=()):
    """Stacked bars: how many rows of the table per `x`, split by `colour` (its values in
    `order` first, the rest as they come)."""
    import plotly.graph_objects as go

    if table.empty:
        return empty(title, "Inga rader med dessa val.")
    xs = list(dict.fromkeys(table[x]))
    fig = go.Figure()
    present = set(table[colour])
    for i, level in enumerate(dict.fromkeys([*(o for o in order if o in present), *table[colour]])):
        counts = table[table[colour] == level].groupby(x, sort=False).size().reindex(xs, fill_value=0)
        fig.add_trace(go.Bar(name=str(level), x=xs, y=list(counts.values), marker={
            "color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}}))
    fig.update_layout(barmode="stack", yaxis_title=y_title)
    return _layout(fig, title)


def board_path(path: pd.DataFrame, title: str):
    """Each contribution's movement over the follow-ups: one line per contribution."""
    import plotly.graph_objects as go

    if path.empty:
        return empty(title, "Inga bedömda uppföljningar med dessa val.")
    fig = go.Figure()
    for i, (cid, rows) in enumerate(path.groupby("Bidrags-id", sort=False)):
        fig.add_trace(go.Scatter(name=str(cid), x=list(rows["Tillfälle"]), y=list(rows["Rang"]), mode="lines+markers",
                                 text=list(rows["Förflyttning"]), hovertemplate="%{x}: %{text}<extra>" + str(cid) + "</extra>",
                                 line={"dash": LINE_DASHES[i % len(LINE_DASHES)], "color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                                 marker={"symbol": MARKERS[i % len(MARKERS)], "size": 9}))
    fig.update_yaxes(tickvals=[0, 1, 2, 3], ticktext=["Tydlig", "Viss", "Ingen", "Motsatt"], autorange="reversed",
                     title="Förflyttning")
    return _layout(fig, title)


def trend(table: pd.DataFrame, title: str):
    """The share with some or clear movement per occasion."""
    import plotly.graph_objects as go

    if table.empty:
        return empty(title, "Inga bedömningar ännu.")
    fig = go.Figure(go.Scatter(x=list(table["Tillfälle"]), y=list(table["Andel (%)"]), mode="lines+markers",
                               name="Viss eller tydlig förflyttning", hovertemplate="%{x}: %{y} %<extra></extra>"))
    fig.update_yaxes(range=[0, 100], ticksuffix="\u00a0%", title="Viss eller tydlig förflyttning")
    return _layout(fig, title)


def theme_heatmap(table: pd.DataFrame, title: str):
    """Goal area (or base mission) × theme: the share of answers that considered the theme."""
    import plotly.graph_objects as go

    if table.empty:
        return empty(title, "Inga svar med dessa val.")
    summed = table.groupby(["Målområde", "Tema"], sort=False)[["Svar", "Beaktat"]].sum()
    share = (100 * summed["Beaktat"] / summed["Svar"]).round().unstack("Tema")
    fig = go.Figure(go.Heatmap(z=share.to_numpy(dtype=float), x=list(share.columns), y=[str(a) for a in share.index],
                               text=[[f"{v:.0f}\u00a0%" if v == v else "–" for v in row] for row in share.to_numpy(dtype=float)],
                               texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=100,
                               colorbar={"title": "Beaktat", "ticksuffix": "\u00a0%"}))
    fig.update_yaxes(autorange="reversed", title="Målområde")
    return _layout(fig, title)
