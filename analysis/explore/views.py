"""The questions analysts ask between the reports, each answered by one pure function of
the processed tables and the goal catalogue, as a table with Swedish headers and labels
(never codes alone): goal and board names beside codes, the catalogue's answer labels,
shares as whole percent. Every view takes the same filters. A contribution is always
keyed by board and contribution id together: two boards may use the same id.

The tables may hold several mandate periods (at the turn of two, the old period's end and
the new period's budget). A view answers with one catalogue's names and labels; the
filters' `period` limits every view to that period's occasions. `contribution_history`
follows a contribution across the boundary through the new catalogue's crosswalk, and
`planning` shows the planning overview of a new period (analysis.tables.planning)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import (
    CHANGE_LABELS, DROPPED, IMPROVED, MOVEMENT_RANK, MOVING, NEW, NOT_COMPARABLE, UNCHANGED, WORSENED,
)
from analysis.vocabulary import change as changed

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
    period: str | None = None  # a mandate period ('2023-2026'): every view limited to its occasions
    contribution: str | None = None  # a contribution id (of the chosen board), for its history

    def describe(self) -> str:
        """The filters as a file-name part, e.g. '2026-delar_omrade-3_GRN'."""
        parts = [self.occasion or (f"period-{self.period}" if self.period else "alla-tillfallen")]
        parts += [f"omrade-{self.goal_area}"] if self.goal_area else []
        parts += [f"mal-{self.goal}"] if self.goal else []
        parts += [self.board] if self.board else []
        parts += [self.theme] if self.theme else []
        parts += [f"ord-{self.word}"] if self.word else []
        parts += [self.assignment] if self.assignment else []
        parts += [self.contribution] if self.contribution else []
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


def in_period(tables: Mapping[str, pd.DataFrame], period: str | None) -> Mapping[str, pd.DataFrame]:
    """The tables with only the rows of the mandate period's occasions ('2023-2026'); all of
    them when no period is given."""
    if not period:
        return tables
    first, last = (int(y) for y in period.split("-"))
    out = {}
    for name, frame in tables.items():
        if frame is None or "occasion" not in frame.columns:
            out[name] = frame
            continue
        occasions = frame["occasion"].dropna().unique()  # each occasion looked at once, not each row
        inside = [o for o in occasions if str(o)[:4].isdigit() and first <= int(str(o)[:4]) <= last]
        out[name] = frame[frame["occasion"].isin(inside).to_numpy(dtype=bool)]
    return out


def _limited(view):
    """A view whose rows are limited to the filters' mandate period (the last argument's `period`)."""
    @functools.wraps(view)
    def limited(tables, *args):
        return view(in_period(tables, args[-1].period), *args)
    return limited


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


@_limited
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


@_limited
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


def _given(value):
    """A cell's value, None when it is missing (None, NaN, pd.NA)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


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


@_limited
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


@_limited
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

CHANGES = {code: CHANGE_LABELS[code] for code in (IMPROVED, WORSENED, UNCHANGED, NOT_COMPARABLE, NEW, DROPPED)}


@_limited
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
            change = NEW
        elif after is None:
            change = DROPPED
        else:
            change = changed(before["movement"], after["movement"])
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


@_limited
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


@_limited
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


@_limited
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
    assignment chosen, `extra` is its history: every answer at every occasion of the period,
    and for an assignment the period carries over from the previous one, its answers there
    too (the same id across the boundary), whatever the period filter."""
    answers = _plain(tables.get("assignment_follow_ups"), ASSIGNMENT_COLUMNS)
    rows = _plain(in_period(tables, f.period).get("assignment_follow_ups"), ASSIGNMENT_COLUMNS)
    rows = rows[rows["assignment_id"].isin(list(catalogue.assignments["assignment_id"]))]
    if f.assignment:
        rows = rows[rows["assignment_id"] == f.assignment]
    history = rows
    if f.assignment in set(catalogue.carried_assignments["assignment_id"]):
        upto = answers["occasion"].map(lambda o: Occasion.parse(o).year <= catalogue.last_year).astype(bool)
        history = answers[(answers["assignment_id"] == f.assignment) & upto]
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


# --- the dialogue with the boards ------------------------------------------------------------


def dialogue_from_processed(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue,
                            occasions: list[Occasion] | None = None) -> pd.DataFrame:
    """The dialogue table (analysis.tables.dialogue) from the processed tables as
    `analysis.load_tables` gives them, for every occasion of the catalogue's period unless
    `occasions` says which."""
    from analysis.tables.dialogue import dialogue
    from analysis.tables.registry import TABLES, stored_name
    from analysis.tables.tally import plain

    given = {name: plain(tables.get(stored_name(name)), columns) for name, columns in TABLES["dialogue"].reads.items()}
    return dialogue(catalogue, occasions=occasions if occasions is not None else catalogue.occasions, **given)


SHORT_MOVEMENT = {"clear": "tydlig", "some": "viss", "none": "ingen", "negative": "motsatt riktning",
                  "not_assessable": "kan inte bedömas"}
OPEN_STATUSES = ("Öppen", "Besvarad")


def open_questions(tables: Mapping[str, pd.DataFrame], catalogue: Catalogue, f: Filters,
                   questions: pd.DataFrame | None = None, kept: Mapping[str, Mapping] | None = None) -> View:
    """The questions to the boards still open, by board and KF goal: those the office's
    dialogue workbooks (`kept`: question key -> its row there, analysis.dialogue.read_rows)
    hold as Öppen or Besvarad, and those not in a workbook yet; each with its status, the
    board's reply and its contribution's history (every follow-up's movement). `extra`:
    that history in full, with the outlook, reached and the board's analysis at each
    follow-up. `questions`: the dialogue table (made from the processed tables when not given)."""
    boards, goals, _ = _names(catalogue)
    kept = kept or {}
    if questions is None:
        questions = dialogue_from_processed(tables, catalogue)
    rows = _filtered(_plain(questions, ["occasion", "board_code", "goal_code", "contribution_id", "rule_label", "question",
                                        "question_key"]), catalogue, f)
    status = [(kept.get(k) or {}).get("status") or "Öppen" for k in rows["question_key"]]
    rows = rows.assign(status=status, reply=[(kept.get(k) or {}).get("reply") for k in rows["question_key"]])
    rows = rows[rows["status"].isin(OPEN_STATUSES)]
    board_order = {b: i for i, b in enumerate(catalogue.boards["board_code"])}
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    rows = rows.assign(_b=rows["board_code"].map(board_order), _g=rows["goal_code"].map(goal_order),
                       _o=rows["occasion"].map(lambda o: Occasion.parse(o)))
    rows = rows.sort_values(["_b", "_g", "_o", "contribution_id"], kind="stable", na_position="first").reset_index(drop=True)

    follows = _plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS)
    asked = set(zip(rows["board_code"], rows["contribution_id"]))
    history = _in_order(follows[[k in asked for k in zip(follows["board_code"], follows["contribution_id"])]],
                        "board_code", "contribution_id")
    path: dict[tuple, list[str]] = {}
    for o, b, c, m in zip(history["occasion"], history["board_code"], history["contribution_id"], history["movement"]):
        path.setdefault((b, c), []).append(f"{o}: {SHORT_MOVEMENT.get(m, '–')}")
    table = pd.DataFrame({
        "Tillfälle": rows["occasion"].map(_occasion_label),
        "Nämnd/bolag": rows["board_code"].map(lambda b: boards.get(b, b)),
        "KF-mål": rows["goal_code"].map(lambda g: _goal_text(g, goals)),
        "Bidrags-id": rows["contribution_id"].map(lambda c: c or "–"),
        "Regel": rows["rule_label"],
        "Fråga": rows["question"],
        "Status": rows["status"],
        "Svar": rows["reply"].map(lambda r: r if isinstance(r, str) and r else "–"),
        "Bidragets historik": [("; ".join(path.get((b, c), [])) or "–") if c else "Inget bidrag"
                               for b, c in zip(rows["board_code"], rows["contribution_id"])],
    })
    history = history.assign(_b=history["board_code"].map(board_order), _o=history["occasion"].map(Occasion.parse))
    history = history.sort_values(["_b", "contribution_id", "_o"], kind="stable")
    extra = pd.DataFrame({
        "Nämnd/bolag": history["board_code"].map(lambda b: boards.get(b, b)),
        "Bidrags-id": history["contribution_id"],
        "Tillfälle": history["occasion"].map(_occasion_label),
        "Förflyttning": history["movement"].map(_label(catalogue, "movement")),
        "Nås under mandatperioden": history["outlook"].map(_label(catalogue, "outlook")),
        "Har nåtts": history["reached"].map(_label(catalogue, "reached")),
        "Analys": history["analysis"],
    }).reset_index(drop=True)
    notes = [] if kept else ["Ingen dialogarbetsbok finns ännu för dessa tillfällen: alla frågor visas som öppna. "
                             "Kör 'malstyrning dialog --period TILLFÄLLE'."]
    return View("fragor", "Öppna frågor till nämnderna och bolagen", table, extra, notes)


# --- a contribution across the boundary of two periods -------------------------------------


def contribution_history(tables: Mapping[str, pd.DataFrame], catalogues: Mapping[str, Catalogue], f: Filters) -> View:
    """A board's contribution over every mandate period it spans, in reporting order: its
    plan at each budget and its assessment at each follow-up, with each period's own goal
    names and labels. Across a boundary it is the same contribution when the board kept its
    id and the new period's goal carries the old goal forward (analysis.crosswalk); a
    contribution under the same id in the earlier period that the crosswalk does not lead
    to is another one, and is left out (with a note). Without a contribution chosen: the
    board's contributions that continue from one period into the next. `extra`: the
    assessed movement at each follow-up, per period (for a chart). `f.period` limits the
    history to one period."""
    from analysis.crosswalk import crosswalk_for

    if not f.board:
        return View("bidragshistorik", "Bidragets historik", pd.DataFrame(), notes=["Välj en nämnd eller ett bolag."])
    by_period = sorted(catalogues.values(), key=lambda c: c.first_year)
    columns = ["occasion", "board_code", "contribution_id", "goal_code", "title"]
    plans = _plain(tables.get("contributions"), [*columns, "expected_movement"])
    follows = _plain(tables.get("follow_ups"), FOLLOW_UP_COLUMNS)
    plans, follows = (frame[frame["board_code"] == f.board] for frame in (plans, follows))

    def period_of(occasion: str) -> Catalogue | None:
        o = Occasion.parse(occasion)
        return next((c for c in by_period if c.covers(o)), None)

    def goals_in(cid: str, catalogue: Catalogue) -> list[str]:
        """The contribution's goal at each of its rows in the period, in reporting order."""
        rows = _in_order(pd.concat([plans[plans["contribution_id"] == cid][columns],
                                    follows[follows["contribution_id"] == cid][columns]], ignore_index=True))
        return [g for o, g in zip(rows["occasion"], rows["goal_code"]) if period_of(o) is catalogue]

    def first_goal(cid: str, catalogue: Catalogue) -> str | None:
        return next(iter(goals_in(cid, catalogue)), None)

    def last_goal(cid: str, catalogue: Catalogue) -> str | None:
        return next(iter(reversed(goals_in(cid, catalogue))), None)

    def linked(cid: str, catalogue: Catalogue) -> tuple[Catalogue, str, str] | None:
        """(previous catalogue, its goal, this period's goal) when the contribution continues into this period."""
        walk = crosswalk_for(catalogue, catalogues)
        if walk is None:
            return None
        new, old = first_goal(cid, catalogue), last_goal(cid, walk.previous)
        return (walk.previous, old, new) if new is not None and old in walk.predecessors.get(new, []) else None

    if not f.contribution:
        records = []
        ids = list(dict.fromkeys([*plans["contribution_id"], *follows["contribution_id"]]))
        for catalogue in by_period:
            for cid in ids:
                link = linked(cid, catalogue) if first_goal(cid, catalogue) else None
                if link is None:
                    continue
                previous, old, new = link
                end = follows[(follows["contribution_id"] == cid)
                              & (follows["occasion"] == previous.period_end_occasion.code)]
                reached = end["reached"].iloc[0] if len(end) else None
                records.append({"Bidrags-id": cid, "Från": previous.span, "KF-mål då": _goal_text(old, _names(previous)[1]),
                                "Till": catalogue.span, "KF-mål nu": _goal_text(new, _names(catalogue)[1]),
                                f"Har nåtts ({previous.period_end_occasion.label})": _label(previous, "reached")(reached)})
        boards, _, _ = _names(by_period[-1])
        return View("bidragshistorik", f"Bidrag som fortsätter över periodskiftet: {boards.get(f.board, f.board)}",
                    pd.DataFrame.from_records(records), notes=["Välj ett bidrag för att se hela dess historik."])

    # The latest period it appears in, then back through the crosswalk as long as it leads on.
    appears = [c for c in by_period if first_goal(f.contribution, c) is not None]
    chain = appears[-1:]
    while chain and (link := linked(f.contribution, chain[-1])) is not None:
        chain.append(link[0])
    notes = []
    for catalogue in appears:
        if catalogue not in chain:
            notes.append(f"Bidrags-id {f.contribution} användes också under {catalogue.span} för ett bidrag som inte "
                         "förs vidare hit genom målkatalogens koppling mellan perioderna; det visas inte.")
    if f.period:
        chain = [c for c in chain if c.mandate_period == f.period]
    records, paths = [], []
    for catalogue in reversed(chain):
        _, goals, _ = _names(catalogue)
        mine = [frame[(frame["contribution_id"] == f.contribution)
                      & frame["occasion"].map(lambda o: period_of(o) is catalogue).astype(bool)] for frame in (plans, follows)]
        link = linked(f.contribution, catalogue)
        first = True
        for rec in _in_order(pd.concat([mine[0].assign(kind="plan"), mine[1].assign(kind="follow_up")],
                                       ignore_index=True), "kind").to_dict("records"):
            o = Occasion.parse(rec["occasion"])
            if rec["kind"] == "plan" and o.is_follow_up:
                continue  # a follow-up's contributions sheet repeats the plan; its follow-up row tells more
            records.append({
                "Mandatperiod": catalogue.span, "Tillfälle": o.label,
                "KF-mål": _goal_text(rec["goal_code"], goals), "Bidrag": rec["title"],
                "Plan eller bedömning": (_given(rec["expected_movement"]) if rec["kind"] == "plan" else "; ".join(
                    _label(catalogue, scale)(_given(rec[scale])) for scale in ("movement", "outlook", "reached")
                    if scale != "reached" or _given(rec[scale]) is not None)),
                "Koppling": (f"Fortsätter från {link[0].span} (KF-mål {link[1]} → {link[2]})" if first and link else ""),
            })
            first = False
            if rec["kind"] == "follow_up" and _given(rec["movement"]) in MOVEMENT_RANK:
                paths.append({"Mandatperiod": catalogue.span, "Tillfälle": o.label,
                              "Förflyttning": _label(catalogue, "movement")(rec["movement"]),
                              "Rang": MOVEMENT_RANK[rec["movement"]]})
    boards, _, _ = _names(by_period[-1])
    table = pd.DataFrame.from_records(records, columns=["Mandatperiod", "Tillfälle", "KF-mål", "Bidrag",
                                                        "Plan eller bedömning", "Koppling"])
    path = pd.DataFrame.from_records(paths, columns=["Mandatperiod", "Tillfälle", "Förflyttning", "Rang"])
    return View("bidragshistorik", f"Bidragets historik: {boards.get(f.board, f.board)} {f.contribution}", table,
                path.astype({"Rang": "int64"}), notes=notes)


# --- the planning overview of a new period ------------------------------------------------------


def planning(overview: Mapping[str, pd.DataFrame] | None, f: Filters) -> View:
    """The planning overview (analysis.tables.planning: its tables by name, None when the
    tables hold no first budget of a period that continues another) filtered by goal area,
    goal and board: per KF goal the coverage by planned contributions, and (`extra`) each
    planned contribution with whether it continues and what the old period's end said."""
    from analysis.tables.planning import PLANNING_HEADERS

    if overview is None:
        return View("planering", "Planeringsöversikt", pd.DataFrame(),
                    notes=["Ingen planeringsöversikt: tabellerna har ingen första budget för en mandatperiod som för "
                           "vidare en tidigare periods mål."])

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        mask = pd.Series(True, index=frame.index, dtype=bool)
        if f.goal_area and "goal_area_code" in frame.columns:
            mask &= frame["goal_area_code"] == f.goal_area
        if f.goal:
            mask &= frame["goal_code"] == f.goal
        if f.board and "board_code" in frame.columns:
            mask &= frame["board_code"] == f.board
        return frame[mask.to_numpy(dtype=bool)].reset_index(drop=True)

    def shown(frame: pd.DataFrame, drop: tuple[str, ...]) -> pd.DataFrame:
        out = frame.drop(columns=[c for c in (*drop, "occasion") if c in frame.columns])
        out = out.assign(**{c: out[c].map({True: "Ja", False: "Nej"}) for c in out.columns if out[c].dtype == bool})
        return out.rename(columns=PLANNING_HEADERS)

    table = keep(overview["coverage"] if f.board else overview["by_goal"])
    occasion = Occasion.parse(str(overview["by_goal"]["occasion"].iloc[0])) if len(overview["by_goal"]) else None
    title = f"Planeringsöversikt {occasion.label}" if occasion else "Planeringsöversikt"
    return View("planering", title, shown(table, ("relation", "submission_status")),
                shown(keep(overview["planned"]), ("reached", "previous_analysis")),
                notes=["Ett arbetsmaterial för stadskontoret (på tjänstepersonsnivå), inte en sammanställning till "
                       "kommunfullmäktige."])
