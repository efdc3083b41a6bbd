"""What the compiled analysis (sammanställd analys) shows: Swedish tables built from the
aggregate tables, the boards' own texts, the executive board's own assessment and text at
every level (first in each section) and what the report rests on. Pure functions of a
`ReportData`: they label and arrange figures the aggregate tables hold, and compute none
of their own, so the notebook, the Excel workbook and the charts never disagree."""

from __future__ import annotations

import pandas as pd

from analysis.assignments import OVERDUE_RULE
from analysis.occasion import Occasion
from analysis.report.data import BASE_MISSION_SUBJECT, PENDING, ReportData, once_per_goal
from analysis.tables.goal_signal import LEVELS, NAME as WEIGHED_TOGETHER, RULE
from analysis.tables.lessons import LESSONS
from analysis.tables.registry import TABLES, sheets
from analysis.catalogue import due_label
from analysis.vocabulary import (
    BASE_MISSION_LABEL, CITY_LABEL, BOARD_STATUS_LABELS, BOARD_STATUSES, CHANGED, COMPLETED, DISCONTINUED, FILE_STATUS_LABELS, UNANSWERED, and_list, count, number,
    percent,
)


# --- display -----------------------------------------------------------------------


def cell_texts(frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), decimals: dict[str, int] | None = None
               ) -> list[tuple[str, ...]]:
    """A table's rows as the report shows them: Swedish numbers and percentages, Ja/Nej,
    '–' for nothing; text as it is (the HTML and the Word document each keep it text)."""
    decimals = decimals or {}
    columns = [_shown(frame.iloc[:, i], str(name), percent_columns, decimals) for i, name in enumerate(frame.columns)]
    return list(zip(*columns))


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
    """The rule behind the weighing together of the boards' assessments, as the report states it."""
    return RULE


def theme_list(data: ReportData) -> str:
    """The catalogue's human-rights themes in a sentence: 'barnrätt, jämställdhet och jämlikhet'."""
    return and_list([t.lower() for t in data.catalogue.scales["theme"].labels])


# --- the executive board's own words ---------------------------------------------------


def judgement_of(data: ReportData, level: str, key: str | None = None) -> dict[str, str | None]:
    """The executive board's assessment (label, None where none is asked), whether the
    movement has been reached (at the period end) and text at a level: `city`,
    `goal_area`, `goal` or `human_rights` (a theme code or the base mission)."""
    j = data.judgement
    if level == "city":
        return {"assessment": None, "reached": None, "text": j.city}
    if level == "human_rights":
        rows = j.human_rights[j.human_rights["subject"] == key]
        return {"assessment": None, "reached": None, "text": rows["wording"].iloc[0] if len(rows) else None}
    frame, column = (j.goal_areas, "goal_area_code") if level == "goal_area" else (j.goals, "goal_code")
    row = frame[frame[column] == key]
    if row.empty:
        return {"assessment": PENDING, "reached": PENDING if level == "goal" and data.is_period_end else None, "text": None}
    row = row.iloc[0]
    reached = row["reached_label"] if level == "goal" and data.is_period_end else None
    return {"assessment": row["assessment_label"], "reached": reached, "text": row["wording"]}


JUDGEMENT_HEAD = "Kommunstyrelsens bedömning"


def judgement_parts(data: ReportData, level: str, key: str | None = None) -> list[tuple[str | None, str, bool]]:
    """The executive board's own words at the head of a section, as (label, value,
    pending) lines: its assessment (and at the period end whether the movement has been
    reached) and its text, 'pending' where empty, or only that its judgement is pending
    when nothing is written."""
    given = judgement_of(data, level, key)
    labels = {"assessment": "Bedömning av förflyttningen:", "reached": "Har önskad förflyttning nåtts?"}
    asked = {k: v for k, v in given.items() if k in labels and v is not None}
    if not given["text"] and all(v == PENDING for v in asked.values()):
        return [(None, f"{PENDING}.", True)]
    lines = [(labels[k], str(v), False) for k, v in asked.items()]
    lines.append((None, given["text"], False) if given["text"] else (None, "Kommunstyrelsens text pågår.", True))
    return lines


def judgement_table(data: ReportData) -> pd.DataFrame:
    """The executive board's words at every level, with the evidence they stand beside:
    the whole city, each goal area, each KF goal and the human-rights follow-up."""
    records = [(CITY_LABEL, "", CITY_LABEL, "", judgement_of(data, "city"))]
    summary = data.tables["goal_area_summary"]
    for a, name in zip(data.goal_areas["goal_area_code"], data.goal_areas["goal_area_name"]):
        records.append(("Målområde", a, name, goal_area_evidence(summary, a), judgement_of(data, "goal_area", a)))
    signals = data.tables["goal_signal"].astype({"goal_code": object}).set_index("goal_code")["suggested_level_label"]
    for g, name in zip(data.goals["goal_code"], data.goals["goal_name"]):
        records.append(("KF-mål", g, name, signals.get(g, ""), judgement_of(data, "goal", g)))
    themes = data.catalogue.scales["theme"]
    for code, label in [*zip(themes.codes, themes.labels), (BASE_MISSION_SUBJECT, BASE_MISSION_LABEL)]:
        records.append(("Mänskliga rättigheter", "", label, "", judgement_of(data, "human_rights", code)))
    out = pd.DataFrame({
        "Nivå": [r[0] for r in records], "Kod": [r[1] for r in records], "Namn": [r[2] for r in records],
        f"{WEIGHED_TOGETHER} (underlag)": [r[3] for r in records],
        "Kommunstyrelsens bedömning": [r[4]["assessment"] or "" for r in records],
        "Kommunstyrelsens text": [r[4]["text"] or PENDING for r in records],
    })
    if data.is_period_end:
        out.insert(5, "Kommunstyrelsens bedömning: har önskad förflyttning nåtts?", [r[4]["reached"] or "" for r in records])
    return out


def goal_area_evidence(goal_area_summary: pd.DataFrame, goal_area: str) -> str:
    """One goal area's row of `goal_area_summary` in words: its follow-ups, the share with
    some or clear movement, and its goals by the weighing together of the assessments."""
    rows = goal_area_summary[goal_area_summary["goal_area_code"].astype(object) == goal_area]
    if rows.empty or pd.isna(rows["follow_ups"].iloc[0]):
        return ""
    row = rows.iloc[0]
    levels = "; ".join(f"{int(row[f'signal_{level}'])} {label.lower()}" for level, label in LEVELS.items()
                       if row[f"signal_{level}"])
    return (f"{int(row['follow_ups'])} uppföljningar, {percent(row['moving_share'])} med viss eller tydlig förflyttning. "
            f"KF-mål: {levels or 'inga'}.")


def reached_evidence(movement_by_goal: pd.DataFrame, goal_code: str) -> str:
    """The boards' and companies' answers whether the desired movement has been reached, for
    one goal, from `movement_by_goal` (empty where the occasion does not ask)."""
    rows = movement_by_goal[(movement_by_goal["goal_code"].astype(object) == goal_code)
                            & (movement_by_goal["scale"].astype(object) == "reached")]
    return "; ".join(f"{label}: {n}" for label, n in zip(rows["level_label"], rows["count"].astype(int)))


# --- tables -------------------------------------------------------------------------


def summary_table(data: ReportData) -> pd.DataFrame:
    """The whole city per goal area: follow-ups, share with some or clear movement, the
    share that could be assessed, and how many of its goals got each level of the weighing
    together of the boards' assessments."""
    t = data.tables["goal_area_summary"]
    counts = zip(*(t[f"signal_{level}"].astype(int) for level in LEVELS))
    signals = ["; ".join(f"{n} {label.lower()}" for n, label in zip(row, LEVELS.values()) if n) or "–" for row in counts]
    return pd.DataFrame({
        "Målområde": t["goal_area_code"].astype(object), "Namn": t["goal_area_name"].astype(object),
        "KF-mål": t["goals"].astype("Int64"), "Uppföljningar": t["follow_ups"].astype("Int64"),
        "Viss eller tydlig förflyttning": t["moving_share"], "Bedömbara": t["assessed_share"],
        f"{WEIGHED_TOGETHER} per KF-mål": signals,
    }).reset_index(drop=True)


def signal_table(data: ReportData, goal_code: str | None = None) -> pd.DataFrame:
    """Per goal: the weighing together of the boards' assessments with its reasons, beside
    the executive board's own assessment (or that it is pending; its text stands in the
    goal's section)."""
    signals = data.for_goal("goal_signal", goal_code) if goal_code else data.tables["goal_signal"]
    signals = signals[["goal_area_code", "goal_code", "goal_name", "suggested_level_label", "reasons"]].astype(
        {"goal_code": object})
    out = signals.merge(data.judgement.goals, on="goal_code", how="left")
    out["assessment_label"] = out["assessment_label"].where(out["assessment_label"].notna(), PENDING)
    return out[["goal_code", "goal_name", "suggested_level_label", "reasons", "assessment_label"]].rename(
        columns={"goal_code": "KF-mål", "goal_name": "Mål", "suggested_level_label": f"{WEIGHED_TOGETHER} (underlag)",
                 "reasons": "Skäl", "assessment_label": "Kommunstyrelsens bedömning"}).reset_index(drop=True)



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




def scale_sentence(rows: pd.DataFrame) -> str:
    """The levels of one scale that were answered, in a sentence: 'Viss förflyttning i önskad
    riktning 5 (45 %); Ingen förflyttning 3 (27 %).' (rows of movement_by_goal or
    movement_by_goal_area for one scale)."""
    given = [f"{label} {number(n, 0)} ({percent(share)})"
             for label, n, share in zip(rows["level_label"].astype(object), rows["count"], rows["share"]) if n]
    return "; ".join(given) + "." if given else "Inga svar."


# The questions the boards and companies answer for each contribution, as the report asks them.
QUESTIONS = {"movement": "Nämndernas och bolagens bedömning av förflyttningen",
             "outlook": "Nås önskad förflyttning under mandatperioden?",
             "reached": "Har önskad förflyttning nåtts under mandatperioden?"}


def goal_answers(data: ReportData, goal_code: str) -> list[tuple[str, str]]:
    """(question, answers) for the goal: how the boards' and companies' follow-ups answer
    each question asked at the occasion (whether the movement has been reached only at the
    period end), with how many follow-ups the answers rest on."""
    rows = data.for_goal("movement_by_goal", goal_code)
    out = []
    for scale, question in QUESTIONS.items():
        mine = rows[rows["scale"].astype(object) == scale]
        if mine.empty or (scale == "reached" and not data.is_period_end):
            continue
        lead = f"{question} ({count(int(mine['follow_ups'].iloc[0]), 'uppföljning', 'uppföljningar')}) " \
            if scale == "movement" else f"{question} "
        out.append((lead, scale_sentence(mine)))
    return out


def area_answers(data: ReportData, goal_area: str, scale: str) -> str:
    """How the goal area's follow-ups answer one question, in a sentence."""
    rows = data.tables["movement_by_goal_area"]
    rows = rows[(rows["goal_area_code"].astype(object) == goal_area) & (rows["scale"].astype(object) == scale)]
    return scale_sentence(rows)


def signal_sentence(data: ReportData, goal_code: str) -> str:
    """The weighing together of the boards' assessments for one goal, with its reasons."""
    rows = data.for_goal("goal_signal", goal_code)
    if rows.empty:
        return "Inget underlag."
    level, reasons = rows["suggested_level_label"].iloc[0], rows["reasons"].iloc[0]
    return f"{level}. {reasons}" if isinstance(reasons, str) and reasons else f"{level}."


# How each kind of change of an assessment is said in the sentence on a goal's changes.
_CHANGE_WORDS = {"improved": "till det bättre", "worsened": "till det sämre", "not_comparable": "så att den inte kan jämföras"}


def changes_sentence(data: ReportData, goal_code: str, previous: str) -> str:
    """How many of the goal's assessments of the movement changed since the previous
    follow-up, and in which direction (the changes themselves are in an appendix)."""
    rows = data.for_goal("transitions", goal_code)
    rows = rows[(rows["occasion"].astype(object) == data.occasion.code) & rows["change"].astype(object).isin(CHANGED)]
    counts = rows["change"].astype(object).value_counts()
    if not len(rows):
        return f"Ingen bedömning av förflyttningen har ändrats sedan {previous}."
    ways = and_list([f"{number(counts[c], 0)} {_CHANGE_WORDS[c]}" for c in CHANGED if counts.get(c, 0)])
    return (f"Sedan {previous} har {count(len(rows), 'bedömning', 'bedömningar')} av förflyttningen ändrats: "
            f"{ways}.")


def evidence_sentence(data: ReportData, goal_code: str) -> str:
    """What the goal's follow-ups rest on, by type of evidence, in a sentence."""
    rows = data.for_goal("evidence_mix", goal_code)
    rows = rows.rename(columns={"evidence_label": "level_label"})
    return scale_sentence(rows)


def area_distribution_table(data: ReportData, goal_area: str, scale: str) -> pd.DataFrame:
    """Count and share per level of one scale for a goal area's follow-ups."""
    rows = data.tables["movement_by_goal_area"]
    rows = rows[(rows["goal_area_code"].astype(object) == goal_area) & (rows["scale"].astype(object) == scale)]
    return pd.DataFrame({"Nivå": rows["level_label"].astype(object), "Antal": rows["count"].astype("Int64"),
                         "Andel": rows["share"]}).reset_index(drop=True)


def reached_basis(data: ReportData, goal_code: str | None = None, goal_area: str | None = None) -> str:
    """What the answers whether the desired movement has been reached rest on: follow-ups,
    and which responsible boards and companies sent them (their accepted submissions)."""
    if goal_code is not None:
        rows = data.for_goal("movement_by_goal", goal_code)
    else:
        rows = data.tables["movement_by_goal_area"]
        rows = rows[rows["goal_area_code"].astype(object) == goal_area]
    rows = rows[rows["scale"].astype(object) == "reached"]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    said = (f"Vilar på {int(row['follow_ups'])} uppföljningar i godkända inlämningar från {int(row['boards'])} av "
            f"{int(row['responsible_boards'])} ansvariga nämnder och bolag")
    if goal_code is not None:
        cov = data.for_goal("coverage", goal_code)
        names = cov.loc[cov["has_follow_up"].fillna(False).astype(bool) & cov["responsible"].astype(bool), "board_name"]
        said += f": {', '.join(names.astype(str))}" if len(names) else ""
    return said + "."



@once_per_goal
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
    grid.columns = [Occasion.parse(o).short_label for o in grid.columns]
    grid.insert(0, "KF-mål", grid.index)
    return grid.reset_index(drop=True)


# The letters of the plan-and-outcome table, explained in the legend under it (from the
# catalogue's labels); a level without a letter shows its label.
MOVEMENT_LETTERS = {"clear": "T", "some": "V", "none": "I", "negative": "M", "not_assessable": "K"}
OUTLOOK_LETTERS = {"likely": "n", "partly": "d", "unlikely": "i", "uncertain": "k"}
REACHED_WORDS = {"reached": "Ja", "partly_reached": "Delvis", "not_reached": "Nej"}
REACHED_COLUMN = "Nått"


@once_per_goal
def _contribution_paths(data: ReportData, goal_code: str) -> tuple[list[str], list[dict]]:
    """The goal's follow-up occasions so far, and each contribution to the goal over the
    period (in the catalogue's board order): board, id, title, the plan (how the board
    expected it to lead to movement, from its latest budget up to the occasion that says
    so) and its row at each follow-up occasion (None where its accepted submission has none)."""
    rows = data.for_goal("contribution_paths", goal_code)
    if rows.empty:
        return [], []
    rows = rows.astype({"occasion": object, "board_code": object, "contribution_id": object})
    follow_up_occasions = [c for c in dict.fromkeys(rows["occasion"]) if Occasion.parse(c).is_follow_up]
    board_order = {b: i for i, b in enumerate(data.catalogue.board_codes)}
    contributions = sorted(dict.fromkeys(zip(rows["board_code"], rows["contribution_id"])),
                           key=lambda k: (board_order.get(k[0], len(board_order)), str(k[1])))
    by_key = {(o, b, c): r for o, b, c, r in zip(rows["occasion"], rows["board_code"], rows["contribution_id"],
                                                 rows.to_dict("records"))}
    out = []
    for b, c in contributions:
        seen = [r for (o, bb, cc), r in by_key.items() if (bb, cc) == (b, c)]
        title = next((r["title"] for r in reversed(seen) if isinstance(r["title"], str)), "")
        plans = [r for r in seen if isinstance(r["expected_movement"], str)]
        budgets = [r for r in plans if not Occasion.parse(r["occasion"]).is_follow_up]
        plan = (budgets or plans)[-1]["expected_movement"] if plans else None
        followed = {o: by_key.get((o, b, c)) for o in follow_up_occasions}
        out.append({"board_code": b, "contribution_id": c, "title": title, "plan": plan,
                    "at": {o: r for o, r in followed.items() if r is not None and not pd.isna(r["movement"])}})
    return follow_up_occasions, out


def plan_outcome_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """Each contribution to the goal over the period, its outcome at every follow-up in
    letters: the board's assessment of the movement / whether the desired movement is
    reached within the period (outcome_legend explains them), and at the period end whether
    it has been reached. '–' where the board's accepted submission has no follow-up. One
    short column per occasion, so that the table fits a portrait page."""
    occasions, paths = _contribution_paths(data, goal_code)
    if not paths:
        return pd.DataFrame()
    out: dict[str, list] = {"Bidrag": [f"{p['contribution_id']} {p['title']}".strip() for p in paths]}
    for o in occasions:
        column = []
        for p in paths:
            r = p["at"].get(o)
            if r is None:
                column.append("–")
                continue
            said = MOVEMENT_LETTERS.get(str(r["movement"]), str(r["movement"]))
            if not pd.isna(r["outlook"]):
                said += "/" + OUTLOOK_LETTERS.get(str(r["outlook"]), str(r["outlook"]))
            column.append(said)
        out[Occasion.parse(o).short_label] = column
    if data.is_period_end:
        reached = [p["at"].get(data.occasion.code, {}).get("reached") for p in paths]
        out[REACHED_COLUMN] = [REACHED_WORDS.get(str(r), str(r)) if r is not None and not pd.isna(r) else "–"
                               for r in reached]
    return pd.DataFrame(out)


def outcome_legend(data: ReportData) -> str:
    """What the letters of the plan-and-outcome table mean, in the catalogue's words."""
    scales = data.catalogue.scales

    def letters(scale: str, short: dict[str, str]) -> str:
        return ", ".join(f"{short[c]} = {label.lower() if short[c].islower() else label}"
                         for c, label in zip(scales[scale].codes, scales[scale].labels) if c in short)

    said = (f"Förflyttningen enligt nämnden eller bolaget: {letters('movement', MOVEMENT_LETTERS)}. Efter snedstrecket, "
            f"om önskad förflyttning nås under mandatperioden: {letters('outlook', OUTLOOK_LETTERS)}. "
            "– betyder att bidraget inte följdes upp i en godkänd inlämning.")
    if data.is_period_end:
        reached = "; ".join(f"{REACHED_WORDS[c]}: {label.lower()}" for c, label in
                            zip(scales["reached"].codes, scales["reached"].labels) if c in REACHED_WORDS)
        said += f" {REACHED_COLUMN} (vid {data.occasion.label}): {reached}."
    return said


def plan_analysis_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """Each contribution to the goal: the board's plan (how it expected the contribution to
    lead to movement) beside its own analysis at the occasion and what that rests on."""
    _, paths = _contribution_paths(data, goal_code)
    if not paths:
        return pd.DataFrame()
    scales = data.catalogue.scales
    evidence = dict(zip(scales["evidence_type"].codes, scales["evidence_type"].labels))
    now = {(str(b), str(c)): r for b, c, r in zip(*(data.for_goal("follow_ups", goal_code)[k].astype(object)
                                                   for k in ("board_code", "contribution_id")),
                                                 data.for_goal("follow_ups", goal_code).to_dict("records"))}
    names = data.catalogue.board_names
    analysis = []
    for p in paths:
        r = now.get((str(p["board_code"]), str(p["contribution_id"])))
        if r is None:
            analysis.append("–")
            continue
        said = r["analysis"] if isinstance(r["analysis"], str) else "–"
        kind = evidence.get(str(r["evidence_type"]))
        basis = ": ".join(str(x) for x in (kind, r["evidence"] if isinstance(r["evidence"], str) else None) if x)
        analysis.append(f"{said} Underlag: {basis}" if basis else said)
    return pd.DataFrame({
        "Nämnd/bolag": [names.get(p["board_code"], p["board_code"]) for p in paths],
        "Bidrag": [f"{p['contribution_id']} {p['title']}".strip() for p in paths],
        "Planerad förflyttning (budget)": [p["plan"] or "–" for p in paths],
        f"Analys och underlag ({data.occasion.short_label})": analysis,
    })


@once_per_goal
def changes_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """The goal's contributions whose assessment of the movement changed since the previous
    follow-up, in which direction, with the board's own text now."""
    rows = data.for_goal("transitions", goal_code)
    rows = rows[(rows["occasion"].astype(object) == data.occasion.code) & rows["change"].astype(object).isin(CHANGED)]
    labels = dict(zip(data.catalogue.scales["movement"].codes, data.catalogue.scales["movement"].labels))
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_code"].astype(object).map(names),
        "Bidrag": rows["contribution_id"].astype(object),
        "Förut": rows["previous_movement"].astype(object).map(labels),
        "Nu": rows["movement"].astype(object).map(labels),
        "Förändring": rows["change_label"].astype(object),
        "Nämndens eller bolagets analys": rows["analysis"].astype(object),
    }).reset_index(drop=True)


def previous_follow_up_label(data: ReportData) -> str | None:
    """The previous interim or annual report the changes are counted from."""
    t = data.tables["transitions"]
    previous = t.loc[t["occasion"].astype(object) == data.occasion.code, "previous_occasion"].dropna()
    return Occasion.parse(str(previous.iloc[0])).label if len(previous) else None


def lessons_table(data: ReportData, lesson: str) -> pd.DataFrame:
    """The findings of one kind of lesson for the next period, with their evidence."""
    rows = data.tables["lessons"]
    rows = rows[rows["lesson"].astype(object) == lesson]
    goals = dict(zip(data.catalogue.goals["goal_code"], data.catalogue.goals["goal_name"]))
    areas = dict(zip(data.catalogue.goal_areas["goal_area_code"], data.catalogue.goal_areas["goal_area_name"]))
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    themes = dict(zip(data.catalogue.scales["theme"].codes, data.catalogue.scales["theme"].labels))
    if lesson == "theme_rarely_considered":
        out = {"Målområde": [f"{a} {areas.get(a, '')}" for a in rows["goal_area_code"].astype(object)],
               "Tema": rows["theme"].astype(object).map(themes)}
    else:
        out = {"KF-mål": [f"{g} {goals.get(g, '')}" for g in rows["goal_code"].astype(object)]}
        if lesson != "coverage_incomplete":
            out |= {"Nämnd/bolag": rows["board_code"].astype(object).map(names), "Bidrag": rows["contribution_id"].astype(object)}
    out["Underlag"] = rows["evidence"].astype(object)
    return pd.DataFrame(out).reset_index(drop=True)


def lesson_kinds() -> dict[str, str]:
    """The kinds of lessons, in order, with their Swedish headings."""
    return dict(LESSONS)


def planned_contributions_table(data: ReportData, goal_code: str) -> pd.DataFrame:
    """At a budget: each board's planned contributions to the goal, in its own words."""
    rows = data.for_goal("contributions", goal_code)
    names = dict(zip(data.catalogue.boards["board_code"], data.catalogue.boards["board_name"]))
    return pd.DataFrame({
        "Nämnd/bolag": rows["board_code"].astype(object).map(names),
        "Bidrag": rows["contribution_id"].astype(object) + " " + rows["title"].astype(object).fillna(""),
        "Hur bidraget förväntas leda till förflyttning": rows["expected_movement"].astype(object),
        "Planerat under året": rows["plan_year"].astype(object),
    }).reset_index(drop=True)


# --- council assignments (KF-uppdrag) and cooperation ------------------------------------


def assignments_table(data: ReportData) -> pd.DataFrame:
    """Återrapportering av KF-uppdrag: every assignment reported at the occasion, with its
    text, boards, due year, status now and at each earlier occasion, and every responsible
    board's own comment. Overdue and unanswered assignments first, then in catalogue order."""
    status = data.tables["assignment_status"].astype({"occasion": object, "assignment_id": object, "status": object})
    now = status[status["occasion"] == data.occasion.code]
    answers = data.tables["assignment_answers"].astype({"assignment_id": object})
    names = data.catalogue.board_names
    order = {a: i for i, a in enumerate(data.catalogue.assignments["assignment_id"])}
    rows = sorted(now.to_dict("records"), key=lambda r: (not (r["overdue"] or r["status"] == UNANSWERED),
                                                          order.get(r["assignment_id"], len(order))))
    out: dict[str, list] = {"KF-uppdrag": [], "Ansvarig": [], "Deltar": [], "Ska vara klart": [],
                            "Status": [], "Försenat": [], "Tidigare": [], "Nämndernas och bolagens kommentarer": []}
    for r in rows:
        a = r["assignment_id"]
        earlier = status[(status["assignment_id"] == a) & (status["occasion"] != data.occasion.code) & status["answered"]]
        mine = answers[answers["assignment_id"] == a]
        out["KF-uppdrag"].append(f"{a} {r['text']}")
        out["Ansvarig"].append(names.get(r["lead_board"], r["lead_board"]))
        out["Deltar"].append(", ".join(names.get(b, b) for b in str(r["participating_boards"] or "").split(", ") if b) or "–")
        out["Ska vara klart"].append(due_label(r["due_year"]))
        said = r["status_label"]
        if not r["answered"] and r["status"] != UNANSWERED:
            said += f" (rapporterat i {Occasion.parse(str(r['finished_at'])).label})"
        out["Status"].append(said)
        out["Försenat"].append("Ja" if r["overdue"] else "Nej")
        out["Tidigare"].append("; ".join(f"{Occasion.parse(o).short_label}: {lbl}" for o, lbl in
                                         zip(earlier["occasion"], earlier["status_label"])) or "–")
        out["Nämndernas och bolagens kommentarer"].append(" | ".join(
            f"{n} ({role.lower()}): {c}" for n, role, c in zip(mine["board_name"], mine["role_label"], mine["comment"])
            if isinstance(c, str)) or "–")
    return pd.DataFrame(out)


def assignment_summary(data: ReportData) -> str:
    """The assignments at the occasion: how many at each status, how many overdue, and the
    rule that makes one overdue (analysis.assignments.OVERDUE_RULE)."""
    counts = data.tables["assignment_status_counts"]
    here = counts[counts["occasion"].astype(object) == data.occasion.code]
    if here.empty or int(here["assignments"].iloc[0]) == 0:
        status = data.tables["assignment_status"]
        n = int((status["occasion"].astype(object) == data.occasion.code).sum())
        return f"{n} KF-uppdrag ges i budgeten." if n else "Inga KF-uppdrag."
    parts = [f"{int(c)} {label.lower()}" for label, c in zip(here["level_label"], here["count"]) if c]
    overdue = int(here["overdue"].sum())
    return (f"{int(here['assignments'].iloc[0])} KF-uppdrag: {and_list(parts)}. "
            f"{count(overdue, 'är försenat', 'är försenade')}. {OVERDUE_RULE}")


def assignment_period_outcome(data: ReportData) -> dict[str, list[str]]:
    """At the period end: the assignments finished over the period, those dropped, and those
    left unfinished (under way, not started or unanswered at the end)."""
    status = data.tables["assignment_status"].astype({"occasion": object, "status": object})
    end = status[status["occasion"] == data.occasion.code]
    out: dict[str, list[str]] = {"Slutförda under perioden": [], "Avslutade utan att slutföras": [], "Inte slutförda": []}
    for r in end.to_dict("records"):
        what = f"{r['assignment_id']} {r['text']}"
        if r["status"] == COMPLETED:
            out["Slutförda under perioden"].append(f"{what} ({Occasion.parse(str(r['finished_at'])).label})")
        elif r["status"] == DISCONTINUED:
            out["Avslutade utan att slutföras"].append(f"{what} ({Occasion.parse(str(r['finished_at'])).label})")
        else:
            out["Inte slutförda"].append(f"{what} ({r['status_label'].lower()})")
    return out


def cooperation_paragraph(data: ReportData, goal_code: str) -> str:
    """Samverkan for one KF goal: which boards name which partners on their contributions
    to the goal, and which partners report a contribution of their own to it."""
    rows = data.for_goal("cooperation", goal_code)
    if rows.empty:
        return "Inga bidrag till målet anger samverkan med andra nämnder eller bolag."
    sentences = []
    for board, mine in rows.groupby(rows["board_name"].astype(object), sort=False):
        partners = list(dict.fromkeys(mine["partner_name"].astype(object)))
        n = mine["contribution_id"].nunique()
        sentences.append(f"{board} samverkar med {and_list(partners)} ({n} bidrag)")
    pairs = rows.drop_duplicates(["board_code", "partner_code"])
    own = pairs[pairs["partner_reports"].astype(bool)]["partner_name"].astype(object).unique().tolist()
    without = sorted(set(pairs["partner_name"].astype(object)) - set(own))
    outside = sorted(set(pairs.loc[~pairs["partner_responsible"].astype(bool), "partner_name"].astype(object)))
    text = ". ".join(sentences) + "."
    if own:
        text += f" Av parterna rapporterar {and_list(sorted(own))} också egna bidrag till målet."
    if without:
        text += f" {and_list(without)} rapporterar inget eget bidrag till målet vid tillfället."
    if outside:
        text += f" {and_list(outside)} är inte ansvarig för målet enligt kommunfullmäktige."
    return text


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


def dialogue_sentence(data: ReportData) -> str:
    """The questions to the boards in one sentence, for the data-quality appendix: how
    many the dialogue rules raised at the occasion, to how many boards (the council
    document lists none; the report's Excel workbook has them all)."""
    questions = data.tables["dialogue"]
    questions = questions[questions["occasion"].astype(object) == data.occasion.code]
    n, boards = len(questions), questions["board_code"].nunique()
    sheet = f"(fliken {TABLES['dialogue'].sheet})"
    if n == 0:
        return "Inga frågor till nämnderna och bolagen: ingenstans motsäger deras egna svar varandra."
    if n == 1:
        return ("1 fråga till en nämnd eller ett bolag, där dess egna svar motsäger varandra, ställs i stadskontorets "
                f"dialog; frågan ändrar ingen bedömning och finns i rapportens Excelfil {sheet}.")
    return (f"{number(n, 0)} frågor till nämnderna och bolagen, där deras egna svar motsäger varandra, ställs i "
            f"stadskontorets dialog med {number(boards, 0)} av dem; frågorna ändrar ingen bedömning och finns i "
            f"rapportens Excelfil {sheet}.")


def excel_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every aggregate table of the report under its Swedish sheet name and headers; first
    the executive board's own words at every level beside the evidence (not at a budget,
    which has no movement to judge), and what the report rests on last."""
    first = {"Kommunstyrelsens bedömning": judgement_table(data)} if data.occasion.is_follow_up else {}
    return {**first, **sheets(data.tables),
            "Om underlaget": pd.DataFrame(provenance_facts(data), columns=["Uppgift", "Värde"]),
            "Underlagets filer": provenance_table(data)}
