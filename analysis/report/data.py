"""Everything one compiled analysis shows, gathered once per report: the catalogue, the
occasion, the aggregate tables as of the occasion, the boards' own rows, the findings,
the executive board's judgement, and what it all rests on. Pure: built from tables in
memory; `analysis.report.produce` loads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion


PENDING = "Kommunstyrelsens bedömning pågår"
BASE_MISSION_SUBJECT = "base_mission"  # the human-rights text on the base mission, beside one per theme


@dataclass(frozen=True)
class Judgement:
    """The executive board's own assessment and text at every level, as the analysts wrote
    them in the judgement workbook (analysis.report.judgement). A label is PENDING and a
    text None where nothing is written yet."""

    city: str | None  # the city-wide summary
    goal_areas: pd.DataFrame  # goal_area_code, assessment, assessment_label, wording
    goals: pd.DataFrame  # goal_code, assessment, assessment_label, reached, reached_label, wording
    human_rights: pd.DataFrame  # subject (a theme code or BASE_MISSION_SUBJECT), wording

    @classmethod
    def pending(cls, catalogue: Catalogue) -> "Judgement":
        """Nothing written yet, at any level."""
        def pending(keys: pd.Series, columns: dict) -> pd.DataFrame:
            frame = pd.DataFrame({keys.name: keys.astype(object).to_numpy()})
            for column, value in columns.items():
                frame[column] = pd.Series([value] * len(frame), dtype=object)
            return frame

        areas = pending(catalogue.goal_areas["goal_area_code"], {"assessment": None, "assessment_label": PENDING,
                                                                 "wording": None})
        goals = pending(catalogue.goals["goal_code"], {"assessment": None, "assessment_label": PENDING, "reached": None,
                                                       "reached_label": PENDING, "wording": None})
        subjects = pd.Series([*catalogue.scales["theme"].codes, BASE_MISSION_SUBJECT], name="subject")
        return cls(None, areas, goals, pending(subjects, {"wording": None}))


@dataclass(frozen=True)
class ReportData:
    catalogue: Catalogue
    occasion: Occasion
    tables: dict[str, pd.DataFrame]  # the aggregates as of the occasion (goal-area filter applied)
    follow_ups: pd.DataFrame  # current follow-ups at the occasion
    contributions: pd.DataFrame  # current contributions at the occasion
    issues: pd.DataFrame  # validation findings at the occasion
    judgement: Judgement  # the executive board's own words at every level
    submissions: pd.DataFrame  # every file read for the occasion: source_file, board_code, status, sha256
    stamp: Mapping  # what the report rests on (analysis.stamps.report_stamp) and when it was made
    goal_area: str | None = None
    goal_splits: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see for_goal
    made: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see once_per_goal

    @property
    def goal_areas(self) -> pd.DataFrame:
        areas = self.catalogue.goal_areas
        return areas[areas["goal_area_code"] == self.goal_area] if self.goal_area else areas

    @property
    def goals(self) -> pd.DataFrame:
        goals = self.catalogue.goals
        return goals[goals["goal_area_code"] == self.goal_area] if self.goal_area else goals

    @property
    def is_period_end(self) -> bool:
        return self.catalogue.is_period_end(self.occasion)

    @property
    def title(self) -> str:
        """What the report is: at a budget, the boards' planned contributions and the coverage
        they give; at a follow-up, the executive board's compiled analysis."""
        what = ("Nämndernas och bolagens planerade bidrag och träffbild" if not self.occasion.is_follow_up
                else "Sammanställd analys")
        return f"{what} – {self.occasion.label}" + (" – Exempeldata" if self.catalogue.example_data else "")

    def for_goal(self, name: str, goal_code: str) -> pd.DataFrame:
        """The rows of one goal in an aggregate table, or in `follow_ups` or `contributions`.
        Each table is split by goal once: the report asks for every goal in turn."""
        split = self.goal_splits.get(name)
        if split is None:
            frame = self.tables[name] if name in self.tables else getattr(self, name)
            split = {code: rows for code, rows in frame.groupby(frame["goal_code"].astype(object), sort=False)}
            split[None] = frame.iloc[0:0]
            self.goal_splits[name] = split
        return split.get(goal_code, split[None])


def once_per_goal(function):
    """A table of one goal (function(data, goal_code)), made once per report: the outline
    asks for some in the goal's section and again in an appendix. What it returns is
    shared: read it, do not change it."""
    @wraps(function)
    def made_once(data: ReportData, goal_code: str):
        key = (function.__name__, goal_code)
        if key not in data.made:
            data.made[key] = function(data, goal_code)
        return data.made[key]
    return made_once


def only_goal_area(tables: Mapping[str, pd.DataFrame], goal_area: str | None) -> dict[str, pd.DataFrame]:
    """The tables restricted to one goal area (tables without goal areas unchanged)."""
    if not goal_area:
        return dict(tables)
    return {name: (frame[frame["goal_area_code"].astype(object) == goal_area].reset_index(drop=True)
                   if "goal_area_code" in frame.columns else frame) for name, frame in tables.items()}


def at_occasion(frame: pd.DataFrame | None, occasion: Occasion, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of a processed table at the occasion (an empty frame when there is none)."""
    if frame is None:
        return pd.DataFrame(columns=columns or ["occasion"])
    return frame[frame["occasion"].astype(object) == occasion.code].reset_index(drop=True)


def report_data(catalogue: Catalogue, occasion: Occasion, tables: Mapping[str, pd.DataFrame],
                processed: Mapping[str, pd.DataFrame | None], judgement: Judgement, stamp: Mapping,
                goal_area: str | None = None) -> ReportData:
    """The report's data from the aggregates as of the occasion and the processed tables."""
    goals = set(catalogue.goals.loc[catalogue.goals["goal_area_code"] == goal_area, "goal_code"]) if goal_area else None

    def of_goals(frame: pd.DataFrame) -> pd.DataFrame:
        if goals is None:
            return frame
        return frame[frame["goal_code"].astype(object).isin(goals)].reset_index(drop=True)

    submissions = at_occasion(processed.get("submissions"), occasion, ["source_file", "board_code", "status", "sha256"])
    return ReportData(
        catalogue=catalogue,
        occasion=occasion,
        tables=only_goal_area(tables, goal_area),
        follow_ups=of_goals(at_occasion(processed.get("follow_ups"), occasion)),
        contributions=of_goals(at_occasion(processed.get("contributions"), occasion)),
        issues=at_occasion(processed.get("validation_issues"), occasion),
        judgement=judgement,
        submissions=submissions,
        stamp=dict(stamp),
        goal_area=goal_area,
    )
