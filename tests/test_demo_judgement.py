"""`malstyrning demo` fills the example city's judgement workbook for each interim and
annual report it writes submissions for, as its executive board would (marked as example
data), never over a file that is there, and refuses to write anything for a catalogue
that is not example data: the judgement workbook of a real city is never written by the demo."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from analysis.catalogue import load_catalogue
from analysis.cli import main
from analysis.config import Paths
from analysis.occasion import Occasion
from analysis.report.judgement import read_judgement

from conftest import CATALOGUE_FILE

OCCASION = "2026-ar"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Paths:
    root = tmp_path_factory.mktemp("demo_judgement")
    assert main(["--root", str(root), "demo", "--period", OCCASION]) == 0
    return Paths.at(root)


def test_the_demo_writes_the_executive_boards_words_at_every_level(demo_root, capsys):
    catalogue = load_catalogue(CATALOGUE_FILE)
    path = demo_root.judgement_for(OCCASION)
    judgement = read_judgement(path, catalogue, Occasion.parse(OCCASION))
    assert isinstance(judgement.city, str) and "Årsredovisning 2026" in judgement.city
    movement, reached = set(catalogue.scales["movement"].labels), set(catalogue.scales["reached"].labels)
    assert set(judgement.goal_areas["assessment_label"]) <= movement and judgement.goal_areas["wording"].str.len().min() > 40
    assert len(judgement.goals) == 15 and set(judgement.goals["assessment_label"]) <= movement
    assert set(judgement.goals["reached_label"]) <= reached  # the period end asks whether it has been reached
    assert judgement.goals["wording"].str.len().min() > 40
    assert judgement.human_rights["wording"].notna().all() and len(judgement.human_rights) == 5
    wb = openpyxl.load_workbook(path)
    assert all("Exempeldata" in wb[sheet]["A2"].value for sheet in ("Hela staden", "Målområden", "KF-mål",
                                                                     "Mänskliga rättigheter"))


def test_a_judgement_file_that_is_there_is_left_as_it_is(demo_root, capsys):
    path = demo_root.judgement_for(OCCASION)
    before = path.read_bytes()
    assert main(["--root", str(demo_root.root), "demo", "--period", OCCASION]) == 0
    assert f"Exempeldata {OCCASION}: bedömningsfilen {path} fanns redan och lämnades orörd." in capsys.readouterr().out
    assert path.read_bytes() == before


def test_a_budget_has_no_judgement_file(demo_root):
    assert main(["--root", str(demo_root.root), "demo", "--period", "2026-budget"]) == 0
    assert sorted(p.name for p in demo_root.judgements.iterdir()) == [f"{OCCASION}.xlsx"]


def test_the_demo_refuses_a_catalogue_that_is_not_example_data(tmp_path, capsys):
    reference = tmp_path / "data" / "reference"
    reference.mkdir(parents=True)
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert "example_data: true\n" in text
    (reference / CATALOGUE_FILE.name).write_text(text.replace("example_data: true\n", "example_data: false\n"),
                                                 encoding="utf-8")
    (reference / "bedomning").mkdir()
    for args in (["demo", "--period", OCCASION], ["demo", "--all"]):
        assert main(["--root", str(tmp_path), *args]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == ["malstyrning: fel: Målkatalogen för mandatperioden 2023-2026 (malkatalog-2023-2026.yaml) är inte "
                       "exempeldata (example_data: true saknas). malstyrning demo fyller bara i exempelstadens "
                       "arbetsböcker och bedömningsfiler och skriver aldrig i en verklig stads; inget har skrivits."]
    assert list((reference / "bedomning").iterdir()) == []
    assert not (tmp_path / "data" / "raw").exists() or not any((tmp_path / "data" / "raw").rglob("*.xlsx"))
    shutil.rmtree(tmp_path / "data")
