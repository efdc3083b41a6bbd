"""The questions analysts ask between the reports, each answered by one pure function of
the processed tables and the goal catalogue, as a table with Swedish headers and labels
(never codes alone): goal and board names beside codes, the catalogue's answer labels,
shares as whole percent. Every view takes the same filters. A contribution is always
keyed by board and contribution id together: two boards may use the same id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion

MOVING = ("clear", "some")
MOVEMENT_RANK = {"clear": 0, "some": 1, "none": 2, "negative": 3}  # lower is better; 'not_assessable' has no rank
CONTEXT_CHARS = 60


@dataclass(frozen=True)
class Filters:
    """What the analyst chose; None means all."""

    occasion: str | None = None
    goal_area: str | None = None
    goal: str | None = None
    board: str | None = None
    theme: str | None = None
    word: str = ""
    assignment: str | None = None  # a council assignment (KF-uppdrag) by its id

    def describe(self) -> str:
        """The filters as a file-name part, e.g. '2026-delar_omrade-3_GRN'."""
        parts = [self.occasion or "alla-tillfallen"]
        parts += [f"omrade-{self.goal_area}"] if self.goal_area else []
        parts += [f"mal-{self.goal}"] if self.goal else []
        parts += [self.board] if self.board else []
        parts += [self.theme] if self.theme else []
        parts += [f"ord-{self.word}"] if self.word else []
        parts += [self.assignment] if self.assignment else []
        return re.sub(r"[^\w.-]+", "-", "_".join(parts), flags=re.UNICODE).strip("-")


@dataclass(frozen=True)
class View:
    """One answer: its name (for files), a Swedish title, the table, and a second table
    where the question has one (e.g. boards that stopped reporting)."""

    name: str
    title: str
    table: pd.DataFrame
    extra: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


# --- shared helpers ------------------------------------------------------------------


def _plain(frame: pd.DataFrame | None, columns: list[str], **equal) -> pd.DataFrame:
    """The columns as plain Python values (categoricals and pandas strings as objects), of
    the rows whose columns named in `equal` hold the value given (None: any value). The
    rows are chosen before the conversion, which takes most of the time on a large table."""
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for column, value in equal.items():
        if value is not None and column in frame.columns:
            frame = frame[(frame[column] == value).fillna(False).astype(bool)]
    out = pd.DataFrame({c: frame[c].astype(object) if c in frame.columns else None for c in columns})
    return out.where(out.notna(), None)


def _label(catalogue: Catalogue, scale: str):
    labels = dict(zip(catalogue.scales[scale].codes, catalogue.scales[scale].labels))
    return lambda code: labels.get(code, code) if code is not None else "–"


def _occasion_label(code: str | None) -> str:
    return Occasion.parse(code).label if code else "–"


def _names(catalogue: Catalogue) -> tuple[dict, dict, dict]:
    boards = dict(zip(catalogue.boards["board_code"], catalogue.boards["board_name"]))
    goals = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_name"]))
    area_of = dict(zip(catalogue.goals["goal_code"], catalogue.goals["goal_area_code"]))
    return boards, goals, area_of


def _filtered(frame: pd.DataFrame, catalogue: Catalogue, f: Filters, *, occasion: bool = True) -> pd.DataFrame:
    """Rows that pass the filters (goal area through the goal's area)."""
    _, _, area_of = _names(catalogue)
    keep = pd.Series(True, index=frame.index, dtype=bool)
    if occasion and f.occasion:
        keep &= frame["occasion"] == f.occasion
    if f.board:
        keep &= frame["board_code"] == f.board
    if "goal_code" in frame.columns:
        if f.goal:
            keep &= frame["goal_code"] == f.goal
        if f.goal_area:
            keep &= frame["goal_code"].map(area_of) == f.goal_area
    return frame[keep.astype(bool)].reset_index(drop=True)


def _in_order(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = frame["occasion"].map(lambda o: Occasion.parse(o) if o else Occasion(0, 0, "budget"))
    return frame.assign(_rank=rank).sort_values(["_rank", *keys], kind="stable").drop(columns="_rank").reset_index(drop=True)


def _goal_text(code, goals: Mapping) -> str:
    return f"{code} {goals.get(code, '')}".strip() if code else "–"


def occasions_in(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The occasions with submissions, in reporting order."""
    subs = tables.get("submissions")
    if subs is None or subs.empty:
        return []
    return sorted({str(o) for o in subs["occasion"].dropna().astype(object)}, key=Occasion.parse)


# --- the follow-ups, filtered ----------------------------------------------------------

FOLLOW_UP_COLUMNS = ["occasion", "board_code", "contribution_id", "goal_code", "title", "movement", "outlook", "reached",
                     "analysis", "evidence_type", "evidence"]


def follow_ups(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """Every follow-up that passes the filters, labelled."""
    rows = _in_order(_filtered(_plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, occasion=f.occasion, board_code=f.board),
                               catalogue, f), "board_code", "contribution_id")
    boards, goals, area_of = _names(catalogue)
    table = pd.DataFrame({
        "Tillfälle": rows["occasion"].map(_occasion_label),
        "Målområde": rows["goal_code"].map(area_of),
        "KF-mål": rows["goal_code"].map(lambda g: _goal_text(g, goals)),
        "Nämnd/bolag": rows["board_code"].map(lambda b: boards.get(b, b)),
        "Bidrags-id": rows["contribution_id"],
        "Bidrag": rows["title"],
        "Förflyttning": rows["movement"].map(_label(catalogue, "movement")),
        "Mandatperioden": rows["outlook"].map(_label(catalogue, "outlook")),
        "Har nåtts": rows["reached"].map(_label(catalogue, "reached")),
        "Analys": rows["analysis"],
        "Typ av underlag": rows["evidence_type"].map(_label(catalogue, "evidence_type")),
        "Underlag": rows["evidence"],
    })
    return View("uppfoljningar", "Uppföljningar", table)


# --- a board's profile -----------------------------------------------------------------

CONTRIBUTION_COLUMNS = ["occasion", "board_code", "contribution_id", "goal_code", "title", "expected_movement"]


def board_profile(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """One board's contributions over the whole period, each keyed by board and id: the
    plan (first budget that has it, expected movement), every follow-up's movement,
    outlook and reached assessment, the human-rights themes considered at its latest
    follow-up, and its latest indicator values. Occasion filter: up to that occasion."""
    boards, goals, _ = _names(catalogue)
    if not f.board:
        return View("namndprofil", "Nämndprofil", pd.DataFrame(), notes=["Välj en nämnd eller ett bolag."])
    until = Occasion.parse(f.occasion) if f.occasion else None

    def upto(frame: pd.DataFrame) -> pd.DataFrame:
        frame = _filtered(frame, catalogue, Filters(board=f.board, goal=f.goal, goal_area=f.goal_area), occasion=False)
        keep = frame["occasion"].map(lambda o: until is None or Occasion.parse(o) <= until).astype(bool)
        return frame[keep].reset_index(drop=True)

    plans = _in_order(upto(_plain(tables.get("contributions"), CONTRIBUTION_COLUMNS, board_code=f.board)), "contribution_id")
    follows = _in_order(upto(_plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, board_code=f.board)), "contribution_id")
    rights = upto(_plain(tables.get("human_rights"), ["occasion", "board_code", "scope", "contribution_id", "theme",
                                                       "consideration"], board_code=f.board).assign(goal_code=None))
    values = upto(_plain(tables.get("indicators"), ["occasion", "board_code", "contribution_id", "indicator", "unit",
                                                      "baseline_value", "value"], board_code=f.board).assign(goal_code=None))
    movement, outlook, reached = (_label(catalogue, s) for s in ("movement", "outlook", "reached"))
    theme = _label(catalogue, "theme")
    keys = list(dict.fromkeys(list(plans["contribution_id"]) + list(follows["contribution_id"])))
    occasions = [o for o in dict.fromkeys(follows["occasion"])]
    first_plan: dict = {}
    for plan in plans.to_dict("records"):
        first_plan.setdefault(plan["contribution_id"], plan)
    assessed = _grouped(follows, "contribution_id")  # each contribution's follow-ups, in order
    answered = _grouped(rights, "occasion", "contribution_id")
    measured = _grouped(values, "contribution_id")
    records = []
    for cid in keys:
        mine = assessed.get(cid, [])
        first = first_plan.get(cid)
        latest = mine[-1] if mine else None
        record = {
            "Bidrags-id": cid,
            "Bidrag": (first["title"] if first is not None else latest["title"]),
            "KF-mål": _goal_text((first if first is not None else latest)["goal_code"], goals),
            "Planerat i": (Occasion.parse(first["occasion"]).submission_label(catalogue.board_kind(first["board_code"]))
                           if first is not None else "–"),  # the board's own budget: nämnds- or bolagsbudget
            "Förväntad förflyttning": first["expected_movement"] if first is not None else None,
        }
        at = {}
        for row in mine:
            at.setdefault(row["occasion"], row)
        for o in occasions:
            row = at.get(o)
            record[_occasion_label(o)] = (f"{movement(row['movement'])}; {outlook(row['outlook'])}"
                                          + (f"; {reached(row['reached'])}" if row["reached"] else "")
                                          if row is not None else "–")
        record["Har nåtts"] = reached(latest["reached"]) if latest is not None and latest["reached"] else "–"
        if latest is not None:
            answers = answered.get((latest["occasion"], cid), [])
            considered = [theme(a["theme"]) for a in answers if a["consideration"] == "considered"]
            record["Mänskliga rättigheter beaktade"] = ", ".join(considered) if considered else "Inga"
        else:
            record["Mänskliga rättigheter beaktade"] = "–"
        mine_values = measured.get(cid, [])
        if mine_values:
            last = [v for v in mine_values if v["occasion"] == mine_values[-1]["occasion"]]
            record["Indikatorer"] = "; ".join(f"{v['indicator']}: {_num(v['baseline_value'])} → {_num(v['value'])} {v['unit'] or ''}".strip()
                                              for v in last)
        else:
            record["Indikatorer"] = "Inga (frivilliga)"
        records.append(record)
    return View("namndprofil", f"Nämndprofil: {boards.get(f.board, f.board)}", pd.DataFrame.from_records(records))


def _grouped(frame: pd.DataFrame, *keys: str) -> dict:
    """The rows (as dicts) by the value of `keys` (one key: the value; several: a tuple), in
    the frame's order."""
    out: dict = {}
    for row in frame.to_dict("records"):
        out.setdefault(row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys), []).append(row)
    return out


def _num(value) -> str:
    from analysis.vocabulary import number

    try:
        return number(float(value), 1)
    except (TypeError, ValueError):
        return "–"


def board_path(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> pd.DataFrame:
    """For the board profile's chart: each contribution's movement at every follow-up
    (rank 0 clear .. 3 opposite direction; not assessable left out)."""
    if not f.board:
        return pd.DataFrame(columns=["Bidrags-id", "Tillfälle", "Förflyttning", "Rang"])
    rows = _in_order(_filtered(_plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, board_code=f.board), catalogue,
                               Filters(board=f.board, goal=f.goal, goal_area=f.goal_area), occasion=False), "contribution_id")
    rows = rows[rows["movement"].isin(list(MOVEMENT_RANK))]
    return pd.DataFrame({"Bidrags-id": rows["contribution_id"], "Tillfälle": rows["occasion"].map(_occasion_label),
                         "Förflyttning": rows["movement"].map(_label(catalogue, "movement")),
                         "Rang": rows["movement"].map(MOVEMENT_RANK).astype("int64")}).reset_index(drop=True)


# --- a goal's profile --------------------------------------------------------------------


def goal_profile(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """One KF goal at the occasion (default the latest): every responsible board, whether
    it has a contribution, its latest assessment up to the occasion and its text; and
    (extra) the share of the goal's follow-ups with some or clear movement per occasion."""
    boards, goals, _ = _names(catalogue)
    if not f.goal:
        return View("malprofil", "Målprofil", pd.DataFrame(), notes=["Välj ett KF-mål."])
    occasion = f.occasion or (occasions_in(tables) or [None])[-1]
    until = Occasion.parse(occasion) if occasion else None
    plans = _plain(tables.get("contributions"), CONTRIBUTION_COLUMNS, goal_code=f.goal)
    follows = _plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, goal_code=f.goal)
    keep = (follows["goal_code"] == f.goal) & follows["occasion"].map(lambda o: until is None or Occasion.parse(o) <= until).astype(bool)
    follows = _in_order(follows[keep.astype(bool)], "board_code")
    named = set(catalogue.responsibilities.loc[catalogue.responsibilities["goal_code"] == f.goal, "board_code"])
    reporting = set(follows["board_code"]) | set(plans.loc[plans["goal_code"] == f.goal, "board_code"])
    movement = _label(catalogue, "movement")
    planned_now = plans[(plans["goal_code"] == f.goal) & (plans["occasion"] == occasion)]["board_code"].value_counts()
    assessed = _grouped(follows, "board_code")  # each board's follow-ups of the goal, in order
    records = []
    for board in [b for b in catalogue.boards["board_code"] if b in named or b in reporting]:
        if f.board and board != f.board:
            continue
        mine = assessed.get(board, [])
        latest = [row for row in mine if row["occasion"] == mine[-1]["occasion"]]
        records.append({
            "Nämnd/bolag": boards.get(board, board),
            "Ansvarig": "Ja" if board in named else "Nej (rapporterar ändå)",
            f"Bidrag {_occasion_label(occasion)}": int(planned_now.get(board, 0)),
            "Senaste bedömning": "; ".join(f"{row['contribution_id']}: {movement(row['movement'])}" for row in latest)
            or "Ingen uppföljning",
            "Tillfälle": _occasion_label(latest[0]["occasion"]) if latest else "–",
            "Analys": "\n".join(row["analysis"] for row in latest if row["analysis"]) or None,
        })
    trend = goal_trend(tables, f.goal)
    return View("malprofil", f"Målprofil: {_goal_text(f.goal, goals)}", pd.DataFrame.from_records(records), trend)


def goal_trend(tables: Mapping[str, pd.DataFrame], goal: str) -> pd.DataFrame:
    """Per follow-up occasion: the goal's assessed follow-ups and the share with some or clear movement."""
    follows = _plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, goal_code=goal)
    follows = follows[(follows["goal_code"] == goal) & follows["movement"].notna()]
    records = []
    for o in sorted(set(follows["occasion"]), key=Occasion.parse):
        rows = follows[follows["occasion"] == o]
        moving = int(rows["movement"].isin(MOVING).sum())
        records.append({"Tillfälle": _occasion_label(o), "Bedömningar": len(rows), "Viss eller tydlig förflyttning": moving,
                        "Andel (%)": round(100 * moving / len(rows))})
    return pd.DataFrame.from_records(records, columns=["Tillfälle", "Bedömningar", "Viss eller tydlig förflyttning", "Andel (%)"])


# --- two occasions side by side ----------------------------------------------------------

CHANGES = {"better": "Bättre bedömning", "worse": "Sämre bedömning", "same": "Samma bedömning",
           "not_comparable": "Kan inte jämföras", "new": "Nytt bidrag", "dropped": "Bidraget finns inte längre"}


def compare_occasions(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, first: str, second: str, f: Filters) -> View:
    """Every contribution (board and id) at either occasion: how its assessment changed
    from `first` to `second`, or that it is new or dropped (at budgets, where only plans
    exist, by its presence in the plans); and (extra) the boards that reported at `first`
    but not at `second`."""
    boards, goals, _ = _names(catalogue)
    scoped = Filters(goal_area=f.goal_area, goal=f.goal, board=f.board)

    def at(occasion: str) -> dict[tuple, dict]:
        """The rows at the occasion by board and contribution (the first of each)."""
        o = Occasion.parse(occasion)
        table = "follow_ups" if o.is_follow_up else "contributions"
        columns = FOLLOW_UP_COLUMNS if o.is_follow_up else CONTRIBUTION_COLUMNS
        rows = _filtered(_plain(tables.get(table), columns, occasion=occasion, board_code=f.board), catalogue, scoped,
                         occasion=False)
        rows = rows[rows["occasion"] == occasion]
        if "movement" not in rows.columns:
            rows = rows.assign(movement=None)
        rows = rows.drop_duplicates(["board_code", "contribution_id"])
        return dict(zip(zip(rows["board_code"], rows["contribution_id"]), rows.to_dict("records")))

    a, b = at(first), at(second)
    movement = _label(catalogue, "movement")
    records = []
    for key in dict.fromkeys([*a, *b]):
        board, cid = key
        before, after = a.get(key), b.get(key)
        if before is None:
            change = "new"
        elif after is None:
            change = "dropped"
        elif before["movement"] in MOVEMENT_RANK and after["movement"] in MOVEMENT_RANK:
            rank_before, rank_after = MOVEMENT_RANK[before["movement"]], MOVEMENT_RANK[after["movement"]]
            change = "same" if rank_before == rank_after else "better" if rank_after < rank_before else "worse"
        elif before["movement"] == after["movement"]:
            change = "same"
        else:
            change = "not_comparable"
        row = after if after is not None else before
        records.append({
            "Nämnd/bolag": boards.get(board, board), "Bidrags-id": cid, "Bidrag": row["title"],
            "KF-mål": _goal_text(row["goal_code"], goals), "Förändring": CHANGES[change],
            f"Förflyttning {_occasion_label(first)}": movement(before["movement"]) if before is not None else "–",
            f"Förflyttning {_occasion_label(second)}": movement(after["movement"]) if after is not None else "–",
            "Analys": after.get("analysis") if after is not None else None,
        })
    subs = _plain(tables.get("submissions"), ["occasion", "board_code", "status"])
    sent = {o: set(subs.loc[(subs["occasion"] == o) & (subs["status"] == "current"), "board_code"]) for o in (first, second)}
    stopped = [b for b in catalogue.boards["board_code"] if b in sent[first] - sent[second] and (not f.board or b == f.board)]
    extra = pd.DataFrame({"Nämnd/bolag": [boards.get(b, b) for b in stopped],
                          f"Lämnade in {_occasion_label(first)}": "Ja",
                          f"Lämnade in {_occasion_label(second)}": "Nej"})
    table = pd.DataFrame.from_records(records, columns=["Nämnd/bolag", "Bidrags-id", "Bidrag", "KF-mål", "Förändring",
                                                         f"Förflyttning {_occasion_label(first)}",
                                                         f"Förflyttning {_occasion_label(second)}", "Analys"])
    return View("jamforelse", f"{_occasion_label(first)} jämfört med {_occasion_label(second)}", table, extra)


# --- human-rights themes -----------------------------------------------------------------

RIGHTS_COLUMNS = ["occasion", "board_code", "scope", "contribution_id", "theme", "consideration", "comment"]


def _rights(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> pd.DataFrame:
    """Human-rights answers with the goal area of their contribution ('Grunduppdrag' for
    the base mission), filtered."""
    _, _, area_of = _names(catalogue)
    rows = _plain(tables.get("human_rights"), RIGHTS_COLUMNS, occasion=f.occasion, board_code=f.board, theme=f.theme)
    goal_of = {}
    for name, columns in (("contributions", CONTRIBUTION_COLUMNS), ("follow_ups", FOLLOW_UP_COLUMNS)):
        reported = _plain(tables.get(name), columns, occasion=f.occasion, board_code=f.board)
        goal_of |= dict(zip(zip(reported["occasion"], reported["board_code"], reported["contribution_id"]), reported["goal_code"]))
    rows = rows.assign(goal_code=[goal_of.get((o, b, c)) if s == "contribution" else None
                                  for o, b, c, s in zip(rows["occasion"], rows["board_code"], rows["contribution_id"], rows["scope"])])
    rows["area"] = [area_of.get(g, "–") if s == "contribution" else "Grunduppdrag" for g, s in zip(rows["goal_code"], rows["scope"])]
    if f.goal:
        rows = rows[rows["goal_code"] == f.goal]
    if f.goal_area:
        rows = rows[rows["area"] == f.goal_area]
    return rows.reset_index(drop=True)


def theme_summary(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """Per goal area (or base mission), board and theme: answers, how many said the theme
    was considered, and the share."""
    boards, _, _ = _names(catalogue)
    rows = _rights(tables, catalogue, f)
    theme = _label(catalogue, "theme")
    records = []
    area_order = {a: i for i, a in enumerate(catalogue.goal_areas["goal_area_code"])}
    theme_order = {t: i for i, t in enumerate(catalogue.scales["theme"].codes)}
    board_order = {b: i for i, b in enumerate(catalogue.boards["board_code"])}
    counted = (rows.assign(considered=rows["consideration"] == "considered")
               .groupby(["area", "board_code", "theme"], sort=False)["considered"].agg(["size", "sum"]))
    for (area, board, code), answers, considered in zip(counted.index, counted["size"].tolist(), counted["sum"].tolist()):
        records.append({"_k": (area_order.get(area, 99), board_order.get(board, 999), theme_order.get(code, 99)),
                        "Målområde": area, "Nämnd/bolag": boards.get(board, board), "Tema": theme(code),
                        "Svar": answers, "Beaktat": considered, "Andel beaktat (%)": round(100 * considered / answers)})
    table = pd.DataFrame.from_records(sorted(records, key=lambda r: r["_k"]),
                                      columns=["_k", "Målområde", "Nämnd/bolag", "Tema", "Svar", "Beaktat", "Andel beaktat (%)"])
    return View("teman", "Mänskliga rättigheter: hur ofta temat beaktats", table.drop(columns="_k"),
                _comments(rows, catalogue, f))


def theme_comments(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> pd.DataFrame:
    """The boards' comments on the themes, those containing the filter's word (any case)."""
    return _comments(_rights(tables, catalogue, f), catalogue, f)


def _comments(rows: pd.DataFrame, catalogue: Catalogue, f: Filters) -> pd.DataFrame:
    """The comments among the human-rights answers (`_rights`), those containing the word."""
    boards, _, _ = _names(catalogue)
    rows = rows[rows["comment"].notna()]
    if f.word:
        rows = rows[rows["comment"].str.contains(re.escape(f.word), case=False, regex=True)]
    rows = _in_order(rows, "board_code", "contribution_id")
    return pd.DataFrame({
        "Tillfälle": rows["occasion"].map(_occasion_label), "Nämnd/bolag": rows["board_code"].map(lambda b: boards.get(b, b)),
        "Bidrags-id": rows["contribution_id"].fillna("Grunduppdrag"), "Tema": rows["theme"].map(_label(catalogue, "theme")),
        "Beaktande": rows["consideration"].map(_label(catalogue, "consideration")), "Beskrivning": rows["comment"],
    }).reset_index(drop=True)


# --- free text search ------------------------------------------------------------------------


def text_search(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """Every place the word occurs (any case) in the analyses and evidence texts of the
    follow-ups that pass the filters, with the text around it."""
    boards, goals, _ = _names(catalogue)
    if not f.word.strip():
        return View("textsok", "Sök i texterna", pd.DataFrame(), notes=["Skriv ett ord att söka efter."])
    rows = _in_order(_filtered(_plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS, occasion=f.occasion, board_code=f.board),
                               catalogue, f), "board_code", "contribution_id")
    pattern = re.compile(re.escape(f.word.strip()), re.IGNORECASE)
    records = []
    for rec in rows.to_dict("records"):
        for column, label in (("analysis", "Analys"), ("evidence", "Underlag")):
            text = rec[column] or ""
            for hit in pattern.finditer(text):
                start, end = max(0, hit.start() - CONTEXT_CHARS), min(len(text), hit.end() + CONTEXT_CHARS)
                records.append({
                    "Tillfälle": _occasion_label(rec["occasion"]), "Nämnd/bolag": boards.get(rec["board_code"], rec["board_code"]),
                    "KF-mål": _goal_text(rec["goal_code"], goals), "Bidrags-id": rec["contribution_id"], "Fält": label,
                    "Träff": ("…" if start else "") + text[start:hit.start()] + "«" + hit.group(0) + "»" + text[hit.end():end]
                    + ("…" if end < len(text) else ""),
                })
    columns = ["Tillfälle", "Nämnd/bolag", "KF-mål", "Bidrags-id", "Fält", "Träff"]
    return View("textsok", f"Sök i texterna: {f.word.strip()}", pd.DataFrame.from_records(records, columns=columns))


# --- council assignments (KF-uppdrag) -----------------------------------------------------


ASSIGNMENT_COLUMNS = ["occasion", "board_code", "assignment_id", "status", "expected_completion", "comment"]


def assignments(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters) -> View:
    """Every board's answer on the council assignments that match the filters (occasion,
    board or company, assignment; a word searches the comments), lead board first; with an
    assignment chosen, `extra` is its history: every answer at every occasion of the period."""
    rows = _plain(tables.get("assignment_follow_ups"), ASSIGNMENT_COLUMNS)
    rows = rows[rows["assignment_id"].isin(list(catalogue.assignments["assignment_id"]))]
    if f.assignment:
        rows = rows[rows["assignment_id"] == f.assignment]
    history = rows
    rows = _filtered(rows, catalogue, f)
    if f.word:
        rows = rows[rows["comment"].map(lambda t: isinstance(t, str) and f.word.casefold() in t.casefold()).astype(bool)]

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        boards, _, _ = _names(catalogue)
        roles = {(a, b): r for a, b, r in zip(catalogue.assignment_boards["assignment_id"],
                                               catalogue.assignment_boards["board_code"], catalogue.assignment_boards["role"])}
        frame = frame.assign(_lead=[roles.get((a, b)) != "lead" for a, b in zip(frame["assignment_id"], frame["board_code"])])
        frame = _in_order(frame, "assignment_id", "_lead", "board_code")
        status = _label(catalogue, "assignment_status")
        texts = catalogue.assignment_texts
        from analysis.vocabulary import ROLE_LABELS

        return pd.DataFrame({
            "Tillfälle": frame["occasion"].map(_occasion_label),
            "KF-uppdrag": [f"{a} {texts.get(a, '')}" for a in frame["assignment_id"]],
            "Nämnd/bolag": frame["board_code"].map(lambda b: boards.get(b, b)),
            "Roll": [ROLE_LABELS.get(roles.get((a, b)), "–") for a, b in zip(frame["assignment_id"], frame["board_code"])],
            "Status": frame["status"].map(status),
            "Förväntas vara klart": frame["expected_completion"].map(lambda v: "–" if v is None else str(int(v))),
            "Kommentar": frame["comment"].map(lambda v: v if v is not None else "–"),
        })

    title = "KF-uppdrag" + (f" {f.assignment}" if f.assignment else "")
    notes = [] if f.assignment else ["Välj ett KF-uppdrag för att se dess historik över mandatperioden."]
    return View("kf_uppdrag", title, shown(rows), shown(history) if f.assignment else None, notes)
