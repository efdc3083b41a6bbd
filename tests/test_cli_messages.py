"""What the command line prints, with 0, 1 and 2 of every counted thing: Swedish singular
and plural ('1 inlämning', '2 inlämningar'), nothing said of zero where nothing happened,
and `run`/`report` ending with the files a reader opens. Every expected line is written
out by hand."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.aggregates import summary
from analysis.feedback import counts_line
from analysis.cli import catalogue_line, demo_line, feedback_line, ingest_line, templates_line
from analysis.occasion import Occasion
from analysis.run import rejected_line, report_files, report_summary
from analysis.vocabulary import count

AR = Occasion.parse("2026-ar")


def test_count_takes_the_singular_for_one_and_swedish_number_format():
    assert [count(n, "inlämning", "inlämningar") for n in (0, 1, 2)] == ["0 inlämningar", "1 inlämning", "2 inlämningar"]
    assert count(1234, "fil", "filer") == "1\u00a0234 filer"


@pytest.mark.parametrize("n, expected", [
    (0, "Mandatperiod 2023-2026 (k.yaml): 0 målområden, 0 KF-mål, 0 nämnder och bolag, 0 ansvarsuppdrag, "
        "mandatperiodsanalys vid Årsredovisning 2026. Inga fel."),
    (1, "Mandatperiod 2023-2026 (k.yaml): 1 målområde, 1 KF-mål, 1 nämnd eller bolag, 1 ansvarsuppdrag, "
        "mandatperiodsanalys vid Årsredovisning 2026. Inga fel."),
    (2, "Mandatperiod 2023-2026 (k.yaml): 2 målområden, 2 KF-mål, 2 nämnder och bolag, 2 ansvarsuppdrag, "
        "mandatperiodsanalys vid Årsredovisning 2026. Inga fel."),
])
def test_katalog(n, expected):
    catalogue = SimpleNamespace(mandate_period="2023-2026", source="k.yaml", goal_areas=[0] * n, goals=[0] * n,
                                boards=[0] * n, responsibilities=[0] * n, period_end_occasion=AR)
    assert catalogue_line(catalogue) == expected


def test_template():
    label, out = "Delårsrapport 2025", Path("/t")
    assert [templates_line(n, label, out) for n in (0, 1, 2)] == [
        "Inga mallar för Delårsrapport 2025 skrivna.",
        "1 mall för Delårsrapport 2025 skriven till /t.",
        "2 mallar för Delårsrapport 2025 skrivna till /t.",
    ]


def test_demo():
    # Written: 0, 1, 2 (nothing already there, every board sends).
    assert demo_line("2024-ar", 0, 0, []) == "Exempeldata 2024-ar: inga arbetsböcker skrivna."
    assert demo_line("2024-ar", 1, 0, []) == "Exempeldata 2024-ar: 1 arbetsbok skriven."
    assert demo_line("2024-ar", 2, 0, []) == "Exempeldata 2024-ar: 2 arbetsböcker skrivna."
    # Already there: 1 and 2, beside some written and alone.
    assert demo_line("2024-ar", 2, 1, []) == "Exempeldata 2024-ar: 2 arbetsböcker skrivna, 1 fanns redan och lämnades orörd."
    assert demo_line("2024-ar", 1, 2, []) == "Exempeldata 2024-ar: 1 arbetsbok skriven, 2 fanns redan och lämnades orörda."
    assert demo_line("2024-ar", 0, 1, []) == "Exempeldata 2024-ar: 1 arbetsbok fanns redan och lämnades orörd."
    assert demo_line("2024-ar", 0, 2, []) == "Exempeldata 2024-ar: 2 arbetsböcker fanns redan och lämnades orörda."
    # Boards that send nothing: 1 and 2 (0: not said, above).
    assert demo_line("2024-ar", 18, 0, ["HVON"]) == "Exempeldata 2024-ar: 18 arbetsböcker skrivna; 1 nämnd/bolag lämnar inte in (HVON)."
    assert demo_line("2024-ar", 17, 0, ["KS", "MN"]) == ("Exempeldata 2024-ar: 17 arbetsböcker skrivna; "
                                                         "2 nämnder/bolag lämnar inte in (KS, MN).")


def test_ingest():
    assert ingest_line("2025-ar", 0, 0, 0) == "2025-ar: inga filer lästa."
    assert ingest_line("2025-ar", 1, 1, 0) == "2025-ar: 1 fil läst, 1 godkänd."
    assert ingest_line("2025-ar", 1, 0, 1) == "2025-ar: 1 fil läst, 1 avvisad."
    assert ingest_line("2025-ar", 2, 2, 0) == "2025-ar: 2 filer lästa, 2 godkända."
    assert ingest_line("2025-ar", 2, 0, 2) == "2025-ar: 2 filer lästa, 2 avvisade."
    assert ingest_line("2025-ar", 3, 1, 2) == "2025-ar: 3 filer lästa, 1 godkänd, 2 avvisade."
    assert ingest_line("2025-ar", 3, 2, 1) == "2025-ar: 3 filer lästa, 2 godkända, 1 avvisad."
    assert feedback_line("r/", 1) == "Återkoppling per nämnd och en sammanfattning finns i r/ (1 fil)."
    assert feedback_line("r/", 2) == "Återkoppling per nämnd och en sammanfattning finns i r/ (2 filer)."


def test_the_feedback_summary_page():
    assert counts_line(0, 0, 0, 0) == "Inga filer lästa."
    assert counts_line(1, 0, 0, 0) == "1 fil läst, 1 godkänd. Inga fel eller varningar."
    assert counts_line(2, 0, 0, 1) == "2 filer lästa, 2 godkända. 1 varning."
    assert counts_line(2, 1, 1, 2) == "2 filer lästa, 1 godkänd, 1 avvisad. 1 fel och 2 varningar."
    assert counts_line(2, 2, 2, 0) == "2 filer lästa, 2 avvisade. 2 fel."


def _aggregates(statuses: list[str], on_time: int, without: int, gaps: int) -> dict[str, pd.DataFrame]:
    """The few columns `summary` reads: one row per board (its status), one responsibility per
    board (`without` of them accepted without a contribution), one goal moving, `gaps` gaps."""
    dq = pd.DataFrame({"submission_status": statuses, "files": [int(s != "missing") for s in statuses],
                       "on_time": [i < on_time for i in range(len(statuses))]})
    coverage = pd.DataFrame({"responsible": [True] * len(statuses), "submission_status": statuses,
                             "has_contribution": [i >= without for i in range(len(statuses))]})
    return {"data_quality": dq, "coverage": coverage, "goal_signal": pd.DataFrame({"suggested_level": ["moving"]}),
            "human_rights_gaps": pd.DataFrame({"theme": ["x"] * gaps})}


def test_aggregate():
    start = "2026-ar: "
    signal = " Sammanvägning av nämndernas och bolagens bedömningar per KF-mål: 1 förflyttning i önskad riktning."
    # Nothing rejected, nothing missing, no gaps: none of them said.
    assert summary(_aggregates(["accepted"] * 2, 2, 0, 0), AR) == (
        f"{start}2 av 2 nämnder och bolag godkända (2 i tid); 0 av 2 ansvarsuppdrag utan bidrag.{signal}")
    # One of each.
    assert summary(_aggregates(["accepted", "rejected", "missing"], 1, 1, 1), AR) == (
        f"{start}1 av 3 nämnder och bolag godkänd (1 i tid), 1 avvisad, 1 saknas; 1 av 3 ansvarsuppdrag utan bidrag."
        f"{signal} 1 kombination av målområde och tema utan beaktande.")
    # Two of each.
    assert summary(_aggregates(["accepted", "accepted", "rejected", "rejected", "missing", "missing"], 0, 2, 2), AR) == (
        f"{start}2 av 6 nämnder och bolag godkända (0 i tid), 2 avvisade, 2 saknas; 2 av 6 ansvarsuppdrag utan bidrag."
        f"{signal} 2 kombinationer av målområde och tema utan beaktande.")
    # Nothing read yet: one board, two boards.
    assert summary(_aggregates(["missing"], 0, 0, 0), AR) == "2026-ar: inga inlämningar inlästa ännu; 1 nämnd eller bolag saknas."
    assert summary(_aggregates(["missing"] * 2, 0, 0, 0), AR) == (
        "2026-ar: inga inlämningar inlästa ännu; alla 2 nämnder och bolag saknas.")


def _outputs(pdf: bool, charts: int):
    folder = Path("/rot/reports/2026-ar")
    files = {"charts": folder / "diagram", "excel": folder / "sammanstalld_analys.xlsx",
             "docx": folder / "sammanstalld_analys.docx", "notebook": folder / "sammanstalld_analys.ipynb",
             "html": folder / "sammanstalld_analys.html"} | ({"pdf": folder / "sammanstalld_analys.pdf"} if pdf else {})
    return SimpleNamespace(folder=folder, files=files, charts=[object()] * charts,
                           judgement=SimpleNamespace(note=lambda: "Bedömningsfil skapad: b.xlsx"))


def test_run_and_report_end_with_the_files_a_reader_opens():
    assert report_files(_outputs(True, 2), AR) == (
        "Rapporten för Årsredovisning 2026:\n"
        "  PDF: /rot/reports/2026-ar/sammanstalld_analys.pdf\n"
        "  HTML: /rot/reports/2026-ar/sammanstalld_analys.html\n"
        "  Excel: /rot/reports/2026-ar/sammanstalld_analys.xlsx")
    # Without LibreOffice there is no PDF: the Word document is what a reader opens.
    assert report_files(_outputs(False, 2), AR).splitlines()[1] == "  Word (ingen PDF): /rot/reports/2026-ar/sammanstalld_analys.docx"
    # The other files, with --verbose: the charts said only when there are any.
    word = "Word: /rot/reports/2026-ar/sammanstalld_analys.docx"
    notebook = "Notebook: /rot/reports/2026-ar/sammanstalld_analys.ipynb"
    assert [report_summary(_outputs(True, n)).splitlines() for n in (0, 1, 2)] == [
        [word, notebook, "Bedömningsfil skapad: b.xlsx"],
        ["Diagram: 1 diagram i /rot/reports/2026-ar/diagram", word, notebook, "Bedömningsfil skapad: b.xlsx"],
        ["Diagram: 2 diagram i /rot/reports/2026-ar/diagram", word, notebook, "Bedömningsfil skapad: b.xlsx"]]


def test_rejected_submissions_of_a_run():
    log = Path("/rot/reports/2026-ar/malstyrning.log")
    assert rejected_line(AR, ["a.xlsx"], log) == (
        "malstyrning: rapporten för 2026-ar är framtagen, men 1 inlämning avvisades: a.xlsx. "
        "Se /rot/reports/2026-ar/malstyrning.log och reports/2026-ar/validering/.")
    assert rejected_line(AR, ["a.xlsx", "b.xlsx"], log).startswith(
        "malstyrning: rapporten för 2026-ar är framtagen, men 2 inlämningar avvisades: a.xlsx, b.xlsx. ")
