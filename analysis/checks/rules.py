"""The rules every submission is checked against, each described once: its id, severity,
Swedish message, the table and fields it applies to, and the Great Expectations
expectation that checks it. A rule that one column cannot express (it needs the goal
catalogue, another table or another occasion) has its pandas computation here too: it
derives the column the expectation then checks.

Severities: an `error` rejects the whole submission (its rows do not enter the current
tables); a `warning` accepts it and flags the point for the executive board's analysts.

Nothing here imports Great Expectations: `Expect` names the expectation and
`analysis.checks.validation` turns it into a GX object when a run validates. Messages are
Swedish templates filled from the failing row: `{value}` (the cell as the board wrote it),
`{header}` (the column heading the board sees), `{sheet}`, `{occasion_label}`, any column
of the checked table, and any extra column a rule's derivation returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
import pandas as pd

from analysis.assignments import ANSWER_COLUMNS, active_pairs, finished_at, is_overdue
from analysis.catalogue import Catalogue
from analysis.errors import UsageError
from analysis.occasion import Occasion
from analysis.vocabulary import (
    DISCONTINUED, ERROR, FINISHED_STATUSES, KEY_SEPARATOR, WARNING, file_key, in_submission_order, key, real_dates,
)
from analysis.boards.layout import (
    ASSIGNMENTS_SHEET,
    BASE_MISSION,
    CONTRIBUTION_FIELDS,
    CONTRIBUTIONS_SHEET,
    DATA_SHEETS,
    DETAILS_FIELDS,
    DETAILS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    HUMAN_RIGHTS_SHEET,
    SUPPORTED_TEMPLATE_VERSIONS,
)

MIN_ANALYSIS_CHARS = 80
INTEGER = r"^[+-]?\d+$"
NUMBER = r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$"
# Field keys mean the same in every sheet they appear in.
FIELDS = {f.key: f for fields in DATA_SHEETS.values() for f in fields}


@dataclass(frozen=True)
class Expect:
    """A Great Expectations expectation by kind, with its arguments. An argument may be a
    function of (context, table, field), resolved when the run's suites are built.

    kinds: not_null, in_set, true (a derived boolean column is True), unique,
    min_length, regex, a_greater_than_b (derived columns `a` and `b`)."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    what: str
    message: str
    where: tuple[tuple[str, str], ...]
    expect: Expect
    derive: Callable[[pd.DataFrame, str, "RuleContext"], pd.Series | pd.DataFrame] | None = None


@dataclass(frozen=True)
class ReaderRule:
    """A rule the workbook reader applies before any table exists (the message comes from the reader)."""

    id: str
    severity: str
    what: str


READER_RULES = (
    ReaderRule("arbetsbok_olaslig", ERROR, "Filen kan inte läsas som en inlämning (ingen arbetsbok, krypterad, skadad, "
                                           "för stor, kunde inte öppnas, flik, rubrik eller uppgift saknas)."),
    ReaderRule("ej_vanlig_fil", ERROR, "Det inlämnade är ingen vanlig fil (en genväg, en mapp eller liknande) och läses inte."),
    ReaderRule("okand_namnd", ERROR, "Nämnden/bolaget i fliken Uppgifter finns inte i målkatalogen."),
)


# --- context --------------------------------------------------------------------------


@dataclass
class RuleContext:
    """What cross-table rules look at: the catalogues, the staged tables of the whole run
    (every occasion), the board budgets ingested earlier (`known`: rows of the current
    contributions table of budget occasions the run does not replace) and the answers on
    council assignments ingested earlier (`known_assignments`: rows of the current
    assignment_follow_ups table of the occasions and boards the run does not replace)."""

    catalogues: dict[str, Catalogue]
    tables: dict[str, pd.DataFrame]
    known: pd.DataFrame
    known_assignments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ANSWER_COLUMNS))
    # When only some of the run's files are checked (`tables` holds their rows): the
    # context of the whole run, which the budgets and the answers on council assignments
    # come from. Every other property concerns one submission and is made from `tables`.
    whole: RuleContext | None = None

    @cached_property
    def goal_names(self) -> dict[str, str]:
        return {f"{p}{KEY_SEPARATOR}{g}": n for p, c in self.catalogues.items() for g, n in zip(c.goals["goal_code"], c.goals["goal_name"])}

    @cached_property
    def responsibilities(self) -> set[str]:
        return {f"{p}{KEY_SEPARATOR}{b}{KEY_SEPARATOR}{g}" for p, c in self.catalogues.items()
                for g, b in zip(c.responsibilities["goal_code"], c.responsibilities["board_code"])}

    @cached_property
    def board_kinds(self) -> dict[str, str]:
        """period<SEP>board -> nämnd or bolag."""
        return {f"{p}{KEY_SEPARATOR}{b}": k for p, c in self.catalogues.items() for b, k in zip(c.boards["board_code"], c.boards["board_kind"])}

    def submission_label(self, occasion: object, period: object, board: object) -> str:
        """What the board sent at the occasion, as the board names it ('Bolagsbudget 2024')."""
        kind = self.board_kinds.get(f"{period}{KEY_SEPARATOR}{board}", "nämnd")
        return Occasion.parse(str(occasion)).submission_label(kind)

    @cached_property
    def board_names(self) -> dict[str, str]:
        return {f"{p}{KEY_SEPARATOR}{b}": n for p, c in self.catalogues.items() for b, n in zip(c.boards["board_code"], c.boards["board_name"])}

    def scale_labels(self, scale: str) -> dict[str, str]:
        """period<SEP>code -> label."""
        return {f"{p}{KEY_SEPARATOR}{code}": c.scales[scale].label(code) for p, c in self.catalogues.items() for code in c.scales[scale].codes}

    @cached_property
    def submissions(self) -> pd.DataFrame:
        """The run's readable submissions with year, kind and order of submission."""
        s = self.tables["submissions"].astype({"occasion": object})
        out = s[["submission", "occasion", "mandate_period", "board_code", "sha256", "submitted_on", "file_modified", "source_file"]].copy()
        out["year"] = out["occasion"].str[:4].astype(int)
        out["kind"] = out["occasion"].str[5:]
        return out.reset_index(drop=True)

    @cached_property
    def budgets(self) -> pd.DataFrame:
        """Contributions planned in a board budget: this run's budget submissions and the
        earlier ingested ones. Per (period, board, year) only the latest submission
        counts as *the* budget; all count as planned. Columns: mandate_period,
        board_code, occasion, year, submission, contribution_id, goal_code, latest."""
        if self.whole is not None:
            return self.whole.budgets
        cols = ["mandate_period", "board_code", "occasion", "submission", "contribution_id", "goal_code"]
        run = self.tables["contributions"]
        run = run[run["occasion"].astype(str).str.endswith("-budget")][cols].astype(object)
        known = self.known.assign(submission=file_key(self.known)).reindex(columns=cols).astype(object)
        frame = pd.concat([f for f in (known, run) if not f.empty], ignore_index=True) if len(known) or len(run) else pd.DataFrame(columns=cols)
        frame = frame[frame["contribution_id"].notna()].copy()
        frame["year"] = frame["occasion"].astype(str).str[:4].astype(int)
        subs = self.submissions
        order = in_submission_order(subs[subs["kind"] == "budget"], ["mandate_period", "board_code", "year"])
        superseded = set(order[order.duplicated(["mandate_period", "board_code", "year"], keep="last")]["submission"])
        frame["latest"] = ~frame["submission"].isin(superseded)
        return frame.reset_index(drop=True)

    @cached_property
    def own_contributions(self) -> set[str]:
        c = self.tables["contributions"]
        return set(key(c["submission"], c["contribution_id"]).dropna())

    @cached_property
    def own_follow_ups(self) -> set[str]:
        f = self.tables["follow_ups"]
        return set(key(f["submission"], f["contribution_id"]).dropna())

    @cached_property
    def planned_from(self) -> dict[str, int]:
        """period<SEP>board<SEP>contribution -> first budget year it is planned in."""
        b = self.budgets
        if b.empty:
            return {}
        first = b.groupby(["mandate_period", "board_code", "contribution_id"], sort=False)["year"].min()
        return {KEY_SEPARATOR.join(map(str, k)): int(v) for k, v in first.items()}

    @cached_property
    def first_budget_year(self) -> dict[str, int]:
        """period<SEP>board -> first year a budget of the board is known."""
        b = self.budgets
        if b.empty:
            return {}
        return {f"{p}{KEY_SEPARATOR}{bd}": int(y) for (p, bd), y in b.groupby(["mandate_period", "board_code"])["year"].min().items()}

    @cached_property
    def assignment_answers(self) -> dict[str, pd.DataFrame]:
        """Per mandate period, every board's answers on council assignments the run knows:
        those ingested earlier and, per board and occasion of the run, its latest
        submission's (occasion, board_code, assignment_id, status)."""
        if self.whole is not None:
            return self.whole.assignment_answers
        run = self.tables["assignment_follow_ups"]
        subs = self.submissions
        latest = set(in_submission_order(subs, ["occasion", "board_code"]).groupby(["occasion", "board_code"]).tail(1)["submission"])
        run = run[run["submission"].isin(latest)]
        cols = [*ANSWER_COLUMNS, "mandate_period"]
        frames = [f.reindex(columns=cols).astype(object) for f in (self.known_assignments, run) if len(f)]
        both = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
        return {p: both[both["mandate_period"] == p][ANSWER_COLUMNS].reset_index(drop=True) for p in self.catalogues}

    @cached_property
    def assignment_given(self) -> dict[str, int]:
        """period<SEP>board<SEP>assignment -> the budget year it was given, for each responsible board."""
        out = {}
        for p, c in self.catalogues.items():
            given = dict(zip(c.assignments["assignment_id"], c.assignments["given_year"]))
            for a, b in zip(c.assignment_boards["assignment_id"], c.assignment_boards["board_code"]):
                out[KEY_SEPARATOR.join((p, b, a))] = int(given[a])
        return out

    @cached_property
    def assignment_texts(self) -> dict[str, str]:
        return {f"{p}{KEY_SEPARATOR}{a}": t for p, c in self.catalogues.items() for a, t in c.assignment_texts.items()}

    def next_free_row(self, table: str) -> dict[str, int]:
        """submission -> the first row after the submission's rows in the table's sheet."""
        t = self.tables[table]
        rows = pd.to_numeric(t["excel_row"]).groupby(t["submission"]).max() if len(t) else pd.Series(dtype=int)
        return {sub: int(r) + 1 for sub, r in rows.items()}


def _year(frame: pd.DataFrame) -> pd.Series:
    return frame["occasion"].astype(str).str[:4].astype(int)


def _kind(frame: pd.DataFrame) -> pd.Series:
    return frame["occasion"].astype(str).str[5:]


# --- derived tables: what must exist but may be missing ----------------------------------

PROVENANCE_COLUMNS = ["submission", "occasion", "mandate_period", "board_code", "source_file", "sha256", "sheet", "excel_row"]


def expected_follow_ups(ctx: RuleContext) -> pd.DataFrame:
    """One row per contribution a follow-up submission must follow up: the contributions
    of the board's latest budget of that year or earlier in the period, and those listed
    in the submission's own contributions sheet. `followed` says whether it is."""
    subs = ctx.submissions[ctx.submissions["kind"] != "budget"]
    columns = [*PROVENANCE_COLUMNS, "contribution_id", "planned_in", "followed"]
    if subs.empty:
        return pd.DataFrame(columns=columns)
    budgets = ctx.budgets[ctx.budgets["latest"]]
    pairs = subs.merge(budgets[["mandate_period", "board_code", "year", "occasion", "contribution_id"]]
                       .rename(columns={"year": "budget_year", "occasion": "budget_occasion"}),
                       on=["mandate_period", "board_code"], how="inner")
    pairs = pairs[pairs["budget_year"] <= pairs["year"]]
    if not pairs.empty:
        last = pairs.groupby("submission")["budget_year"].transform("max")
        pairs = pairs[pairs["budget_year"] == last]
        planned_in = [f"planerat i {ctx.submission_label(o, p, b)}"
                      for o, p, b in zip(pairs["budget_occasion"], pairs["mandate_period"], pairs["board_code"])]
        pairs = pairs.assign(planned_in=planned_in)
    own = ctx.tables["contributions"][["submission", "contribution_id"]].dropna()
    own = own.merge(subs, on="submission").assign(planned_in=f"finns i fliken {CONTRIBUTIONS_SHEET}")
    keep = ["submission", "occasion", "mandate_period", "board_code", "source_file", "sha256", "contribution_id", "planned_in"]
    parts = [f[keep] for f in (pairs, own) if not f.empty]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True).drop_duplicates(["submission", "contribution_id"]).reset_index(drop=True)
    frame["sheet"] = FOLLOW_UPS_SHEET
    frame["excel_row"] = frame["submission"].map(ctx.next_free_row("follow_ups")).fillna(FIRST_DATA_ROW).astype(int)
    frame["followed"] = key(frame["submission"], frame["contribution_id"]).isin(ctx.own_follow_ups)
    return frame[columns]


def expected_themes(ctx: RuleContext) -> pd.DataFrame:
    """One row per human-rights theme each submission must state: for every contribution
    (in a budget: those of the contributions sheet; in a follow-up: those followed up)
    and for the base mission. `present` says whether a row for it exists."""
    columns = [*PROVENANCE_COLUMNS, "scope", "contribution_id", "theme", "present"]
    subs = ctx.submissions
    if subs.empty:
        return pd.DataFrame(columns=columns)
    budget = set(subs.loc[subs["kind"] == "budget", "submission"])
    c, f = ctx.tables["contributions"], ctx.tables["follow_ups"]
    ids = pd.concat([c.loc[c["submission"].isin(budget), ["submission", "contribution_id"]],
                     f.loc[~f["submission"].isin(budget), ["submission", "contribution_id"]]], ignore_index=True)
    ids = ids.dropna().drop_duplicates().assign(scope="contribution")
    base = subs[["submission"]].assign(contribution_id=BASE_MISSION, scope="base_mission")
    need = pd.concat([ids, base], ignore_index=True).merge(
        subs[["submission", "occasion", "mandate_period", "board_code", "source_file", "sha256"]], on="submission")
    themes = pd.DataFrame([(p, t) for p, cat in ctx.catalogues.items() for t in cat.scales["theme"].codes],
                          columns=["mandate_period", "theme"])
    need = need.merge(themes, on="mandate_period")
    hr = ctx.tables["human_rights"]
    hr_id = hr["contribution_id"].where(hr["scope"] == "contribution", BASE_MISSION)
    have = set(key(hr["submission"], hr["scope"], hr_id, hr["theme"]).dropna())
    need["present"] = key(need["submission"], need["scope"], need["contribution_id"], need["theme"]).isin(have)
    need["sheet"] = HUMAN_RIGHTS_SHEET
    need["excel_row"] = need["submission"].map(ctx.next_free_row("human_rights")).fillna(FIRST_DATA_ROW).astype(int)
    return need[columns].reset_index(drop=True)


def expected_assignments(ctx: RuleContext) -> pd.DataFrame:
    """One row per council assignment each submission must report on (active for the
    board at the occasion, analysis.assignments, from the answers the run knows of earlier
    occasions). `present` says whether the submission's sheet KF-uppdrag has a row for it."""
    columns = [*PROVENANCE_COLUMNS, "assignment_id", "present"]
    subs = ctx.submissions
    rows = []
    active: dict[tuple[str, str], dict[str, list[str]]] = {}  # (period, occasion) -> board -> assignments, made once
    for sub in subs.itertuples(index=False):
        catalogue = ctx.catalogues.get(sub.mandate_period)
        if catalogue is None or catalogue.assignments.empty:
            continue
        at = (sub.mandate_period, sub.occasion)
        if at not in active:
            active[at] = {}
            for board, assignment, _ in active_pairs(catalogue, Occasion.parse(sub.occasion),
                                                     ctx.assignment_answers[sub.mandate_period]):
                active[at].setdefault(board, []).append(assignment)
        for assignment in active[at].get(sub.board_code, ()):
            rows.append((sub.submission, sub.occasion, sub.mandate_period, sub.board_code, sub.source_file, sub.sha256,
                         assignment))
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["submission", "occasion", "mandate_period", "board_code", "source_file", "sha256",
                                        "assignment_id"])
    a = ctx.tables["assignment_follow_ups"]
    have = set(key(a["submission"], a["assignment_id"]).dropna())
    frame["present"] = key(frame["submission"], frame["assignment_id"]).isin(have)
    frame["sheet"] = ASSIGNMENTS_SHEET
    frame["excel_row"] = frame["submission"].map(ctx.next_free_row("assignment_follow_ups")).fillna(FIRST_DATA_ROW).astype(int)
    return frame[columns]


DERIVED_TABLES: dict[str, Callable[[RuleContext], pd.DataFrame]] = {
    "expected_follow_ups": expected_follow_ups,
    "expected_themes": expected_themes,
    "expected_assignments": expected_assignments,
}


# --- derivations (pandas) for rules one column cannot express ---------------------------


# Answers a budget may still leave open (`mr_ej_ifyllt_budget`): required at the follow-ups.
OPEN_IN_BUDGET = ("consideration",)


def _present(frame, field, ctx):
    """Filled in; a base-mission row of the human-rights sheet needs no contribution id,
    and in a budget how a theme is considered may still be open (`mr_ej_ifyllt_budget`)."""
    ok = frame[field].notna()
    if "scope" in frame.columns and field == "contribution_id":
        ok |= frame["scope"] == "base_mission"
    if field in OPEN_IN_BUDGET:
        ok |= _kind(frame) == "budget"
    return ok


def _code_key(frame, field, ctx):
    scale = FIELDS[field].scale
    labels = {p: ", ".join(c.scales[scale].labels) for p, c in ctx.catalogues.items()}
    return pd.DataFrame({"check": key(frame["mandate_period"], frame[field]),
                         "allowed": frame["mandate_period"].map(labels)})


def _code_values(ctx, table, field):
    scale = FIELDS[field].scale
    return sorted(f"{p}{KEY_SEPARATOR}{code}" for p, c in ctx.catalogues.items() for code in c.scales[scale].codes)


def _goal_key(frame, field, ctx):
    return key(frame["mandate_period"], frame[field])


def _goal_values(ctx, table, field):
    return sorted(ctx.goal_names)


def _goal_assigned(frame, field, ctx):
    goal = key(frame["mandate_period"], frame[field])
    known = goal.isin(ctx.goal_names.keys())
    assigned = key(frame["mandate_period"], frame["board_code"], frame[field]).isin(ctx.responsibilities)
    return pd.DataFrame({
        "check": ~known | assigned,
        "goal_name": goal.map(ctx.goal_names),
        "board_name": key(frame["mandate_period"], frame["board_code"]).map(ctx.board_names),
    })


def _per_submission(frame, field, ctx):
    return key(frame["submission"], frame[field])


def _partners_known(frame, field, ctx):
    boards = {p: set(c.boards["board_code"]) for p, c in ctx.catalogues.items()}
    unknown = [
        ", ".join(code for code in str(v).split(", ") if code not in boards.get(p, set())) if v is not None and v == v else ""
        for p, v in zip(frame["mandate_period"], frame[field])
    ]
    unknown = pd.Series(unknown, index=frame.index, dtype=object)
    return pd.DataFrame({"check": unknown == "", "unknown": unknown})


def _partners_responsible(frame, field, ctx):
    """Every partner the catalogue knows is responsible for the contribution's goal (an
    unknown partner or goal, or a goal the board itself is not responsible for, has its
    own finding)."""
    boards = {p: set(c.boards["board_code"]) for p, c in ctx.catalogues.items()}
    goals = {p: set(c.goals["goal_code"]) for p, c in ctx.catalogues.items()}
    others = []
    for p, b, g, v in zip(frame["mandate_period"], frame["board_code"], frame["goal_code"], frame[field]):
        if v is None or v != v or g not in goals.get(p, set()) or KEY_SEPARATOR.join((p, b, g)) not in ctx.responsibilities:
            others.append("")
            continue
        named = [code for code in str(v).split(", ") if code in boards.get(p, set()) and code != b]
        others.append(", ".join(code for code in named if KEY_SEPARATOR.join((p, code, g)) not in ctx.responsibilities))
    others = pd.Series(others, index=frame.index, dtype=object)
    return pd.DataFrame({"check": others == "", "others": others,
                         "goal_name": key(frame["mandate_period"], frame["goal_code"]).map(ctx.goal_names)})


def _assignment_text(frame, ctx) -> pd.Series:
    return key(frame["mandate_period"], frame["assignment_id"]).map(ctx.assignment_texts)


def _assignment_answered(frame, field, ctx):
    """On the derived table: a row for the assignment exists; on the sheet: its status is given."""
    check = frame["present"] if "present" in frame.columns else frame[field].notna() | frame["assignment_id"].isna()
    return pd.DataFrame({"check": check, "assignment_text": _assignment_text(frame, ctx)})


def _assignment_known(frame, field, ctx):
    """The board is responsible for the assignment, given in that year's budget or earlier."""
    given = key(frame["mandate_period"], frame["board_code"], frame[field]).map(ctx.assignment_given)
    ok = frame[field].isna() | (given.notna() & (given.astype(float) <= _year(frame)))
    return pd.DataFrame({"check": ok, "board_name": key(frame["mandate_period"], frame["board_code"]).map(ctx.board_names)})


def _assignment_not_reopened(frame, field, ctx):
    """An assignment the board reported finished at an earlier occasion is not under way again."""
    earlier = {}
    for p, c in ctx.catalogues.items():
        answers = ctx.assignment_answers[p]
        for o in {Occasion.parse(str(o)) for o, pp in zip(frame["occasion"], frame["mandate_period"]) if pp == p}:
            for (b, a), when in finished_at(answers, c, o).items():
                earlier[KEY_SEPARATOR.join((p, o.code, b, a))] = when
    when = key(frame["mandate_period"], frame["occasion"], frame["board_code"], frame["assignment_id"]).map(earlier)
    reopened = when.notna() & frame[field].notna() & ~frame[field].isin(list(FINISHED_STATUSES))
    label = [ctx.submission_label(o, p, b) if isinstance(o, str) else "" for o, p, b in
             zip(when, frame["mandate_period"], frame["board_code"])]
    return pd.DataFrame({"check": ~reopened, "finished_in": pd.Series(label, index=frame.index, dtype=object)})


def _assignment_explained(frame, field, ctx):
    return (frame["status"] != DISCONTINUED) | frame[field].notna()


def _assignment_in_time(frame, field, ctx):
    due = {f"{p}{KEY_SEPARATOR}{a}": d for p, c in ctx.catalogues.items()
           for a, d in zip(c.assignments["assignment_id"], c.assignments["due_year"])}
    dues = key(frame["mandate_period"], frame["assignment_id"]).map(due)
    late = [isinstance(s, str) and s in ctx.catalogues[p].scales["assignment_status"].codes
            and is_overdue(d, Occasion.parse(o), s) if p in ctx.catalogues else False
            for o, p, d, s in zip(frame["occasion"], frame["mandate_period"], dues, frame[field])]
    return pd.DataFrame({"check": ~pd.Series(late, index=frame.index, dtype=bool),
                         "due_year": dues.map(lambda d: "" if d is None or pd.isna(d) else str(int(d)))})


def _is_year(frame, field, ctx):
    text = frame[field].astype(object)
    return text.isna() | text.map(lambda v: isinstance(v, str) and re.fullmatch(r"(19|20|21)\d\d", v) is not None)


def _follow_up_planning(frame: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """For each follow-up row: whether its contribution is in the submission's own
    contributions sheet, planned in a budget up to that year, and whether any budget of
    the board up to that year is known at all."""
    year = _year(frame)
    own = key(frame["submission"], frame["contribution_id"]).isin(ctx.own_contributions)
    first = key(frame["mandate_period"], frame["board_code"], frame["contribution_id"]).map(ctx.planned_from)
    planned = first.notna() & (first.astype(float) <= year)
    budget_year = key(frame["mandate_period"], frame["board_code"]).map(ctx.first_budget_year)
    any_budget = budget_year.notna() & (budget_year.astype(float) <= year)
    return pd.DataFrame({"own": own, "planned": planned, "any_budget": any_budget, "year": year})


def _follow_up_known(frame, field, ctx):
    p = _follow_up_planning(frame, ctx)
    return frame["contribution_id"].isna() | p["own"] | p["planned"]


def _follow_up_planned(frame, field, ctx):
    p = _follow_up_planning(frame, ctx)
    return pd.DataFrame({"check": frame["contribution_id"].isna() | ~p["own"] | p["planned"] | ~p["any_budget"],
                         "year": p["year"]})


def _follow_up_same_goal(frame, field, ctx):
    """The goal of the follow-up against the goal the contribution has in the
    submission's own contributions sheet, or else in the latest budget that has it."""
    c = ctx.tables["contributions"]
    own = dict(zip(key(c["submission"], c["contribution_id"]), c["goal_code"]))
    b = ctx.budgets.sort_values("year")
    b = b.assign(_k=key(b["mandate_period"], b["board_code"], b["contribution_id"]))
    budget_goal = dict(zip(b["_k"], b["goal_code"]))  # later years overwrite earlier ones
    planned = key(frame["submission"], frame["contribution_id"]).map(own)
    fallback = key(frame["mandate_period"], frame["board_code"], frame["contribution_id"]).map(budget_goal)
    planned = planned.where(planned.notna(), fallback)
    check = frame[field].isna() | planned.isna() | (frame[field] == planned)
    return pd.DataFrame({"check": check, "planned_goal": planned})


def _reached_given(frame, field, ctx):
    """The catalogue's period end asks whether the desired movement has been reached."""
    ends = {p: c.period_end_occasion.code for p, c in ctx.catalogues.items()}
    period_end = frame["occasion"].astype(object) == frame["mandate_period"].map(ends)
    return ~period_end | frame[field].notna()


def _hr_subject(frame) -> pd.Series:
    return pd.Series(np.where(frame["scope"] == "base_mission", "grunduppdraget",
                              "bidraget '" + frame["contribution_id"].astype(object).fillna("").map(str) + "'"),
                     index=frame.index, dtype=object)


def _theme_label(frame, ctx) -> pd.Series:
    return key(frame["mandate_period"], frame["theme"]).map(ctx.scale_labels("theme"))


def _theme_present(scope: str):
    """A follow-up must say how every theme was considered (in a budget, see `_theme_open_in_budget`)."""
    def derive(frame, field, ctx):
        return pd.DataFrame({"check": frame["present"] | (frame["scope"] != scope) | (_kind(frame) == "budget"),
                             "theme_label": _theme_label(frame, ctx)})
    return derive


def _theme_open_in_budget(frame, field, ctx):
    """In a budget a theme not yet considered is flagged, not rejected: the structure asks
    for the human-rights themes in the follow-up. On the derived table, a missing row; on
    the sheet, a row without its answer."""
    open_ = ~frame["present"] if "present" in frame.columns else frame[field].isna()
    return pd.DataFrame({"check": ~open_ | (_kind(frame) != "budget"), "theme_label": _theme_label(frame, ctx),
                         "subject": _hr_subject(frame)})


def _hr_unique(frame, field, ctx):
    return pd.DataFrame({"check": key(frame["submission"], frame["scope"], frame["contribution_id"].where(frame["scope"] == "contribution", BASE_MISSION), frame[field]),
                         "subject": _hr_subject(frame)})


def _hr_contribution_known(frame, field, ctx):
    k = key(frame["submission"], frame["contribution_id"])
    return frame["contribution_id"].isna() | k.isin(ctx.own_contributions) | k.isin(ctx.own_follow_ups)


def _not_considered_explained(frame, field, ctx):
    return pd.DataFrame({"check": (frame["consideration"] != "not_considered") | frame[field].notna(),
                         "theme_label": _theme_label(frame, ctx), "subject": _hr_subject(frame)})


def _number_pattern(ctx, table, field):
    return INTEGER if FIELDS[field].kind == "int" else NUMBER


def _years(frame, field, ctx):
    def number(col):
        text = frame[col].astype(object)
        ok = text.map(lambda v: isinstance(v, str) and re.match(INTEGER, v) is not None)
        return pd.to_numeric(text.where(ok, None), errors="coerce").astype("float64")

    return pd.DataFrame({"a": number("value_year"), "b": number("baseline_year")})


def _deadline_kept(frame, field, ctx):
    deadlines = {o: ctx.catalogues[p].deadline(Occasion.parse(o)) for o, p in
                 frame[["occasion", "mandate_period"]].drop_duplicates().itertuples(index=False) if p in ctx.catalogues}
    deadline = frame["occasion"].map(deadlines)
    submitted = real_dates(frame[field])
    late = submitted.notna() & (submitted > pd.to_datetime(deadline))
    return pd.DataFrame({"check": ~late, "deadline": deadline.map(lambda d: d.isoformat() if d is not None else "")})


def _is_date(frame, field, ctx):
    return real_dates(frame[field]).notna() | frame[field].isna()


def _template_periods(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    """The mandate period of the template each submission was filled in on: the one its
    details sheet names ('2023-2026'; an en dash or spaces do not matter), or else the one
    its declared occasion belongs to; None when neither says."""
    out = []
    for declared, occasion in zip(frame["declared_mandate_period"], frame["declared_occasion"]):
        text = re.sub(r"\s+", "", str(declared)).replace("–", "-") if isinstance(declared, str) else ""
        if not text:
            try:
                o = Occasion.parse(str(occasion))
                text = next((p for p, c in ctx.catalogues.items() if c.covers(o)), "")
            except UsageError:
                text = ""
        out.append(text or None)
    return pd.Series(out, index=frame.index, dtype=object)


def _same_period(frame, field, ctx):
    """The template's mandate period is the one of the occasion the file is submitted for."""
    template = _template_periods(frame, ctx)
    ok = template.isna() | (template == frame["mandate_period"].astype(object))

    def span(period: object) -> str:
        return str(period).replace("-", "–") if isinstance(period, str) else ""

    def label(occasion: object, period: object, board: object) -> str:
        try:
            return f"mallen för {ctx.submission_label(Occasion.parse(str(occasion)).code, period, board)}"
        except UsageError:
            return "en mall"

    labels = [label(o, p, b) for o, p, b in zip(frame["declared_occasion"], template, frame["board_code"])]
    return pd.DataFrame({"check": ok, "template_span": template.map(span),
                         "period_span": frame["mandate_period"].astype(object).map(span),
                         "template_label": pd.Series(labels, index=frame.index, dtype=object)})


def _same_occasion(frame, field, ctx):
    """The declared occasion is the folder's; when the template is another period's, the
    rule fel_mandatperiod says so instead (one message that names both periods)."""
    return (frame[field] == frame["occasion"]) | ~_same_period(frame, field, ctx)["check"].astype(bool)


def on(table: str, *fields: str) -> tuple[tuple[str, str], ...]:
    return tuple((table, f) for f in fields)


SCALE_FIELDS = (
    *on("follow_ups", "movement", "outlook", "reached", "evidence_type"),
    *on("human_rights", "theme", "consideration"),
    *on("indicators", "direction"),
    *on("assignment_follow_ups", "status"),
)

# --- the rules -------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    # The submission as a whole (details sheet).
    Rule("fel_mandatperiod", ERROR, "Arbetsboken är en mall för en annan mandatperiod än tillfället den lämnats in för.",
         "Arbetsboken är {template_label}, mandatperioden {template_span}, men den har lämnats in för {occasion_label}, "
         "som hör till mandatperioden {period_span}. KF-målen skiljer sig mellan perioderna: hämta mallen för "
         "{occasion_label} ({period_span}) och för över uppgifterna.",
         on("submissions", "declared_mandate_period"), Expect("true"), _same_period),
    Rule("fel_tillfalle", ERROR, "Rapporteringstillfället i fliken Uppgifter stämmer inte med mappen filen lämnats in i.",
         "Rapporteringstillfället '{value}' stämmer inte med {occasion_label} ({occasion}), som filen har lämnats in för. "
         "Använd mallen för {occasion_label}.",
         on("submissions", "declared_occasion"), Expect("true"), _same_occasion),
    Rule("mallversion", ERROR, "Mallversionen stöds inte.",
         "Mallversion '{value}' stöds inte (stöds: " + ", ".join(SUPPORTED_TEMPLATE_VERSIONS) + "). "
         "Hämta den aktuella mallen från stadskontoret och för över uppgifterna.",
         on("submissions", "template_version"), Expect("in_set", {"value_set": list(SUPPORTED_TEMPLATE_VERSIONS)})),
    Rule("datum_ej_datum", WARNING, "Inlämningsdatumet är inte ett datum; inlämningarnas ordning bestäms av filernas ändringstid.",
         "Inlämningsdatumet '{value}' är inte ett datum. Skriv det som ÅÅÅÅ-MM-DD. Till dess bestäms ordningen mellan "
         "nämndens inlämningar av filernas ändringstid (den här filen: {file_modified}).",
         on("submissions", "submitted_on"), Expect("true"), _is_date),
    Rule("sen_inlamning", WARNING, "Inlämningsdatumet är efter sista dag för tillfället.",
         "Inlämningsdatumet {value} är efter sista dag för {occasion_label} ({deadline}).",
         on("submissions", "submitted_on"), Expect("true"), _deadline_kept),
    # Required answers and codes.
    Rule("obligatorisk_uppgift", ERROR, "En obligatorisk uppgift saknas.",
         "Uppgiften '{header}' saknas. Fyll i den.",
         (*on("contributions", *(f.key for f in CONTRIBUTION_FIELDS if f.required)),
          *on("follow_ups", "contribution_id", "goal_code"),
          *on("human_rights", "contribution_id", "theme", "consideration"),
          *on("indicators", "contribution_id", "indicator", "direction"),
          *on("assignment_follow_ups", "assignment_id")),
         Expect("true"), _present),
    Rule("ogiltig_kod", ERROR, "Ett kodat svar finns inte på svarsskalan.",
         "'{value}' är inget giltigt värde i kolumnen '{header}'. Välj ett av: {allowed}.",
         SCALE_FIELDS, Expect("in_set", {"value_set": _code_values}), _code_key),
    # Contributions and goals.
    Rule("okant_kf_mal", ERROR, "KF-målet finns inte i målkatalogen för mandatperioden.",
         "KF-målet '{value}' finns inte i målkatalogen för {mandate_period}. Välj ett mål i listan.",
         on("contributions", "goal_code") + on("follow_ups", "goal_code"),
         Expect("in_set", {"value_set": _goal_values}), _goal_key),
    Rule("mal_ej_ansvar", ERROR, "Nämnden/bolaget är inte ansvarig för KF-målet under mandatperioden.",
         "{board_name} är inte ansvarig för KF-mål {value} ({goal_name}) under {mandate_period}. "
         "Välj ett av nämndens/bolagets mål i listan.",
         on("contributions", "goal_code") + on("follow_ups", "goal_code"), Expect("true"), _goal_assigned),
    Rule("dubblett_bidrag_id", ERROR, "Samma bidrags-id på flera rader i fliken Bidrag.",
         "Bidrags-id '{value}' förekommer på flera rader i fliken {sheet}. Varje bidrag ska ha ett eget id "
         "som behålls hela mandatperioden.",
         on("contributions", "contribution_id"), Expect("unique"), _per_submission),
    Rule("okand_samverkanspart", WARNING, "En samverkanspart finns inte bland målkatalogens nämnder och bolag.",
         "Samverkansparten {unknown} finns inte bland målkatalogens nämnder och bolag. Ange deras koder, t.ex. GRN, TN.",
         on("contributions", "partner_boards"), Expect("true"), _partners_known),
    Rule("samverkanspart_ej_ansvarig", WARNING, "En samverkanspart är inte ansvarig för bidragets KF-mål.",
         "Samverkansparten {others} är inte ansvarig för KF-mål {goal_code} ({goal_name}) under {mandate_period}. "
         "Kontrollera koden; samverkan följs upp per KF-mål, och parten rapporterar bara mål den ansvarar för.",
         on("contributions", "partner_boards"), Expect("true"), _partners_responsible),
    # Follow-ups against the plan.
    Rule("dubblett_uppfoljning", ERROR, "Samma bidrag följs upp på flera rader.",
         "Bidraget '{value}' följs upp på flera rader. Följ upp varje bidrag på en rad.",
         on("follow_ups", "contribution_id"), Expect("unique"), _per_submission),
    Rule("uppfoljning_okant_bidrag", ERROR, "Uppföljningen avser ett bidrag som nämnden/bolaget inte har planerat.",
         "Bidraget '{value}' finns varken i någon av nämndens/bolagets budgetar för {mandate_period} eller i fliken "
         "Bidrag. Kontrollera bidrags-id:t; uppföljningen kan inte kopplas till ett bidrag.",
         on("follow_ups", "contribution_id"), Expect("true"), _follow_up_known),
    Rule("uppfoljning_ej_planerad", WARNING, "Det uppföljda bidraget finns inte i någon nämnds- eller bolagsbudget för året eller tidigare.",
         "Bidraget '{value}' följs upp men finns inte i någon av nämndens/bolagets budgetar för {year} eller tidigare under "
         "mandatperioden. Kontrollera bidrags-id:t, eller ta med bidraget i nästa budget.",
         on("follow_ups", "contribution_id"), Expect("true"), _follow_up_planned),
    Rule("uppfoljning_annat_mal", WARNING, "Uppföljningen anger ett annat KF-mål än bidraget planerades mot.",
         "Uppföljningen anger KF-mål {value}, men bidraget '{contribution_id}' är planerat mot KF-mål {planned_goal}. "
         "Ett bidrag behåller sitt mål hela mandatperioden; kontrollera målet.",
         on("follow_ups", "goal_code"), Expect("true"), _follow_up_same_goal),
    Rule("uppfoljning_saknas", ERROR, "Ett planerat bidrag följs inte upp.",
         "Bidraget '{value}' ({planned_in}) följs inte upp. Lägg till en rad för bidraget i fliken {sheet} "
         "med bedömning, analys och underlag.",
         on("expected_follow_ups", "contribution_id"), Expect("true"), lambda frame, field, ctx: frame["followed"]),
    Rule("saknas_bedomning", ERROR, "Bedömning av förflyttningen saknas.",
         "'{header}' saknas för bidraget '{contribution_id}'. Välj ett värde i listan.",
         on("follow_ups", "movement", "outlook"), Expect("not_null")),
    Rule("saknas_mandatperiodsanalys", ERROR, "Vid mandatperiodsanalysen saknas bedömningen om förflyttningen har nåtts.",
         "Mandatperiodsanalys saknas för bidraget '{contribution_id}': ange om önskad förflyttning har nåtts under mandatperioden.",
         on("follow_ups", "reached"), Expect("true"), _reached_given),
    Rule("saknas_analys", ERROR, "Analystext saknas.",
         "Analys saknas för bidraget '{contribution_id}'. Beskriv vad som har gjorts, vad det har lett till och varför.",
         on("follow_ups", "analysis"), Expect("not_null")),
    Rule("kort_analys", WARNING, f"Analysen är kortare än {MIN_ANALYSIS_CHARS} tecken.",
         "Analysen för bidraget '{contribution_id}' är mycket kort ({value_length} tecken). Beskriv vad som har gjorts, "
         "vad det har lett till och varför.",
         on("follow_ups", "analysis"), Expect("min_length", {"min_value": MIN_ANALYSIS_CHARS})),
    Rule("saknas_underlag", ERROR, "Underlaget för bedömningen saknas.",
         "'{header}' saknas för bidraget '{contribution_id}'. Ange vilket kvantitativt och/eller kvalitativt underlag "
         "bedömningen bygger på.",
         on("follow_ups", "evidence_type", "evidence"), Expect("not_null")),
    # Human rights.
    Rule("mr_tema_saknas", ERROR, "Ett tema för mänskliga rättigheter saknas för ett bidrag i uppföljningen.",
         "Temat {theme_label} saknas för bidraget '{value}'. Lägg till en rad i fliken {sheet} och ange hur temat har beaktats.",
         on("expected_themes", "contribution_id"), Expect("true"), _theme_present("contribution")),
    Rule("mr_grunduppdrag_saknas", ERROR, "Ett tema för mänskliga rättigheter saknas för grunduppdraget i uppföljningen.",
         "Temat {theme_label} saknas för grunduppdraget. Lägg till en rad med '{value}' i fliken {sheet} och ange hur "
         "temat har beaktats.",
         on("expected_themes", "contribution_id"), Expect("true"), _theme_present("base_mission")),
    Rule("mr_ej_ifyllt_budget", WARNING, "I budgeten är ett tema för mänskliga rättigheter ännu inte ifyllt.",
         "Temat {theme_label} är ännu inte ifyllt för {subject}. I budgeten går det bra; i delårsrapporten och "
         "årsanalysen ska det anges hur temat har beaktats.",
         (*on("expected_themes", "contribution_id"), *on("human_rights", "consideration")), Expect("true"),
         _theme_open_in_budget),
    Rule("mr_dubblett", WARNING, "Samma tema anges flera gånger för ett bidrag eller grunduppdraget.",
         "Temat {value} anges på flera rader för {subject}. Ange varje tema en gång.",
         on("human_rights", "theme"), Expect("unique"), _hr_unique),
    Rule("mr_okant_bidrag", WARNING, "Raden om mänskliga rättigheter avser ett bidrags-id som inte finns i inlämningen.",
         "Bidrags-id '{value}' finns varken i fliken Bidrag eller i fliken Uppföljning i denna inlämning. Kontrollera id:t.",
         on("human_rights", "contribution_id"), Expect("true"), _hr_contribution_known),
    Rule("mr_ej_beaktat_utan_kommentar", WARNING, "Ett tema är markerat som inte beaktat utan beskrivning.",
         "Temat {theme_label} är markerat som inte beaktat för {subject}, utan beskrivning. Förklara varför i kolumnen '{header}'.",
         on("human_rights", "comment"), Expect("true"), _not_considered_explained),
    # Council assignments (KF-uppdrag).
    Rule("uppdrag_obesvarat", WARNING, "Ett aktivt KF-uppdrag är inte besvarat.",
         "KF-uppdraget {assignment_id} ({assignment_text}) är inte besvarat. Ange status, när uppdraget förväntas vara "
         "klart och en kort kommentar i fliken {sheet}.",
         (*on("expected_assignments", "assignment_id"), *on("assignment_follow_ups", "status")), Expect("true"),
         _assignment_answered),
    Rule("uppdrag_okant", ERROR, "KF-uppdraget finns inte bland nämndens/bolagets uppdrag i målkatalogen.",
         "KF-uppdraget '{value}' finns inte bland {board_name}s uppdrag i målkatalogen för {mandate_period} (givna i "
         "budgeten för året eller tidigare). Kontrollera uppdrags-id:t.",
         on("assignment_follow_ups", "assignment_id"), Expect("true"), _assignment_known),
    Rule("dubblett_uppdrag", ERROR, "Samma KF-uppdrag på flera rader.",
         "KF-uppdraget '{value}' finns på flera rader i fliken {sheet}. Besvara varje uppdrag på en rad.",
         on("assignment_follow_ups", "assignment_id"), Expect("unique"), _per_submission),
    Rule("uppdrag_ater_pagaende", WARNING, "Ett KF-uppdrag som rapporterats avslutat anges som inte avslutat.",
         "KF-uppdraget {assignment_id} rapporterades avslutat i {finished_in} men har nu status '{value}'. "
         "Kontrollera statusen; ett slutfört uppdrag går inte tillbaka till pågående.",
         on("assignment_follow_ups", "status"), Expect("true"), _assignment_not_reopened),
    Rule("uppdrag_avslutat_utan_text", ERROR, "Ett KF-uppdrag som avslutats utan att slutföras saknar förklaring.",
         "KF-uppdraget {assignment_id} är avslutat utan att slutföras men saknar kommentar. Förklara i kolumnen "
         "'{header}' varför uppdraget inte slutförs.",
         on("assignment_follow_ups", "comment"), Expect("true"), _assignment_explained),
    Rule("uppdrag_forsenat", WARNING, "Ett KF-uppdrag är inte slutfört fast året då det skulle vara klart har passerat.",
         "KF-uppdraget {assignment_id} skulle vara klart {due_year} men har status '{value}'. Beskriv i kommentaren "
         "varför det är försenat och när det förväntas vara klart.",
         on("assignment_follow_ups", "status"), Expect("true"), _assignment_in_time),
    Rule("uppdrag_ej_ar", WARNING, "När KF-uppdraget förväntas vara klart är inte ett årtal.",
         "'{value}' i kolumnen '{header}' är inte ett årtal. Skriv året då uppdraget förväntas vara klart, till exempel 2026.",
         on("assignment_follow_ups", "expected_completion"), Expect("true"), _is_year),
    # Indicators: optional, but checked when given. No indicator is ever required.
    Rule("ej_tal", ERROR, "En indikator har text där ett tal ska stå.",
         "'{value}' i kolumnen '{header}' är inte ett tal. Skriv bara siffror (t.ex. 1 234,5 eller 2024), utan enhet eller text.",
         on("indicators", "baseline_year", "value_year", "baseline_value", "value"), Expect("regex", {"regex": _number_pattern})),
    Rule("basar_efter_varde", ERROR, "Indikatorns basår är inte före värdets år.",
         "Basåret {baseline_year} är inte före året {value_year} för indikatorn '{indicator}'. Basåret ska vara ett tidigare år.",
         on("indicators", "baseline_year"), Expect("a_greater_than_b"), _years),
    Rule("indikator_ofullstandig", WARNING, "En angiven indikator saknar basår, basvärde, år eller värde.",
         "Indikatorn '{indicator}' saknar '{header}'. Indikatorer är frivilliga, men en angiven indikator behöver "
         "basår, basvärde, år och värde för att kunna användas.",
         on("indicators", "baseline_year", "baseline_value", "value_year", "value"), Expect("not_null")),
    Rule("indikator_okant_bidrag", WARNING, "Indikatorn hör till ett bidrags-id som inte finns i inlämningen.",
         "Indikatorn '{indicator}' hör till bidrags-id '{value}', som varken finns i fliken Bidrag eller i fliken "
         "Uppföljning i denna inlämning. Kontrollera id:t.",
         on("indicators", "contribution_id"), Expect("true"), _hr_contribution_known),
)



def is_missing_answer(rule: Rule) -> bool:
    """Whether the rule's finding is an answer left empty that rejects the submission."""
    return rule.severity == ERROR and (rule.expect.kind == "not_null" or rule.derive in (_present, _reached_given))


def required_answers(table: str, budget: bool) -> tuple[str, ...]:
    """The fields of a table whose cell, left empty in a row the board has used, rejects
    the submission (the workbook's check sheet counts the same cells before it is sent).
    A field asked only at the period end counts where its column is in the sheet."""
    fields: list[str] = []
    for rule in RULES:
        if is_missing_answer(rule):
            fields += [f for t, f in rule.where if t == table and f not in fields]
    return tuple(f for f in fields if not (budget and f in OPEN_IN_BUDGET))


RULE_WHAT: dict[str, str] = {**{r.id: r.what for r in READER_RULES}, **{r.id: r.what for r in RULES}}
RULE_SEVERITY: dict[str, str] = {**{r.id: r.severity for r in READER_RULES}, **{r.id: r.severity for r in RULES}}

# Submissions-table columns and the details-sheet field they were read from.
DETAILS_KEYS = {"declared_occasion": "occasion", "declared_mandate_period": "mandate_period"}
DETAILS_HEADERS = {f.key: f.header for f in DETAILS_FIELDS}
SHEET_ORDER = (DETAILS_SHEET, *DATA_SHEETS)


def header(sheet: str, field: str) -> str:
    """The column heading (or details label) the board sees for a field."""
    if sheet == DETAILS_SHEET:
        return DETAILS_HEADERS.get(DETAILS_KEYS.get(field, field), field)
    for f in DATA_SHEETS.get(sheet, ()):
        if f.key == field:
            return f.header
    return field
