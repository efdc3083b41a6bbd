"""The bridge between two mandate periods. A new period's catalogue says, per KF goal, which
goals of the previous period it carries forward (`continues`): one goal kept word for word
or reworded, several merged into one, or one split over several new goals. Council
assignments that run past the end of a period are carried into the next catalogue under
the same id. From that (checked on loading, `analysis.catalogue.crosswalk_problems`) this
module answers the questions the templates, the planning overview and the exploration
ask: where an old goal went, where a new goal came from, which old goals ended, which new
goals are new, and where a contribution of the old period continues. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue, previous_catalogue
from analysis.occasion import Occasion
from analysis.vocabulary import CURRENT


@dataclass(frozen=True)
class Crosswalk:
    """The crosswalk from `previous` (the earlier period's catalogue) to `current`."""

    previous: Catalogue
    current: Catalogue

    @cached_property
    def successors(self) -> dict[str, list[str]]:
        """Old goal -> the new goals that carry it forward, in the new catalogue's order."""
        out: dict[str, list[str]] = {g: [] for g in self.previous.goals["goal_code"]}
        for new, old in zip(self.current.continues["goal_code"], self.current.continues["previous_goal_code"]):
            out.setdefault(old, []).append(new)
        order = {g: i for i, g in enumerate(self.current.goals["goal_code"])}
        return {old: sorted(dict.fromkeys(news), key=order.get) for old, news in out.items()}

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        """New goal -> the old goals it carries forward (empty for a new goal)."""
        out: dict[str, list[str]] = {g: [] for g in self.current.goals["goal_code"]}
        for new, old in zip(self.current.continues["goal_code"], self.current.continues["previous_goal_code"]):
            out[new].append(old)
        return out

    @property
    def ended(self) -> list[str]:
        """Old goals that no new goal carries forward, in the old catalogue's order."""
        return [g for g, news in self.successors.items() if not news]

    @property
    def new_goals(self) -> list[str]:
        """New goals that carry no old goal forward, in the new catalogue's order."""
        return [g for g, olds in self.predecessors.items() if not olds]

    def kind(self, goal_code: str) -> str:
        """How a new goal relates to the old period: 'new', 'kept' (one old goal, the same
        words), 'reworded' (one old goal, other words), 'merged' (several old goals) or
        'split' (one old goal that other new goals carry forward too)."""
        olds = self.predecessors.get(goal_code, [])
        if not olds:
            return "new"
        if len(olds) > 1:
            return "merged"
        if len(self.successors[olds[0]]) > 1:
            return "split"
        return "kept" if _name(self.current, goal_code) == _name(self.previous, olds[0]) else "reworded"

    def successor_for(self, old_goal: str, board_code: str) -> str | None:
        """The new goal a board's contribution to an old goal continues under: the first (in
        the new catalogue's order) of the goals carrying the old one forward that the board
        is responsible for; None when the board is responsible for none of them (the
        contribution is not carried forward)."""
        mine = set(self.current.responsibilities.loc[self.current.responsibilities["board_code"] == board_code, "goal_code"])
        return next((g for g in self.successors.get(old_goal, []) if g in mine), None)

    @property
    def carried_assignments(self) -> list[str]:
        """The council assignments the new period carries over, by id."""
        return list(self.current.carried_assignments["assignment_id"])

    def describe(self) -> list[str]:
        """The crosswalk in Swedish lines, for `malstyrning katalog`."""
        labels = {"kept": "samma lydelse", "reworded": "ny lydelse", "merged": "sammanslagna", "split": "delat"}
        lines = []
        carried = [f"{g} ← {', '.join(self.predecessors[g])} ({labels[self.kind(g)]})"
                   for g in self.current.goals["goal_code"] if self.predecessors[g]]
        if carried:
            lines.append(f"Fortsätter från {self.previous.span}: " + "; ".join(carried) + ".")
        if self.ended:
            lines.append(f"KF-mål från {self.previous.span} som upphör: "
                         + "; ".join(f"{g} {_name(self.previous, g)}" for g in self.ended) + ".")
        if self.new_goals:
            lines.append("Nya KF-mål: " + "; ".join(f"{g} {_name(self.current, g)}" for g in self.new_goals) + ".")
        if self.carried_assignments:
            lines.append(f"KF-uppdrag som förs över från {self.previous.span}: " + ", ".join(self.carried_assignments) + ".")
        left = [a for a in running_past_end(self.previous) if a not in self.carried_assignments]
        if left:
            lines.append(f"Varning: KF-uppdrag som ska vara klara efter {self.previous.last_year} men inte förs över till "
                         f"{self.current.span}: " + ", ".join(left) + ".")
        return lines


def running_past_end(catalogue: Catalogue) -> list[str]:
    """The catalogue's assignments due after its period's last year, by id."""
    due = catalogue.assignments["due_year"]
    return list(catalogue.assignments.loc[due.notna() & (due > catalogue.last_year), "assignment_id"])


def crosswalk_for(catalogue: Catalogue, catalogues: Mapping[str, Catalogue]) -> Crosswalk | None:
    """The crosswalk into the catalogue's period from the one before it, or None when the
    catalogue continues no earlier period (no previous catalogue, or no goal that continues one)."""
    previous = previous_catalogue(catalogue, catalogues)
    if previous is None or (catalogue.continues.empty and catalogue.carried_assignments.empty):
        return None
    return Crosswalk(previous, catalogue)


def _name(catalogue: Catalogue, goal_code: str) -> str:
    hit = catalogue.goals.loc[catalogue.goals["goal_code"] == goal_code, "goal_name"]
    return str(hit.iloc[0]) if len(hit) else ""


CARRIED_COLUMNS = ["board_code", "contribution_id", "goal_code", "previous_period", "previous_goal_code",
                   "previous_occasion", "title", "description", "expected_movement"]


def last_accepted(submissions: pd.DataFrame | None, catalogue: Catalogue) -> dict[str, str]:
    """Board -> the occasion of its last accepted (current) submission in the catalogue's period."""
    if submissions is None or submissions.empty:
        return {}
    s = submissions[(submissions["mandate_period"].astype(object) == catalogue.mandate_period)
                    & (submissions["status"].astype(object) == CURRENT)]
    last: dict[str, Occasion] = {}
    for board, code in zip(s["board_code"].astype(object), s["occasion"].astype(object)):
        o = Occasion.parse(code)
        if catalogue.covers(o) and (board not in last or o > last[board]):
            last[board] = o
    return {b: o.code for b, o in last.items()}


def carried_contributions(crosswalk: Crosswalk, submissions: pd.DataFrame | None,
                          contributions: pd.DataFrame | None, board_code: str | None = None) -> pd.DataFrame:
    """The contributions that continue into the new period: those in each board's last
    accepted submission of the previous period whose goal a new goal carries forward that
    the board is responsible for (Crosswalk.successor_for), with the new goal, the old one
    and where they were last reported. `submissions` and `contributions` are the processed
    tables (any periods); `board_code` limits the answer to one board. In the order of the
    boards in the new catalogue, then as the board listed them."""
    last = last_accepted(submissions, crosswalk.previous)
    if board_code is not None:
        last = {b: o for b, o in last.items() if b == board_code}
    rows: list[dict] = []
    if contributions is not None and not contributions.empty and last:
        c = contributions[contributions["mandate_period"].astype(object) == crosswalk.previous.mandate_period]
        c = c.assign(**{k: c[k].astype(object) for k in ("occasion", "board_code", "contribution_id", "goal_code")})
        c = c[[last.get(b) == o for b, o in zip(c["board_code"], c["occasion"])]]
        if "excel_row" in c.columns:
            c = c.sort_values(["board_code", "excel_row"], kind="stable")
        for rec in c.to_dict("records"):
            new = crosswalk.successor_for(rec["goal_code"], rec["board_code"])
            if new is None or not isinstance(rec["contribution_id"], str):
                continue
            rows.append({"board_code": rec["board_code"], "contribution_id": rec["contribution_id"], "goal_code": new,
                         "previous_period": crosswalk.previous.span, "previous_goal_code": rec["goal_code"], "previous_occasion": rec["occasion"],
                         "title": _text(rec.get("title")), "description": _text(rec.get("description")),
                         "expected_movement": _text(rec.get("expected_movement"))})
    out = pd.DataFrame(rows, columns=CARRIED_COLUMNS)
    order = {b: i for i, b in enumerate(crosswalk.current.board_codes)}
    out = out.assign(_o=out["board_code"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    return out.drop_duplicates(["board_code", "contribution_id"]).reset_index(drop=True)


def is_first_budget(catalogue: Catalogue, occasion: Occasion) -> bool:
    """Whether the occasion is the first budget of the catalogue's period: where the boards
    plan their contributions to the new goals, and the templates carry the old ones forward."""
    return occasion == Occasion(catalogue.first_year, 0, "budget")


def carried_for_template(catalogues: Mapping[str, Catalogue], catalogue: Catalogue, occasion: Occasion,
                         submissions: pd.DataFrame | None, contributions: pd.DataFrame | None,
                         board_code: str) -> pd.DataFrame | None:
    """What a board's template carries forward at the occasion (see
    analysis.boards.template.build_template): at the first budget of a period that
    continues an earlier one, the board's continuing contributions (perhaps none); None
    at any other occasion."""
    crosswalk = crosswalk_for(catalogue, catalogues)
    if crosswalk is None or not is_first_budget(catalogue, occasion):
        return None
    return carried_contributions(crosswalk, submissions, contributions, board_code)


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
