"""The exploration notebook's controls: one set of filters (mandate period, occasion, a
second occasion to compare with, goal area, KF goal, board or company, theme, a word, a
council assignment, a contribution) drives every view; each view is an interactive table
(itables' ITable widget: sortable, filterable, Swedish) and a plotly figure, with a button
that takes both out to reports/utforskning/. The notebook only creates a `Panel` and shows
its parts; the answers come from `views`.

Every view is limited to the chosen mandate period and speaks its catalogue's names; the
period's choices (occasions, goal areas, goals, assignments) follow it. A contribution's
history follows it across the boundary to the previous period (views.contribution_history),
and at the first budget of a new period the planning overview shows how its goals are covered."""

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


def _draw_questions(view: View, tables, catalogue, f: Filters):
    return figures.counts_by(view.table, "Nämnd/bolag", "Regel", "Öppna frågor per nämnd och bolag", "Antal frågor")
def _draw_history(view: View, tables, catalogue, f: Filters):
    if view.extra is None or view.extra.empty:
        return figures.empty("Bidragets historik", (view.notes or ["Välj ett bidrag."])[0])
    path = view.extra.rename(columns={"Mandatperiod": "Bidrags-id"})  # one line per period: the break shows the boundary
    return figures.board_path(path, f"{view.title}: förflyttning över perioderna")


def _draw_planning(view: View, tables, catalogue, f: Filters):
    if view.extra is None or view.extra.empty:
        return figures.empty("Planeringsöversikt", (view.notes or ["Ingen planeringsöversikt."])[0])
    return figures.counts_by(view.extra, "KF-mål", "Fortsätter från förra perioden",
                             f"{view.title}: planerade bidrag per KF-mål, fortsatta och nya", "Planerade bidrag")


def _draw_search(view: View, tables, catalogue, f: Filters):
    if view.table.empty:
        return figures.empty("Sök i texterna", view.notes[0] if view.notes else "Inga träffar.")
    return figures.counts_by(view.table, "Nämnd/bolag", "Fält", f"Träffar per nämnd och bolag: {f.word}", "Träffar")


class Panel:
    """The filters and the views; `refresh` redraws every view shown."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], catalogues: Mapping[str, Catalogue] | Catalogue,
                 root: str | Path | None = None, occasion: str | None = None):
        import ipywidgets as widgets

        if isinstance(catalogues, Catalogue):
            catalogues = {catalogues.mandate_period: catalogues}
        self.tables, self.catalogues, self.root = tables, dict(catalogues), root
        occasions = views.occasions_in(tables)
        if not occasions:
            raise ValueError("Inga inlästa tillfällen. Kör 'make run' eller 'malstyrning ingest --all' först.")
        self.occasions = occasions
        latest = occasion or occasions[-1]
        periods = [c for c in sorted(self.catalogues.values(), key=lambda c: c.first_year)
                   if any(c.covers(Occasion.parse(o)) for o in occasions)]
        self.catalogue = next(c for c in periods if c.covers(Occasion.parse(latest)))
        self._quiet = True  # no redraw while the choices are being set
        self.period = widgets.Dropdown(description="Mandatperiod", options=[(c.span, c.mandate_period) for c in periods],
                                       value=self.catalogue.mandate_period)
        self.occasion = widgets.Dropdown(description="Tillfälle")
        self.compare_with = widgets.Dropdown(description="Jämför med")
        self.goal_area = widgets.Dropdown(description="Målområde")
        self.goal = widgets.Dropdown(description="KF-mål")
        self.board = widgets.Dropdown(description="Nämnd/bolag")
        self.theme = widgets.Dropdown(description="Tema")
        self.word = widgets.Text(description="Sökord", placeholder="t.ex. trygghet", continuous_update=False)
        self.assignment = widgets.Dropdown(description="KF-uppdrag")
        self.contribution = widgets.Dropdown(description="Bidrag", options=[ALL])
        # Every view is limited to the chosen period; a contribution's history spans the periods unless this is ticked.
        self.history_in_period = widgets.Checkbox(description="Historiken bara inom vald mandatperiod", value=False,
                                                  indent=False)
        self._choices(latest)
        self.controls = widgets.VBox([widgets.HBox([self.period, self.occasion, self.compare_with]),
                                      widgets.HBox([self.goal_area, self.goal, self.board]),
                                      widgets.HBox([self.theme, self.word, self.assignment]),
                                      widgets.HBox([self.contribution, self.history_in_period])])
        self.period.observe(lambda change: self._period_changed(), names="value")
        self.board.observe(lambda change: self._board_changed(), names="value")
        for control in (self.occasion, self.compare_with, self.goal_area, self.goal, self.theme, self.word,
                        self.assignment, self.contribution, self.history_in_period):
            control.observe(lambda change: self.refresh(), names="value")
        self.specs = {s.name: s for s in (
            ViewSpec("uppfoljningar", "Uppföljningar", views.follow_ups, _draw_follow_ups),
            ViewSpec("namndprofil", "Nämndprofil", views.board_profile, _draw_board),
            ViewSpec("malprofil", "Målprofil", views.goal_profile, _draw_goal),
            ViewSpec("jamforelse", "Två tillfällen", self._compare, _draw_compare),
            ViewSpec("teman", "Mänskliga rättigheter", views.theme_summary, _draw_themes),
            ViewSpec("textsok", "Sök i texterna", views.text_search, _draw_search),
            ViewSpec("kf_uppdrag", "KF-uppdrag", views.assignments, _draw_assignments),
            ViewSpec("fragor", "Frågor till nämnderna", self._questions, _draw_questions),
            ViewSpec("bidragshistorik", "Bidragets historik", self._history, _draw_history),
            ViewSpec("planering", "Planeringsöversikt", self._planning, _draw_planning),
        )}
        self._dialogue: dict[str, pd.DataFrame] = {}  # the dialogue table of each period, made when first shown
        self.shown: dict[str, tuple] = {}
        self.latest: dict[str, tuple[View, object, Filters]] = {}
        self._overview: dict[str, object] = {}
        self._quiet = False

    def _choices(self, occasion: str | None = None) -> None:
        """The choices of the chosen period's catalogue; its latest occasion unless one is given."""
        cat = self.catalogue
        label = lambda o: Occasion.parse(o).label
        mine = [o for o in self.occasions if cat.covers(Occasion.parse(o))]
        chosen = occasion if occasion in mine else mine[-1]
        follow_ups = [o for o in mine if Occasion.parse(o).is_follow_up and o != chosen]
        self.occasion.options = [ALL, *((label(o), o) for o in mine)]
        self.occasion.value = chosen
        self.compare_with.options = [(label(o), o) for o in mine]
        self.compare_with.value = (follow_ups or mine)[-1]
        self.goal_area.options = [ALL, *((f"{c} {n}", c) for c, n in zip(cat.goal_areas["goal_area_code"],
                                                                         cat.goal_areas["goal_area_name"]))]
        self.goal.options = [ALL, *((f"{c} {n}", c) for c, n in zip(cat.goals["goal_code"], cat.goals["goal_name"]))]
        board = self.board.value if self.board.value in set(cat.boards["board_code"]) else None
        self.board.options = [ALL, *zip(cat.boards["board_name"], cat.boards["board_code"])]
        self.board.value = board
        self.theme.options = [ALL, *zip(cat.scales["theme"].labels, cat.scales["theme"].codes)]
        self.assignment.options = [ALL, *((f"{a} {t}", a) for a, t in zip(cat.assignments["assignment_id"],
                                                                          cat.assignments["text"]))]
        self._contributions()

    def _contributions(self) -> None:
        """The chosen board's contribution ids, over every period (for its history)."""
        ids: list[str] = []
        if self.board.value:
            for name in ("contributions", "follow_ups"):
                frame = self.tables.get(name)
                if frame is not None:
                    mine = frame[frame["board_code"].astype(object) == self.board.value]
                    ids += [str(c) for c in mine["contribution_id"].dropna().astype(object)]
        self.contribution.options = [ALL, *((c, c) for c in sorted(dict.fromkeys(ids)))]
        self.contribution.value = None

    def _period_changed(self) -> None:
        self._quiet = True
        self.catalogue = self.catalogues[self.period.value]
        self._choices()
        self._quiet = False
        self.refresh()

    def _board_changed(self) -> None:
        self._quiet = True
        self._contributions()
        self._quiet = False
        self.refresh()

    def filters(self) -> Filters:
        return Filters(self.occasion.value, self.goal_area.value, self.goal.value, self.board.value, self.theme.value,
                       self.word.value.strip(), self.assignment.value, self.period.value, self.contribution.value)

    def _history(self, tables, catalogue, f: Filters) -> View:
        """The chosen contribution across the periods (within the chosen one only when asked)."""
        from dataclasses import replace

        return views.contribution_history(tables, self.catalogues,
                                          f if self.history_in_period.value else replace(f, period=None))

    def _planning(self, tables, catalogue, f: Filters) -> View:
        """The planning overview of the chosen period's first budget (made once, from the
        tables and the previous period end's aggregates, computed and not stored)."""
        from analysis.crosswalk import crosswalk_for, is_first_budget

        budget = next((o for o in self.occasions if is_first_budget(catalogue, Occasion.parse(o))), None)
        if budget is None or crosswalk_for(catalogue, self.catalogues) is None:
            return views.planning(None, f)
        if budget not in self._overview:
            from analysis.config import Paths
            from analysis.planning import planning

            self._overview[budget] = planning(Paths.at(self.root), self.catalogues, Occasion.parse(budget), store=False).tables
        return views.planning(self._overview[budget], f)

    def _compare(self, tables, catalogue, f: Filters) -> View:
        second = f.occasion or views.occasions_in(views.in_period(tables, f.period))[-1]
        return views.compare_occasions(tables, catalogue, self.compare_with.value, second, f)

    def _questions(self, tables, catalogue, f: Filters) -> View:
        """The open questions, with the statuses and replies the office's dialogue
        workbooks hold now (read anew each time, so a reply read in shows at once)."""
        from analysis import dialogue
        from analysis.config import Paths
        from analysis.errors import UsageError

        if catalogue.mandate_period not in self._dialogue:
            self._dialogue[catalogue.mandate_period] = views.dialogue_from_processed(tables, catalogue)
        kept = {}
        folder = Paths.at(self.root).dialogues
        for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else ():
            if not path.name.startswith(("~$", ".")):
                try:
                    kept |= {row["key"]: row for row in dialogue.read_rows(path)}
                except UsageError:  # a workbook that cannot be read: its questions show as open
                    continue
        return views.open_questions(tables, catalogue, f, self._dialogue[catalogue.mandate_period], kept)

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
        if self._quiet:
            return []
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
            "kf_uppdrag": "KF-uppdragets historik: alla svar under mandatperioden",
            "fragor": "Bidragens historik: varje uppföljning under mandatperioden",
            "bidragshistorik": "Bedömd förflyttning vid varje uppföljning",
            "planering": "Planerade bidrag"}.get(name, "")


def _escape(text: str) -> str:
    import html

    return html.escape(text)
