"""The planning overview (*planeringsöversikt*) at the start of a mandate period: how the
new KF goals are covered by the boards' planned contributions in their budgets, and what
the previous period hands over. A working tool for the city office (på tjänstepersonsnivå),
not a council document: the structure has removed the compiled report of planned
contributions to the council. Pure: processed tables, the crosswalk and the previous
period's lessons in, tables out (Swedish headers in PLANNING_HEADERS).

Per new KF goal:
- `planning_coverage`: each responsible board, its submission at the budget and its
  planned contributions to the goal (the coverage, *träffbild*, at the planning stage);
- `planned_contributions`: each planned contribution, whether it continues one of the
  previous period (the same board and id) and what the previous period's end said about it
  (reached, partly, not reached, in the board's own assessment and words);
- `not_continued`: the contributions the board's template carried forward that the board
  did not keep;
- `planning_lessons`: the previous period end's lessons (analysis.tables.lessons) that
  concern the goals it continues;
- `planning_by_goal`: one row per goal that sums the others up, including the responsible
  boards with no planned contribution yet."""

from __future__ import annotations

import pandas as pd

from analysis.crosswalk import Crosswalk, carried_contributions
from analysis.occasion import Occasion
from analysis.tables.tally import catalogue_maps, is_blank, plain, submission_status
from analysis.vocabulary import ACCEPTED, BOARD_STATUS_LABELS, REJECTED

RELATION_LABELS = {"new": "Nytt mål", "kept": "Samma lydelse", "reworded": "Ny lydelse", "merged": "Sammanslagna mål",
                   "split": "Delat mål"}
NO_END = "no_end_assessment"  # a continuing contribution without an assessment at the previous period end
NO_END_LABEL = "Ingen slutbedömning"

COVERAGE_COLUMNS = ["occasion", "goal_area_code", "goal_code", "goal_name", "board_code", "board_name",
                    "previously_responsible", "submission_status", "submission_status_label", "contributions",
                    "continuing", "has_contribution", "contribution_ids"]
PLANNED_COLUMNS = ["occasion", "goal_area_code", "goal_code", "goal_name", "board_code", "board_name", "contribution_id",
                   "title", "expected_movement", "continues", "previous_goal_code",
                   "previous_goal_name", "reached", "reached_label", "previous_analysis"]
NOT_CONTINUED_COLUMNS = ["occasion", "goal_code", "board_code", "board_name", "contribution_id", "title",
                         "previous_goal_code", "reached", "reached_label"]
LESSON_COLUMNS = ["occasion", "goal_code", "goal_name", "previous_goal_code", "previous_goal_area_code", "lesson",
                  "lesson_label", "board_code", "contribution_id", "theme", "count", "of", "evidence"]
BY_GOAL_COLUMNS = ["occasion", "goal_area_code", "goal_code", "goal_name", "relation", "relation_label", "continues_goals",
                   "responsible_boards", "boards_with_contribution", "boards_without_contribution", "boards_without",
                   "contributions", "continuing", "new_contributions", "continuing_reached", "continuing_partly",
                   "continuing_not_reached", "continuing_no_end", "not_continued", "lessons"]

# Swedish headers, per column, for the workbook and the exploration notebook.
PLANNING_HEADERS = {
    "occasion": "Tillfälle", "goal_area_code": "Målområde", "goal_code": "KF-mål", "goal_name": "Mål",
    "board_code": "Nämnd/bolag (kod)", "board_name": "Nämnd/bolag", "previously_responsible": "Ansvarig för målet det fortsätter",
    "submission_status": "Inlämning (kod)", "submission_status_label": "Inlämning", "contributions": "Planerade bidrag",
    "continuing": "Varav fortsätter från förra perioden", "has_contribution": "Har planerat bidrag",
    "contribution_ids": "Bidrags-id", "contribution_id": "Bidrags-id", "title": "Bidrag (rubrik)",
    "expected_movement": "Hur bidraget förväntas leda till förflyttning", "continues": "Fortsätter från förra perioden",
    "continues_goals": "För vidare KF-mål från förra perioden", "previous_goal_code": "KF-mål förra perioden",
    "previous_goal_name": "Mål förra perioden", "reached": "Slutbedömning (kod)",
    "reached_label": "Har önskad förflyttning nåtts (förra periodens slut)", "previous_analysis": "Mandatperiodsanalys",
    "previous_goal_area_code": "Målområde förra perioden", "lesson": "Lärdom (kod)", "lesson_label": "Lärdom",
    "theme": "Tema (kod)", "count": "Antal", "of": "Av", "evidence": "Underlag", "relation": "Förhållande (kod)",
    "relation_label": "Förhållande till förra perioden", "responsible_boards": "Ansvariga nämnder och bolag",
    "boards_with_contribution": "Med planerat bidrag", "boards_without_contribution": "Utan planerat bidrag (antal)",
    "boards_without": "Ansvariga utan planerat bidrag", "new_contributions": "Nya bidrag",
    "continuing_reached": "Fortsatta: nåddes", "continuing_partly": "Fortsatta: nåddes delvis",
    "continuing_not_reached": "Fortsatta: nåddes inte", "continuing_no_end": "Fortsatta: ingen slutbedömning",
    "not_continued": "Fördes fram men fortsätter inte", "lessons": "Lärdomar",
}


def _goal_maps(crosswalk: Crosswalk) -> tuple[dict, dict, dict, dict]:
    area_of, board_name, named_by_goal = catalogue_maps(crosswalk.current)
    names = dict(zip(crosswalk.current.goals["goal_code"], crosswalk.current.goals["goal_name"]))
    return area_of, board_name, named_by_goal, names


def _old_contributions(crosswalk: Crosswalk, contributions: pd.DataFrame | None,
                       follow_ups: pd.DataFrame | None) -> dict[tuple[str, str], dict]:
    """(board, id) -> the contribution as the previous period last had it (goal, title):
    from its contributions sheets, and its follow-ups for one only followed up."""
    occasions = {o.code: o for o in crosswalk.previous.occasions}
    found = []
    for rank, frame in enumerate((follow_ups, contributions)):
        rows = plain(frame, ["occasion", "board_code", "contribution_id", "goal_code", "title"])
        found += [(occasions[o], rank, b, c, g, t) for o, b, c, g, t in rows.itertuples(index=False, name=None)
                  if o in occasions and not is_blank(c)]
    out: dict[tuple[str, str], dict] = {}
    # In reporting order, the contributions sheet after the follow-ups of the same occasion: the latest stays.
    for _, _, b, c, g, t in sorted(found, key=lambda r: (r[0], r[1])):
        out[(b, c)] = {"goal_code": g, "title": t}
    return out


def _period_end(crosswalk: Crosswalk, submissions: pd.DataFrame | None,
                follow_ups: pd.DataFrame | None) -> tuple[dict[tuple[str, str], dict], dict[str, str]]:
    """What the previous period's end said per (board, id): reached and the analysis; and
    per board its submission status there."""
    end = crosswalk.previous.period_end_occasion
    status = submission_status(submissions, crosswalk.previous, end)
    boards = dict(zip(status["board_code"], status["submission_status"]))
    rows = plain(follow_ups, ["occasion", "board_code", "contribution_id", "reached", "analysis"])
    rows = rows[rows["occasion"] == end.code]
    said = {(b, c): {"reached": r, "analysis": a} for b, c, r, a in
            zip(rows["board_code"], rows["contribution_id"], rows["reached"], rows["analysis"])
            if boards.get(b) == ACCEPTED and not is_blank(c)}
    return said, boards


def _reached_label(crosswalk: Crosswalk, code: object, end_status: str | None) -> str:
    if not is_blank(code):
        return crosswalk.previous.scales["reached"].label(str(code))
    end = crosswalk.previous.period_end_occasion.label
    if end_status == REJECTED:
        return f"{NO_END_LABEL} (inlämningen vid {end} avvisades)"
    if end_status != ACCEPTED:
        return f"{NO_END_LABEL} (ingen inlämning vid {end})"
    return f"{NO_END_LABEL} (inte uppföljt vid {end})"


def planned_contributions(crosswalk: Crosswalk, occasion: Occasion, submissions: pd.DataFrame | None,
                          contributions: pd.DataFrame | None, follow_ups: pd.DataFrame | None) -> pd.DataFrame:
    """Every contribution planned at the budget (accepted submissions), in the order of the
    new catalogue's goals and boards: whether it continues a contribution of the previous
    period (the same board and id), its goal then, and at the previous period's end whether
    the desired movement was reached and the board's analysis."""
    area_of, board_name, _, names = _goal_maps(crosswalk)
    old_names = dict(zip(crosswalk.previous.goals["goal_code"], crosswalk.previous.goals["goal_name"]))
    status = submission_status(submissions, crosswalk.current, occasion)
    accepted = set(status.loc[status["submission_status"] == ACCEPTED, "board_code"])
    rows = plain(contributions, ["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement"])
    rows = rows[(rows["occasion"] == occasion.code) & rows["board_code"].isin(list(accepted))]
    old = _old_contributions(crosswalk, contributions, follow_ups)
    said, end_status = _period_end(crosswalk, submissions, follow_ups)
    records = []
    for rec in rows.to_dict("records"):
        key = (rec["board_code"], rec["contribution_id"])
        before = old.get(key)
        end = said.get(key, {})
        records.append({
            "occasion": occasion.code, "goal_area_code": area_of.get(rec["goal_code"]), "goal_code": rec["goal_code"],
            "goal_name": names.get(rec["goal_code"]), "board_code": rec["board_code"],
            "board_name": board_name.get(rec["board_code"], rec["board_code"]), "contribution_id": rec["contribution_id"],
            "title": rec["title"], "expected_movement": rec["expected_movement"], "continues": before is not None,
            "previous_goal_code": before["goal_code"] if before else None,
            "previous_goal_name": old_names.get(before["goal_code"]) if before else None,
            "reached": (end.get("reached") if not is_blank(end.get("reached")) else NO_END) if before else None,
            "reached_label": _reached_label(crosswalk, end.get("reached"), end_status.get(rec["board_code"])) if before else None,
            "previous_analysis": end.get("analysis") if before else None,
        })
    out = pd.DataFrame.from_records(records, columns=PLANNED_COLUMNS)
    return _in_order(crosswalk, out).astype({"continues": bool})


def planning_coverage(crosswalk: Crosswalk, occasion: Occasion, submissions: pd.DataFrame | None,
                      planned: pd.DataFrame) -> pd.DataFrame:
    """Per new KF goal and responsible board (catalogue order): whether the board was
    responsible for a goal this one continues, its submission at the budget, and its
    planned contributions to the goal (from `planned`, planned_contributions)."""
    area_of, board_name, named_by_goal, names = _goal_maps(crosswalk)
    old_named = set(zip(crosswalk.previous.responsibilities["goal_code"], crosswalk.previous.responsibilities["board_code"]))
    status = submission_status(submissions, crosswalk.current, occasion)
    board_status = dict(zip(status["board_code"], status["submission_status"]))
    records = []
    for goal, boards in named_by_goal.items():
        for board in boards:
            mine = planned[(planned["goal_code"] == goal) & (planned["board_code"] == board)]
            records.append({
                "occasion": occasion.code, "goal_area_code": area_of[goal], "goal_code": goal, "goal_name": names[goal],
                "board_code": board, "board_name": board_name.get(board, board),
                "previously_responsible": any((old, board) in old_named for old in crosswalk.predecessors[goal]),
                "submission_status": board_status[board], "submission_status_label": BOARD_STATUS_LABELS[board_status[board]],
                "contributions": len(mine), "continuing": int(mine["continues"].sum()), "has_contribution": len(mine) > 0,
                "contribution_ids": ", ".join(mine["contribution_id"]) or None,
            })
    out = pd.DataFrame.from_records(records, columns=COVERAGE_COLUMNS)
    return out.astype({"contributions": "int64", "continuing": "int64", "has_contribution": bool,
                       "previously_responsible": bool})


def boards_without_contribution(coverage: pd.DataFrame) -> pd.DataFrame:
    """The responsible boards with no planned contribution to the goal yet (their own
    budget accepted without one, rejected or not sent)."""
    return coverage[~coverage["has_contribution"]].drop(columns=["contributions", "continuing", "has_contribution",
                                                                  "contribution_ids"]).reset_index(drop=True)


def not_continued(crosswalk: Crosswalk, occasion: Occasion, submissions: pd.DataFrame | None,
                  contributions: pd.DataFrame | None, follow_ups: pd.DataFrame | None,
                  planned: pd.DataFrame) -> pd.DataFrame:
    """The contributions a board's template carried forward (analysis.crosswalk) that its
    accepted budget does not have: ended at the boundary, with what the previous period's
    end said about them."""
    status = submission_status(submissions, crosswalk.current, occasion)
    accepted = set(status.loc[status["submission_status"] == ACCEPTED, "board_code"])
    carried = carried_contributions(crosswalk, submissions, contributions)
    kept = set(zip(planned["board_code"], planned["contribution_id"]))
    dropped = pd.Series([k not in kept for k in zip(carried["board_code"], carried["contribution_id"])],
                        index=carried.index, dtype=bool)
    carried = carried[carried["board_code"].isin(list(accepted)) & dropped]
    said, end_status = _period_end(crosswalk, submissions, follow_ups)
    _, board_name, _, _ = _goal_maps(crosswalk)
    records = [{
        "occasion": occasion.code, "goal_code": r.goal_code, "board_code": r.board_code,
        "board_name": board_name.get(r.board_code, r.board_code), "contribution_id": r.contribution_id, "title": r.title,
        "previous_goal_code": r.previous_goal_code,
        "reached": said.get((r.board_code, r.contribution_id), {}).get("reached") or NO_END,
        "reached_label": _reached_label(crosswalk, said.get((r.board_code, r.contribution_id), {}).get("reached"),
                                        end_status.get(r.board_code)),
    } for r in carried.itertuples()]
    return _in_order(crosswalk, pd.DataFrame.from_records(records, columns=NOT_CONTINUED_COLUMNS))


def planning_lessons(crosswalk: Crosswalk, occasion: Occasion, lessons: pd.DataFrame | None) -> pd.DataFrame:
    """The previous period end's lessons (analysis.tables.lessons, as of its period end)
    that concern each new goal: those about a goal it continues, and those about a goal
    area (a theme seldom considered) of a goal it continues. New goals in catalogue order."""
    names = dict(zip(crosswalk.current.goals["goal_code"], crosswalk.current.goals["goal_name"]))
    old_area = dict(zip(crosswalk.previous.goals["goal_code"], crosswalk.previous.goals["goal_area_code"]))
    rows = plain(lessons, ["lesson", "lesson_label", "goal_area_code", "goal_code", "board_code", "contribution_id", "theme",
                           "count", "of", "evidence"])
    records = []
    for goal in crosswalk.current.goals["goal_code"]:
        olds = crosswalk.predecessors[goal]
        areas = {old_area[o] for o in olds}
        for rec in rows.to_dict("records"):
            about_goal = not is_blank(rec["goal_code"]) and rec["goal_code"] in olds
            about_area = is_blank(rec["goal_code"]) and rec["goal_area_code"] in areas
            if about_goal or about_area:
                records.append({"occasion": occasion.code, "goal_code": goal, "goal_name": names[goal],
                                "previous_goal_code": rec["goal_code"] if about_goal else None,
                                "previous_goal_area_code": rec["goal_area_code"],
                                **{k: rec[k] for k in ("lesson", "lesson_label", "board_code", "contribution_id", "theme",
                                                       "count", "of", "evidence")}})
    out = pd.DataFrame.from_records(records, columns=LESSON_COLUMNS)
    return out.astype({"count": "int64", "of": "int64"})


def planning_by_goal(crosswalk: Crosswalk, occasion: Occasion, coverage: pd.DataFrame, planned: pd.DataFrame,
                     ended: pd.DataFrame, lessons: pd.DataFrame) -> pd.DataFrame:
    """One row per new KF goal: how it relates to the previous period, the responsible
    boards with and without a planned contribution, the planned contributions (continuing
    and new), what the previous period's end said about the continuing ones, the carried
    contributions not continued, and the lessons that concern it."""
    old_names = dict(zip(crosswalk.previous.goals["goal_code"], crosswalk.previous.goals["goal_name"]))
    records = []
    for goal in crosswalk.current.goals.itertuples():
        cov = coverage[coverage["goal_code"] == goal.goal_code]
        mine = planned[planned["goal_code"] == goal.goal_code]
        going_on = mine[mine["continues"]]
        relation = crosswalk.kind(goal.goal_code)
        records.append({
            "occasion": occasion.code, "goal_area_code": goal.goal_area_code, "goal_code": goal.goal_code,
            "goal_name": goal.goal_name, "relation": relation, "relation_label": RELATION_LABELS[relation],
            "continues_goals": "; ".join(f"{o} {old_names[o]}" for o in crosswalk.predecessors[goal.goal_code]) or None,
            "responsible_boards": len(cov), "boards_with_contribution": int(cov["has_contribution"].sum()),
            "boards_without_contribution": int((~cov["has_contribution"]).sum()),
            "boards_without": ", ".join(cov.loc[~cov["has_contribution"], "board_name"]) or None,
            "contributions": len(mine), "continuing": len(going_on), "new_contributions": len(mine) - len(going_on),
            "continuing_reached": int((going_on["reached"] == "reached").sum()),
            "continuing_partly": int((going_on["reached"] == "partly_reached").sum()),
            "continuing_not_reached": int((going_on["reached"] == "not_reached").sum()),
            "continuing_no_end": int((going_on["reached"] == NO_END).sum()),
            "not_continued": int((ended["goal_code"] == goal.goal_code).sum()),
            "lessons": int((lessons["goal_code"] == goal.goal_code).sum()),
        })
    return pd.DataFrame.from_records(records, columns=BY_GOAL_COLUMNS)


def planning_overview(crosswalk: Crosswalk, occasion: Occasion, submissions: pd.DataFrame | None,
                      contributions: pd.DataFrame | None, follow_ups: pd.DataFrame | None,
                      lessons: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Every table of the overview, by name, in the order the workbook shows them."""
    planned = planned_contributions(crosswalk, occasion, submissions, contributions, follow_ups)
    coverage = planning_coverage(crosswalk, occasion, submissions, planned)
    ended = not_continued(crosswalk, occasion, submissions, contributions, follow_ups, planned)
    about = planning_lessons(crosswalk, occasion, lessons)
    tables = {
        "by_goal": planning_by_goal(crosswalk, occasion, coverage, planned, ended, about),
        "coverage": coverage,
        "without_contribution": boards_without_contribution(coverage),
        "planned": planned,
        "not_continued": ended,
        "lessons": about,
    }
    return {name: _missing_as_none(frame) for name, frame in tables.items()}


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects with None for what is missing (never NaN), as
    every table here shows them."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    return frame.assign(**{c: pd.Series([None if is_blank(v) else v for v in frame[c]], index=frame.index, dtype=object)
                           for c in text})


def _in_order(crosswalk: Crosswalk, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the new catalogue's goal order, then board order (stable within)."""
    goals = {g: i for i, g in enumerate(crosswalk.current.goals["goal_code"])}
    boards = {b: i for i, b in enumerate(crosswalk.current.board_codes)}
    rank = [(goals.get(g, len(goals)), boards.get(b, len(boards))) for g, b in zip(frame["goal_code"], frame["board_code"])]
    order = sorted(range(len(frame)), key=lambda i: rank[i])
    return frame.iloc[order].reset_index(drop=True)
