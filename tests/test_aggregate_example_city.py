"""`malstyrning aggregate` on the example city: every table for every occasion, written
where the report looks for them, and figures that agree with the processed tables."""

import datetime as dt

import pandas as pd
import pytest

from analysis.aggregates import aggregate_many
from analysis.catalogue import load_catalogues
from analysis.tables.registry import TABLES
from analysis.cli import main
from analysis.config import Paths
from analysis.occasion import Occasion
from analysis.intake.store import read_table

from conftest import aggregates_folder, copy_data


@pytest.fixture(scope="module")
def city(example_city, tmp_path_factory) -> Paths:
    """A copy of the example city's data (the shared city stays read-only)."""
    return copy_data(example_city, tmp_path_factory.mktemp("aggregate_city"))


@pytest.fixture(scope="module")
def aggregated(city):
    assert main(["--root", str(city.root), "aggregate", "--all"]) == 0
    return city


def _occasions(paths: Paths) -> list[str]:
    subs = read_table(paths.processed, "submissions")
    return sorted({str(o) for o in subs["occasion"].astype(object)}, key=Occasion.parse)


def test_every_table_is_written_for_every_occasion(aggregated):
    occasions = _occasions(aggregated)
    # The period 2023–2026 to its end, and the next period's first budget.
    assert occasions[0] == "2023-budget" and occasions[-2:] == ["2026-ar", "2027-budget"]
    for code in occasions:
        folder = aggregates_folder(aggregated, code)
        for name, declared in TABLES.items():
            frame = read_table(folder, name)
            assert frame is not None, (code, name)
            seen = {str(o) for o in frame["occasion"].astype(object)}
            if declared.over_period:
                assert all(Occasion.parse(o) <= Occasion.parse(code) for o in seen), (code, name)
            else:
                assert seen <= {code}, (code, name)
        # Coverage always lists the responsibilities of the occasion's catalogue: 90 in 2023–2026, 71 in 2027–2030.
        cov = read_table(folder, "coverage")
        assert int(cov["responsible"].sum()) == (71 if code == "2027-budget" else 90)


def test_the_command_prints_a_short_swedish_summary(city, capsys):
    assert main(["--root", str(city.root), "aggregate", "--period", "2026-ar"]) == 0
    out = capsys.readouterr().out
    # One board sent nothing, one is rejected (the example's uncorrected file at the period end).
    assert out.startswith("2026-ar: 17 av 19 nämnder och bolag godkända")
    assert "1 avvisad, 1 saknas" in out
    assert "Sammanvägning av nämndernas och bolagens bedömningar per KF-mål:" in out


def test_figures_agree_with_the_processed_tables(aggregated):
    occasion = Occasion.parse("2026-ar")
    folder = aggregates_folder(aggregated, occasion.code)
    subs = read_table(aggregated.processed, "submissions").astype({"occasion": object, "board_code": object, "status": object})
    subs = subs[subs["occasion"] == occasion.code]
    follow = read_table(aggregated.processed, "follow_ups")
    follow = follow[follow["occasion"].astype(object) == occasion.code]

    # Every follow-up of an accepted submission is counted once per scale.
    movement = read_table(folder, "movement_by_goal")
    per_scale = movement.groupby("scale")["count"].sum() + movement.drop_duplicates(["goal_code", "scale"]).groupby("scale")["unanswered"].sum()
    assert per_scale.to_dict() == {"movement": len(follow), "outlook": len(follow), "reached": len(follow)}

    # A board whose only file was rejected shows as rejected in coverage and data quality.
    rejected = set(subs.loc[subs["status"] == "rejected", "board_code"]) - set(subs.loc[subs["status"] == "current", "board_code"])
    assert rejected, "the example city leaves one file at the period end rejected"
    cov = read_table(folder, "coverage")
    assert set(cov.loc[cov["submission_status"].astype(object) == "rejected", "board_code"]) == rejected
    quality = read_table(folder, "data_quality").set_index("board_code")
    for board in rejected:
        assert quality.loc[board, "submission_status"] == "rejected" and pd.isna(quality.loc[board, "on_time"])

    # On time means submitted on or before 15 February the year after (the catalogue's deadline for ar).
    current = subs[subs["status"] == "current"].set_index("board_code")
    for board, row in current.iterrows():
        on_time = pd.Timestamp(row["submitted_on"]).date() <= dt.date(2027, 2, 15)
        assert bool(quality.loc[board, "on_time"]) == on_time, board

    # The signal's board categories add up to the responsible boards of every goal.
    signal = read_table(folder, "goal_signal")
    assert len(signal) == 15
    categories = [c for c in signal.columns if c.startswith("boards_")]
    assert (signal[categories].sum(axis=1) == signal["responsible_boards"]).all()
    assert signal["reasons"].str.contains("ansvarig").all()


def test_aggregate_returns_what_it_writes(city):
    occasion = Occasion.parse("2025-ar")
    tables = aggregate_many(city, load_catalogues(city.reference), [occasion])[occasion.code]
    assert list(tables) == list(TABLES)
    for name, frame in tables.items():
        stored = read_table(aggregates_folder(city, occasion.code), name)
        text = [c for c in frame.columns if frame[c].dtype == object]
        # Parquet gives a text column with some values missing back as pandas' str (NaN
        # where missing): nothing written is the same either way.
        same = lambda f: f.astype({c: object for c in text}).pipe(lambda g: g.where(g.notna(), None) if text else g)
        pd.testing.assert_frame_equal(same(frame), same(stored), check_dtype=False, check_categorical=False, obj=name)


def test_the_example_citys_period_end_follows_each_contributions_drift(example_city):
    """At the period end every followed-up contribution says whether the desired movement
    was reached and, in its analysis, how it moved over the period; 'reached' only for a
    contribution that moved in at least half of its follow-ups, and the counts its text
    gives are those of its follow-ups in the processed tables."""
    import re

    follow = read_table(example_city.processed, "follow_ups").astype(
        {"occasion": object, "board_code": object, "contribution_id": object, "movement": object, "reached": object})
    end = follow[follow["occasion"] == "2026-ar"]
    assert len(end) > 50 and end["reached"].notna().all()
    assert set(end["reached"]) == {"reached", "partly_reached", "not_reached"}
    history = follow[follow["occasion"] != "2026-ar"]
    for rec in end.to_dict("records"):
        own = history[(history["board_code"] == rec["board_code"]) & (history["contribution_id"] == rec["contribution_id"])]
        movements = [*own["movement"], rec["movement"]]
        moving = sum(m in ("clear", "some") for m in movements)
        assert "Mandatperiodsanalys:" in rec["analysis"]
        said = re.search(r"vid (\d+) av (\d+) uppföljningar", rec["analysis"])
        if said:
            assert (int(said.group(1)), int(said.group(2))) == (moving, len(movements)), rec["contribution_id"]
        elif moving == 0:
            assert f"inte visat någon förflyttning vid periodens {len(movements)} uppföljningar" in rec["analysis"]
        if rec["reached"] == "reached":
            assert 2 * moving >= len(movements), rec["contribution_id"]
        conclusion = {"reached": "bedöms ha nåtts", "partly_reached": "har delvis nåtts", "not_reached": "har inte nåtts"}
        assert conclusion[rec["reached"]] in rec["analysis"]
