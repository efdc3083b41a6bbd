"""The goal catalogue: the example city's figures, precise messages for inconsistencies,
and a new mandate period added as a file, without code changes."""

import copy
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.catalogue import catalogue_for, catalogue_from_dict, load_catalogue, load_catalogues
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT, Paths
from analysis.errors import CatalogueError, UsageError
from analysis.occasion import Occasion

SOURCE = REPOSITORY_ROOT / "data" / "reference" / "malkatalog-2023-2026.yaml"


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def test_example_catalogue_has_the_shape_the_structure_prescribes():
    cat = load_catalogue(SOURCE)
    assert cat.mandate_period == "2023-2026" and (cat.first_year, cat.last_year) == (2023, 2026)
    assert len(cat.goal_areas) == 5
    assert len(cat.goals) == 15
    assert (cat.boards["board_kind"] == "nämnd").sum() == 14
    assert (cat.boards["board_kind"] == "bolag").sum() == 5
    # Goals 3.2 and 4.3 are aimed at all 19 boards; the other 13 name their boards.
    per_goal = cat.responsibilities.groupby("goal_code").size()
    assert per_goal["3.2"] == 19 and per_goal["4.3"] == 19
    assert per_goal["1.1"] == 4 and per_goal["3.1"] == 5
    assert set(cat.goals_for("OFN")["goal_code"]) == {"3.2", "4.2", "4.3"}
    assert cat.board_name("HVON") == "Hälsa-, vård- och omsorgsnämnden"
    assert cat.scales["theme"].codes == ("child_rights", "gender_equality", "equality", "anti_discrimination")
    # The whole-period analysis is the last year's annual report unless the catalogue says otherwise.
    assert cat.period_end_occasion == Occasion.parse("2026-ar") and cat.warnings == ()
    assert [o.code for o in cat.occasions][:4] == ["2023-budget", "2023-delar", "2023-ar", "2024-budget"]
    assert len(cat.occasions) == 12
    assert str(cat.deadline(Occasion.parse("2024-ar"))) == "2025-02-15"


def test_scale_accepts_label_or_code_in_any_case_but_never_guesses():
    cat = load_catalogue(SOURCE)
    movement = cat.scales["movement"]
    assert movement.code_for("  viss förflyttning i  önskad riktning ") == "some"
    assert movement.code_for("CLEAR") == "clear"
    assert movement.code_for("Viss förflyttning") is None


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda r: r["goals"][0].update(responsible=["FSKN", "XYZ"]), "goals 1.1: ansvarig nämnd 'XYZ' finns inte under boards"),
        (lambda r: r["goals"][1].update(goal_area="9"), "goals 1.2: målområdet '9' finns inte under goal_areas"),
        (lambda r: r["boards"].append(dict(r["boards"][0])), "boards: koden 'KS' förekommer mer än en gång"),
        (lambda r: r["boards"][2].update(kind="förvaltning"), "boards FSKN: kind 'förvaltning' ska vara nämnd eller bolag"),
        (lambda r: r["scales"].pop("outlook"), "scales: skalan 'outlook' saknas"),
        (lambda r: r.update(mandate_period="2023–26"), "mandate_period '2023–26' ska skrivas som startår-slutår"),
        (lambda r: r["goals"].__delitem__(slice(12, 15)), "goal_areas 5: målområdet har inga KF-mål"),
        (lambda r: r.update(period_end_occasion="2026-budget"), "period_end_occasion '2026-budget' ska vara en delårsrapport"),
        (lambda r: r.update(period_end_occasion="2027-ar"), "period_end_occasion '2027-ar' ska vara en delårsrapport"),
        (lambda r: r["goals"][4].update(responsible="some"), "goals 2.2: responsible ska vara en lista med nämndkoder eller 'alla'"),
        (lambda r: r["boards"][5].update({"vård- och omsorgsnämnden": None}), "boards nr 6 (HVON): okänd nyckel 'vård- och omsorgsnämnden'"),
        # Council assignments (KF-uppdrag), each mistake named with the assignment's id.
        (lambda r: r["assignments"][1].update(lead="XYZ"), "assignments U2023-02: ansvarig nämnd 'XYZ' (lead) finns inte under boards"),
        (lambda r: r["assignments"][4].update(participating=["MKB", "ABC"]),
         "assignments U2024-01: deltagande nämnd 'ABC' (participating) finns inte under boards"),
        (lambda r: r["assignments"].append(dict(r["assignments"][5], text="En annan text")),
         "assignments: koden 'U2024-02' förekommer mer än en gång"),
        (lambda r: r["assignments"][5].update(due=2022),
         "assignments U2024-02: året då uppdraget ska vara klart, 2022 (due), ligger före mandatperioden 2023–2026"),
        (lambda r: r["assignments"][6].update(due=2023),
         "assignments U2024-03: året då uppdraget ska vara klart, 2023 (due), är före budgetåret 2024 då det gavs"),
        (lambda r: r["assignments"][6].update(given=2027), "assignments U2024-03: budgetåret 2027 (given) ligger utanför mandatperioden"),
        (lambda r: r["assignments"][2].update(due="snart"), "assignments U2023-03: due 'snart' ska vara året då uppdraget ska vara klart, eller 'löpande'"),
        (lambda r: r["assignments"][8].update(participating=["TN"]), "assignments U2025-02: 'TN' är både ansvarig (lead) och deltagande"),
        (lambda r: r["assignments"][0].pop("text"), "assignments nr 1 (U2023-01): saknar text"),
        (lambda r: r["assignments"][0].update(id="U 2023/01"), "assignments nr 1: id 'U 2023/01' får bara innehålla"),
        (lambda r: r["assignments"][3].update(budget=2023), "assignments nr 4 (U2023-04): okänd nyckel 'budget'"),
    ],
)
def test_inconsistencies_are_named_precisely(raw, mutate, expected):
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(CatalogueError) as info:
        catalogue_from_dict(broken, "test.yaml")
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_every_assignment_problem_is_named_at_once(raw):
    broken = copy.deepcopy(raw)
    broken["assignments"][1].update(lead="XYZ")
    broken["assignments"][5].update(due=2022)
    with pytest.raises(CatalogueError) as info:
        catalogue_from_dict(broken, "test.yaml")
    assert [p for p in info.value.problems if p.startswith("assignments")] == [
        "assignments U2023-02: ansvarig nämnd 'XYZ' (lead) finns inte under boards",
        "assignments U2024-02: året då uppdraget ska vara klart, 2022 (due), ligger före mandatperioden 2023–2026"]


def test_example_catalogue_has_council_assignments_given_over_the_period(raw):
    cat = load_catalogue(SOURCE)
    a = cat.assignments.set_index("assignment_id")
    assert len(a) == 10 and cat.example_data
    assert sorted(set(a["given_year"])) == [2023, 2024, 2025, 2026]
    assert a.loc["U2023-03", "due_year"] is pd.NA and a.loc["U2024-01", "due_year"] == 2025  # ongoing: no due year
    shared = cat.assignment_boards.groupby("assignment_id").size()
    assert sorted(shared[shared > 1].index) == ["U2023-02", "U2023-03", "U2024-01", "U2025-02"]
    assert cat.assignments_for("MKB")[["assignment_id", "role"]].values.tolist() == [["U2024-01", "participating"]]
    assert cat.assignments_for("TN")["assignment_id"].tolist() == ["U2023-03", "U2025-02"]
    assert cat.scales["assignment_status"].labels == ("Ej påbörjat", "Pågår", "Slutfört", "Avslutat utan att slutföras")
    # A period without assignments is fine.
    without = copy.deepcopy(raw)
    without.pop("assignments")
    assert catalogue_from_dict(without).assignments.empty


def _reference_root(tmp_path: Path) -> Paths:
    ref = tmp_path / "data" / "reference"
    ref.mkdir(parents=True)
    shutil.copy(SOURCE, ref)
    return Paths.at(tmp_path)


def test_a_new_mandate_period_is_a_new_file(tmp_path, raw):
    paths = _reference_root(tmp_path)
    nxt = copy.deepcopy(raw)
    nxt["mandate_period"] = "2027-2030"
    nxt.pop("assignments")  # a new period's council assignments are its own
    nxt["goals"] = [g for g in nxt["goals"] if g["goal_area"] != "5"]
    nxt["goal_areas"] = nxt["goal_areas"][:4]
    (paths.reference / "malkatalog-2027-2030.yaml").write_text(yaml.safe_dump(nxt, allow_unicode=True), encoding="utf-8")

    assert set(load_catalogues(paths.reference)) == {"2023-2026", "2027-2030"}
    assert catalogue_for(Occasion.parse("2027-budget"), paths.reference).mandate_period == "2027-2030"
    assert len(catalogue_for(Occasion.parse("2027-budget"), paths.reference).goals) == 12
    assert catalogue_for(Occasion.parse("2026-ar"), paths.reference).mandate_period == "2023-2026"
    with pytest.raises(UsageError, match="Ingen målkatalog täcker 2031-budget"):
        catalogue_for(Occasion.parse("2031-budget"), paths.reference)


def test_overlapping_periods_are_refused(tmp_path, raw):
    paths = _reference_root(tmp_path)
    other = copy.deepcopy(raw)
    other["mandate_period"] = "2026-2029"
    other.pop("assignments")
    (paths.reference / "malkatalog-2026-2029.yaml").write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="överlappar"):
        load_catalogues(paths.reference)


def test_broken_catalogue_gives_exit_2_and_a_swedish_message(tmp_path, capsys):
    paths = _reference_root(tmp_path)
    (paths.reference / "malkatalog-2023-2026.yaml").write_text("goals: [\n", encoding="utf-8")
    assert main(["--root", str(tmp_path), "template", "--period", "2024-budget"]) == 2
    err = capsys.readouterr().err
    assert "Målkatalogen malkatalog-2023-2026.yaml har fel" in err and "inte giltig YAML (rad" in err
    assert "Traceback" not in err


def test_the_period_end_is_a_catalogue_setting(raw):
    """Some cities put the whole-period analysis in the last year's interim report: a
    catalogue change, not a code change."""
    cat = catalogue_from_dict({**copy.deepcopy(raw), "period_end_occasion": "2026-delar"}, "test.yaml")
    assert cat.period_end_occasion == Occasion.parse("2026-delar")
    assert cat.is_period_end(Occasion.parse("2026-delar")) and not cat.is_period_end(Occasion.parse("2026-ar"))
    assert [o.code for o in cat.occasions_to_period_end][-2:] == ["2026-budget", "2026-delar"]


@pytest.mark.parametrize("areas", [3, 6])
def test_goal_areas_outside_four_to_five_are_a_warning_not_a_refusal(raw, areas, tmp_path, capsys):
    """The structure calls 4–5 goal areas a guideline: the catalogue loads and says so."""
    changed = copy.deepcopy(raw)
    changed["goal_areas"] = [{"code": str(i), "name": f"Målområde {i}", "sdgs": [i]} for i in range(1, areas + 1)]
    changed["goals"] = [{**g, "goal_area": str(min(int(g["goal_area"]), areas) if areas < 5 else int(g["goal_area"]))}
                        for g in changed["goals"]]
    if areas == 6:
        changed["goals"].append({"code": "6.1", "goal_area": "6", "name": "Mål 6.1", "responsible": ["KS"]})
    cat = catalogue_from_dict(changed, "test.yaml")
    assert len(cat.goal_areas) == areas
    assert cat.warnings == (f"goal_areas: {areas} målområden; strukturen anger 4–5 som riktmärke",)

    paths = _reference_root(tmp_path)
    (paths.reference / "malkatalog-2023-2026.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert main(["--root", str(tmp_path), "katalog"]) == 0
    out = capsys.readouterr().out
    assert f"{areas} målområden" in out and "Inga fel." in out
    assert f"  Varning: goal_areas: {areas} målområden; strukturen anger 4–5 som riktmärke" in out


def test_the_human_rights_themes_are_the_catalogues_list(raw):
    """The seed lists the themes as examples: a fifth theme is the catalogue's to add."""
    changed = copy.deepcopy(raw)
    changed["scales"]["theme"].append({"code": "disability_rights", "label": "Funktionsrätt"})
    cat = catalogue_from_dict(changed, "test.yaml")
    assert cat.scales["theme"].labels[-1] == "Funktionsrätt" and len(cat.scales["theme"].codes) == 5
