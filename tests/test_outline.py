"""The report written once: the outline's sections render to HTML and to Word with the same
headings (text and level) and the same tables (header rows), in the same order; a section
added to the outline reaches both with no other edit; the notebook is one short cell per
section; the run uses no OS tricks."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess

import docx
import pandas as pd
import pytest
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from analysis.catalogue import load_catalogues
from analysis.config import REPOSITORY_ROOT
from analysis.occasion import Occasion
from analysis.report import blocks as b
from analysis.report.document import council_document
from analysis.report.html import html_parts, render_block
from analysis.report.notebook import REPORT_NOTEBOOK
from analysis.report.outline import OTHER_CHARTS, OUTLINE, Section, report_blocks
from analysis.report.produce import prepare
from analysis.report.word_template import open_template

from conftest import MARKUP, REPORTED


def html_events(page: str) -> list[tuple]:
    """Headings (level within the report: h2 is a chapter, h1 the title above them) and
    table header rows, in the order a reader meets them."""
    events = []
    for m in re.finditer(r"<h([1-6])[^>]*>(.*?)</h\1>|<thead><tr>(.*?)</tr></thead>", page, re.S):
        if m.group(1):
            if m.group(1) != "1":
                events.append(("rubrik", int(m.group(1)) - 1, htmllib.unescape(re.sub("<[^>]+>", "", m.group(2)))))
        else:
            events.append(("tabell", tuple(htmllib.unescape(x) for x in re.findall(r"<th>(.*?)</th>", m.group(3), re.S))))
    return events


def word_events(document) -> list[tuple]:
    """The same from a Word document, read with python-docx: paragraphs in a heading style
    and every table's first row, in body order."""
    events = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            paragraph = DocxParagraph(element, document)
            if paragraph.style.name.startswith("Heading "):
                events.append(("rubrik", int(paragraph.style.name.split()[-1]), paragraph.text))
        elif element.tag.endswith("}tbl"):
            events.append(("tabell", tuple(cell.text for cell in DocxTable(element, document).rows[0].cells)))
    return events


@pytest.mark.slow
@pytest.mark.parametrize("occasion", REPORTED)
def test_the_html_and_the_word_file_have_the_same_headings_and_tables_in_the_same_order(reported_city, occasion):
    paths, _ = reported_city
    folder = paths.report_for(occasion)
    in_html = html_events((folder / "sammanstalld_analys.html").read_text(encoding="utf-8"))
    in_word = word_events(docx.Document(str(folder / "sammanstalld_analys.docx")))
    assert in_html == in_word
    assert len(in_html) > 100
    headings = [e[2] for e in in_word if e[0] == "rubrik"]
    assert "Samverkan mellan nämnder och bolag" in headings
    assert any(re.fullmatch(r"Bilaga \d+: Återrapportering av KF-uppdrag", h) for h in headings)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) saknas")
def test_the_pdf_holds_the_cooperation_section_and_the_assignments_appendix(reported_city):
    paths, _ = reported_city
    pdf = paths.report_for("2026-ar") / "sammanstalld_analys.pdf"
    if not pdf.exists():
        pytest.skip("LibreOffice saknas: ingen PDF")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Samverkan mellan nämnder och bolag" in text
    assert re.search(r"Bilaga \d+: Återrapportering av KF-uppdrag", text)
    assert "U2024-03" in text  # a row of the appendix's table


@pytest.fixture(scope="module")
def data(example_city):
    """The period end's report data, computed (not stored) from the example city."""
    return prepare(example_city, load_catalogues(example_city.reference), Occasion.parse("2026-ar"), store=False).data


def _extra(data) -> list[b.Block]:
    yield b.Heading("Ett nytt avsnitt", 1)
    yield b.Paragraph("Text om det nya.")
    yield b.Heading("Ett underavsnitt", 2)
    yield b.Table("En ny tabell", pd.DataFrame({"Nämnd": ["<b>GRN</b>"], "Antal": pd.array([3], dtype="Int64")}))


def _html_of(sections) -> str:
    return "".join(p for _, blocks in sections for p in html_parts(blocks) if isinstance(p, str))


def test_a_section_added_to_the_outline_reaches_the_html_and_the_word_file(data):
    """One function and one entry in the outline: nothing else is edited."""
    first_appendix = next(i for i, s in enumerate(OUTLINE) if s.appendix)
    outline = [*OUTLINE[:first_appendix], Section("nytt", _extra), *OUTLINE[first_appendix:]]
    sections = report_blocks(data, [], outline)
    assert [name for name, _ in sections] == [s.name for s in outline]
    document = council_document(data, sections, {}, open_template(REPOSITORY_ROOT / "data/reference/rapportmall.docx"))
    in_html, in_word = html_events(_html_of(sections)), word_events(document)
    assert in_html == in_word
    new = in_word.index(("rubrik", 1, "Ett nytt avsnitt"))
    assert in_word[new:new + 3] == [("rubrik", 1, "Ett nytt avsnitt"), ("rubrik", 2, "Ett underavsnitt"),
                                    ("tabell", ("Nämnd", "Antal"))]
    # after the main part, before the appendices, which are numbered in order (at a follow-up the
    # first is the plan and outcome per contribution; the budget's appendix is not in the report)
    assert in_word[new + 3] == ("rubrik", 1, "Bilaga 1: Plan och utfall per bidrag")
    toc = [p.text for p in document.paragraphs if p.style.name == "TOC 1"]
    assert "Ett nytt avsnitt\t1" in toc


def test_every_block_is_escaped_in_html():
    blocks = [b.Heading(MARKUP, 1), b.Paragraph(MARKUP, lead=MARKUP), b.Note(MARKUP), b.Items((MARKUP,), lead=MARKUP),
              b.Judgement(((MARKUP, MARKUP, False), (None, MARKUP, True))),
              b.Table(MARKUP, pd.DataFrame({MARKUP: [MARKUP]}), key=MARKUP)]
    for block in blocks:
        out = render_block(block)
        assert "<b>fet</b>" not in out and "<script>" not in out and "<img" not in out, block
        assert "&lt;b&gt;fet&lt;/b&gt;" in out, block


def test_table_columns_have_kinds_from_their_values():
    frame = pd.DataFrame({"Namn": ["a"], "Antal": pd.array([1], dtype="Int64"), "Andel": [0.5], "Värde": [1.25],
                          "Ja": [True]})
    assert b.Table("t", frame, shares=("Andel",)).kinds() == ["text", "count", "share", "decimal", "text"]


def test_the_report_notebook_is_one_short_cell_per_section():
    import nbformat  # imported where used: its import builds jsonschema's grammars, some 3 s

    nb = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum(len(c.source.splitlines()) for c in code) <= 60
    assert "parameters" in code[0].metadata.get("tags", [])
    shown = [m.group(1) for c in code for m in [re.fullmatch(r'report\.show\("(\w+)"\)', c.source.strip())] if m]
    names = [s.name for s in OUTLINE]
    first_appendix = next(i for i, s in enumerate(OUTLINE) if s.appendix)
    assert shown == [*names[:first_appendix], OTHER_CHARTS, *names[first_appendix:]]
    assert not any(word in c.source for c in code for word in ("<h", "<p", "<table", "pickle"))


def test_the_package_uses_no_os_tricks():
    """No os._exit, no /proc, no LibreOffice macro and no pickle in analysis/."""
    found = []
    for path in sorted((REPOSITORY_ROOT / "analysis").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"os\._exit\(", r"[\"']/proc", r"vnd\.sun\.star\.script|macro:///|StarBasic", r"\bpickle\b"):
            if re.search(pattern, text):
                found.append((path.name, pattern))
    assert found == []


def _appendices(sections) -> dict[str, int]:
    """The appendices' titles by their numbers, from their headings."""
    found = [m.groups() for _, blocks in sections for block in blocks if isinstance(block, b.Heading)
             for m in [re.fullmatch(r"Bilaga (\d+): (.+)", block.text)] if m]
    return {title: int(n) for n, title in found}


def test_the_main_text_names_each_appendix_by_its_number(data):
    sections = report_blocks(data, [])
    numbers = _appendices(sections)
    assert list(numbers) == ["Plan och utfall per bidrag", "Förändringar sedan förra uppföljningen", "Indikatorer",
                             "Återrapportering av KF-uppdrag", "Datakvalitet", "Om underlaget"]
    assert list(numbers.values()) == [1, 2, 3, 4, 5, 6]
    first = next(i for i, (_, blocks) in enumerate(sections) if blocks and blocks[0].text.startswith("Bilaga"))
    said = [block.text for _, blocks in sections[:first] for block in blocks if isinstance(block, b.Paragraph)]
    plan = [t for t in said if "Plan och utfall per bidrag och nämndernas och bolagens analyser" in t]
    assert len(plan) == 15 and all(t.endswith("se bilaga 1.") for t in plan)
    assert all(t.endswith("se bilaga 3.") for t in said if "(frivilliga; nämnderna och bolagen väljer själva)" in t)
    changed = [t for t in said if t.startswith("Sedan Delårsrapport 2026 har ")]
    assert changed and all(t.endswith("Se bilaga 2.") for t in changed)
    assert any(t.endswith("Detaljerna står i bilagorna: plan och utfall per bidrag (bilaga 1), förändringar sedan förra "
                          "uppföljningen (bilaga 2), indikatorer (bilaga 3), återrapportering av KF-uppdrag (bilaga 4), "
                          "datakvalitet (bilaga 5) och om underlaget (bilaga 6).") for t in said)
    # no other appendix number is named than those there are
    assert {int(n) for t in said for n in re.findall(r"bilaga (\d+)", t)} == {1, 2, 3, 4, 5, 6}


def test_a_budget_has_the_planned_contributions_as_its_first_appendix(example_city):
    budget = prepare(example_city, load_catalogues(example_city.reference), Occasion.parse("2026-budget"),
                     store=False).data
    sections = report_blocks(budget, [])
    assert _appendices(sections) == {"Planerade bidrag per KF-mål": 1, "Återrapportering av KF-uppdrag": 2,
                                     "Datakvalitet": 3, "Om underlaget": 4}
    said = [block.text for _, blocks in sections for block in blocks if isinstance(block, b.Paragraph)]
    assert sum(t == "Nämndernas och bolagens planerade bidrag till målet: se bilaga 1." for t in said) == 15


def test_the_table_of_contents_lists_the_appendices_and_not_their_every_goal(data):
    document = council_document(data, report_blocks(data, []), {},
                                open_template(REPOSITORY_ROOT / "data/reference/rapportmall.docx"))
    toc = [p.text.split("\t")[0] for p in document.paragraphs if p.style.name.startswith("TOC ")]
    assert [t for t in toc if t.startswith("Bilaga")] == [
        "Bilaga 1: Plan och utfall per bidrag", "Bilaga 2: Förändringar sedan förra uppföljningen", "Bilaga 3: Indikatorer",
        "Bilaga 4: Återrapportering av KF-uppdrag", "Bilaga 5: Datakvalitet", "Bilaga 6: Om underlaget"]
    assert toc.count("KF-mål 1.1: Fler barn och elever ska nå kunskapsmålen") == 1
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings.count("KF-mål 1.1: Fler barn och elever ska nå kunskapsmålen") >= 2  # in the appendices too
