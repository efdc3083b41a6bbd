"""Questions for the dialogue with the boards: where a board's own answers disagree with
each other, or with its own earlier answers, the city office asks. Each rule is described
once, as data: its id, a short Swedish label, one sentence that explains it to a board, the
Swedish question it asks (a template filled with the board's own words and values), the
occasions it applies to, the cells it rests on, and a pure function of the processed
tables (every occasion's rows, so a rule can look back) that finds where it applies.

These are not checks (analysis.checks.rules): a question never rejects or flags a
submission and never changes an assessment. They are kept apart from the checks for that
reason, and run on the accepted (current) submissions only.

The rules look only at what the boards wrote: the follow-ups' movement, outlook, reached
and analysis, the optional indicators, and the contributions sheet. A rule is tuned so
that its questions are few enough to be read: each fires only on a plain contradiction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import pandas as pd

from analysis.boards.layout import (
    CONTRIBUTION_FIELDS,
    CONTRIBUTIONS_SHEET,
    FIRST_DATA_ROW,
    FOLLOW_UPS_SHEET,
    INDICATOR_FIELDS,
    INDICATORS_SHEET,
    column_letter,
    follow_up_fields,
)
from analysis.catalogue import Catalogue
from analysis.checks.rules import MIN_ANALYSIS_CHARS
from analysis.occasion import Occasion
from analysis.tables.tally import accepted_rows, is_blank, plain, submission_status
from analysis.text import plain as plain_text
from analysis.vocabulary import number

MOVING = ("clear", "some")
STILL = ("none", "negative")  # no movement, or movement the wrong way
QUOTE_CHARS = 240  # a board's text quoted in a question is cut after this many characters

FOLLOW_UP_COLUMNS = ("contribution_id", "goal_code", "title", "movement", "outlook", "reached", "analysis",
                     "source_file", "sha256", "sheet", "excel_row")
CONTRIBUTION_COLUMNS = ("contribution_id", "goal_code", "title", "source_file", "sha256", "sheet", "excel_row")
INDICATOR_COLUMNS = ("contribution_id", "indicator", "unit", "direction", "baseline_year", "baseline_value", "value_year",
                     "value", "source_file", "sha256", "sheet", "excel_row")
SUBMISSION_COLUMNS = ("occasion", "board_code", "status", "source_file", "sha256")
CELL_COLUMNS = ("sha256", "sheet", "field", "cell")  # where each field of a workbook was found (analysis.intake.reuse)


@dataclass(frozen=True)
class SourceCell:
    """A cell (or a column's range of cells) a question rests on, in the file the board sent."""

    occasion: str
    source_file: str
    sheet: str
    cell: str

    def text(self) -> str:
        return f"{self.source_file}, flik {self.sheet}, cell {self.cell}"


@dataclass(frozen=True)
class Finding:
    """Where a rule applies: the board, goal and contribution, the values that fill the
    rule's question, and the cells it rests on (the occasion's own first). `subject` tells
    two findings of one rule on one contribution apart (an indicator's name)."""

    board_code: str
    goal_code: str
    contribution_id: str | None
    values: Mapping[str, object]
    cells: tuple[SourceCell, ...]
    subject: str | None = None


@dataclass(frozen=True)
class DialogueRule:
    """One rule. `kinds`: the occasion kinds it applies to (budget, delar, ar);
    `period_end`: True only at the period end, False never at it, None either way;
    `rests_on`: the (table, field) pairs whose cells it reads."""

    id: str
    label: str
    what: str
    question: str
    kinds: tuple[str, ...]
    period_end: bool | None
    rests_on: tuple[tuple[str, str], ...]
    find: Callable[["DialogueContext", Occasion], list[Finding]] = field(repr=False)

    def applies(self, catalogue: Catalogue, occasion: Occasion) -> bool:
        if occasion.kind not in self.kinds:
            return False
        return self.period_end is None or catalogue.is_period_end(occasion) == self.period_end


# --- context ---------------------------------------------------------------------------


def _records(frame: pd.DataFrame, sheet: str) -> list[dict]:
    """The rows as records, blanks as None; `sheet` where a hand-made table has none."""
    out = [{k: (None if is_blank(v) else v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    for rec in out:
        rec["sheet"] = rec["sheet"] or sheet
    return out


class DialogueContext:
    """The accepted rows of every occasion of the mandate period, indexed for the rules,
    with the scale labels and the cells every field was found in."""

    def __init__(self, catalogue: Catalogue, submissions: pd.DataFrame | None, contributions: pd.DataFrame | None,
                 follow_ups: pd.DataFrame | None, indicators: pd.DataFrame | None, cells: pd.DataFrame | None = None):
        self.catalogue = catalogue
        occasions = catalogue.occasions
        status = submission_status(submissions, catalogue, occasions)
        self.follow_ups = _records(accepted_rows(follow_ups, status, FOLLOW_UP_COLUMNS), FOLLOW_UPS_SHEET)
        self.contributions = _records(accepted_rows(contributions, status, CONTRIBUTION_COLUMNS), CONTRIBUTIONS_SHEET)
        self.indicators = _records(accepted_rows(indicators, status, INDICATOR_COLUMNS), INDICATORS_SHEET)
        subs = plain(submissions, SUBMISSION_COLUMNS)
        subs = subs[subs["status"] == "current"]
        self.files = {(o, b): (f, s) for o, b, f, s in zip(subs["occasion"], subs["board_code"], subs["source_file"], subs["sha256"])}
        self._follow = {(r["occasion"], r["board_code"], r["contribution_id"]): r for r in self.follow_ups}
        self._follow_at: dict[str, list[dict]] = {}
        for r in self.follow_ups:
            self._follow_at.setdefault(r["occasion"], []).append(r)
        self._goal_rows: dict[tuple, list[int]] = {}
        for r in self.contributions:
            if r["excel_row"] is not None:
                self._goal_rows.setdefault((r["occasion"], r["board_code"]), []).append(int(r["excel_row"]))
        self.contributes = {(r["occasion"], r["board_code"], r["goal_code"]) for r in self.contributions}
        self._kinds = dict(zip(catalogue.boards["board_code"], catalogue.boards["board_kind"]))
        letters = plain(cells, CELL_COLUMNS)
        self._letters = {(s, sh, f): c for s, sh, f, c in zip(letters["sha256"], letters["sheet"], letters["field"], letters["cell"])}

    def follow_ups_at(self, occasion: Occasion) -> list[dict]:
        return self._follow_at.get(occasion.code, [])

    def follow_up(self, occasion: Occasion | None, board: str, contribution_id: str) -> dict | None:
        return self._follow.get((occasion.code, board, contribution_id)) if occasion is not None else None

    def previous_follow_up(self, occasion: Occasion) -> Occasion | None:
        """The interim or annual report before the occasion in the mandate period."""
        earlier = [o for o in self.catalogue.occasions if o.is_follow_up and o < occasion]
        return earlier[-1] if earlier else None

    def previous_occasion(self, occasion: Occasion) -> Occasion | None:
        earlier = [o for o in self.catalogue.occasions if o < occasion]
        return earlier[-1] if earlier else None

    def label(self, scale: str, code: object) -> str:
        return self.catalogue.scales[scale].label(code) if code is not None else "–"

    def submission_label(self, occasion: Occasion, board: str) -> str:
        """What the board sent at the occasion, as it names it ('Delårsrapport 2025')."""
        return occasion.submission_label(self._kinds.get(board, "nämnd"))

    def letter(self, sha256: str | None, sheet: str, field_key: str, occasion: Occasion) -> str:
        """The column a field was found in, in the workbook with this SHA-256; the
        template's own column where the ingestion recorded none."""
        found = self._letters.get((sha256, sheet, field_key))
        if found:
            return found
        fields = {FOLLOW_UPS_SHEET: follow_up_fields(self.catalogue.is_period_end(occasion)),
                  CONTRIBUTIONS_SHEET: CONTRIBUTION_FIELDS, INDICATORS_SHEET: INDICATOR_FIELDS}[sheet]
        return column_letter(next(i for i, f in enumerate(fields, 1) if f.key == field_key))

    def cell(self, row: Mapping, field_key: str) -> SourceCell:
        """The cell of a field in a row of a board's sheet."""
        occasion = Occasion.parse(row["occasion"])
        letter = self.letter(row["sha256"], row["sheet"], field_key, occasion)
        number = row["excel_row"]
        return SourceCell(occasion.code, row["source_file"] or "–", row["sheet"], f"{letter}{int(number) if number is not None else ''}")

    def goal_column(self, occasion: Occasion, board: str) -> SourceCell | None:
        """The KF-goal cells of the board's contributions sheet at the occasion (a range)."""
        file = self.files.get((occasion.code, board))
        if file is None:
            return None
        rows = self._goal_rows.get((occasion.code, board), [])
        letter = self.letter(file[1], CONTRIBUTIONS_SHEET, "goal_code", occasion)
        first, last = (min(rows), max(rows)) if rows else (FIRST_DATA_ROW, FIRST_DATA_ROW)
        return SourceCell(occasion.code, file[0] or "–", CONTRIBUTIONS_SHEET, f"{letter}{first}" if first == last else
                          f"{letter}{first}:{letter}{last}")


def quoted(text: object) -> str:
    """A board's text to quote: spacing collapsed, cut after QUOTE_CHARS characters (at a word)."""
    words = plain_text(text) if text is not None else ""
    if len(words) <= QUOTE_CHARS:
        return words
    return words[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def figure(value: object) -> str:
    """A number as the board wrote it, in Swedish format (70 -> '70', 68.1 -> '68,1')."""
    v = float(value)
    return number(v, 0) if v.is_integer() else number(v, 2).rstrip("0").rstrip(",")


def _float(value: object) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


# --- the rules ---------------------------------------------------------------------------

_SIGN = {"increase": 1, "decrease": -1}


def indicator_against(ctx: DialogueContext, occasion: Occasion) -> list[Finding]:
    """A follow-up assessing clear movement whose contribution has an indicator (of the
    same submission) that moved from its baseline against the direction the board wants."""
    found = []
    for ind in ctx.indicators:
        if ind["occasion"] != occasion.code:
            continue
        follow = ctx.follow_up(occasion, ind["board_code"], ind["contribution_id"])
        if follow is None or follow["movement"] != "clear":
            continue
        sign, base, value = _SIGN.get(ind["direction"]), _float(ind["baseline_value"]), _float(ind["value"])
        if sign is None or base is None or value is None or (value - base) * sign >= 0:
            continue
        unit = f" ({ind['unit']})" if ind["unit"] else ""
        found.append(Finding(
            ind["board_code"], follow["goal_code"], ind["contribution_id"],
            {"title": follow["title"] or "", "movement_label": ctx.label("movement", "clear"), "indicator": ind["indicator"],
             "unit": unit, "baseline_value": figure(base), "baseline_year": _year(ind["baseline_year"]),
             "value": figure(value), "value_year": _year(ind["value_year"]),
             "direction_label": ctx.label("direction", ind["direction"]).lower()},
            (ctx.cell(follow, "movement"), ctx.cell(ind, "baseline_value"), ctx.cell(ind, "value")),
            subject=ind["indicator"],
        ))
    return found


def _year(value: object) -> str:
    v = _float(value)
    return str(int(v)) if v is not None else "–"


def outlook_without_movement(ctx: DialogueContext, occasion: Occasion) -> list[Finding]:
    """A follow-up saying the desired movement will be reached within the period while it
    and the previous follow-up of the same contribution both assess no movement or
    movement the wrong way."""
    previous = ctx.previous_follow_up(occasion)
    found = []
    for follow in ctx.follow_ups_at(occasion):
        if follow["outlook"] != "likely" or follow["movement"] not in STILL:
            continue
        before = ctx.follow_up(previous, follow["board_code"], follow["contribution_id"])
        if before is None or before["movement"] not in STILL:
            continue
        found.append(Finding(
            follow["board_code"], follow["goal_code"], follow["contribution_id"],
            {"title": follow["title"] or "", "outlook_label": ctx.label("outlook", follow["outlook"]),
             "movement_label": ctx.label("movement", follow["movement"]),
             "previous_movement_label": ctx.label("movement", before["movement"]),
             "previous_label": ctx.submission_label(previous, follow["board_code"])},
            (ctx.cell(follow, "outlook"), ctx.cell(follow, "movement"), ctx.cell(before, "movement")),
        ))
    return found


def same_analysis(ctx: DialogueContext, occasion: Occasion) -> list[Finding]:
    """A follow-up whose analysis is, word for word, the analysis of the same contribution
    at the previous follow-up. A very short analysis is left to the check `kort_analys`."""
    previous = ctx.previous_follow_up(occasion)
    found = []
    for follow in ctx.follow_ups_at(occasion):
        before = ctx.follow_up(previous, follow["board_code"], follow["contribution_id"])
        if before is None or follow["analysis"] is None or before["analysis"] is None:
            continue
        text = plain_text(follow["analysis"])
        if text != plain_text(before["analysis"]) or len(text) < MIN_ANALYSIS_CHARS:
            continue
        found.append(Finding(
            follow["board_code"], follow["goal_code"], follow["contribution_id"],
            {"title": follow["title"] or "", "analysis": quoted(text),
             "previous_label": ctx.submission_label(previous, follow["board_code"])},
            (ctx.cell(follow, "analysis"), ctx.cell(before, "analysis")),
        ))
    return found


def _said_otherwise(follow: Mapping) -> bool:
    """A follow-up that assessed no movement or movement the wrong way, or judged that the
    desired movement would not be reached within the period."""
    return follow["movement"] in STILL or follow["outlook"] == "unlikely"


def reached_against_follow_ups(ctx: DialogueContext, occasion: Occasion) -> list[Finding]:
    """At the period end: 'reached' for a contribution whose two follow-ups before it both
    said otherwise (no movement or the wrong way, or not to be reached)."""
    before = ctx.previous_follow_up(occasion)
    earlier = ctx.previous_follow_up(before) if before is not None else None
    found = []
    for follow in ctx.follow_ups_at(occasion):
        if follow["reached"] != "reached":
            continue
        board, cid = follow["board_code"], follow["contribution_id"]
        rows = [ctx.follow_up(o, board, cid) for o in (earlier, before)]
        if any(r is None or not _said_otherwise(r) for r in rows):
            continue
        said = [f"{ctx.submission_label(o, board)}: förflyttning '{ctx.label('movement', r['movement'])}', "
                f"nås under mandatperioden '{ctx.label('outlook', r['outlook'])}'" for o, r in zip((earlier, before), rows)]
        found.append(Finding(
            board, follow["goal_code"], cid,
            {"title": follow["title"] or "", "reached_label": ctx.label("reached", "reached"), "history": "; ".join(said)},
            (ctx.cell(follow, "reached"), *(c for r in reversed(rows) for c in (ctx.cell(r, "movement"), ctx.cell(r, "outlook")))),
        ))
    return found


def responsible_without_contribution(ctx: DialogueContext, occasion: Occasion) -> list[Finding]:
    """A board named for a KF goal (not one aimed at all boards, where each board chooses
    where it contributes) whose accepted submissions at this occasion and the one before
    have no contribution to it, while the occasion before those had one or none was
    accepted: asked once, when the gap first lasts two occasions."""
    previous = ctx.previous_occasion(occasion)
    if previous is None:
        return []
    first_before = ctx.previous_occasion(previous)
    goals = ctx.catalogue.goals
    named_goals = set(goals.loc[~goals["for_all_boards"].astype(bool), "goal_code"])
    goal_names = dict(zip(goals["goal_code"], goals["goal_name"]))

    def without(o: Occasion | None, board: str, goal: str) -> bool:
        return o is not None and (o.code, board) in ctx.files and (o.code, board, goal) not in ctx.contributes

    found = []
    responsibilities = ctx.catalogue.responsibilities
    for goal, board in zip(responsibilities["goal_code"], responsibilities["board_code"]):
        if goal not in named_goals or not (without(occasion, board, goal) and without(previous, board, goal)):
            continue
        if without(first_before, board, goal):
            continue  # asked already, at the occasion before
        found.append(Finding(
            board, goal, None,
            {"goal_name": goal_names.get(goal, ""), "previous_label": ctx.submission_label(previous, board)},
            tuple(c for c in (ctx.goal_column(occasion, board), ctx.goal_column(previous, board)) if c is not None),
        ))
    return found


FOLLOW_UPS = ("delar", "ar")
ALL_KINDS = ("budget", "delar", "ar")

DIALOGUE_RULES: tuple[DialogueRule, ...] = (
    DialogueRule(
        "indikator_mot_bedomning", "Indikatorn i motsatt riktning",
        "Bidraget bedöms ha tydlig förflyttning, men den indikator nämnden själv valt för bidraget har rört sig från "
        "sitt basvärde i motsatt riktning mot den önskade.",
        "I {submission_label} bedömer ni bidraget {contribution_id} ({title}) som '{movement_label}', men indikatorn "
        "'{indicator}'{unit} som ni har valt för bidraget har gått från {baseline_value} ({baseline_year}) till {value} "
        "({value_year}), alltså i motsatt riktning mot den önskade ({direction_label}). Vad bygger bedömningen på, och "
        "hur förklarar ni indikatorns utveckling?",
        FOLLOW_UPS, None,
        (("follow_ups", "movement"), ("indicators", "direction"), ("indicators", "baseline_value"), ("indicators", "value")),
        indicator_against,
    ),
    DialogueRule(
        "prognos_utan_forflyttning", "Nås trots ingen förflyttning",
        "Nämnden bedömer att önskad förflyttning nås under mandatperioden, fast bidraget vid två uppföljningar i rad "
        "inte har visat någon förflyttning eller har gått i motsatt riktning.",
        "I {submission_label} svarar ni '{outlook_label}' för bidraget {contribution_id} ({title}), men bedömer "
        "samtidigt förflyttningen som '{movement_label}', och i {previous_label} som '{previous_movement_label}'. "
        "Vad gör att ni ändå bedömer att önskad förflyttning nås under mandatperioden?",
        FOLLOW_UPS, False,
        (("follow_ups", "outlook"), ("follow_ups", "movement")),
        outlook_without_movement,
    ),
    DialogueRule(
        "samma_analys", "Samma analys som förra gången",
        "Analysen av bidraget är ord för ord densamma som vid föregående uppföljning.",
        "Analysen av bidraget {contribution_id} ({title}) i {submission_label} är ord för ord densamma som i "
        "{previous_label}: \"{analysis}\" Vad har hänt i arbetet sedan dess, och vad har det lett till?",
        FOLLOW_UPS, None,
        (("follow_ups", "analysis"),),
        same_analysis,
    ),
    DialogueRule(
        "natts_mot_uppfoljningar", "Har nåtts trots uppföljningarna",
        "Vid mandatperiodens slut anger nämnden att önskad förflyttning har nåtts, fast de två uppföljningarna före "
        "visade ingen förflyttning eller motsatt riktning, eller att förflyttningen inte skulle nås.",
        "I {submission_label} svarar ni '{reached_label}' för bidraget {contribution_id} ({title}), men era två "
        "föregående uppföljningar sa något annat ({history}). Vad har gjort att förflyttningen ändå har nåtts?",
        ("ar",), True,
        (("follow_ups", "reached"), ("follow_ups", "movement"), ("follow_ups", "outlook")),
        reached_against_follow_ups,
    ),
    DialogueRule(
        "ansvar_utan_bidrag", "Ansvarig utan bidrag",
        "Kommunfullmäktige har gett nämnden ansvar för KF-målet, men nämnden har för andra tillfället i rad inget "
        "bidrag till det.",
        "Kommunfullmäktige har gett {board_name} ansvar för KF-mål {goal_code} ({goal_name}), men ni har inget bidrag "
        "till målet, varken i {previous_label} eller i {submission_label}. Hur bidrar ni till målet, och planerar ni "
        "ett bidrag?",
        ALL_KINDS, None,
        (("contributions", "goal_code"),),
        responsible_without_contribution,
    ),
)
RULES_BY_ID: dict[str, DialogueRule] = {r.id: r for r in DIALOGUE_RULES}


def question_key(occasion: Occasion, rule: DialogueRule, finding: Finding) -> str:
    """A question's stable key: the same cause at the same occasion keeps its key when the
    board sends its workbook again (file names and rows do not enter it)."""
    parts = [occasion.code, rule.id, finding.board_code, finding.contribution_id or finding.goal_code]
    return ":".join([*parts, *([finding.subject] if finding.subject else [])])


def findings(ctx: DialogueContext, occasions: Iterable[Occasion]) -> list[tuple[Occasion, DialogueRule, Finding]]:
    """Every rule's findings at every occasion it applies to, in rule order per occasion."""
    return [(o, rule, f) for o in occasions for rule in DIALOGUE_RULES if rule.applies(ctx.catalogue, o)
            for f in rule.find(ctx, o)]
