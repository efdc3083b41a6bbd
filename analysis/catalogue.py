"""The goal catalogue of a mandate period: goal areas, KF goals, boards, who is responsible
for what, and the answer scales. Kept as hand-editable YAML in `data/reference/`; loading
checks it and names every inconsistency, so a typo never silently drops a board."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from analysis.errors import CatalogueError, UsageError
from analysis.occasion import KINDS, Occasion
from analysis.text import plain
from analysis.vocabulary import (
    ASSIGNMENT_STATUS_LABELS, ASSIGNMENT_STATUSES, LEAD, ONGOING_DUE, ONGOING_DUE_LABEL, PARTICIPATING,
)

# libyaml when PyYAML was built with it (the wheels are): a sixth of the time.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_CATALOGUE_BYTES = 1024 * 1024
MAX_YAML_NODES = 100_000

ALL_BOARDS = "alla"
BOARD_KINDS = ("nämnd", "bolag")
REQUIRED_SCALES = ("movement", "outlook", "reached", "consideration", "evidence_type", "direction", "theme")
# The structure names 4–5 goal areas as a guideline: another number is a warning, not an error.
GUIDELINE_GOAL_AREAS = (4, 5)
_CODE = re.compile(r"^[A-Z0-9]+$")
_PERIOD = re.compile(r"^(\d{4})-(\d{4})$")
_ASSIGNMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# The scale of a council assignment's status is the workbench's, not the catalogue's: it
# lives in analysis.vocabulary and every catalogue gets it under this name.
ASSIGNMENT_STATUS_SCALE = "assignment_status"
ASSIGNMENT_COLUMNS = ["assignment_id", "given_year", "text", "lead_board", "participating_boards", "due_year"]
CONTINUES_COLUMNS = ["goal_code", "previous_goal_code"]


def _no_assignments() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ASSIGNMENT_COLUMNS})


def _no_assignment_boards() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("assignment_id", "board_code", "role")})


def _no_continues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CONTINUES_COLUMNS})


@dataclass(frozen=True)
class Scale:
    """An answer scale: ordered codes with the Swedish labels shown to boards."""

    name: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]

    def label(self, code: str) -> str:
        return self.labels[self.codes.index(code)]

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Code by its comparable form (analysis.text.plain, case folded) and by its
        label's; the first code wins where two would read the same."""
        out: dict[str, str] = {}
        for code, label in reversed(list(zip(self.codes, self.labels))):
            out[plain(label).casefold()] = code
            out[plain(code).casefold()] = code
        return out

    def code_for(self, text: str) -> str | None:
        """The code for a label or code as a board typed it; letter case, spacing,
        invisible characters and Unicode form do not matter, anything else does (no
        nearest match)."""
        return self.lookup.get(plain(text).casefold())


@dataclass(frozen=True)
class Catalogue:
    """One mandate period's catalogue. `warnings` are departures from the structure's
    guidelines (say, six goal areas): the catalogue works, and `malstyrning katalog` says them."""

    mandate_period: str
    first_year: int
    last_year: int
    example_data: bool
    goal_areas: pd.DataFrame  # goal_area_code, goal_area_name, sdgs
    goals: pd.DataFrame  # goal_code, goal_area_code, goal_name, for_all_boards
    boards: pd.DataFrame  # board_code, board_name, board_kind
    responsibilities: pd.DataFrame  # goal_code, board_code (one row per responsible board)
    scales: dict[str, Scale]
    deadlines: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    source: str = ""
    # The occasion whose follow-up asks whether the desired movement has been reached (the
    # whole-period analysis): `period_end_occasion` in the file, by default the last year's annual report.
    period_end_occasion: Occasion | None = None
    warnings: tuple[str, ...] = ()  # departures from the structure's guidelines, in Swedish; the catalogue still works
    # Council assignments (KF-uppdrag) given in the period's budgets: assignment_id, given_year
    # (the budget year), text, lead_board, participating_boards (codes, comma separated, or
    # empty), due_year (the year it is due; missing for an ongoing one, "löpande").
    assignments: pd.DataFrame = field(default_factory=_no_assignments)
    # One row per assignment and responsible board: assignment_id, board_code, role (lead or participating).
    assignment_boards: pd.DataFrame = field(default_factory=_no_assignment_boards)
    # The crosswalk to the previous mandate period: one row per KF goal and goal of the previous
    # period it carries forward (`continues` in the file), goal_code, previous_goal_code, in
    # catalogue order. Checked against the previous period's catalogue by `load_catalogues`.
    continues: pd.DataFrame = field(default_factory=_no_continues)

    @property
    def span(self) -> str:
        """The mandate period as a person reads it: '2023–2026'."""
        return f"{self.first_year}–{self.last_year}"

    @property
    def occasions(self) -> list[Occasion]:
        from analysis.occasion import occasions_between

        return occasions_between(self.first_year, self.last_year)

    def covers(self, occasion: Occasion) -> bool:
        return self.first_year <= occasion.year <= self.last_year

    def is_period_end(self, occasion: Occasion) -> bool:
        return occasion == self.period_end_occasion

    @property
    def occasions_to_period_end(self) -> list[Occasion]:
        """Every occasion of the period up to and including the period end."""
        return [o for o in self.occasions if o <= self.period_end_occasion]

    @cached_property
    def board_names(self) -> dict[str, str]:
        """Board name by code."""
        return {str(c): str(n) for c, n in zip(self.boards["board_code"], self.boards["board_name"])}

    def board_name(self, board_code: str) -> str:
        return self.board_names.get(board_code, board_code)

    def has_board(self, board_code: str) -> bool:
        return board_code in self.board_names

    def goals_for(self, board_code: str) -> pd.DataFrame:
        """The goals the board is responsible for, in catalogue order (a copy: the caller
        may change it)."""
        return self._goals_by_board.get(board_code, self.goals.iloc[0:0]).copy()

    @cached_property
    def _goals_by_board(self) -> dict[str, pd.DataFrame]:
        """Each board's goals, looked up once: building the example city asks almost a thousand times."""
        codes = self.responsibilities.groupby("board_code", sort=False)["goal_code"].agg(set)
        return {b: self.goals[self.goals["goal_code"].isin(c)].reset_index(drop=True) for b, c in codes.items()}

    @property
    def board_codes(self) -> list[str]:
        """Every board and company, in catalogue order. Each reports on its base mission
        (human rights), whether or not it is named for a KF goal."""
        return list(self.boards["board_code"])

    def board_kind(self, board_code: str) -> str:
        return self._board_kinds.get(board_code, "nämnd")

    @cached_property
    def _board_kinds(self) -> dict[str, str]:
        return {b: str(k) for b, k in zip(self.boards["board_code"], self.boards["board_kind"])}

    def assignments_for(self, board_code: str) -> pd.DataFrame:
        """The assignments the board is responsible for (as lead or participating), in
        catalogue order, with its `role` (a copy: the caller may change it)."""
        return self._assignments_by_board.get(board_code, self._no_assignments).copy()

    @cached_property
    def _assignments_by_board(self) -> dict[str, pd.DataFrame]:
        both = self.assignments.merge(self.assignment_boards[["assignment_id", "board_code", "role"]],
                                      on="assignment_id", how="inner")
        return {b: rows.drop(columns="board_code").reset_index(drop=True) for b, rows in both.groupby("board_code", sort=False)}

    @cached_property
    def _no_assignments(self) -> pd.DataFrame:
        return self.assignments.iloc[:0].assign(role=self.assignment_boards["role"].iloc[:0])

    @property
    def carried_assignments(self) -> pd.DataFrame:
        """The assignments carried over from the previous mandate period (given in one of its
        budgets, before this period's first year), under their ids there."""
        return self.assignments[self.assignments["given_year"] < self.first_year].reset_index(drop=True)

    @cached_property
    def assignment_texts(self) -> dict[str, str]:
        return dict(zip(self.assignments["assignment_id"], self.assignments["text"]))

    @cached_property
    def assignment_leads(self) -> dict[str, str]:
        return dict(zip(self.assignments["assignment_id"], self.assignments["lead_board"]))

    def deadline(self, occasion: Occasion) -> dt.date:
        month, day, offset = self.deadlines[occasion.kind]
        return dt.date(occasion.year + offset, month, day)


def load_catalogue(path: Path) -> Catalogue:
    """Read and check one catalogue file; raises CatalogueError listing every problem.
    The file is read within bounds: at most MAX_CATALOGUE_BYTES, UTF-8 text, and YAML
    whose aliases expand to at most MAX_YAML_NODES nodes (an alias bomb is refused
    before it is expanded)."""
    source = path.name
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CATALOGUE_BYTES + 1)
    except FileNotFoundError:
        raise CatalogueError(source, [f"filen {path} finns inte"]) from None
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueError(source, [f"filen är större än {MAX_CATALOGUE_BYTES // 2**20} MB; en målkatalog är några "
                                      "kilobyte text"])
    if b"\0" in data:
        raise CatalogueError(source, ["filen är ingen text (den innehåller binära data); spara målkatalogen som "
                                      "YAML-text i UTF-8"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CatalogueError(source, [f"filen är inte sparad som UTF-8 (tecknet {data[exc.start]:#04x} på rad {line}, "
                                      "till exempel Latin-1); spara den som UTF-8"]) from None
    return catalogue_from_dict(_parse_yaml(text, source), source)


def _parse_yaml(text: str, source: str) -> Any:
    """The YAML document, composed first and constructed only when its aliases expand to
    a bounded number of nodes (PyYAML's public loader steps, as yaml.load takes them)."""
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (rad {mark.line + 1}, kolumn {mark.column + 1})" if mark else ""
        raise CatalogueError(source, [f"filen är inte giltig YAML{where}: {getattr(exc, 'problem', None) or exc}"]) from None
    except RecursionError:
        raise CatalogueError(source, ["filen är för djupt nästlad för att vara en målkatalog"]) from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a document whose aliases would make more than MAX_YAML_NODES nodes, or refer
    to themselves. Each node's expanded size is counted once (aliases share nodes)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [c for pair in node.value for c in (pair if isinstance(pair, tuple) else (pair,))] \
            if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) else []
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_YAML_NODES:
                raise CatalogueError(source, [f"filen blir mer än {MAX_YAML_NODES:,} värden när dess alias (*namn) "
                                              "expanderas (en så kallad aliasbomb) och läses inte".replace(",", " ")])
            continue
        if key in sizes:
            continue
        if key in active:
            raise CatalogueError(source, ["filen innehåller ett alias (*namn) som hänvisar till sig självt"])
        active.add(key)
        stack.append((node, True))
        stack += [(c, False) for c in children if id(c) not in sizes]


def catalogue_from_dict(raw: Any, source: str = "<minne>") -> Catalogue:
    """Build a checked catalogue from its parsed YAML form."""
    problems: list[str] = []
    warnings: list[str] = []
    if not isinstance(raw, dict):
        raise CatalogueError(source, ["filen ska innehålla nycklarna mandate_period, goal_areas, goals, boards och scales"])

    period = str(raw.get("mandate_period", ""))
    match = _PERIOD.match(period)
    first_year = last_year = 0
    if not match:
        problems.append(f"mandate_period '{period}' ska skrivas som startår-slutår, till exempel 2023-2026")
    else:
        first_year, last_year = int(match.group(1)), int(match.group(2))
        if last_year < first_year:
            problems.append(f"mandate_period '{period}': slutåret är före startåret")

    boards = _records(raw, "boards", ("code", "name", "kind"), problems)
    board_codes = [str(b.get("code", "")) for b in boards]
    for i, b in enumerate(boards, 1):
        code = str(b.get("code", ""))
        if not _CODE.match(code):
            problems.append(f"boards nr {i}: koden '{code}' får bara innehålla versaler A–Z och siffror")
        if b.get("kind") not in BOARD_KINDS:
            problems.append(f"boards {code}: kind '{b.get('kind')}' ska vara nämnd eller bolag")
    problems += _duplicates("boards", board_codes)

    areas = _records(raw, "goal_areas", ("code", "name"), problems)
    area_codes = [str(a.get("code", "")) for a in areas]
    problems += _duplicates("goal_areas", area_codes)
    low, high = GUIDELINE_GOAL_AREAS
    if areas and not low <= len(areas) <= high:
        warnings.append(f"goal_areas: {len(areas)} målområden; strukturen anger {low}–{high} som riktmärke")
    for a in areas:
        sdgs = a.get("sdgs") or []
        if not isinstance(sdgs, list) or not all(isinstance(s, int) and 1 <= s <= 17 for s in sdgs):
            problems.append(f"goal_areas {a.get('code')}: sdgs ska vara en lista med Agenda 2030-mål 1–17")

    goals = _records(raw, "goals", ("code", "goal_area", "name", "responsible"), problems)
    goal_codes = [str(g.get("code", "")) for g in goals]
    problems += _duplicates("goals", goal_codes)
    responsibilities: list[tuple[str, str]] = []
    for g in goals:
        code = str(g.get("code", ""))
        if str(g.get("goal_area", "")) not in area_codes:
            problems.append(f"goals {code}: målområdet '{g.get('goal_area')}' finns inte under goal_areas")
        resp = g.get("responsible")
        if resp == ALL_BOARDS:
            responsibilities += [(code, b) for b in board_codes]
        elif isinstance(resp, list) and resp:
            for b in resp:
                if str(b) not in board_codes:
                    problems.append(f"goals {code}: ansvarig nämnd '{b}' finns inte under boards")
                else:
                    responsibilities.append((code, str(b)))
            problems += _duplicates(f"goals {code} responsible", [str(b) for b in resp])
        else:
            problems.append(f"goals {code}: responsible ska vara en lista med nämndkoder eller 'alla'")
    for a in area_codes:
        if a not in [str(g.get("goal_area", "")) for g in goals]:
            problems.append(f"goal_areas {a}: målområdet har inga KF-mål")
    continues = _continues(goals, problems)

    scales: dict[str, Scale] = {}
    raw_scales = raw.get("scales") if isinstance(raw.get("scales"), dict) else {}
    for name in REQUIRED_SCALES:
        entries = raw_scales.get(name)
        if not isinstance(entries, list) or not entries:
            problems.append(f"scales: skalan '{name}' saknas")
            continue
        codes = tuple(str(e.get("code", "")) for e in entries if isinstance(e, dict))
        labels = tuple(str(e.get("label", "")) for e in entries if isinstance(e, dict))
        if len(codes) != len(entries) or "" in codes or "" in labels:
            problems.append(f"scales {name}: varje värde ska ha code och label")
            continue
        problems += _duplicates(f"scales {name}", codes) + _duplicates(f"scales {name} label", [l.casefold() for l in labels])
        scales[name] = Scale(name, codes, labels)

    period_end = None
    text = str(raw.get("period_end_occasion") or f"{last_year}-ar")
    try:
        period_end = Occasion.parse(text)
    except UsageError:
        pass
    if match and (period_end is None or not period_end.is_follow_up or not first_year <= period_end.year <= last_year):
        problems.append(f"period_end_occasion '{text}' ska vara en delårsrapport eller årsredovisning inom "
                        f"mandatperioden, till exempel {last_year}-ar eller {last_year}-delar")

    deadlines: dict[str, tuple[int, int, int]] = {}
    raw_deadlines = raw.get("deadlines") if isinstance(raw.get("deadlines"), dict) else {}
    for kind in KINDS:
        d = raw_deadlines.get(kind)
        try:
            deadlines[kind] = (int(d["month"]), int(d["day"]), int(d.get("year_offset", 0)))
            dt.date(2024, deadlines[kind][0], deadlines[kind][1])
        except (TypeError, KeyError, ValueError):
            problems.append(f"deadlines: sista dag för '{kind}' saknas eller är ogiltig (month, day, year_offset)")

    assignments, assignment_boards = _assignments(raw, board_codes, first_year, last_year, period, problems)
    scales[ASSIGNMENT_STATUS_SCALE] = Scale(ASSIGNMENT_STATUS_SCALE, ASSIGNMENT_STATUSES,
                                            tuple(ASSIGNMENT_STATUS_LABELS[c] for c in ASSIGNMENT_STATUSES))

    if problems:
        raise CatalogueError(source, problems)

    return Catalogue(
        mandate_period=period,
        first_year=first_year,
        last_year=last_year,
        example_data=bool(raw.get("example_data", False)),
        goal_areas=pd.DataFrame(
            {
                "goal_area_code": area_codes,
                "goal_area_name": [str(a["name"]) for a in areas],
                "sdgs": [", ".join(str(s) for s in a.get("sdgs") or []) for a in areas],
            }
        ),
        goals=pd.DataFrame(
            {
                "goal_code": goal_codes,
                "goal_area_code": [str(g["goal_area"]) for g in goals],
                "goal_name": [str(g["name"]) for g in goals],
                "for_all_boards": [g["responsible"] == ALL_BOARDS for g in goals],
            }
        ),
        boards=pd.DataFrame(
            {
                "board_code": board_codes,
                "board_name": [str(b["name"]) for b in boards],
                "board_kind": [str(b["kind"]) for b in boards],
            }
        ),
        responsibilities=pd.DataFrame(responsibilities, columns=["goal_code", "board_code"]),
        scales=scales,
        deadlines=deadlines,
        source=source,
        period_end_occasion=period_end,
        warnings=tuple(warnings),
        assignments=assignments,
        assignment_boards=assignment_boards,
        continues=continues,
    )


def _continues(goals: list[dict], problems: list[str]) -> pd.DataFrame:
    """The crosswalk as the goals give it: `continues`, a list of the previous period's goal
    codes each goal carries forward (one kept or reworded, several merged, or one that
    several new goals split). Whether those goals exist is checked against the previous
    period's catalogue (`crosswalk_problems`)."""
    rows = []
    for g in goals:
        code, named = str(g.get("code", "")), g.get("continues")
        if named is None:
            continue
        if not isinstance(named, list) or not named or not all(isinstance(c, str) and c.strip() for c in named):
            problems.append(f"goals {code}: continues ska vara en lista med koder för KF-mål i föregående mandatperiod, "
                            'inom citattecken, till exempel ["1.1", "1.2"]')
            continue
        named = [c.strip() for c in named]
        problems += _duplicates(f"goals {code} continues", named)
        rows += [(code, c) for c in dict.fromkeys(named)]
    return pd.DataFrame(rows, columns=CONTINUES_COLUMNS) if rows else _no_continues()


def _year(value: Any) -> int | None:
    """A year as YAML gives it (2024 or "2024"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        return int(value)
    return None


def _assignments(raw: dict, board_codes: list[str], first_year: int, last_year: int, period: str,
                 problems: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The council assignments (KF-uppdrag), each checked: its id, the budget year it was
    given and the year it is due (or 'löpande'), its boards known, one lead and others
    participating. No list at all is fine: a period may have none. An assignment may run
    past the period's end (due after its last year) and be carried into the next period's
    catalogue under the same id, given in the budget of the earlier period: a `given` year
    before the period is such an assignment, which `crosswalk_problems` checks against the
    previous period's catalogue."""
    if raw.get("assignments") in (None, []):
        return _no_assignments(), _no_assignment_boards()
    items = _records(raw, "assignments", ("id", "given", "text", "lead", "due"), problems)
    span = f"mandatperioden {first_year}–{last_year}" if first_year else f"mandatperioden {period}"
    rows, boards = [], []
    for i, a in enumerate(items, 1):
        aid = str(a.get("id"))
        where = f"assignments {aid}"
        ok = True
        if not _ASSIGNMENT_ID.match(aid):
            problems.append(f"assignments nr {i}: id '{aid}' får bara innehålla bokstäver A–Z, siffror, punkt och bindestreck "
                            "(till exempel U2024-07)")
            ok = False
        given = _year(a.get("given"))
        if given is None:
            problems.append(f"{where}: given '{a.get('given')}' ska vara budgetåret då uppdraget gavs, till exempel 2024")
            ok = False
        elif first_year and given > last_year:
            problems.append(f"{where}: budgetåret {given} (given) ligger utanför {span}")
            ok = False
        due_raw = a.get("due")
        due = None
        if isinstance(due_raw, str) and due_raw.strip().casefold() == ONGOING_DUE:
            due = None
        elif (due := _year(due_raw)) is None:
            problems.append(f"{where}: due '{due_raw}' ska vara året då uppdraget ska vara klart, eller '{ONGOING_DUE}'")
            ok = False
        elif first_year and due < first_year:
            problems.append(f"{where}: året då uppdraget ska vara klart, {due} (due), ligger före {span}")
            ok = False
        elif given is not None and due < given:
            problems.append(f"{where}: året då uppdraget ska vara klart, {due} (due), är före budgetåret {given} då det gavs")
            ok = False
        lead = str(a.get("lead"))
        if lead not in board_codes:
            problems.append(f"{where}: ansvarig nämnd '{lead}' (lead) finns inte under boards")
            ok = False
        others = a.get("participating") or []
        if not isinstance(others, list):
            problems.append(f"{where}: participating ska vara en lista med nämndkoder")
            others, ok = [], False
        others = [str(b) for b in others]
        for b in others:
            if b not in board_codes:
                problems.append(f"{where}: deltagande nämnd '{b}' (participating) finns inte under boards")
                ok = False
            elif b == lead:
                problems.append(f"{where}: '{b}' är både ansvarig (lead) och deltagande (participating)")
                ok = False
        dupes = _duplicates(f"{where} participating", others)
        problems += dupes
        if not ok or dupes:
            continue
        rows.append({"assignment_id": aid, "given_year": given, "text": " ".join(str(a["text"]).split()),
                     "lead_board": lead, "participating_boards": ", ".join(others), "due_year": due})
        boards += [(aid, lead, LEAD), *((aid, b, PARTICIPATING) for b in others)]
    problems += _duplicates("assignments", [str(a.get("id")) for a in items])
    if not rows:
        return _no_assignments(), _no_assignment_boards()
    frame = pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)
    frame["given_year"] = frame["given_year"].astype("int64")
    frame["due_year"] = pd.array(frame["due_year"].tolist(), dtype="Int64")
    return frame, pd.DataFrame(boards, columns=["assignment_id", "board_code", "role"])


def due_label(due_year: object) -> str:
    """The year an assignment is due, as a person reads it: '2025', or 'Löpande'."""
    return ONGOING_DUE_LABEL if due_year is None or pd.isna(due_year) else str(int(due_year))


def load_catalogues(reference_dir: Path) -> dict[str, Catalogue]:
    """Every mandate period's catalogue in the folder, by period; overlapping years are an error."""
    files = sorted(reference_dir.glob("malkatalog-*.yaml"))
    if not files:
        raise UsageError(f"Ingen målkatalog (malkatalog-*.yaml) finns i {reference_dir}.")
    catalogues = [load_catalogue(f) for f in files]
    for a in catalogues:
        for b in catalogues:
            if a is not b and a.first_year <= b.last_year and b.first_year <= a.last_year:
                raise CatalogueError(a.source, [f"mandatperioden {a.mandate_period} överlappar {b.mandate_period} i {b.source}"])
    by_period = {c.mandate_period: c for c in catalogues}
    for catalogue in catalogues:
        problems = crosswalk_problems(catalogue, previous_catalogue(catalogue, by_period))
        if problems:
            raise CatalogueError(catalogue.source, problems)
    return by_period


def previous_catalogue(catalogue: Catalogue, catalogues: Mapping[str, Catalogue]) -> Catalogue | None:
    """The catalogue of the mandate period right before this one (ending the year before it
    starts), or None."""
    return next((c for c in catalogues.values() if c.last_year == catalogue.first_year - 1), None)


def next_catalogue(catalogue: Catalogue, catalogues: Mapping[str, Catalogue]) -> Catalogue | None:
    """The catalogue of the mandate period right after this one, or None."""
    return next((c for c in catalogues.values() if c.first_year == catalogue.last_year + 1), None)


def crosswalk_problems(catalogue: Catalogue, previous: Catalogue | None) -> list[str]:
    """What is wrong with the bridge from the previous period: a goal that continues a goal
    the previous period's catalogue does not have (or continues one when there is no such
    catalogue), and an assignment given before the period that is not the previous
    period's under the same id and budget year."""
    problems = []
    before = f"mandatperioden före {catalogue.span}"
    old_goals = set(previous.goals["goal_code"]) if previous is not None else set()
    for goal, old in zip(catalogue.continues["goal_code"], catalogue.continues["previous_goal_code"]):
        if previous is None:
            problems.append(f"goals {goal}: continues '{old}', men det finns ingen målkatalog för {before} "
                            f"(malkatalog-<startår>-{catalogue.first_year - 1}.yaml)")
        elif old not in old_goals:
            problems.append(f"goals {goal}: continues '{old}', som inte är ett KF-mål i målkatalogen för "
                            f"{previous.span} ({previous.source})")
    old_given = dict(zip(previous.assignments["assignment_id"], previous.assignments["given_year"])) if previous is not None else {}
    for aid, given in zip(catalogue.carried_assignments["assignment_id"], catalogue.carried_assignments["given_year"]):
        where = f"assignments {aid}: budgetåret {given} (given) ligger före mandatperioden {catalogue.span}"
        if previous is None:
            problems.append(f"{where}, och det finns ingen målkatalog för {before} som uppdraget kan föras över från")
        elif aid not in old_given:
            problems.append(f"{where}, men uppdraget finns inte i målkatalogen för {previous.span} ({previous.source}); "
                            "ett uppdrag som förs över behåller sitt id")
        elif int(old_given[aid]) != int(given):
            problems.append(f"{where}, men i målkatalogen för {previous.span} gavs det {int(old_given[aid])}; "
                            "ett uppdrag som förs över behåller budgetåret då det gavs")
    return problems


def catalogue_for(occasion: Occasion, catalogues: Path | Mapping[str, Catalogue]) -> Catalogue:
    """The catalogue of the mandate period the occasion belongs to, from catalogues already
    loaded (by period) or from a reference folder."""
    loaded = load_catalogues(catalogues) if isinstance(catalogues, Path) else catalogues
    for catalogue in loaded.values():
        if catalogue.covers(occasion):
            return catalogue
    where = f" i {catalogues}" if isinstance(catalogues, Path) else ""
    raise UsageError(f"Ingen målkatalog täcker {occasion.code}. Lägg till malkatalog-<startår>-<slutår>.yaml{where}.")


# Keys each kind of record may have; anything else is a typo or an unquoted comma in YAML
# ("name: Hälsa-, vård- och omsorgsnämnden" silently becomes two keys).
ALLOWED_KEYS = {
    "boards": {"code", "name", "kind"},
    "goal_areas": {"code", "name", "sdgs"},
    "goals": {"code", "goal_area", "name", "responsible", "continues"},
    "assignments": {"id", "given", "text", "lead", "participating", "due"},
}


def _records(raw: dict, key: str, required: tuple[str, ...], problems: list[str]) -> list[dict]:
    items = raw.get(key)
    if not isinstance(items, list) or not items:
        problems.append(f"{key}: listan saknas eller är tom")
        return []
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"{key} nr {i}: ska vara en post med {', '.join(required)}")
            continue
        unknown = sorted(str(k) for k in item if k not in ALLOWED_KEYS.get(key, item.keys()))
        if unknown:
            problems.append(f"{key} nr {i} ({item.get('code', item.get('id', '?'))}): okänd nyckel {', '.join(repr(u) for u in unknown)}"
                            " (har ett namn med kommatecken glömt citattecken?)")
            continue
        missing = [r for r in required if item.get(r) in (None, "")]
        if missing:
            problems.append(f"{key} nr {i} ({item.get('code', item.get('id', '?'))}): saknar {', '.join(missing)}")
            continue
        out.append(item)
    return out


def _duplicates(what: str, codes: list[str] | tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    dupes = sorted({c for c in codes if c in seen or seen.add(c)})
    return [f"{what}: koden '{c}' förekommer mer än en gång" for c in dupes]
