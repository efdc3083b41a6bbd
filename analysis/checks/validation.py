"""Checking staged submissions with Great Expectations. Returns findings as data: one row
per problem, with the cell it is in, a rule id, a severity and a Swedish message. An
`error` rejects the submission; a `warning` accepts it and flags the point.

The rules live in `analysis.checks.rules`. Here they are run: the staged tables of
every occasion in a run are checked together, one suite and one batch per table, in one
ephemeral GX context, and each failing row is mapped back to its file and cell through
its provenance (sha256, sheet, excel_row). GX is imported only when a run validates,
so commands that do not validate start fast."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import types
from dataclasses import dataclass
from functools import cache
from string import Formatter
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.boards.submission import TABLES, table_columns
from analysis.checks.rules import (
    DERIVED_TABLES,
    DETAILS_KEYS,
    FIELDS,
    RULES,
    SHEET_ORDER,
    Rule,
    RuleContext,
    header,
)
from analysis.text import shown
from analysis.vocabulary import KEY_SEPARATOR, file_key, key
from analysis.boards.layout import DATA_SHEETS, DETAILS_SHEET, column_letter, column_number

ISSUE_COLUMNS = [
    "occasion", "board_code", "source_file", "sha256", "sheet", "cell",
    "rule", "severity", "message", "value",
]
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ISSUE_COLUMNS})


@cache
def _gx() -> tuple[Any, Any, Any]:
    """Great Expectations, one ephemeral context per process, progress bars and usage
    statistics off: (gx module, expectations module, whole-dataframe batch definition)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # metric_calculations overrides globally, so both are set.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("inlamningar")
        .add_dataframe_asset("tabell")
        .add_batch_definition_whole_dataframe("hela_tabellen")
    )
    # GX's some 2,400 modules and the context live as long as the process: frozen, Python's
    # collector no longer walks their 390,000 objects in every full pass (run_benchmark.py:
    # a cold run spends about 0.5 s less in collections).
    gc.freeze()
    return gx, gxe, batch_definition


class _Check:
    """One rule applied to one field of one table, and the column(s) GX checks."""

    def __init__(self, n: int, rule: Rule, table: str, field: str):
        self.n, self.rule, self.table, self.field = n, rule, table, field
        self.columns: dict[str, str] = {}  # role ("check", "a", "b") -> column of the checked frame

    def expectation(self, gxe, ctx: RuleContext):
        spec = self.rule.expect
        args = {k: (v(ctx, self.table, self.field) if callable(v) else v) for k, v in spec.args.items()}
        meta = {"check": self.n, "rule": self.rule.id, "severity": self.rule.severity}
        column = self.columns.get("check", self.field)
        if spec.kind == "not_null":
            return gxe.ExpectColumnValuesToNotBeNull(column=column, meta=meta)
        if spec.kind == "in_set":
            return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=args["value_set"], meta=meta)
        if spec.kind == "true":
            return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], meta=meta)
        if spec.kind == "unique":
            return gxe.ExpectColumnValuesToBeUnique(column=column, meta=meta)
        if spec.kind == "min_length":
            return gxe.ExpectColumnValueLengthsToBeBetween(column=column, min_value=args["min_value"], meta=meta)
        if spec.kind == "regex":
            return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=args["regex"], meta=meta)
        if spec.kind == "a_greater_than_b":
            return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=self.columns["a"], column_B=self.columns["b"], or_equal=False,
                ignore_row_if="either_value_is_missing", meta=meta)
        raise ValueError(f"okänd förväntan {spec.kind!r} i regeln {self.rule.id}")


def _tables(staged: dict[str, pd.DataFrame], tables: tuple[str, ...] = TABLES,
            only: set[str] | None = None) -> dict[str, pd.DataFrame]:
    """The staged tables as the rules see them (plain values, each row with its
    submission's key); `only`: the rows of those submissions alone."""
    out = {}
    for t in TABLES:
        frame = staged.get(t) if t in tables else None
        if frame is None:
            frame = pd.DataFrame(columns=table_columns(t))
        if only is not None:
            frame = frame[frame["sha256"].isin({k.rsplit(KEY_SEPARATOR, 1)[-1] for k in only})]
        frame = frame.reindex(columns=table_columns(t)).astype(object).reset_index(drop=True)
        frame = frame.assign(submission=file_key(frame))
        out[t] = frame[frame["submission"].isin(only)].reset_index(drop=True) if only is not None else frame
    return out


def _known_budgets(known: pd.DataFrame | None, submissions: pd.DataFrame) -> pd.DataFrame:
    """Budget contributions ingested earlier, except where this run has the same board's
    submission for the same occasion (the run's own file then speaks for it)."""
    cols = ["occasion", "mandate_period", "board_code", "source_file", "sha256", "contribution_id", "goal_code"]
    if known is None or known.empty:
        return pd.DataFrame(columns=cols)
    k = known.reindex(columns=cols).astype(object)
    k = k[k["occasion"].astype(str).str.endswith("-budget")]
    replaced = set(key(submissions["occasion"], submissions["board_code"]).dropna())
    return k[~key(k["occasion"], k["board_code"]).isin(replaced)].reset_index(drop=True)


def _known_assignments(known: pd.DataFrame | None, submissions: pd.DataFrame) -> pd.DataFrame:
    """Answers on council assignments ingested earlier, except where this run has the same
    board's submission for the same occasion."""
    cols = ["occasion", "mandate_period", "board_code", "assignment_id", "status"]
    if known is None or known.empty:
        return pd.DataFrame(columns=cols)
    k = known.reindex(columns=cols).astype(object)
    replaced = set(key(submissions["occasion"], submissions["board_code"]).dropna())
    return k[~key(k["occasion"], k["board_code"]).isin(replaced)].reset_index(drop=True)


def _prepare(ctx: RuleContext) -> tuple[dict[str, pd.DataFrame], dict[str, list[_Check]]]:
    """Every checked table (the derived ones made here), and the checks per table."""
    frames: dict[str, pd.DataFrame] = {}
    for table in dict.fromkeys(t for r in RULES for t, _ in r.where):
        frame = DERIVED_TABLES[table](ctx) if table in DERIVED_TABLES else ctx.tables[table]
        frames[table] = frame.reset_index(drop=True)
    checks: dict[str, list[_Check]] = {t: [] for t in frames}
    n = 0
    for rule in RULES:
        for table, field in rule.where:
            if not frames[table].empty:
                checks[table].append(_Check(n, rule, table, field))
                n += 1
    return frames, checks


def _checked_columns(frame: pd.DataFrame, checks: list[_Check], ctx: RuleContext) -> pd.DataFrame:
    """What GX checks in one table: the fields checked as they are, the columns the rules
    derive (not the extra columns their messages use: see _extras), and `row_id`."""
    columns: dict[str, pd.Series] = {}
    for check in checks:
        if check.rule.derive is None:
            columns[check.field] = frame[check.field]
            continue
        out = check.rule.derive(frame, check.field, ctx)
        out = out.to_frame("check") if isinstance(out, pd.Series) else out
        for name in ("check", "a", "b"):
            if name in out.columns:
                check.columns[name] = f"_c{check.n}_{name}"
                columns[check.columns[name]] = out[name].reindex(frame.index)
    columns["row_id"] = pd.Series(range(len(frame)), index=frame.index)
    return pd.DataFrame(columns, index=frame.index)


def _extras(check: _Check, rows: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """The extra columns of a derived rule's message for the failing rows (derivations
    are row by row, so the rows alone give the same values as the whole table)."""
    if check.rule.derive is None:
        return pd.DataFrame(index=rows.index)
    out = check.rule.derive(rows, check.field, ctx)
    out = out.to_frame("check") if isinstance(out, pd.Series) else out
    return out.drop(columns=[c for c in ("check", "a", "b") if c in out.columns])


def _failures(frames: dict[str, pd.DataFrame], checks: dict[str, list[_Check]], ctx: RuleContext) -> list[tuple[_Check, list[int]]]:
    """Run one suite per table in the shared GX context; the failing row ids of each check.
    Every check runs first for a yes or no, and only the ones that fail run again for
    their rows: most checks pass, and asking all of them for their rows took a third
    more of a run's validation. GX gets one table at a time, with only the columns it
    checks."""
    gx, gxe, batch_definition = _gx()
    by_number = {c.n: c for cs in checks.values() for c in cs}
    failures = []
    for table, table_checks in checks.items():
        if not table_checks:
            continue
        checked = _checked_columns(frames[table], table_checks, ctx)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": checked})
        suite = gx.ExpectationSuite(name=table, expectations=[c.expectation(gxe, ctx) for c in table_checks])
        passed = batch.validate(suite, result_format={"result_format": "BOOLEAN_ONLY"})
        failing = [by_number[r.expectation_config.meta["check"]] for r in passed.results if not r.success]
        if not failing:
            continue
        suite = gx.ExpectationSuite(name=f"{table}-rader", expectations=[c.expectation(gxe, ctx) for c in failing])
        result = batch.validate(suite, result_format=RESULT_FORMAT)
        for r in result.results:  # not in suite order: GX sorts by column
            check = by_number[r.expectation_config.meta["check"]]
            problem = _exception(r)
            if problem:
                raise RuntimeError(f"Regeln {check.rule.id} ({table}.{check.field}) kunde inte köras: {problem}")
            rows = [d["row_id"] for d in (r.result or {}).get("unexpected_index_list") or []]
            if rows:
                failures.append((check, rows))
    return failures


def _exception(r) -> str | None:
    info = r.exception_info or {}
    if "raised_exception" in info:
        return info.get("exception_message") if info["raised_exception"] else None
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return "; ".join(m for m in messages if m) or None


def _or_blank(value: Any) -> Any:
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


class _Fields(dict):
    """Message fields: a missing or empty one reads as nothing, never as 'None'."""

    def __missing__(self, name):
        return ""


def _display(value: Any, field: str, period: Any, ctx: RuleContext) -> str | None:
    """A cell value as the board would recognise it: a valid code as its label, and
    characters that show nothing made visible (analysis.text.shown)."""
    if _or_blank(value) == "":
        return None
    f = FIELDS.get(field)
    if f is not None and f.scale and period in ctx.catalogues:
        scale = ctx.catalogues[period].scales[f.scale]
        if value in scale.codes:
            return scale.label(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return shown(str(value))


def _cell(letters: dict, details_cells: dict, sha: str, sheet: str, field: str, row: Any) -> tuple[str | None, int, int]:
    """The cell reference and (row, column number) for sorting."""
    if sheet == DETAILS_SHEET:
        ref = details_cells.get(sha, {}).get(DETAILS_KEYS.get(field, field))
        if not ref:
            return None, 0, 0
        return ref, int(ref[1:]), 2
    letter = letters.get(sha, {}).get(sheet, {}).get(field)
    if letter is None:
        keys = [f.key for f in DATA_SHEETS.get(sheet, ())]
        letter = column_letter(keys.index(field) + 1 if field in keys else 1)
    return f"{letter}{int(row)}", int(row), column_number(letter)


def _findings(failures, frames, ctx: RuleContext, letters: dict, details_cells: dict) -> pd.DataFrame:
    records = []
    for check, rows in failures:
        frame = frames[check.table].iloc[rows]
        names = {name for _, name, _, _ in Formatter().parse(check.rule.message) if name}
        from_row = [c for c in names if c in frame.columns]
        extras = _extras(check, frame, ctx)
        from_extras = [n for n in extras.columns if n in names]
        for rec, extra in zip(frame.to_dict("records"), extras[from_extras].to_dict("records")):
            value = _display(rec.get(check.field), check.field, rec.get("mandate_period"), ctx)
            sheet = rec["sheet"]
            fields = _Fields({c: _or_blank(rec[c]) for c in from_row})
            fields.update({name: _or_blank(v) for name, v in extra.items()})
            fields.update(value=value or "", header=header(sheet, check.field), sheet=sheet,
                          occasion_label=ctx.submission_label(rec["occasion"], rec.get("mandate_period"), rec["board_code"]),
                          value_length=len(value or ""))
            cell, row, col = _cell(letters, details_cells, rec["sha256"], sheet, check.field, rec.get("excel_row"))
            records.append({
                "occasion": rec["occasion"], "board_code": rec["board_code"], "source_file": rec["source_file"],
                "sha256": rec["sha256"], "sheet": sheet, "cell": cell, "rule": check.rule.id,
                "severity": check.rule.severity, "message": check.rule.message.format_map(fields), "value": value,
                "_sheet": SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER),
                "_row": row, "_col": col, "_n": check.n,
            })
    if not records:
        return empty_issues()
    out = pd.DataFrame(records)
    out = out.sort_values(["occasion", "board_code", "source_file", "_sheet", "_row", "_col", "_n"], kind="stable")
    return out[ISSUE_COLUMNS].astype("string").reset_index(drop=True)


# What the findings of one file depend on besides its own rows, the catalogues and the
# rules: the run's budgets and answers on council assignments of the same board and
# mandate period (RuleContext.budgets and .assignment_answers, which every rule across
# files goes through). Each property of the context beside these two is one submission's.
_CONTEXT_TABLES = ("submissions", "contributions", "assignment_follow_ups")
_BUDGET_COLUMNS = ["mandate_period", "board_code", "occasion", "year", "submission", "contribution_id", "goal_code", "latest"]


@dataclass
class Earlier:
    """Checks of an earlier run that may be reused: per file key, the digest of what the
    file's findings were made from (`inputs`), and the findings of that run."""

    inputs: dict[str, str]
    issues: pd.DataFrame


@dataclass
class Checked:
    """The findings of a run; per file key the digest of its check inputs (to store, for
    the next run's Earlier); the file keys the rules ran on (the others' findings were
    those of an earlier run, made from the same inputs)."""

    issues: pd.DataFrame
    inputs: dict[str, str]
    checked: list[str]


def rules_digest() -> str:
    """A digest of the rule table: ids, severities, messages, where each applies, its
    expectation and the code of its derivation."""

    def body(code: types.CodeType) -> list:
        return [code.co_code.hex(), code.co_names,
                [body(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts]]

    def named(value: Any) -> Any:
        if not callable(value):
            return value
        code = getattr(value, "__code__", None)
        return [f"{value.__module__}.{value.__qualname__}", body(code) if code is not None else None]

    spec = [(r.id, r.severity, r.what, r.message, r.where, r.expect.kind,
             sorted((k, named(v)) for k, v in r.expect.args.items()), named(r.derive)) for r in RULES]
    return _digest(spec)


def _plain(value: Any) -> Any:
    """A value as canonical JSON text can hold it (missing as None, times in ISO form)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value).isoformat()
    return value if isinstance(value, (str, bool, int, float)) else str(value)


def _digest(record: Any) -> str:
    return hashlib.sha256(json.dumps(record, ensure_ascii=False, default=str).encode()).hexdigest()


def _by_board(frame: pd.DataFrame, columns: list[str], period: str | None = None) -> dict[tuple, list[str]]:
    """(period, board) -> the frame's rows as sorted JSON texts."""
    out: dict[tuple, list[str]] = {}
    periods = frame["mandate_period"] if period is None else [period] * len(frame)
    for p, row in zip(periods, zip(*(frame[c] for c in columns))):
        out.setdefault((p, row[columns.index("board_code")]), []).append(json.dumps([_plain(v) for v in row], ensure_ascii=False))
    return {k: sorted(v) for k, v in out.items()}


def check_inputs(ctx: RuleContext, made_with: str) -> dict[str, str]:
    """Per file key, a digest of everything its findings are made from: the file's
    submission row (its content's SHA-256, name, occasion, modification time, ...), what
    it was staged under (`made_with`: catalogues and code), the rule table, and the
    budgets and answers on council assignments of its board in its mandate period."""
    base = {"made_with": made_with, "rules": rules_digest()}
    budgets = _by_board(ctx.budgets, _BUDGET_COLUMNS)
    answers: dict[tuple, list[str]] = {}
    for period, frame in ctx.assignment_answers.items():
        answers.update(_by_board(frame, list(frame.columns), period))
    subs = ctx.tables["submissions"]
    columns = table_columns("submissions")
    out = {}
    for values in zip(subs["submission"], *(subs[c] for c in columns)):
        row = dict(zip(columns, map(_plain, values[1:])))
        board = (row["mandate_period"], row["board_code"])
        out[values[0]] = _digest([base, row, budgets.get(board, []), answers.get(board, [])])
    return out


# The files whose rules run together: Great Expectations copies the checked tables
# several times over, so a large run is checked in parts (the rules across files see the
# whole run; RuleContext.whole), which keeps an ingestion's peak memory down.
CHECKED_TOGETHER = 500


@dataclass
class Plan:
    """What a run's checks need, made before Great Expectations is imported: the staged
    tables, the rule context over the whole run, the digest of each file's check inputs
    and the files whose findings must be made anew (`stale`)."""

    catalogues: dict[str, Catalogue]
    staged: dict[str, pd.DataFrame]
    ctx: RuleContext | None
    inputs: dict[str, str]
    stale: list[str]
    earlier: Earlier | None


def plan_checks(
    staged: dict[str, pd.DataFrame],
    catalogues: dict[str, Catalogue] | Catalogue,
    known: pd.DataFrame | None = None,
    known_assignments: pd.DataFrame | None = None,
    made_with: str = "",
    earlier: Earlier | None = None,
) -> Plan:
    """The checks of the staged tables of a run (any number of occasions and mandate
    periods), planned; `run_checks` then makes the findings. `known` is the current
    contributions table ingested earlier (the budgets follow-ups are checked against);
    `known_assignments` the current assignment_follow_ups table ingested earlier (which
    council assignments each board has reported finished); `made_with`: what the staged
    rows were made under (catalogues, code). With `earlier`, a file whose check inputs
    (check_inputs) are those the earlier run stored keeps that run's findings, and the
    rules run on the other files only. Imports no Great Expectations, so a caller can
    store what does not depend on the findings (such as Plan.inputs) first."""
    if isinstance(catalogues, Catalogue):
        catalogues = {catalogues.mandate_period: catalogues}
    whole = _tables(staged, _CONTEXT_TABLES)
    if whole["submissions"].empty:
        return Plan(catalogues, staged, None, {}, [], earlier)
    ctx = RuleContext(catalogues, whole, _known_budgets(known, whole["submissions"]),
                      _known_assignments(known_assignments, whole["submissions"]))
    inputs = check_inputs(ctx, made_with)
    stale = [k for k, d in inputs.items() if earlier is None or earlier.inputs.get(k) != d]
    return Plan(catalogues, staged, ctx, inputs, stale, earlier)


def run_checks(plan: Plan, letters: dict[str, dict[str, dict[str, str]]],
               details_cells: dict[str, dict[str, str]] | None = None) -> Checked:
    """The findings of a planned run (see plan_checks). `letters` maps sha256 -> sheet ->
    field -> column letter as read from each workbook; `details_cells` maps sha256 ->
    details field -> cell ('B5'). Great Expectations is imported only when a file needs
    the rules."""
    if plan.ctx is None:
        return Checked(empty_issues(), {}, [])
    ctx, inputs, stale, earlier = plan.ctx, plan.inputs, plan.stale, plan.earlier
    found = []
    for start in range(0, len(stale), CHECKED_TOGETHER):
        part = stale[start:start + CHECKED_TOGETHER]
        if len(part) == len(inputs):
            part_ctx = RuleContext(plan.catalogues, _tables(plan.staged), ctx.known, ctx.known_assignments)
        else:
            part_ctx = RuleContext(plan.catalogues, _tables(plan.staged, only=set(part)), ctx.known, ctx.known_assignments, whole=ctx)
        found.append(_check(part_ctx, letters, details_cells or {}))
        del part_ctx
    new = _by_file(found) if len(found) > 1 else found[0] if found else empty_issues()
    if earlier is None or len(stale) == len(inputs):
        return Checked(new, inputs, stale)
    old = earlier.issues
    kept = old[file_key(old).isin(set(inputs) - set(stale))] if old is not None and len(old) else None
    frames = [f.astype("string") for f in (kept, new) if f is not None and len(f)]
    return Checked(_by_file(frames), inputs, stale)


def _by_file(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Findings of several runs of the rules in one table, by file; each file's findings
    in the order the rules gave them, from one run or another."""
    issues = pd.concat(frames, ignore_index=True) if frames else empty_issues()
    issues = issues[ISSUE_COLUMNS].sort_values(["occasion", "board_code", "source_file"], kind="stable")
    return issues.reset_index(drop=True)


def _check(ctx: RuleContext, letters: dict, details_cells: dict) -> pd.DataFrame:
    frames, checks = _prepare(ctx)
    failures = _failures(frames, checks, ctx)
    return _findings(failures, frames, ctx, letters, details_cells)
