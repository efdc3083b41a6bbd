"""What the compiled analysis (sammanställd analys) shows: Swedish tables and charts built
from the aggregate tables, the boards' own texts and the analysts' judgement. Pure
functions of a `ReportData`; the notebook calls them and tells the story, the Excel and
chart exports use the same ones, so the three never disagree."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.charts import Chart, heatmap, lines_over_occasions, number, percent, stacked_shares
from analysis.occasion import Occasion

STATUS_LABELS = {"accepted": "Godkänd", "rejected": "Avvisad", "missing": "Saknas"}
MOVING = ("clear", "some")

# Excel sheet name and Swedish column headers for each aggregate table of the report.
SHEETS = {
    "goal_signal": "Föreslagen signal",
    "coverage": "Träffbild",
    "movement_by_goal": "Förflyttning per KF-mål",
    "movement_by_goal_area": "Förflyttning per målområde",
    "evidence_mix": "Underlag",
    "indicators": "Indikatorer",
    "human_rights_by_goal_area": "MR per målområde",
    "human_rights_base_mission": "MR grunduppdrag",
    "human_rights_gaps": "MR aldrig beaktat",
    "trajectory": "Utveckling över perioden",
    "transitions": "Förändring per bidrag",
    "data_quality": "Datakvalitet",
}
HEADERS = {
    "occasion": "Tillfälle", "mandate_period": "Mandatperiod", "goal_area_code": "Målområde", "goal_area_name": "Målområdets namn",
    "goal_code": "KF-mål", "goal_name": "Mål", "board_code": "Nämnd/bolag (kod)", "board_name": "Nämnd/bolag",
    "board_kind": "Typ", "responsible": "Ansvarig enligt KF", "submission_status": "Inlämning",
    "contributions": "Bidrag", "has_contribution": "Har bidrag", "follow_ups": "Uppföljningar",
    "has_follow_up": "Har uppföljning", "board_movement": "Nämndens förflyttning", "scale": "Skala", "level": "Nivå (kod)",
    "level_label": "Nivå", "count": "Antal", "share": "Andel", "assessed": "Bedömbara", "assessed_share": "Andel bedömbara",
    "boards": "Nämnder", "other_boards": "Övriga nämnder", "responsible_boards": "Ansvariga nämnder", "goals": "KF-mål (antal)",
    "theme": "Tema (kod)", "theme_label": "Tema", "consideration": "Beaktande (kod)", "consideration_label": "Beaktande",
    "answers": "Svar", "comment": "Beskrivning", "not_considered": "Inte beaktat", "not_relevant": "Inte relevant",
    "evidence_type": "Underlag (kod)", "evidence_label": "Typ av underlag", "contribution_id": "Bidrag-ID",
    "indicator": "Indikator", "unit": "Enhet", "direction": "Önskad riktning", "baseline_year": "Basår",
    "baseline_value": "Basvärde", "value_year": "År", "value": "Värde", "change": "Förändring",
    "relative_change": "Relativ förändring", "in_desired_direction": "I önskad riktning",
    "previous_occasion": "Föregående tillfälle", "previous_movement": "Föregående förflyttning", "movement": "Förflyttning",
    "change_label": "Förändring (beskrivning)",
    "boards_moving": "Viss eller tydlig förflyttning", "boards_no_movement": "Ingen förflyttning",
    "boards_negative": "Motsatt riktning", "boards_not_assessable": "Kan inte bedömas",
    "boards_without_follow_up": "Utan uppföljning", "boards_without_contribution": "Utan bidrag",
    "boards_rejected": "Avvisade", "boards_missing": "Har inte lämnat in", "indicators": "Indikatorer",
    "indicators_in_desired_direction": "Indikatorer i önskad riktning", "suggested_level": "Föreslagen signal (kod)",
    "suggested_level_label": "Föreslagen signal", "basis": "Regel", "reasons": "Skäl",
    "files": "Filer", "rejected_files": "Avvisade filer", "submitted_on": "Inlämnad", "deadline": "Sista dag",
    "on_time": "I tid", "days_late": "Dagar sen", "errors": "Fel", "warnings": "Varningar",
    "assessment_label": "KS bedömning", "wording": "KS formulering",
}
PERCENT_COLUMNS = {"share", "assessed_share", "relative_change"}


@dataclass(frozen=True)
class ReportData:
    catalogue: Catalogue
    occasion: Occasion
    tables: dict[str, pd.DataFrame]  # the aggregates as of the occasion (goal-area filter applied)
    follow_ups: pd.DataFrame  # current follow-ups at the occasion
    contributions: pd.DataFrame  # current contributions at the occasion
    issues: pd.DataFrame  # validation findings at the occasion
    judgement: pd.DataFrame  # goal_code, assessment, assessment_label, wording
    goal_area: str | None = None
    _goal_splits: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see for_goal

    @property
    def goal_areas(self) -> pd.DataFrame:
        areas = self.catalogue.goal_areas
        return areas[areas["goal_area_code"] == self.goal_area] if self.goal_area else areas

    @property
    def goals(self) -> pd.DataFrame:
        goals = self.catalogue.goals
        return goals[goals["goal_area_code"] == self.goal_area] if self.goal_area else goals

    @property
    def is_period_end(self) -> bool:
        return self.occasion.kind == "ar" and self.catalogue.is_last_year(self.occasion)

    def for_goal(self, name: str, goal_code: str) -> pd.DataFrame:
        """The rows of one goal in an aggregate table, or in `follow_ups` or `contributions`.
        Each table is split by goal once: the report asks for every goal in turn."""
        split = self._goal_splits.get(name)
        if split is None:
            frame = self.tables[name] if name in self.tables else getattr(self, name)
            split = {code: rows for code, rows in frame.groupby(frame["goal_code"].astype(object), sort=False)}
            split[None] = frame.iloc[0:0]
            self._goal_splits[name] = split
        return split.get(goal_code, split[None])


def only_goal_area(tables: dict[str, pd.DataFrame], goal_area: str | None) -> dict[str, pd.DataFrame]:
    """The tables restricted to one goal area (tables without goal areas unchanged)."""
    if not goal_area:
        return dict(tables)
    return {name: (frame[frame["goal_area_code"].astype(object) == goal_area].reset_index(drop=True)
                   if "goal_area_code" in frame.columns else frame) for name, frame in tables.items()}


# --- display -----------------------------------------------------------------------


def html_table(frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), decimals: dict[str, int] | None = None) -> str:
    """An HTML table with Swedish numbers; every cell escaped, so board text stays text.
    (Written directly: a report has about a hundred small tables, and pandas' `to_html`
    took a third of the notebook's time.)"""
    decimals = decimals or {}
    columns = [_shown(frame.iloc[:, i], str(name), percent_columns, decimals) for i, name in enumerate(frame.columns)]
    head = "".join(f"<th>{text(name)}</th>" for name in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in row) + "</tr>" for row in zip(*columns))
    return f'<table class="rapporttabell"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _shown(values: pd.Series, name: str, percent_columns: tuple[str, ...], decimals: dict[str, int]) -> list[str]:
    if name in percent_columns:
        return [percent(v) for v in values]
    if name in decimals:
        return [number(v, decimals[name]) for v in values]
    items = values.tolist()
    if pd.api.types.is_bool_dtype(values.dtype) or all(isinstance(v, bool) for v in items):
        return ["Ja" if v is True else "Nej" if v is False else "–" for v in items]
    if pd.api.types.is_integer_dtype(values.dtype):
        return [number(v, 0) for v in values]
    return ["–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in items]


def text(value: object) -> str:
    """Escape any text going into markdown or HTML."""
    return html.escape("" if value is None else str(value))


# --- facts and notes ----------------------------------------------------------------


def submission_counts(data: ReportData) -> dict[str, int]:
    """How many responsible boards' submissions are accepted, rejected, missing."""
    quality = data.tables["data_quality"]
    counts = quality["submission_status"].astype(object).value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUS_LABELS} | {"boards": len(quality)}


def basis_note(data: ReportData) -> str:
    """Which submissions the figures rest on, for every table and chart."""
    c = submission_counts(data)
    return (f"Underlag: godkända inlämningar från {c['accepted']} av {c['boards']} nämnder och bolag, "
            f"{data.occasion.label} ({c['rejected']} avvisade, {c['missing']} saknas).")


def signal_rule() -> str:
    """The rule behind the suggested signal, as the report states it."""
    from analysis.goal_signal import RULE

    return RULE


# --- tables -------------------------------------------------------------------------


def _moving_share(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    movement = frame[frame["scale"].astype(object) == "movement"]
    moving = movement[movement["level"].astype(object).isin(MOVING)].groupby(keys, observed=True)["share"].sum()
    first = movement.groupby(keys, observed=True)[["follow_ups", "assessed_share", "boards", "responsible_boards"]].first()
    return first.join(moving.rename("moving_share")).reset_index()


def summary_table(data: ReportData) -> pd.DataFrame:
    """The whole city per goal area: follow-ups, share with some or clear movement, the
    share that could be assessed, and the suggested signals of its goals."""
    areas = data.goal_areas[["goal_area_code", "goal_area_name"]]
    moving = _moving_share(data.tables["movement_by_goal_area"], ["goal_area_code"]) if data.occasion.is_follow_up else \
        pd.DataFrame(columns=["goal_area_code", "follow_ups", "moving_share", "assessed_share", "responsible_boards"])
    signals = data.tables["goal_signal"].groupby("goal_area_code", observed=True)["suggested_level_label"].agg(
        lambda s: "; ".join(f"{n} {label.lower()}" for label, n in s.value_counts().items())).rename("signals").reset_index()
    goals = data.goals.groupby("goal_area_code").size().rename("goals").reset_index()
    out = areas.merge(goals, on="goal_area_code", how="left").merge(moving, on="goal_area_code", how="left").merge(
        signals, on="goal_area_code", how="left")
    return out[["goal_area_code", "goal_area_name", "goals", "follow_ups", "moving_share", "assessed_share", "signals"]].rename(
        columns={"goal_area_code": "Målområde", "goal_area_name": "Namn", "goals": "KF-mål", "follow_ups": "Uppföljningar",
                 "moving_share": "Viss eller tydlig förflyttning", "assessed_share": "Bedömbara", "signals": "Föreslagna signaler"})


def signal_table(data: ReportData, goal_code: str | None = None) -> pd.DataFrame:
    """Per goal: the suggested signal with its reasons, beside the executive board's own
    assessment and wording (or that it is pending)."""
    signals = data.for_goal("goal_signal", goal_code) if goal_code else data.tables["goal_signal"]
    signals = signals[["goal_area_code", "goal_code", "goal_name", "suggested_level_label", "reasons"]].astype(
        {"goal_code": object})
    out = signals.merge(data.judgement, on="goal_code", how="left")
    return out[["goal_code", "goal_name", "suggested_level_label", "reasons", "assessment_label", "wording"]].rename(
        columns={"goal_code": "KF-mål", "goal_name": "Mål", "suggested_level_label": "Föreslagen signal (underlag)",
                 "reasons": "Skäl", "assessment_label": "KS bedömning", "wording": "KS formulering"}).reset_index(drop=True)


def goal_coverage_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """The goal's träffbild: every responsible board, its submission, contributions and movement."""
    rows = data.for_goal("coverage", goal_code)
    labels = dict(zip(data.catalogue.scales["movement"].codes, data.catalogue.scales["movement"].labels))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_name"].astype(object),
        "Ansvarig": rows["responsible"].map({True: "Ja", False: "Nej (rapporterar ändå)"}),
        "Inlämning": rows["submission_status"].astype(object).map(STATUS_LABELS),
        "Bidrag": rows["contributions"].astype("Int64"),
        "Uppföljningar": rows["follow_ups"].astype("Int64"),
        "Förflyttning": rows["board_movement"].astype(object).map(labels).fillna("–"),
    }).reset_index(drop=True)


def goal_follow_ups_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """What each board says about its contributions to the goal, in its own words."""
    scales = data.catalogue.scales
    rows = data.for_goal("follow_ups", goal_code)
    titles = data.for_goal("contributions", goal_code).drop_duplicates(["board_code", "contribution_id"])[
        ["board_code", "contribution_id", "title"]]
    rows = rows.drop(columns=["title"], errors="ignore").astype({"board_code": object}).merge(
        titles.astype({"board_code": object}), on=["board_code", "contribution_id"], how="left")
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    label = lambda scale, values: values.astype(object).map(dict(zip(scales[scale].codes, scales[scale].labels)))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_code"].map(names),
        "Bidrag": rows["contribution_id"].astype(object) + " " + rows["title"].astype(object).fillna(""),
        "Förflyttning": label("movement", rows["movement"]),
        "Mandatperioden": label("outlook", rows["outlook"]),
        "Analys": rows["analysis"].astype(object),
        "Underlag": label("evidence_type", rows["evidence_type"]).fillna("–") + ": " + rows["evidence"].astype(object).fillna(""),
    }).reset_index(drop=True)


def distribution_table(data: ReportData, goal_code: str, scale: str) -> pd.DataFrame:
    """Count and share per level of one scale (movement, outlook, reached) for a goal."""
    rows = data.for_goal("movement_by_goal", goal_code)
    rows = rows[rows["scale"].astype(object) == scale]
    return pd.DataFrame({"Nivå": rows["level_label"].astype(object), "Antal": rows["count"].astype("Int64"),
                         "Andel": rows["share"]}).reset_index(drop=True)


def goal_evidence_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    rows = data.for_goal("evidence_mix", goal_code)
    return pd.DataFrame({"Typ av underlag": rows["evidence_label"].astype(object), "Antal": rows["count"].astype("Int64"),
                         "Andel": rows["share"]}).reset_index(drop=True)


def goal_indicator_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """Indicators the boards chose to give for the goal (none is normal)."""
    rows = data.for_goal("indicators", goal_code)
    direction = dict(zip(data.catalogue.scales["direction"].codes, data.catalogue.scales["direction"].labels))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_code"].astype(object), "Bidrag": rows["contribution_id"].astype(object),
        "Indikator": rows["indicator"].astype(object), "Enhet": rows["unit"].astype(object),
        "Önskad riktning": rows["direction"].astype(object).map(direction), "Basår": _year(rows["baseline_year"]),
        "Basvärde": rows["baseline_value"], "År": _year(rows["value_year"]), "Värde": rows["value"],
        "I önskad riktning": rows["in_desired_direction"].map({True: "Ja", False: "Nej"}),
    }).reset_index(drop=True)


def _year(values: pd.Series) -> pd.Series:
    """Years as text: '2022', not a number with a thousands space."""
    return values.astype("Int64").astype("string")


def human_rights_table(data: ReportData) -> pd.DataFrame:
    """Goal area × theme: the share of follow-ups that considered the theme."""
    hr = data.tables["human_rights_by_goal_area"]
    considered = hr[hr["consideration"].astype(object) == "considered"]
    grid = considered.pivot_table(index="goal_area_code", columns="theme_label", values="share", aggfunc="first", observed=True)
    themes = list(data.catalogue.scales["theme"].labels)
    grid = grid.reindex(index=list(data.goal_areas["goal_area_code"]), columns=themes)
    names = dict(zip(data.catalogue.goal_areas["goal_area_code"], data.catalogue.goal_areas["goal_area_name"]))
    grid.insert(0, "Målområde", [f"{c} {names[c]}" for c in grid.index])
    return grid.reset_index(drop=True)


def base_mission_table(data: ReportData) -> pd.DataFrame:
    """Board × theme: how each theme was considered in the base mission."""
    base = data.tables["human_rights_base_mission"]
    grid = base.pivot_table(index="board_name", columns="theme_label", values="consideration_label", aggfunc="first",
                            observed=True)
    boards = [b for b in data.catalogue.boards["board_name"] if b in set(base["board_name"].astype(object))]
    grid = grid.reindex(index=boards, columns=list(data.catalogue.scales["theme"].labels)).fillna("Inget svar")
    grid.insert(0, "Nämnd/bolag", grid.index)
    return grid.reset_index(drop=True)


def human_rights_gaps_table(data: ReportData) -> pd.DataFrame:
    gaps = data.tables["human_rights_gaps"]
    return pd.DataFrame({"Målområde": gaps["goal_area_code"].astype(object) + " " + gaps["goal_area_name"].astype(object),
                         "Tema": gaps["theme_label"].astype(object), "Svar": gaps["answers"].astype("Int64")}).reset_index(drop=True)


def data_quality_table(data: ReportData) -> pd.DataFrame:
    q = data.tables["data_quality"]
    return pd.DataFrame({
        "Nämnd/bolag": q["board_name"].astype(object),
        "Inlämning": q["submission_status"].astype(object).map(STATUS_LABELS),
        "Inlämnad": [v.strftime("%Y-%m-%d") if pd.notna(v) else "–" for v in pd.to_datetime(q["submitted_on"])],
        "I tid": q["on_time"].map({True: "Ja", False: "Nej"}).fillna("–"),
        "Fel": q["errors"].astype("Int64"), "Varningar": q["warnings"].astype("Int64"),
    }).reset_index(drop=True)


def findings_table(data: ReportData, severity: str) -> pd.DataFrame:
    """Findings of one severity at the occasion, with file and cell."""
    rows = data.issues[data.issues["severity"].astype(object) == severity]
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_code"].astype(object).map(names).fillna("Okänd"),
        "Fil": rows["source_file"].astype(object),
        "Cell": rows["sheet"].astype(object).fillna("") + "!" + rows["cell"].astype(object).fillna(""),
        "Meddelande": rows["message"].astype(object),
    }).reset_index(drop=True)


def trajectory_table(data: ReportData) -> pd.DataFrame:
    """Per goal, the share of follow-ups with some or clear movement at every occasion so far."""
    t = data.tables["trajectory"]
    moving = t[t["level"].astype(object).isin(MOVING)].groupby(["goal_code", "occasion"], observed=True)["share"].sum().reset_index()
    occasions = sorted({str(o) for o in moving["occasion"]}, key=Occasion.parse)
    grid = moving.pivot_table(index="goal_code", columns="occasion", values="share", aggfunc="first", observed=True)
    grid = grid.reindex(index=list(data.goals["goal_code"]), columns=occasions)
    grid.columns = [Occasion.parse(o).label for o in grid.columns]
    grid.insert(0, "KF-mål", grid.index)
    return grid.reset_index(drop=True)


def excel_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every aggregate table of the report under its Swedish sheet name and headers, plus
    the judgement beside the suggested signal."""
    out = {"Bedömning": signal_table(data)}
    for name, sheet in SHEETS.items():
        frame = data.tables[name]
        out[sheet] = frame.rename(columns={c: HEADERS.get(c, c) for c in frame.columns})
    return out


# --- charts -------------------------------------------------------------------------


def report_charts(data: ReportData) -> Iterator[Chart]:
    """The charts of the report, in the order the report shows them, each made when
    asked for (the export draws the first while the next is made)."""
    cat, occ, t = data.catalogue, data.occasion, data.tables
    note = basis_note(data)
    ex = cat.example_data
    area_labels = {c: f"{c} {n}" for c, n in zip(data.goal_areas["goal_area_code"], data.goal_areas["goal_area_name"])}
    goal_labels = {c: f"{c} {n}" for c, n in zip(data.goals["goal_code"], data.goals["goal_name"])}
    scale_levels = lambda scale: list(zip(cat.scales[scale].codes, cat.scales[scale].labels))
    if occ.is_follow_up:
        area = t["movement_by_goal_area"]
        for scale, stem, what in (("movement", "forflyttning", "Bedömd förflyttning"),
                                  ("outlook", "mandatperioden", "Nås önskad förflyttning under mandatperioden?")):
            rows = area[area["scale"].astype(object) == scale].astype({"goal_area_code": object, "level": object})
            yield stacked_shares(rows, "goal_area_code", area_labels, scale_levels(scale),
                                 name=f"{stem}_per_malomrade", title=f"{what} per målområde – {occ.label}",
                                 note=note, alt_subject=f"{what.lower()} per målområde", example_data=ex)
        goal = t["movement_by_goal"]
        rows = goal[goal["scale"].astype(object) == "movement"].astype({"goal_code": object, "level": object})
        yield stacked_shares(rows, "goal_code", goal_labels, scale_levels("movement"),
                             name="forflyttning_per_kf_mal", title=f"Bedömd förflyttning per KF-mål – {occ.label}",
                             note=note, alt_subject="bedömd förflyttning per KF-mål", example_data=ex)
        if data.is_period_end:
            rows = goal[goal["scale"].astype(object) == "reached"].astype({"goal_code": object, "level": object})
            yield stacked_shares(rows, "goal_code", goal_labels, scale_levels("reached"),
                                 name="uppnadd_forflyttning_per_kf_mal",
                                 title="Har önskad förflyttning nåtts under mandatperioden?",
                                 note=note, alt_subject="uppnådd förflyttning per KF-mål", example_data=ex)
    levels = COVERAGE_LEVELS if occ.is_follow_up else BUDGET_COVERAGE_LEVELS
    yield stacked_shares(coverage_shares(data), "goal_code", goal_labels, levels,
                         name="traffbild_per_kf_mal", title=f"Träffbild: ansvariga nämnder per KF-mål – {occ.label}",
                         note=note, alt_subject="ansvariga nämnders bidrag per KF-mål", example_data=ex)
    hr = t["human_rights_by_goal_area"]
    considered = hr[hr["consideration"].astype(object) == "considered"]
    grid = pd.DataFrame({"row": considered["goal_area_code"].astype(object), "column": considered["theme"].astype(object),
                         "share": considered["share"]})
    yield heatmap(grid, area_labels, dict(zip(cat.scales["theme"].codes, cat.scales["theme"].labels)),
                  name="manskliga_rattigheter", title=f"Andel uppföljningar som beaktat temat – {occ.label}",
                  note=note, value_title="Beaktat", example_data=ex)
    if occ.is_follow_up:
        mix = t["evidence_mix"].astype({"goal_code": object, "evidence_type": object}).rename(columns={"evidence_type": "level"})
        yield stacked_shares(mix, "goal_code", goal_labels, scale_levels("evidence_type"),
                             name="underlag_per_kf_mal", title=f"Typ av underlag per KF-mål – {occ.label}",
                             note=note, alt_subject="typ av underlag per KF-mål", example_data=ex)
    traj = t["trajectory"]
    if len(traj):
        moving = traj.assign(moving=traj["level"].astype(object).isin(MOVING) * traj["count"])
        by_area = moving.groupby(["occasion", "goal_area_code"], observed=True)[["moving", "count"]].sum().reset_index()
        by_area["share"] = by_area["moving"] / by_area["count"].where(by_area["count"] > 0)
        occasions = sorted({str(o) for o in by_area["occasion"]}, key=Occasion.parse)
        yield lines_over_occasions(
            by_area.astype({"occasion": object, "goal_area_code": object}), "goal_area_code", area_labels,
            {o: Occasion.parse(o).label for o in occasions}, name="utveckling_per_malomrade",
            title="Andel uppföljningar med viss eller tydlig förflyttning över mandatperioden",
            y_title="Viss eller tydlig förflyttning", note=note, example_data=ex)


COVERAGE_LEVELS = [
    ("followed_up", "Bidrag med uppföljning"),
    ("contribution_only", "Bidrag utan uppföljning"),
    ("no_contribution", "Inget bidrag"),
    ("rejected", "Inlämning avvisad"),
    ("missing", "Inte inlämnad"),
]
BUDGET_COVERAGE_LEVELS = [("contribution_only", "Har bidrag"), *COVERAGE_LEVELS[2:]]


def coverage_shares(data: ReportData) -> pd.DataFrame:
    """Per goal, how the responsible boards split over the träffbild categories."""
    cov = data.tables["coverage"]
    cov = cov[cov["responsible"].astype(bool)]
    status = cov["submission_status"].astype(object)
    follow_up_expected = data.occasion.is_follow_up
    category = pd.Series("no_contribution", index=cov.index)
    category[cov["has_contribution"].astype(bool)] = "contribution_only"
    if follow_up_expected:
        category[cov["has_follow_up"].astype(bool)] = "followed_up"
    category[status == "rejected"] = "rejected"
    category[status == "missing"] = "missing"
    levels = COVERAGE_LEVELS if follow_up_expected else BUDGET_COVERAGE_LEVELS
    counts = pd.crosstab(cov["goal_code"].astype(object), category).reindex(columns=[c for c, _ in levels], fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0)
    out = counts.stack().rename("count").to_frame().join(shares.stack().rename("share")).reset_index()
    return out.rename(columns={out.columns[0]: "goal_code", out.columns[1]: "level"})
