"""The crosswalk between two mandate periods: each case a pair of small catalogues worked
out by hand (a goal carried forward, merged, split, ended or new; a council assignment
carried over the boundary), the checks `katalog` makes of it, and which of a board's
contributions continue into the new period."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from analysis.assignments import active_assignments
from analysis.catalogue import catalogue_from_dict, load_catalogues
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT
from analysis.crosswalk import Crosswalk, carried_contributions, crosswalk_for, last_accepted
from analysis.errors import CatalogueError
from analysis.occasion import Occasion

EXAMPLE = yaml.safe_load((REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml").read_text(encoding="utf-8"))
BOARDS = [{"code": c, "name": n, "kind": "nämnd"} for c, n in (("A", "Anämnden"), ("B", "Bnämnden"), ("C", "Cnämnden"))]


def catalogue(period: str, goals: list[dict], assignments: list[dict] | None = None) -> dict:
    """A small catalogue: the goals given, in goal areas 1 and 2, boards A, B, C; the
    example's scales and deadlines."""
    raw = {"mandate_period": period, "goal_areas": [{"code": "1", "name": "Ett"}, {"code": "2", "name": "Två"}],
           "goals": goals, "boards": BOARDS, "scales": copy.deepcopy(EXAMPLE["scales"]),
           "deadlines": copy.deepcopy(EXAMPLE["deadlines"])}
    if assignments is not None:
        raw["assignments"] = assignments
    return raw


OLD = catalogue("2023-2026", [
    {"code": "1.1", "goal_area": "1", "name": "Fler ska läsa", "responsible": ["A", "B"]},
    {"code": "1.2", "goal_area": "1", "name": "Fler ska bo bra", "responsible": ["A", "B", "C"]},
    {"code": "2.1", "goal_area": "2", "name": "Renare luft", "responsible": ["C"]},
    {"code": "2.2", "goal_area": "2", "name": "Mer grönska", "responsible": ["C"]},
], [
    {"id": "U2025-01", "given": 2025, "text": "Utred läsandet", "lead": "A", "due": 2028},  # runs past 2026
    {"id": "U2026-01", "given": 2026, "text": "Planera grönskan", "lead": "C", "due": 2026},
])
# 1.1 is kept word for word; old 1.2 is split into new 1.2 (A and B) and 1.3 (B and C);
# old 2.1 and 2.2 are merged into new 2.1; 2.2 is new. Nothing ends.
NEW = catalogue("2027-2030", [
    {"code": "1.1", "goal_area": "1", "name": "Fler ska läsa", "responsible": ["A"], "continues": ["1.1"]},
    {"code": "1.2", "goal_area": "1", "name": "Fler ska bygga", "responsible": ["A", "B"], "continues": ["1.2"]},
    {"code": "1.3", "goal_area": "1", "name": "Fler ska bo billigt", "responsible": ["B", "C"], "continues": ["1.2"]},
    {"code": "2.1", "goal_area": "2", "name": "Ett grönt och rent Malmö", "responsible": ["C"], "continues": ["2.1", "2.2"]},
    {"code": "2.2", "goal_area": "2", "name": "Rustat för skyfall", "responsible": ["A", "C"]},
], [
    {"id": "U2025-01", "given": 2025, "text": "Utred läsandet", "lead": "A", "due": 2028},  # carried over
    {"id": "U2027-01", "given": 2027, "text": "Planera för skyfall", "lead": "C", "participating": ["A"], "due": 2029},
])


def write(tmp_path, *raws: dict):
    reference = tmp_path / "data" / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    for raw in raws:
        (reference / f"malkatalog-{raw['mandate_period']}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True),
                                                                            encoding="utf-8")
    return reference


def problems(tmp_path, *raws: dict) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        load_catalogues(write(tmp_path, *raws))
    return info.value.problems


def test_an_unknown_old_goal_is_named_with_the_previous_catalogue(tmp_path):
    new = copy.deepcopy(NEW)
    new["goals"][3]["continues"] = ["2.1", "2.9"]
    assert problems(tmp_path, OLD, new) == [
        "goals 2.1: continues '2.9', som inte är ett KF-mål i målkatalogen för 2023–2026 (malkatalog-2023-2026.yaml)"]


def test_continuing_with_no_previous_catalogue_is_refused(tmp_path):
    assert problems(tmp_path, NEW) == [
        "goals 1.1: continues '1.1', men det finns ingen målkatalog för mandatperioden före 2027–2030 "
        "(malkatalog-<startår>-2026.yaml)",
        "goals 1.2: continues '1.2', men det finns ingen målkatalog för mandatperioden före 2027–2030 "
        "(malkatalog-<startår>-2026.yaml)",
        "goals 1.3: continues '1.2', men det finns ingen målkatalog för mandatperioden före 2027–2030 "
        "(malkatalog-<startår>-2026.yaml)",
        "goals 2.1: continues '2.1', men det finns ingen målkatalog för mandatperioden före 2027–2030 "
        "(malkatalog-<startår>-2026.yaml)",
        "goals 2.1: continues '2.2', men det finns ingen målkatalog för mandatperioden före 2027–2030 "
        "(malkatalog-<startår>-2026.yaml)",
        "assignments U2025-01: budgetåret 2025 (given) ligger före mandatperioden 2027–2030, och det finns ingen "
        "målkatalog för mandatperioden före 2027–2030 som uppdraget kan föras över från"]


@pytest.mark.parametrize("continues, message", [
    ("1.1", "goals 1.1: continues ska vara en lista med koder för KF-mål i föregående mandatperiod"),
    ([1.1], "goals 1.1: continues ska vara en lista med koder för KF-mål i föregående mandatperiod"),
    (["1.1", "1.1"], "goals 1.1 continues: koden '1.1' förekommer mer än en gång"),
])
def test_a_malformed_continues_is_named(continues, message):
    new = copy.deepcopy(NEW)
    new["goals"][0]["continues"] = continues
    with pytest.raises(CatalogueError) as info:
        catalogue_from_dict(new, "test.yaml")
    assert any(message in p for p in info.value.problems), info.value.problems


def test_an_old_goal_carried_by_two_new_ones(tmp_path):
    catalogues = load_catalogues(write(tmp_path, OLD, NEW))
    walk = crosswalk_for(catalogues["2027-2030"], catalogues)
    assert isinstance(walk, Crosswalk)
    # Worked out from the two catalogues above.
    assert walk.successors == {"1.1": ["1.1"], "1.2": ["1.2", "1.3"], "2.1": ["2.1"], "2.2": ["2.1"]}
    assert walk.predecessors == {"1.1": ["1.1"], "1.2": ["1.2"], "1.3": ["1.2"], "2.1": ["2.1", "2.2"], "2.2": []}
    assert [walk.kind(g) for g in ("1.1", "1.2", "1.3", "2.1", "2.2")] == ["kept", "split", "split", "merged", "new"]
    assert walk.ended == [] and walk.new_goals == ["2.2"]
    # A board's contribution to old 1.2 continues under the first new goal carrying it
    # that the board is responsible for: A and B under 1.2, C (not named for 1.2) under 1.3.
    assert [walk.successor_for("1.2", b) for b in ("A", "B", "C")] == ["1.2", "1.2", "1.3"]
    # B is not responsible for new 1.1: its contributions to old 1.1 end.
    assert walk.successor_for("1.1", "B") is None and walk.successor_for("1.1", "A") == "1.1"


def test_katalog_lists_ended_and_new_goals_and_carried_assignments(tmp_path, capsys):
    new = copy.deepcopy(NEW)
    new["goals"][3]["continues"] = ["2.1"]  # old 2.2 now ends
    write(tmp_path, OLD, new)
    assert main(["--root", str(tmp_path), "katalog"]) == 0
    out = capsys.readouterr().out
    assert ("  Fortsätter från 2023–2026: 1.1 ← 1.1 (samma lydelse); 1.2 ← 1.2 (delat); 1.3 ← 1.2 (delat); "
            "2.1 ← 2.1 (ny lydelse).") in out
    assert "  KF-mål från 2023–2026 som upphör: 2.2 Mer grönska." in out
    assert "  Nya KF-mål: 2.2 Rustat för skyfall." in out
    assert "  KF-uppdrag som förs över från 2023–2026: U2025-01." in out


def test_an_assignment_carried_across_the_boundary(tmp_path):
    catalogues = load_catalogues(write(tmp_path, OLD, NEW))
    old, new = catalogues["2023-2026"], catalogues["2027-2030"]
    # The old catalogue takes a due year after its period: the assignment runs past the end.
    assert old.assignments.set_index("assignment_id").loc["U2025-01", "due_year"] == 2028
    # The new catalogue lists it under the same id and budget year: carried over.
    assert list(new.carried_assignments["assignment_id"]) == ["U2025-01"]
    assert crosswalk_for(new, catalogues).carried_assignments == ["U2025-01"]
    # Board A reports on it from the new period's first budget (beside the year's new
    # assignment it takes part in), and at every follow-up until it reports it finished.
    budget = active_assignments(new, Occasion.parse("2027-budget"), "A")
    assert budget[["assignment_id", "role"]].values.tolist() == [["U2025-01", "lead"], ["U2027-01", "participating"]]
    assert list(active_assignments(new, Occasion.parse("2028-budget"), "A")["assignment_id"]) == []
    answers = pd.DataFrame({"occasion": ["2027-delar"], "board_code": ["A"], "assignment_id": ["U2025-01"],
                            "status": ["completed"]})
    assert list(active_assignments(new, Occasion.parse("2027-delar"), "A", answers)["assignment_id"]) == ["U2025-01", "U2027-01"]
    assert list(active_assignments(new, Occasion.parse("2027-ar"), "A", answers)["assignment_id"]) == ["U2027-01"]


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(id="U2025-09"),
     "assignments U2025-09: budgetåret 2025 (given) ligger före mandatperioden 2027–2030, men uppdraget finns inte i "
     "målkatalogen för 2023–2026 (malkatalog-2023-2026.yaml); ett uppdrag som förs över behåller sitt id"),
    (lambda a: a.update(given=2024),
     "assignments U2025-01: budgetåret 2024 (given) ligger före mandatperioden 2027–2030, men i målkatalogen för "
     "2023–2026 gavs det 2025; ett uppdrag som förs över behåller budgetåret då det gavs"),
    (lambda a: a.update(due=2026),
     "assignments U2025-01: året då uppdraget ska vara klart, 2026 (due), ligger före mandatperioden 2027–2030"),
])
def test_a_carried_assignment_must_be_the_previous_periods(tmp_path, change, message):
    new = copy.deepcopy(NEW)
    change(new["assignments"][0])
    assert message in problems(tmp_path, OLD, new)


def _tables(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Submissions and contributions as the processed tables hold them, from
    (occasion, board, status, [(contribution, goal), ...])."""
    subs = pd.DataFrame([(o, "2023-2026" if o < "2027" else "2027-2030", b, s) for o, b, s, _ in rows],
                        columns=["occasion", "mandate_period", "board_code", "status"])
    contributions = pd.DataFrame(
        [(o, "2023-2026", b, cid, goal, f"Rubrik {cid}", f"Beskrivning {cid}", f"Förflyttning {cid}", r)
         for o, b, s, items in rows if s == "current" for r, (cid, goal) in enumerate(items, 4)],
        columns=["occasion", "mandate_period", "board_code", "contribution_id", "goal_code", "title", "description",
                 "expected_movement", "excel_row"])
    return subs, contributions


def test_the_contributions_that_continue(tmp_path):
    catalogues = load_catalogues(write(tmp_path, OLD, NEW))
    walk = crosswalk_for(catalogues["2027-2030"], catalogues)
    subs, contributions = _tables([
        ("2026-delar", "A", "current", [("A-01", "1.1"), ("A-02", "1.2"), ("A-03", "1.2")]),
        ("2026-ar", "A", "current", [("A-01", "1.1"), ("A-02", "1.2")]),  # A-03 ended before the period end
        ("2026-delar", "B", "current", [("B-01", "1.1"), ("B-02", "1.2")]),
        ("2026-ar", "B", "rejected", []),  # B's last accepted submission is 2026-delar
        ("2026-ar", "C", "current", [("C-01", "1.2"), ("C-02", "2.1"), ("C-03", "2.2")]),
    ])
    assert last_accepted(subs, walk.previous) == {"A": "2026-ar", "B": "2026-delar", "C": "2026-ar"}
    got = carried_contributions(walk, subs, contributions)
    # Worked out by hand: A keeps 1.1 (responsible for new 1.1) and 1.2 -> 1.2; B's old 1.1
    # ends (B is not named for new 1.1), its 1.2 goes to 1.2; C's 1.2 goes to 1.3 (C is not
    # named for new 1.2), 2.1 and 2.2 both to the merged 2.1.
    assert got[["board_code", "contribution_id", "goal_code", "previous_goal_code", "previous_occasion"]].values.tolist() == [
        ["A", "A-01", "1.1", "1.1", "2026-ar"], ["A", "A-02", "1.2", "1.2", "2026-ar"],
        ["B", "B-02", "1.2", "1.2", "2026-delar"],
        ["C", "C-01", "1.3", "1.2", "2026-ar"], ["C", "C-02", "2.1", "2.1", "2026-ar"], ["C", "C-03", "2.1", "2.2", "2026-ar"]]
    assert got.loc[0, "title"] == "Rubrik A-01" and got.loc[0, "expected_movement"] == "Förflyttning A-01"
    assert set(got["previous_period"]) == {"2023–2026"}
    assert list(carried_contributions(walk, subs, contributions, "B")["contribution_id"]) == ["B-02"]
    assert carried_contributions(walk, None, None).empty


def test_a_carried_assignment_is_followed_up_from_the_new_periods_first_budget(tmp_path):
    from analysis.tables.assignments import assignment_status

    new = load_catalogues(write(tmp_path, OLD, NEW))["2027-2030"]
    subs = pd.DataFrame({"occasion": ["2027-budget", "2027-budget"], "board_code": ["A", "C"], "status": ["current"] * 2})
    answers = pd.DataFrame({"occasion": ["2027-budget"] * 2, "board_code": ["A", "C"],
                            "assignment_id": ["U2025-01", "U2027-01"], "status": ["ongoing", "not_started"],
                            "expected_completion": [2028, 2029], "comment": ["Pågår sedan 2025.", "Startar i höst."]})
    got = assignment_status(new, subs, answers, [Occasion.parse("2027-budget")])
    assert got[["assignment_id", "given_year", "status", "answered", "overdue"]].astype(object).values.tolist() == [
        ["U2025-01", 2025, "ongoing", True, False], ["U2027-01", 2027, "not_started", True, False]]


def test_the_example_citys_next_period():
    """malkatalog-2027-2030.yaml, as its comments describe it."""
    catalogues = load_catalogues(REPOSITORY_ROOT / "data" / "reference")
    new = catalogues["2027-2030"]
    walk = crosswalk_for(new, catalogues)
    assert len(new.goal_areas) == 4 and len(catalogues["2023-2026"].goal_areas) == 5 and new.warnings == ()
    kinds = {g: walk.kind(g) for g in new.goals["goal_code"]}
    assert {k: sorted(g for g, v in kinds.items() if v == k) for k in set(kinds.values())} == {
        "kept": ["1.1", "2.1", "3.1", "3.3", "4.1", "4.3"], "reworded": ["1.3", "2.4", "3.2", "3.4"],
        "merged": ["1.2"], "split": ["2.2", "2.3"], "new": ["3.5", "4.2"]}
    assert walk.ended == ["4.3", "5.2"] and walk.new_goals == ["3.5", "4.2"]
    assert walk.carried_assignments == ["U2024-03"]
    assert sorted(new.assignments.loc[new.assignments["given_year"] == 2027, "assignment_id"]) == ["U2027-01", "U2027-02"]
    # Responsibilities moved: KN no longer on the knowledge goal, KS now on safety, MST on business.
    assert "KN" not in set(new.responsibilities.loc[new.responsibilities["goal_code"] == "1.1", "board_code"])
    assert {"KS", "MKB"} <= set(new.responsibilities.loc[new.responsibilities["goal_code"] == "3.1", "board_code"])
    assert "MST" in set(new.responsibilities.loc[new.responsibilities["goal_code"] == "2.4", "board_code"])
