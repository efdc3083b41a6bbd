"""What the compiled analysis (sammanställd analys) shows: Swedish tables built from the
aggregate tables, the boards' own texts, the executive board's judgement and what the
report rests on. Pure functions of a `ReportData`: they label and arrange figures the
aggregate tables hold, and compute none of their own, so the notebook, the Excel
workbook and the charts never disagree."""

from __future__ import annotations

import html

import pandas as pd

from analysis.occasion import Occasion
from analysis.report.data import ReportData
from analysis.tables.goal_signal import LEVELS, RULE
from analysis.tables.registry import sheets
from analysis.vocabulary import BOARD_STATUS_LABELS, BOARD_STATUSES, FILE_STATUS_LABELS, number, percent


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
    return {status: int(counts.get(status, 0)) for status in BOARD_STATUSES} | {"boards": len(quality)}


def basis_note(data: ReportData) -> str:
    """Which submissions the figures rest on, for every table and chart."""
    c = submission_counts(data)
    return (f"Underlag: godkända inlämningar från {c['accepted']} av {c['boards']} nämnder och bolag, "
            f"{data.occasion.label} ({c['rejected']} avvisade, {c['missing']} saknas).")


def signal_rule() -> str:
    """The rule behind the suggested signal, as the report states it."""
    return RULE


# --- tables -------------------------------------------------------------------------


def summary_table(data: ReportData) -> pd.DataFrame:
    """The whole city per goal area: follow-ups, share with some or clear movement, the
    share that could be assessed, and how many of its goals got each suggested signal."""
    t = data.tables["goal_area_summary"]
    counts = zip(*(t[f"signal_{level}"].astype(int) for level in LEVELS))
    signals = ["; ".join(f"{n} {label.lower()}" for n, label in zip(row, LEVELS.values()) if n) or "–" for row in counts]
    return pd.DataFrame({
        "Målområde": t["goal_area_code"].astype(object), "Namn": t["goal_area_name"].astype(object),
        "KF-mål": t["goals"].astype("Int64"), "Uppföljningar": t["follow_ups"].astype("Int64"),
        "Viss eller tydlig förflyttning": t["moving_share"], "Bedömbara": t["assessed_share"],
        "Föreslagna signaler": signals,
    }).reset_index(drop=True)


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
        "Inlämning": rows["submission_status"].astype(object).map(BOARD_STATUS_LABELS),
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
        "Inlämning": q["submission_status"].astype(object).map(BOARD_STATUS_LABELS),
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
    t = data.tables["movement_trend_by_goal"]
    occasions = sorted({str(o) for o in t["occasion"].astype(object)}, key=Occasion.parse)
    grid = t.pivot_table(index=t["goal_code"].astype(object), columns=t["occasion"].astype(object), values="moving_share",
                         aggfunc="first", dropna=False)
    grid = grid.reindex(index=list(data.goals["goal_code"]), columns=occasions)
    grid.columns = [Occasion.parse(o).label for o in grid.columns]
    grid.insert(0, "KF-mål", grid.index)
    return grid.reset_index(drop=True)


def provenance_table(data: ReportData) -> pd.DataFrame:
    """Om underlaget: the files of the occasion the report rests on, with their status and
    SHA-256, so anyone can check that a file is the one that was read."""
    subs = data.submissions
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    return pd.DataFrame({
        "Fil": subs["source_file"].astype(object),
        "Nämnd/bolag": subs["board_code"].astype(object).map(names).fillna("Okänd"),
        "Status": subs["status"].astype(object).map(FILE_STATUS_LABELS),
        "SHA-256": subs["sha256"].astype(object),
    }).reset_index(drop=True)


def provenance_facts(data: ReportData) -> list[tuple[str, str]]:
    """Om underlaget: code version, catalogues and judgement file with their hashes, and
    when the report was made."""
    stamp = data.stamp
    facts = [("Programversion", str(stamp.get("code", "okänd")))]
    facts += [("Målkatalog", f"{name} (SHA-256 {sha})") for name, sha in stamp.get("catalogues", {}).items()]
    judgement = stamp.get("judgement") or {}
    facts += [("Bedömningsfil", f"{name} (SHA-256 {sha})") for name, sha in judgement.items()] or [
        ("Bedömningsfil", "ingen")]
    facts.append(("Framtagen", str(stamp.get("made_at", "–"))))
    return facts


def excel_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every aggregate table of the report under its Swedish sheet name and headers, the
    judgement beside the suggested signal first, and what the report rests on last."""
    return {"Bedömning": signal_table(data), **sheets(data.tables),
            "Om underlaget": pd.DataFrame(provenance_facts(data), columns=["Uppgift", "Värde"]),
            "Underlagets filer": provenance_table(data)}
