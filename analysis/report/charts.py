"""The report's charts, declared once each: its file name, the aggregate table whose rows
it draws (so every figure it shows is also in that table's sheet of the Excel workbook),
when it applies, and how it is drawn. The notebook shows them by name and the export
writes the same figures as PNG and SVG; a name that is not declared here is an error.

Adding a chart is a drawing function and one `register_chart` call. Pure: tables in,
figures out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.report.content import basis_note
from analysis.report.data import ReportData
from analysis.report.plots import Chart, count_matrix, heatmap, lines_over_occasions, small_multiples, stacked_shares
from analysis.tables.coverage import BUDGET_CATEGORIES, CATEGORIES
from analysis.tables.registry import TABLES


@dataclass(frozen=True)
class ChartContext:
    """What a chart may say besides its table's figures: names and labels, the occasion,
    the note on which submissions the figures rest on, whether it is example data."""

    catalogue: Catalogue
    occasion: Occasion
    goal_areas: Mapping[str, str]  # code -> "code name", in catalogue order (the report's goal area only)
    goals: Mapping[str, str]
    note: str
    example_data: bool
    is_period_end: bool

    def levels(self, scale: str) -> list[tuple[str, str]]:
        s = self.catalogue.scales[scale]
        return list(zip(s.codes, s.labels))


def context(data: ReportData) -> ChartContext:
    return ChartContext(
        catalogue=data.catalogue, occasion=data.occasion,
        goal_areas={c: f"{c} {n}" for c, n in zip(data.goal_areas["goal_area_code"], data.goal_areas["goal_area_name"])},
        goals={c: f"{c} {n}" for c, n in zip(data.goals["goal_code"], data.goals["goal_name"])},
        note=basis_note(data), example_data=data.catalogue.example_data, is_period_end=data.is_period_end,
    )


@dataclass(frozen=True)
class ChartSpec:
    name: str  # the file name stem (ASCII) and the name the notebook shows it by
    table: str  # the aggregate table it draws from
    draw: Callable[[pd.DataFrame, ChartContext], Chart]
    applies: Callable[[pd.DataFrame, ChartContext], bool] = lambda frame, ctx: True  # given the table's rows


CHARTS: dict[str, ChartSpec] = {}


def register_chart(spec: ChartSpec) -> ChartSpec:
    if spec.name in CHARTS:
        raise ValueError(f"Chart '{spec.name}' is declared twice.")
    if not spec.name.isascii() or not spec.name.replace("_", "").isalnum():
        raise ValueError(f"Chart '{spec.name}': the name is a file name stem, ASCII letters, digits and _ only.")
    if spec.table not in TABLES:
        raise ValueError(f"Chart '{spec.name}' draws from '{spec.table}', which is not a registered aggregate table.")
    CHARTS[spec.name] = spec
    return spec


def unregister_chart(name: str) -> None:
    del CHARTS[name]


class UnknownChart(KeyError):
    """A chart name nothing is declared under (a typo in the notebook, say)."""

    def __init__(self, name: str, declared):
        super().__init__(name, tuple(declared))

    def __str__(self) -> str:
        return f"Diagrammet '{self.args[0]}' finns inte. Kända diagram: {', '.join(self.args[1])}."


def check_name(name: str, declared=None) -> None:
    """An error unless a chart is declared under `name` (in `declared`, the names a report
    run handed over, or else in this process's registry)."""
    declared = list(CHARTS) if declared is None else list(declared)
    if name not in declared:
        raise UnknownChart(name, declared)


def iter_charts(data: ReportData) -> Iterator[Chart]:
    """Every chart that applies to the report, in declaration order, each built once and
    only when asked for (the report hands each to the browser as soon as it is built)."""
    ctx = context(data)
    for chart in CHARTS.values():
        frame = data.tables[chart.table]
        if chart.applies(frame, ctx):
            made = chart.draw(frame, ctx)
            if made.name != chart.name:
                raise ValueError(f"Chart '{chart.name}' drew a chart named '{made.name}'.")
            yield made


# --- the charts --------------------------------------------------------------------


def _scale_rows(frame: pd.DataFrame, scale: str, key: str) -> pd.DataFrame:
    return frame[frame["scale"].astype(object) == scale].astype({key: object, "level": object})


def _follow_up(frame: pd.DataFrame, ctx: ChartContext) -> bool:
    return ctx.occasion.is_follow_up


def _area_distribution(scale: str, stem: str, what: str):
    def draw(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
        return stacked_shares(_scale_rows(frame, scale, "goal_area_code"), "goal_area_code", ctx.goal_areas,
                              ctx.levels(scale), name=f"{stem}_per_malomrade", title=f"{what} per målområde – {ctx.occasion.label}",
                              note=ctx.note, alt_subject=f"{what.lower()} per målområde", example_data=ctx.example_data)
    return draw


register_chart(ChartSpec("forflyttning_per_malomrade", "movement_by_goal_area",
                         _area_distribution("movement", "forflyttning", "Bedömd förflyttning"), _follow_up))
register_chart(ChartSpec("mandatperioden_per_malomrade", "movement_by_goal_area",
                         _area_distribution("outlook", "mandatperioden", "Nås önskad förflyttning under mandatperioden?"),
                         _follow_up))


def _movement_per_goal(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    return stacked_shares(_scale_rows(frame, "movement", "goal_code"), "goal_code", ctx.goals, ctx.levels("movement"),
                          name="forflyttning_per_kf_mal", title=f"Bedömd förflyttning per KF-mål – {ctx.occasion.label}",
                          note=ctx.note, alt_subject="bedömd förflyttning per KF-mål", example_data=ctx.example_data)


register_chart(ChartSpec("forflyttning_per_kf_mal", "movement_by_goal", _movement_per_goal, _follow_up))


def _reached_per_goal(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    return stacked_shares(_scale_rows(frame, "reached", "goal_code"), "goal_code", ctx.goals, ctx.levels("reached"),
                          name="uppnadd_forflyttning_per_kf_mal", title="Har önskad förflyttning nåtts under mandatperioden?",
                          note=ctx.note, alt_subject="uppnådd förflyttning per KF-mål", example_data=ctx.example_data)


register_chart(ChartSpec("uppnadd_forflyttning_per_kf_mal", "movement_by_goal", _reached_per_goal,
                         lambda frame, ctx: ctx.is_period_end))


def _reached_per_area(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    return stacked_shares(_scale_rows(frame, "reached", "goal_area_code"), "goal_area_code", ctx.goal_areas,
                          ctx.levels("reached"), name="uppnadd_forflyttning_per_malomrade",
                          title="Har önskad förflyttning nåtts under mandatperioden? Per målområde",
                          note=ctx.note, alt_subject="uppnådd förflyttning per målområde", example_data=ctx.example_data)


register_chart(ChartSpec("uppnadd_forflyttning_per_malomrade", "movement_by_goal_area", _reached_per_area,
                         lambda frame, ctx: ctx.is_period_end))


def _coverage_per_goal(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    categories = CATEGORIES if ctx.occasion.is_follow_up else BUDGET_CATEGORIES
    rows = frame.astype({"goal_code": object, "category": object}).rename(columns={"category": "level"})
    return stacked_shares(rows, "goal_code", ctx.goals, list(categories.items()),
                          name="traffbild_per_kf_mal",
                          title=f"Träffbild: ansvariga nämnder och bolag per KF-mål – {ctx.occasion.label}",
                          note=ctx.note, alt_subject="ansvariga nämnders och bolags bidrag per KF-mål",
                          example_data=ctx.example_data)


register_chart(ChartSpec("traffbild_per_kf_mal", "coverage_by_goal", _coverage_per_goal))


def _human_rights(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    considered = frame[frame["consideration"].astype(object) == "considered"]
    grid = pd.DataFrame({"row": considered["goal_area_code"].astype(object), "column": considered["theme"].astype(object),
                         "share": considered["share"]})
    return heatmap(grid, dict(ctx.goal_areas), dict(ctx.levels("theme")), name="manskliga_rattigheter",
                   title=f"Andel uppföljningar som beaktat temat – {ctx.occasion.label}", note=ctx.note,
                   value_title="Beaktat", example_data=ctx.example_data)


register_chart(ChartSpec("manskliga_rattigheter", "human_rights_by_goal_area", _human_rights))


def _evidence_per_goal(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    rows = frame.astype({"goal_code": object, "evidence_type": object}).rename(columns={"evidence_type": "level"})
    return stacked_shares(rows, "goal_code", ctx.goals, ctx.levels("evidence_type"),
                          name="underlag_per_kf_mal", title=f"Typ av underlag per KF-mål – {ctx.occasion.label}",
                          note=ctx.note, alt_subject="typ av underlag per KF-mål", example_data=ctx.example_data)


register_chart(ChartSpec("underlag_per_kf_mal", "evidence_mix", _evidence_per_goal, _follow_up))


def _trend(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A movement trend table's rows as the line charts take them, and its occasions' labels in order."""
    rows = frame.astype({"occasion": object, key: object}).rename(columns={"moving_share": "share"})
    return rows, {o: Occasion.parse(o).label for o in sorted({str(o) for o in rows["occasion"]}, key=Occasion.parse)}


def _trend_per_area(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    rows, occasions = _trend(frame, "goal_area_code")
    return lines_over_occasions(
        rows, "goal_area_code", dict(ctx.goal_areas), occasions,
        name="utveckling_per_malomrade", title="Andel uppföljningar med viss eller tydlig förflyttning över mandatperioden",
        y_title="Viss eller tydlig förflyttning", note=ctx.note, example_data=ctx.example_data)


def _trend_applies(frame: pd.DataFrame, ctx: ChartContext) -> bool:
    """At a follow-up with follow-ups so far (a budget has no movement to show)."""
    return ctx.occasion.is_follow_up and len(frame) > 0


register_chart(ChartSpec("utveckling_per_malomrade", "movement_trend_by_goal_area", _trend_per_area, _trend_applies))


def _trend_per_goal(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    rows, occasions = _trend(frame, "goal_code")
    return small_multiples(
        rows, "goal_code", dict(ctx.goals), occasions,
        name="utveckling_per_kf_mal", title="Andel uppföljningar med viss eller tydlig förflyttning per KF-mål över mandatperioden",
        note=ctx.note, example_data=ctx.example_data)


register_chart(ChartSpec("utveckling_per_kf_mal", "movement_trend_by_goal", _trend_per_goal, _trend_applies))


def _assignment_statuses(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    from analysis.tables.assignments import STATUS_LABELS, STATUS_LEVELS

    rows = frame.astype({"occasion": object, "level": object})
    occasions = {o: Occasion.parse(o).label for o in sorted(set(rows["occasion"]), key=Occasion.parse)}
    return stacked_shares(rows, "occasion", occasions, [(lv, STATUS_LABELS[lv]) for lv in STATUS_LEVELS],
                          name="kf_uppdrag_status", title="KF-uppdragens status över mandatperioden",
                          note=ctx.note, alt_subject="KF-uppdragens status vid varje delårsrapport och årsredovisning",
                          example_data=ctx.example_data)


def _has_assignments(frame: pd.DataFrame, ctx: ChartContext) -> bool:
    return ctx.occasion.is_follow_up and len(frame) > 0 and int(frame["assignments"].max()) > 0


register_chart(ChartSpec("kf_uppdrag_status", "assignment_status_counts", _assignment_statuses, _has_assignments))


def _cooperation(frame: pd.DataFrame, ctx: ChartContext) -> Chart:
    names = ctx.catalogue.board_names
    boards = {b: names[b] for b in ctx.catalogue.board_codes}
    areas = frame["goal_area_codes"].astype(object).map(lambda a: f"Målområde {a}")
    grid = pd.DataFrame({"row": frame["board_code"].astype(object), "column": frame["partner_code"].astype(object),
                         "count": frame["contributions"], "hover": areas})
    codes = {b: b for b in ctx.catalogue.board_codes}  # partners by code: the names do not fit above the grid
    return count_matrix(grid, boards, codes, name="samverkan_mellan_namnder",
                        title=f"Samverkan: bidrag som nämner en annan nämnd eller ett bolag – {ctx.occasion.label}",
                        note=ctx.note, value_title="Bidrag", example_data=ctx.example_data)


register_chart(ChartSpec("samverkan_mellan_namnder", "cooperation_matrix", _cooperation, lambda frame, ctx: len(frame) > 0))


# The office's own tables and charts, where MALSTYRNING_TILLAGG names them (analysis.plugins).
from analysis.plugins import load_plugins  # noqa: E402  (after the built-in charts, so additions come last)

load_plugins()
