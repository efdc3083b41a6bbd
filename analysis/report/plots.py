"""The report's charts, built from the aggregate tables (pure: tables in, figures out).

Swedish labels and number format (`45 %`, `1 234,5`); an ordered, colour-blind-safe
palette, and every level also told apart by a fill pattern and a printed value, so no
meaning rests on colour alone. Charts of the example city carry *Exempeldata* in the
corner. Each chart has an alt text and a note saying which submissions it rests on."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from functools import cache

import pandas as pd

from analysis.occasion import Occasion
from analysis.vocabulary import number, percent

FONT = "Arial, Helvetica, sans-serif"
SEPARATORS = ",\u00a0"  # decimal comma, no-break space between thousands
# Okabe–Ito based, ordered from favourable to unfavourable; grey for 'cannot be assessed'.
LEVEL_COLOURS = {
    "clear": "#0072B2", "some": "#56B4E9", "none": "#E69F00", "negative": "#D55E00", "not_assessable": "#999999",
    "likely": "#0072B2", "partly": "#56B4E9", "unlikely": "#D55E00", "uncertain": "#999999",
    "reached": "#0072B2", "partly_reached": "#56B4E9", "not_reached": "#D55E00",
    "considered": "#0072B2", "not_considered": "#D55E00", "not_relevant": "#999999",
    "quantitative": "#0072B2", "qualitative": "#E69F00", "both": "#009E73",
    "followed_up": "#0072B2", "contribution_only": "#56B4E9", "no_contribution": "#E69F00", "rejected": "#D55E00",
    "missing": "#BBBBBB",
    "not_started": "#E69F00", "ongoing": "#56B4E9", "completed": "#0072B2", "discontinued": "#D55E00",
    "unanswered": "#BBBBBB",
}
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
LINE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
MARKERS = ["circle", "square", "diamond", "triangle-up", "x", "star"]
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"]  # Okabe–Ito
PLOTLY_MIME = "application/vnd.plotly.v1+json"


@dataclass(frozen=True)
class ShownChart:
    """A chart as a notebook shows it: plotly's own output type (interactive in JupyterLab
    and in the HTML report) with the alt text as plain-text fallback and as the HTML
    report's aria-label. Made once from the figure, so the notebook shows exactly the
    figure that is exported, without plotly having to load in the kernel."""

    name: str
    title: str
    alt_text: str
    bundle: dict

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self.bundle


@dataclass(frozen=True)
class Chart:
    name: str  # file name stem, ASCII
    title: str
    figure: object  # plotly Figure
    alt_text: str

    def shown(self) -> ShownChart:
        figure = json.loads(self.figure.to_json())
        figure.setdefault("layout", {})["meta"] = {"alt": self.alt_text}
        return ShownChart(self.name, self.title, self.alt_text, {PLOTLY_MIME: figure, "text/plain": self.alt_text})

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self.shown().bundle


def _chart(name: str, title: str, fig, alt: str) -> Chart:
    """The chart, its traces named after it: plotly would give each a random id, and the
    same report must give the same files."""
    for i, trace in enumerate(fig.data):
        trace.uid = f"{name}-{i}"
    return Chart(name, title, fig, alt)


@cache
def white_template():
    """plotly_white as the charts use it: its layout, and its defaults for the kinds of
    trace drawn (bar, scatter, heatmap). plotly copies a figure's template into it and
    checks every value: the whole of plotly_white, with defaults for two dozen kinds of
    trace, took some 9 ms of every figure (a tenth of the report's charts)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    return go.layout.Template(layout=white.layout, data={kind: white.data[kind] for kind in ("bar", "scatter", "heatmap")})


EXAMPLE_MARK = {"text": "Exempeldata", "xref": "paper", "yref": "paper", "x": 1, "y": 1, "yshift": 32, "showarrow": False,
                "xanchor": "right", "yanchor": "bottom", "font": {"size": 13, "color": "#B00020"},
                "bordercolor": "#B00020", "borderwidth": 1, "borderpad": 3}


def _layout(title: str, note: str, example_data: bool, height: int, legend_rows: int = 2, legend_y: float = -0.06,
            top: int = 95, annotations: tuple = (), **chart) -> dict:
    """A chart's layout: title with the basis note as subtitle (so the two never overlap),
    legend below the plot, the Exempeldata mark in the top right corner (after the chart's
    own `annotations`), and the chart's own properties. Each figure is made in one call
    with its traces and this layout: plotly checks every value again at each update."""
    return {
        **chart,
        "title": {"text": title, "subtitle": {"text": note, "font": {"size": 11, "color": "#555555"}},
                  "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container", "font": {"size": 18}},
        "font": {"family": FONT, "size": 13, "color": "#222222"},
        "separators": SEPARATORS,
        "template": white_template(),
        "width": 900,
        "height": height + 30 * legend_rows,
        "margin": {"l": 10, "r": 20, "t": top, "b": 40 + 30 * legend_rows},
        "legend": {"orientation": "h", "yanchor": "top", "y": legend_y, "x": 0, "traceorder": "normal", "yref": "paper"},
        "annotations": [*annotations, *([EXAMPLE_MARK] if example_data else [])],
    }


def stacked_shares(
    frame: pd.DataFrame,
    category: str,
    category_labels: dict[str, str],
    levels: list[tuple[str, str]],
    *,
    name: str,
    title: str,
    note: str,
    alt_subject: str,
    example_data: bool,
) -> Chart:
    """A horizontal 100 % bar per category, one segment per level (colour, pattern and the
    printed share). `frame` has columns category, level, count, share."""
    import plotly.graph_objects as go

    categories = list(category_labels)
    traces, alt_parts = [], []
    for i, (level, label) in enumerate(levels):
        rows = frame[frame["level"] == level].set_index(category).reindex(categories)
        shares = rows["share"].fillna(0.0)
        counts = rows["count"].fillna(0).astype(int)
        traces.append(go.Bar(
            name=label, orientation="h", y=[category_labels[c] for c in categories], x=100 * shares,
            marker={"color": LEVEL_COLOURS.get(level, "#777777"), "line": {"color": "#333333", "width": 0.5},
                    "pattern": {"shape": PATTERNS[i % len(PATTERNS)], "fgcolor": "#333333", "size": 6}},
            text=[percent(s) if s >= 0.06 else "" for s in shares], textposition="inside", insidetextanchor="middle",
            customdata=list(zip(counts, [percent(s) for s in shares])),
            hovertemplate="%{y}<br>" + label + ": %{customdata[1]} (%{customdata[0]} st)<extra></extra>",
        ))
    for c in categories:
        parts = frame[frame[category] == c].set_index("level")
        said = [f"{label.lower()} {percent(parts.loc[level, 'share'])}" for level, label in levels
                if level in parts.index and parts.loc[level, "count"] > 0]
        alt_parts.append(f"{category_labels[c]}: {', '.join(said) if said else 'inga svar'}")
    fig = go.Figure(traces, _layout(title, note, example_data, height=max(300, 140 + 42 * len(categories)),
                                    legend_rows=(len(levels) + 1) // 2, barmode="stack",
                                    xaxis={"range": [0, 100], "ticksuffix": "\u00a0%", "side": "top"},
                                    yaxis={"autorange": "reversed", "automargin": True}))
    alt = f"Staplat stapeldiagram: {alt_subject}. " + ". ".join(alt_parts) + ". " + note
    return _chart(name, title, fig, alt)


def _span(label: str, shares: pd.Series) -> list[str]:
    """A line's first and last known share, for its alt text (nothing when none is known)."""
    known = shares.dropna()
    return [f"{label}: från {percent(known.iloc[0])} till {percent(known.iloc[-1])}"] if len(known) else []


def lines_over_occasions(
    frame: pd.DataFrame,
    series: str,
    series_labels: dict[str, str],
    occasion_labels: dict[str, str],
    *,
    name: str,
    title: str,
    y_title: str,
    note: str,
    example_data: bool,
) -> Chart:
    """One line per series over the occasions, each with its own dash and marker.
    `frame` has columns occasion, series, share."""
    import plotly.graph_objects as go

    traces, alt_parts = [], []
    occasions = list(occasion_labels)
    for i, (key, label) in enumerate(series_labels.items()):
        rows = frame[frame[series] == key].set_index("occasion").reindex(occasions)
        traces.append(go.Scatter(
            name=label, x=[occasion_labels[o].replace(" ", "<br>", 1) for o in occasions], y=100 * rows["share"],
            mode="lines+markers", line={"dash": LINE_DASHES[i % len(LINE_DASHES)], "width": 2,
                                        "color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
            marker={"symbol": MARKERS[i % len(MARKERS)], "size": 9, "color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
            hovertemplate=label + "<br>%{x}: %{y:.0f}\u00a0%<extra></extra>", connectgaps=False,
        ))
        alt_parts += _span(label, rows["share"])
    fig = go.Figure(traces, _layout(title, note, example_data, height=480, legend_rows=(len(series_labels) + 1) // 2 + 1,
                                    legend_y=-0.16, yaxis={"range": [0, 100], "ticksuffix": "\u00a0%", "title": y_title}))
    alt = f"Linjediagram: {title}. " + "; ".join(alt_parts) + ". " + note
    return _chart(name, title, fig, alt)


def small_multiples(
    frame: pd.DataFrame,
    series: str,
    series_labels: dict[str, str],
    occasion_labels: dict[str, str],
    *,
    name: str,
    title: str,
    note: str,
    example_data: bool,
    columns: int = 3,
) -> Chart:
    """One small line chart per series (a KF goal, say) on the same scales, side by side,
    each point with its printed value (the title says what the share is). `frame` has
    columns occasion, series, share."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    keys = list(series_labels)
    occasions = list(occasion_labels)
    rows = max(1, -(-len(keys) // columns))
    titles = ["<br>".join(textwrap.wrap(series_labels[k], 42)) for k in keys]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, shared_yaxes=True,
                        vertical_spacing=0.5 / rows, horizontal_spacing=0.04)
    short = [Occasion.parse(o).short_label for o in occasions]
    alt_parts = []
    for i, key in enumerate(keys):
        rows_of = frame[frame[series] == key].set_index("occasion").reindex(occasions)
        shares = rows_of["share"]
        fig.add_trace(go.Scatter(
            name=series_labels[key], x=short, y=100 * shares, mode="lines+markers+text", showlegend=False,
            text=[percent(v) if pd.notna(v) else "" for v in shares], textposition="top center", textfont={"size": 9},
            line={"color": SERIES_COLOURS[0], "width": 2}, marker={"size": 6, "color": SERIES_COLOURS[0]},
            hovertemplate=series_labels[key] + "<br>%{x}: %{y:.0f}\u00a0%<extra></extra>", connectgaps=False,
        ), row=i // columns + 1, col=i % columns + 1)
        alt_parts += _span(series_labels[key], shares)
    fig.update_yaxes(range=[0, 115], ticksuffix="\u00a0%", tickvals=[0, 50, 100])
    fig.update_xaxes(tickfont={"size": 9}, tickangle=-45)
    fig.update_annotations(font={"size": 11})
    # top: room for the subtitle above the first row's titles (the subplots' annotations)
    fig.update_layout(_layout(title, note, example_data, height=100 + 230 * rows, legend_rows=0, top=150,
                              annotations=fig.layout.annotations))
    alt = f"Småmultipeldiagram, ett linjediagram per KF-mål: {title}. " + "; ".join(alt_parts) + ". " + note
    return _chart(name, title, fig, alt)


def heatmap(
    frame: pd.DataFrame,
    rows: dict[str, str],
    columns: dict[str, str],
    *,
    name: str,
    title: str,
    note: str,
    value_title: str,
    example_data: bool,
) -> Chart:
    """A grid of shares with the value printed in every cell (the colour only repeats it).
    `frame` has columns row, column, share."""
    import plotly.graph_objects as go

    grid = frame.pivot_table(index="row", columns="column", values="share", aggfunc="first").reindex(
        index=list(rows), columns=list(columns))
    text = [[percent(v) for v in r] for r in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=100 * grid.to_numpy(dtype=float), x=[columns[c] for c in columns], y=[rows[r] for r in rows],
        text=text, texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=100,
        colorbar={"title": value_title, "ticksuffix": "\u00a0%"},
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    ), _layout(title, note, example_data, height=max(320, 140 + 50 * len(rows)), legend_rows=0,
               yaxis={"autorange": "reversed", "automargin": True}, xaxis={"side": "top"}))
    alt_rows = [f"{rows[r]}: " + ", ".join(f"{columns[c]} {percent(grid.loc[r, c])}" for c in columns) for r in rows]
    alt = f"Värmekarta: {title}. " + ". ".join(alt_rows) + ". " + note
    return _chart(name, title, fig, alt)


def count_matrix(
    frame: pd.DataFrame,
    rows: dict[str, str],
    columns: dict[str, str],
    *,
    name: str,
    title: str,
    note: str,
    value_title: str,
    example_data: bool,
) -> Chart:
    """A grid of counts with the count printed in every cell that has one (the colour only
    repeats it) and `hover` text per cell. `frame` has columns row, column, count, hover;
    rows and columns without any count are left out."""
    import plotly.graph_objects as go

    rows = {k: v for k, v in rows.items() if k in set(frame["row"])}
    columns = {k: v for k, v in columns.items() if k in set(frame["column"])}
    grid = frame.pivot_table(index="row", columns="column", values="count", aggfunc="sum").reindex(
        index=list(rows), columns=list(columns))
    hover = frame.pivot_table(index="row", columns="column", values="hover", aggfunc="first").reindex(
        index=list(rows), columns=list(columns))
    text = [[number(v, 0) if pd.notna(v) else "" for v in r] for r in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=[columns[c] for c in columns], y=[rows[r] for r in rows], text=text,
        texttemplate="%{text}", colorscale="Blues", zmin=0, customdata=hover.fillna("").to_numpy(dtype=object),
        colorbar={"title": value_title}, xgap=1, ygap=1,
        hovertemplate="%{y} → %{x}: %{text}<br>%{customdata}<extra></extra>",
    ), _layout(title, note, example_data, height=max(360, 220 + 28 * len(rows)), legend_rows=0,
               yaxis={"autorange": "reversed", "automargin": True}, xaxis={"side": "top", "automargin": True}))
    cells = [f"{rows[r]} med {columns[c]} {number(grid.loc[r, c], 0)}" for r in rows for c in columns if pd.notna(grid.loc[r, c])]
    alt = f"Matris: {title}. " + "; ".join(cells) + ". " + note
    return _chart(name, title, fig, alt)
