"""The exploration notebook's controls: one set of filters (occasion, a second occasion to
compare with, goal area, KF goal, board or company, theme, a word) drives every view; each
view is an interactive table (itables' ITable widget: sortable, filterable, Swedish) and
a plotly figure, with a button that takes both out to reports/utforskning/. The notebook
only creates a `Panel` and shows its parts; the answers come from `views`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.explore import figures, views
from analysis.explore.views import Filters, View
from analysis.occasion import Occasion

# DataTables' words in Swedish (its own i18n keys).
SWEDISH = {
    "search": "Sök:", "lengthMenu": "Visa _MENU_ rader", "info": "Rad _START_–_END_ av _TOTAL_",
    "infoEmpty": "Inga rader", "infoFiltered": "(filtrerat från _MAX_ rader)", "zeroRecords": "Inga rader matchar",
    "emptyTable": "Inga rader med dessa val", "decimal": ",", "thousands": "\u00a0",
}
ALL = ("Alla", None)


@dataclass(frozen=True)
class ViewSpec:
    name: str
    title: str
    answer: Callable[[Mapping, Catalogue, Filters], View]
    draw: Callable[[View, Mapping, Catalogue, Filters], object]


def _draw_follow_ups(view: View, tables, catalogue, f: Filters):
    return figures.counts_by(view.table, "Tillfälle", "Förflyttning", "Bedömd förflyttning per tillfälle",
                             "Antal uppföljningar", catalogue.scales["movement"].labels)


def _draw_board(view: View, tables, catalogue, f: Filters):
    if not f.board:
        return figures.empty("Nämndprofil", "Välj en nämnd eller ett bolag.")
    return figures.board_path(views.board_path(tables, catalogue, f), f"{view.title}: bidragens förflyttning")


def _draw_goal(view: View, tables, catalogue, f: Filters):
    if not f.goal:
        return figures.empty("Målprofil", "Välj ett KF-mål.")
    return figures.trend(view.extra, f"{view.title}: andel med viss eller tydlig förflyttning")


def _draw_compare(view: View, tables, catalogue, f: Filters):
    return figures.counts_by(view.table, "Förändring", "Förändring", view.title, "Antal bidrag", views.CHANGES.values())


def _draw_themes(view: View, tables, catalogue, f: Filters):
    return figures.theme_heatmap(view.table, "Andel svar där temat beaktats")


def _draw_assignments(view: View, tables, catalogue, f: Filters):
    shown = view.extra if view.extra is not None else view.table
    return figures.counts_by(shown, "Tillfälle", "Status", f"{view.title}: svar per tillfälle och status", "Antal svar",
                             catalogue.scales["assignment_status"].labels)


def _draw_search(view: View, tables, catalogue, f: Filters):
    if view.table.empty:
        return figures.empty("Sök i texterna", view.notes[0] if view.notes else "Inga träffar.")
    return figures.counts_by(view.table, "Nämnd/bolag", "Fält", f"Träffar per nämnd och bolag: {f.word}", "Träffar")


class Panel:
    """The filters and the views; `refresh` redraws every view shown."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, root: str | Path | None = None,
                 occasion: str | None = None):
        import ipywidgets as widgets

        self.tables, self.catalogue, self.root = tables, catalogue, root
        occasions = views.occasions_in(tables)
        if not occasions:
            raise ValueError("Inga inlästa tillfällen. Kör 'make run' eller 'malstyrning ingest --all' först.")
        latest = occasion or occasions[-1]
        follow_ups = [o for o in occasions if Occasion.parse(o).is_follow_up and o != latest]
        label = lambda o: Occasion.parse(o).label
        cat = catalogue
        self.occasion = widgets.Dropdown(description="Tillfälle", options=[ALL, *((label(o), o) for o in occasions)], value=latest)
        self.compare_with = widgets.Dropdown(description="Jämför med", options=[(label(o), o) for o in occasions],
                                             value=(follow_ups or occasions)[-1])
        self.goal_area = widgets.Dropdown(description="Målområde", options=[ALL, *(
            (f"{c} {n}", c) for c, n in zip(cat.goal_areas["goal_area_code"], cat.goal_areas["goal_area_name"]))])
        self.goal = widgets.Dropdown(description="KF-mål", options=[ALL, *(
            (f"{c} {n}", c) for c, n in zip(cat.goals["goal_code"], cat.goals["goal_name"]))])
        self.board = widgets.Dropdown(description="Nämnd/bolag", options=[ALL, *zip(cat.boards["board_name"], cat.boards["board_code"])])
        self.theme = widgets.Dropdown(description="Tema", options=[ALL, *zip(cat.scales["theme"].labels, cat.scales["theme"].codes)])
        self.word = widgets.Text(description="Sökord", placeholder="t.ex. trygghet", continuous_update=False)
        self.assignment = widgets.Dropdown(description="KF-uppdrag", options=[ALL, *(
            (f"{a} {t}", a) for a, t in zip(cat.assignments["assignment_id"], cat.assignments["text"]))])
        self.controls = widgets.VBox([widgets.HBox([self.occasion, self.compare_with, self.goal_area]),
                                      widgets.HBox([self.goal, self.board, self.theme]),
                                      widgets.HBox([self.word, self.assignment])])
        for control in (self.occasion, self.compare_with, self.goal_area, self.goal, self.board, self.theme, self.word,
                        self.assignment):
            control.observe(lambda change: self.refresh(), names="value")
        self.specs = {s.name: s for s in (
            ViewSpec("uppfoljningar", "Uppföljningar", views.follow_ups, _draw_follow_ups),
            ViewSpec("namndprofil", "Nämndprofil", views.board_profile, _draw_board),
            ViewSpec("malprofil", "Målprofil", views.goal_profile, _draw_goal),
            ViewSpec("jamforelse", "Två tillfällen", self._compare, _draw_compare),
            ViewSpec("teman", "Mänskliga rättigheter", views.theme_summary, _draw_themes),
            ViewSpec("textsok", "Sök i texterna", views.text_search, _draw_search),
            ViewSpec("kf_uppdrag", "KF-uppdrag", views.assignments, _draw_assignments),
        )}
        self.shown: dict[str, tuple] = {}
        self.latest: dict[str, tuple[View, object, Filters]] = {}

    def filters(self) -> Filters:
        return Filters(self.occasion.value, self.goal_area.value, self.goal.value, self.board.value, self.theme.value,
                       self.word.value.strip(), self.assignment.value)

    def _compare(self, tables, catalogue, f: Filters) -> View:
        second = f.occasion or views.occasions_in(tables)[-1]
        return views.compare_occasions(tables, catalogue, self.compare_with.value, second, f)

    def answer(self, name: str) -> tuple[View, object, Filters]:
        """The view, its figure and the filters it was made with."""
        spec, f = self.specs[name], self.filters()
        view = spec.answer(self.tables, self.catalogue, f)
        return view, spec.draw(view, self.tables, self.catalogue, f), f

    def show(self, name: str):
        """The view's widgets (figure, table, second table, save button), kept up to date."""
        import ipywidgets as widgets
        from itables.widget import ITable

        if name not in self.specs:
            raise KeyError(f"Okänd vy '{name}'. Vyer: {', '.join(self.specs)}.")
        figure = widgets.Output()
        table = ITable(pd.DataFrame(), **self._table_options())
        extra = ITable(pd.DataFrame(), **self._table_options())
        note = widgets.HTML()
        save = widgets.Button(description="Spara till Excel och PNG", icon="download", layout={"width": "auto"})
        saved = widgets.HTML()
        save.on_click(lambda _: self._save(name, saved))
        self.shown[name] = (figure, table, extra, note)
        self._draw(name)
        return widgets.VBox([note, figure, table, extra, widgets.HBox([save, saved])])

    def _table_options(self) -> dict:
        # No column_filters: in the ITable widget they showed no boxes, and bound every
        # text box on the page instead, so a word typed in Sökord (or in one table's
        # search) emptied every table shown before.
        return {"classes": "display compact", "language": SWEDISH, "pageLength": 10,
                "lengthMenu": [10, 25, 100, -1], "maxBytes": 0, "allow_html": False}

    def _draw(self, name: str) -> bool:
        """Show the view with the current filters; False when it shows the same as before
        (say, the board profile with no board chosen), which is left as it is."""
        figure, table, extra, note = self.shown[name]
        view, drawn, f = self.answer(name)
        before = self.latest.get(name)
        self.latest[name] = (view, drawn, f)
        if before is not None and _same(before[0], view) and before[1] == drawn:
            return False
        from IPython.display import display

        with figure:  # a new figure each time: plotly's own output type, drawn by JupyterLab
            figure.clear_output(wait=True)
            display(drawn)
        table.update(view.table if not view.table.empty else pd.DataFrame({"": ["Inga rader med dessa val."]}),
                     caption=view.title)
        if view.extra is not None and not view.extra.empty:
            extra.update(view.extra, caption=_extra_caption(name))
            extra.layout.display = None
        else:
            extra.layout.display = "none"
        note.value = "".join(f"<p><em>{_escape(n)}</em></p>" for n in view.notes)
        return True

    def refresh(self) -> list[str]:
        """Redraw every view shown whose answer changed; returns their names."""
        return [name for name in self.shown if self._draw(name)]

    def _save(self, name: str, saved) -> None:
        from analysis.explore.takeout import save_view

        view, drawn, f = self.latest[name]
        try:
            files = save_view(view, drawn, f, self.root)
        except Exception as exc:  # shown to the analyst, in Swedish, instead of a traceback in the log
            saved.value = f"<span>Kunde inte spara: {_escape(str(exc))}</span>"
            return
        saved.value = "Sparat: " + ", ".join(f"<code>{_escape(p.name)}</code>" for p in files) + \
            f" i <code>{_escape(str(files[0].parent))}</code>"


def _same(a: View, b: View) -> bool:
    """The two answers show the same: title, notes and tables (values, columns, kinds)."""
    extras = (a.extra is None and b.extra is None) or (a.extra is not None and b.extra is not None and a.extra.equals(b.extra))
    return a.title == b.title and a.notes == b.notes and a.table.equals(b.table) and extras


def _extra_caption(name: str) -> str:
    return {"malprofil": "Utveckling över tillfällena", "jamforelse": "Nämnder och bolag som slutat rapportera",
            "teman": "Nämndernas och bolagens beskrivningar",
            "kf_uppdrag": "KF-uppdragets historik: alla svar under mandatperioden"}.get(name, "")


def _escape(text: str) -> str:
    import html

    return html.escape(text)
