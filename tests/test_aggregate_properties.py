"""Properties of the aggregate tables on generated cities (the small catalogue of
tests/aggregate_small_city.py, random submissions): shares sum to one, counts never
exceed the responsible boards, removing a goal area changes nothing elsewhere, and the
inputs are never changed."""

import copy

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aggregate_small_city import small_catalogue
from analysis.tables.registry import compute_tables as aggregate_tables
from analysis.tables.goal_signal import BOARD_CATEGORIES
from analysis.occasion import Occasion

CAT = small_catalogue()
OCCASIONS = [Occasion.parse(c) for c in ("2024-budget", "2024-delar", "2024-ar")]
BOARDS = list(CAT.boards["board_code"])
GOALS = list(CAT.goals["goal_code"])
AREA_OF = dict(zip(CAT.goals["goal_code"], CAT.goals["goal_area_code"]))
NAMED = set(zip(CAT.responsibilities["goal_code"], CAT.responsibilities["board_code"]))
# No shrinking: each example runs pandas for a while, and a failing example is printed whole anyway.
def examples(wanted: int) -> int:
    """A test's number of examples; fewer under a profile that asks for fewer (make test-quick)."""
    return min(wanted, settings.default.max_examples)


SETTINGS = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


def _answer(scale: str):
    return st.one_of(st.sampled_from(CAT.scales[scale].codes), st.none()) if scale != "theme" else st.sampled_from(CAT.scales[scale].codes)


@st.composite
def cities(draw) -> dict[str, pd.DataFrame]:
    """Random tables: each board plans contributions (fixed goal per id, usually one it is
    named for); at each occasion it submits (accepted, rejected, both, or not at all) and
    follows up some of them."""
    plans = {}
    for b in BOARDS:
        own = [g for g in GOALS if (g, b) in NAMED]
        goals = draw(st.lists(st.sampled_from(own if draw(st.integers(0, 9)) else GOALS), max_size=4))
        plans[b] = [(f"{b}-{i}", g) for i, g in enumerate(goals, 1)]
    subs, contrib, follow, hr, ind, issues = [], [], [], [], [], []
    for o in OCCASIONS:
        for b in BOARDS:
            sent = draw(st.sampled_from(["current", "rejected", "both", "missing"]))
            day = pd.Timestamp(2024, 1 if o.kind == "budget" else 9, 1) + pd.Timedelta(days=draw(st.integers(0, 40)))
            if sent in ("rejected", "both"):
                subs.append((o.code, b, "rejected", day - pd.Timedelta(days=3)))
                issues.append((o.code, b, "error"))
            if sent in ("current", "both"):
                subs.append((o.code, b, "current", day))
                issues += [(o.code, b, "warning")] * draw(st.integers(0, 2))
            # Rows of a rejected-only board stay in the tables here on purpose: they must not count.
            if sent == "missing":
                continue
            for cid, goal in plans[b]:
                if not draw(st.integers(0, 4)):
                    continue
                contrib.append((o.code, b, cid, goal))
                for theme in draw(st.lists(_answer("theme"), max_size=2, unique=True)):
                    hr.append((o.code, b, "contribution", cid, theme, draw(_answer("consideration"))))
                if o.is_follow_up:
                    follow.append((o.code, b, cid, goal, draw(_answer("movement")), draw(_answer("outlook")), None,
                                   draw(_answer("evidence_type"))))
                    if draw(st.booleans()):
                        ind.append((o.code, b, cid, "Mått", "%", draw(st.sampled_from(["increase", "decrease"])), 2022,
                                    draw(st.floats(0, 100)), 2024, draw(st.floats(0, 100))))
            hr.append((o.code, b, "base_mission", None, "child_rights", draw(_answer("consideration"))))
    return {
        "submissions": pd.DataFrame(subs, columns=["occasion", "board_code", "status", "submitted_on"]).assign(
            file_modified=lambda f: f["submitted_on"], source_file=lambda f: f["board_code"] + " " + f["occasion"] + ".xlsx",
            sha256=lambda f: f["occasion"] + f["board_code"] + f["status"]),
        "contributions": _read_from(pd.DataFrame(contrib, columns=["occasion", "board_code", "contribution_id", "goal_code"]).assign(
            title="Bidrag", expected_movement="Fler nås.", partner_boards=None), "Bidrag"),
        "follow_ups": _read_from(pd.DataFrame(follow, columns=["occasion", "board_code", "contribution_id", "goal_code", "movement",
                                                               "outlook", "reached", "evidence_type"]).assign(
            title=None, analysis="Text."), "Uppföljning"),
        "human_rights": pd.DataFrame(hr, columns=["occasion", "board_code", "scope", "contribution_id", "theme", "consideration"]).assign(
            comment=None),
        "indicators": _read_from(pd.DataFrame(ind, columns=["occasion", "board_code", "contribution_id", "indicator", "unit",
                                                            "direction", "baseline_year", "baseline_value", "value_year",
                                                            "value"]), "Indikatorer"),
        "validation_issues": pd.DataFrame(issues, columns=["occasion", "board_code", "severity"]),
    }


def _read_from(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Where each row was read: the board's accepted file of the occasion (its rejected
    one where it sent only that), the sheet, and rows from 4 on."""
    return frame.assign(source_file=frame["board_code"] + " " + frame["occasion"] + ".xlsx",
                        sha256=frame["occasion"] + frame["board_code"] + "current", sheet=sheet,
                        excel_row=frame.groupby(["occasion", "board_code"]).cumcount() + 4)


def _shares_sum_to_one(frame: pd.DataFrame, keys: list[str], total: str) -> None:
    """Per group: shares of the answered rows sum to one; counts plus blanks make the total."""
    given = frame[total] - frame["unanswered"] if total != "answers" else frame[total]
    answered = frame[given > 0]
    grouped = answered.groupby(keys, observed=True)
    if len(answered):
        assert (grouped["share"].sum() - 1).abs().max() < 1e-9
    sums = frame.groupby(keys, observed=True).agg(count=("count", "sum"), total=(total, "first"), blank=("unanswered", "first"))
    expected = sums["total"] - sums["blank"] if total != "answers" else sums["total"]
    assert (sums["count"] == expected).all()
    assert frame.loc[given == 0, "share"].isna().all()


@SETTINGS
@given(cities())
def test_shares_sum_to_one_and_counts_never_exceed_the_responsible_boards(tables):
    out = aggregate_tables(CAT, tables, OCCASIONS)
    _check_shares(out)
    _check_counts(out)


def _check_shares(out: dict[str, pd.DataFrame]) -> None:
    _shares_sum_to_one(out["movement_by_goal"], ["occasion", "goal_code", "scale"], "follow_ups")
    _shares_sum_to_one(out["movement_by_goal_area"], ["occasion", "goal_area_code", "scale"], "follow_ups")
    _shares_sum_to_one(out["evidence_mix"], ["occasion", "goal_code"], "follow_ups")
    _shares_sum_to_one(out["human_rights_by_goal_area"], ["occasion", "goal_area_code", "theme"], "answers")
    traj = out["trajectory"]
    assert traj.groupby(["occasion", "goal_code"], observed=True)["share"].sum().between(1 - 1e-9, 1 + 1e-9).where(
        traj.groupby(["occasion", "goal_code"], observed=True)["count"].sum() > 0, True).all()
    m = out["movement_by_goal"]
    assert (m["assessed"] <= m["follow_ups"]).all()


def _check_counts(out: dict[str, pd.DataFrame]) -> None:
    responsible = CAT.responsibilities.groupby("goal_code").size()
    for name in ("movement_by_goal", "movement_by_goal_area"):
        m = out[name]
        assert (m["boards"] <= m["responsible_boards"]).all(), name
    m = out["movement_by_goal"]
    assert (m["responsible_boards"] == m["goal_code"].map(responsible)).all()
    cov = out["coverage"]
    named = cov[cov["responsible"]]
    assert (named.groupby(["occasion", "goal_code"], observed=True).size() == named["goal_code"].map(responsible).groupby(
        [named["occasion"], named["goal_code"]], observed=True).first()).all()
    assert len(named) == len(CAT.responsibilities) * len(OCCASIONS)
    signal = out["goal_signal"]
    assert (signal[list(BOARD_CATEGORIES)].sum(axis=1) == signal["responsible_boards"]).all()
    assert (signal["responsible_boards"] == signal["goal_code"].map(responsible)).all()
    assert (signal["indicators_in_desired_direction"] <= signal["indicators"]).all()
    dq = out["data_quality"]
    assert len(dq) == len(BOARDS) * len(OCCASIONS)
    assert (dq["rejected_files"] <= dq["files"]).all()


def _without_area(tables: dict[str, pd.DataFrame], area: str) -> dict[str, pd.DataFrame]:
    gone = {g for g, a in AREA_OF.items() if a == area}
    out = dict(tables)
    contrib = tables["contributions"]
    ids = set(zip(contrib.loc[contrib["goal_code"].isin(gone), "board_code"], contrib.loc[contrib["goal_code"].isin(gone), "contribution_id"]))
    for name in ("contributions", "follow_ups"):
        out[name] = tables[name][~tables[name]["goal_code"].isin(gone)]
    for name in ("human_rights", "indicators"):
        frame = tables[name]
        keep = pd.Series([(b, c) not in ids for b, c in zip(frame["board_code"], frame["contribution_id"])],
                         index=frame.index, dtype=bool)
        out[name] = frame[keep]
    return out


@settings(SETTINGS, max_examples=examples(20))
@given(cities(), st.sampled_from(["1", "2", "3", "4"]))
def test_removing_a_goal_area_changes_nothing_elsewhere(tables, area):
    full = aggregate_tables(CAT, tables, OCCASIONS)
    less = aggregate_tables(CAT, _without_area(tables, area), OCCASIONS)
    for name in ("coverage", "movement_by_goal", "movement_by_goal_area", "evidence_mix", "indicators",
                 "human_rights_by_goal_area", "human_rights_gaps", "trajectory", "transitions", "goal_signal",
                 "dialogue"):
        a = full[name][full[name]["goal_area_code"] != area].reset_index(drop=True)
        b = less[name][less[name]["goal_area_code"] != area].reset_index(drop=True)
        if name == "dialogue":  # a goal without a contribution points at the goal cells of all the board's rows
            a, b = (f.drop(columns=["cell", "other_cells"]) for f in (a, b))
        pd.testing.assert_frame_equal(a, b, obj=name)
    # What is not about goals stays the same too.
    for name in ("data_quality", "human_rights_base_mission"):
        pd.testing.assert_frame_equal(full[name], less[name], obj=name)


@settings(SETTINGS, max_examples=examples(8))
@given(cities())
def test_inputs_are_not_changed(tables):
    before = copy.deepcopy(tables)
    catalogue_before = {n: getattr(CAT, n).copy() for n in ("goal_areas", "goals", "boards", "responsibilities")}
    aggregate_tables(CAT, tables, OCCASIONS)
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], before[name], obj=name)
    for name, frame in catalogue_before.items():
        pd.testing.assert_frame_equal(getattr(CAT, name), frame, obj=name)


def test_inputs_with_stored_dtypes_are_not_changed(example_city_tables):
    """The same on the example city's own tables (categoricals, pandas strings)."""
    catalogue, tables = example_city_tables
    before = {name: frame.copy(deep=True) for name, frame in tables.items()}
    aggregate_tables(catalogue, tables, catalogue.occasions[:4])
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], before[name], obj=name)


@pytest.fixture(scope="module")
def example_city_tables(example_city):
    from analysis.aggregates import load_processed
    from analysis.catalogue import load_catalogues

    return next(iter(load_catalogues(example_city.reference).values())), load_processed(example_city).tables
