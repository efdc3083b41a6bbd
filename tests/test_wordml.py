"""The council document's fast writer (analysis.report.wordml, used by
analysis.report.document) gives the document python-docx's own API would: the same
elements, attributes and text for a table and for paragraphs holding awkward text, read
back cell by cell through python-docx's reading API, with nothing that could become a
field, a link or markup."""

from __future__ import annotations

import pandas as pd
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Twips

from analysis.report import content as rc, wordml
from analysis.report.blocks import Table
from analysis.report.document import _Writer, _clear_body, safe_text
from analysis.report.word_template import JUDGEMENT_STYLE, TABLE_STYLE, default_template

AWKWARD = ["  leder med mellanslag", "slutar med mellanslag ", "flik\tmitt i", "rad 1\nrad 2", "CR\r\nLF och \r ensam",
           "{ PAGE }", '=HYPERLINK("http://x";"klicka")', "<b>fet</b> & <w:fldSimple w:instr=\" PAGE \"/> ]]>",
           "kontroll\x0btecken", "", None, "åäö – 😀", "\"citat\" och 'apostrof'", " "]
FRAME = pd.DataFrame({
    "Nämnd <&> \"rubrik\"": AWKWARD,
    "Andel": [i / 13 for i in range(len(AWKWARD))],
    "Antal": pd.array(list(range(len(AWKWARD) - 1)) + [None], dtype="Int64"),
    "Basvärde": [1234.5] * len(AWKWARD),
})
PERCENT, DECIMALS = ("Andel",), {"Basvärde": 1}


def _document():
    document = default_template()
    _clear_body(document)
    return document


def _shape(element) -> tuple:
    """An element as tag, attributes, text and children: what a reader sees, whatever
    namespace declarations the serialisation carries."""
    return (element.tag, dict(element.attrib), element.text, [_shape(child) for child in element])


def _body(document) -> list[tuple]:
    return [_shape(e) for e in document.element.body if e.tag != qn("w:sectPr")]


def _api_table(document, frame: pd.DataFrame, widths: list[int]) -> None:
    """The table as python-docx's API writes it: add_table, the table style, column and
    header cell widths, add_row, Run.text, right-aligned numbers, and the header row
    marked through the element objects (python-docx has no API for it)."""
    headers = [str(c) for c in frame.columns]
    rows = rc.cell_texts(frame, PERCENT, DECIMALS)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles[TABLE_STYLE]
    for column, width in zip(table.columns, widths):
        column.width = width
    for cell, header, width in zip(table.rows[0].cells, headers, widths):
        cell.width = width
        cell.paragraphs[0].add_run().text = safe_text(header)
    for values in rows:
        for cell, value, name in zip(table.add_row().cells, values, frame.columns):
            cell.paragraphs[0].add_run().text = safe_text(value)
            if name != headers[0]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    row = document.element.body.findall(qn("w:tbl"))[-1].find(qn("w:tr"))
    properties = OxmlElement("w:trPr")
    properties.append(OxmlElement("w:tblHeader"))
    row.find(qn("w:tc")).addprevious(properties)
    document.add_paragraph()


def test_a_table_is_the_one_python_docx_writes_cell_by_cell():
    fast = _document()
    writer = _Writer(fast, {})
    table = Table("", FRAME, shares=PERCENT, decimals=DECIMALS)
    widths, landscape = writer.layout(table)  # in twips; python-docx takes a width in EMU (635 a twip)
    writer.table(table)
    writer.flush()
    slow = _document()
    _api_table(slow, FRAME, [Twips(w) for w in widths])
    assert not landscape
    assert _body(fast) == _body(slow)


def test_a_tables_cells_read_back_as_the_text_typed_with_header_widths_and_alignment():
    document = _document()
    writer = _Writer(document, {})
    writer.table(Table("", FRAME, shares=PERCENT, decimals=DECIMALS))
    writer.flush()
    (table,) = document.tables
    assert table.style.name == TABLE_STYLE
    shown = ["  leder med mellanslag", "slutar med mellanslag ", "flik\tmitt i", "rad 1\nrad 2", "CR\nLF och \n ensam",
             "{ PAGE }", '=HYPERLINK("http://x";"klicka")', "<b>fet</b> & <w:fldSimple w:instr=\" PAGE \"/> ]]>",
             "kontroll⟨U+000B⟩tecken", "", "–", "åäö – 😀", "\"citat\" och 'apostrof'", " "]
    assert [c.text for c in table.rows[0].cells] == ['Nämnd <&> "rubrik"', "Andel", "Antal", "Basvärde"]
    assert [r.cells[0].text for r in table.rows[1:]] == shown
    assert [r.cells[1].text for r in table.rows[1:4]] == ["0\u00a0%", "8\u00a0%", "15\u00a0%"]
    assert [r.cells[2].text for r in table.rows[-2:]] == ["12", "–"]
    assert {r.cells[3].text for r in table.rows[1:]} == {"1\u00a0234,5"}
    columns = [c.width for c in table.columns]
    assert len(set(columns)) > 1 and sum(columns) <= writer.text_width
    for i, row in enumerate(table.rows):
        assert [c.width for c in row.cells] == columns
        assert [c.paragraphs[0].alignment for c in row.cells[1:]] == [None if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT] * 3
        assert row.cells[0].paragraphs[0].alignment is None
    rows = document.element.body.find(qn("w:tbl")).findall(qn("w:tr"))
    assert [r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for r in rows] == [True] + [False] * len(shown)
    for forbidden in ("w:fldSimple", "w:instrText", "w:fldChar", "w:hyperlink", "w:b"):
        assert next(document.element.body.iter(qn(forbidden)), None) is None, forbidden


def test_paragraphs_are_the_ones_python_docx_writes():
    fast = _document()
    writer = _Writer(fast, {})
    writer.heading(1, "Rubrik <1> & { PAGE }")
    writer.para("Text ", bold="Fet: ")
    writer.para(" kursiv\tmed flik", style=JUDGEMENT_STYLE, italic=True)
    writer.caption("Tabell: =SUMMA(A1)", above=True)
    writer.caption("Diagram", above=False)
    writer.para(style="Normal")
    writer.page_break()
    writer.para()
    writer.flush()

    slow = _document()
    heading = slow.add_paragraph(style="Heading 1")
    heading.add_run().text = "Rubrik <1> & { PAGE }"
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")  # what the table of contents links to
    start.set(qn("w:id"), "1")
    start.set(qn("w:name"), "_Toc1")
    end.set(qn("w:id"), "1")
    heading.runs[0]._r.addprevious(start)
    heading.runs[0]._r.addnext(end)
    paragraph = slow.add_paragraph()
    paragraph.add_run().text, paragraph.add_run().text = "Fet: ", "Text "
    paragraph.runs[0].bold = True
    run = slow.add_paragraph(style=JUDGEMENT_STYLE).add_run()
    run.text, run.italic = " kursiv\tmed flik", True
    caption = slow.add_paragraph(style="Caption")
    caption.add_run().text = "Tabell: =SUMMA(A1)"
    caption.paragraph_format.keep_with_next = True
    slow.add_paragraph(style="Caption").add_run().text = "Diagram"
    slow.add_paragraph()  # the default style: named nowhere (python-docx leaves an empty w:pPr; the writer none)
    slow.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    slow.add_paragraph()
    assert _body(fast) == _body(slow)
    assert [p.text for p in fast.paragraphs][:4] == ["Rubrik <1> & { PAGE }", "Fet: Text ", " kursiv\tmed flik",
                                                      "Tabell: =SUMMA(A1)"]


@pytest.mark.parametrize("text", ["", " ", "a", "  a b  ", "a\tb\nc\rd", "<&>\"'", "{ PAGE }", "\u00a0%"])
def test_a_run_parses_to_the_text_it_was_given(text):
    (run,) = parse_xml(wordml.body([wordml.run(text)]))
    shown = {qn("w:tab"): "\t", qn("w:br"): "\n"}
    assert "".join(shown.get(child.tag) or child.text for child in run) == text.replace("\r", "\n")
    for t in run.iter(qn("w:t")):
        assert (t.get(qn("xml:space")) == "preserve") == (t.text != t.text.strip())
