"""The council document: the compiled analysis as a Word file (`sammanstalld_analys.docx`),
rendered from the report's outline (analysis.report.outline, the same blocks the HTML
shows) on the city office's template (analysis.report.word_template), for the interim and
annual reports the council reads.

A cover (title, occasion, mandate period, date, *Exempeldata* where it is) and a table of
contents come first; then the outline's sections in order. The table of contents lists
the headings of levels 1-3, each linked to its heading, with its page number as a
PAGEREF field that Word and LibreOffice compute as they lay the document out. The charts
are the PNG files the export wrote, each with its alt text.

Accessible by construction: headings use the template's heading styles in order, with no
level skipped; every picture carries its alt text (`descr` of `wp:docPr`); every table's
first row is a header row repeated on each page; the document's language is Swedish and
its title set. Text from the boards and the analysts only ever goes into a run's text,
escaped, so nothing they typed becomes a field, a link or a style.

The body's paragraphs and tables are written as WordprocessingML text (analysis.report.
wordml: the same XML python-docx's API writes, without its cost per cell) and parsed in
one go into the document's body; the pictures go in through python-docx's API.
python-docx has no API for fields, header rows or alt text: those are written as XML too,
or through its element objects."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


from analysis.files import write_bytes
from analysis.report import blocks as b, content as rc, wordml
from analysis.report.data import ReportData
from analysis.report.word_template import JUDGEMENT_STYLE, LANGUAGE, TABLE_STYLE

TOC_LEVELS = 3  # headings of levels 1-3 in the table of contents
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november",
          "december")
# Characters XML 1.0 cannot hold (a control character pasted into a cell): shown as their code.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Picture:
    """A chart as the document shows it: its exported PNG, alt text and title."""

    png: Path
    alt_text: str
    title: str


def safe_text(value: object) -> str:
    """Text as a run holds it: line breaks as '\\n' (one break each), and characters XML
    cannot hold shown as ⟨U+000B⟩ rather than breaking the file."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def swedish_date(iso: str) -> str:
    """'2026-03-12T10:15:00+01:00' -> '12 mars 2026'."""
    try:
        day = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag if ":" in tag else f"w:{tag}")


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag if ":" in tag else f"w:{tag}")
    for name, value in attributes.items():
        element.set(_w(name), value)
    return element


class _Writer:
    """Adds the report's parts to the document, in order. Paragraphs and tables are
    gathered as WordprocessingML text (analysis.report.wordml) and put into the body in
    one go when a picture's paragraph comes or the text is done (`flush`)."""

    def __init__(self, document, pictures: Mapping[str, Picture]):
        self.document = document
        self.pictures = pictures
        self.body = document.element.body
        section = document.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin
        self.text_height = section.page_height - section.top_margin - section.bottom_margin
        self.level = 0  # the last heading's level: a heading may go at most one level deeper
        self.parts: list[str] = []  # WordprocessingML not yet in the body
        self.style_ids: dict[str, str | None] = {}
        self.bookmarks = 0

    def style_id(self, name: str | None) -> str | None:
        """The template's id of the style `name`; None for the default style, which a
        paragraph or table has without naming it (as python-docx writes it)."""
        if name is None:
            return None
        if name not in self.style_ids:
            styles = self.document.styles
            style = styles[name]
            self.style_ids[name] = None if style == styles.default(style.type) else style.style_id
        return self.style_ids[name]

    def flush(self) -> None:
        """The gathered parts into the body, before its section properties (where
        python-docx's `add_paragraph` puts a paragraph)."""
        from docx.oxml import parse_xml

        if not self.parts:
            return
        section = self.body.find(_w("sectPr"))
        for element in list(parse_xml(wordml.body(self.parts))):
            if section is None:
                self.body.append(element)
            else:
                section.addprevious(element)
        self.parts = []

    def block(self, block: b.Block) -> None:
        if isinstance(block, b.Heading):
            self.heading(block.level, block.text)
        elif isinstance(block, b.Paragraph):
            self.para(block.text, bold=block.lead)
        elif isinstance(block, b.Note):
            self.para(block.text, italic=True)
        elif isinstance(block, b.Items):
            if block.lead:
                self.para(block.lead)
            for item in block.items:
                self.para(f"– {item}")
        elif isinstance(block, b.Judgement):
            self.judgement(block)
        elif isinstance(block, b.Table):
            self.table(block)
        elif isinstance(block, b.Chart):
            self.chart(block.name)
        else:
            raise TypeError(f"Not a report block: {block!r}")

    def heading(self, level: int, text: object) -> None:
        if level > self.level + 1:
            raise ValueError(f"Heading level {level} after level {self.level}: '{text}'.")
        self.level = level
        run = wordml.run(safe_text(text))
        style = self.style_id(f"Heading {level}")
        if level <= TOC_LEVELS:
            self.bookmarks += 1
            self.parts.append(wordml.bookmarked(run, style, self.bookmarks))
        else:
            self.parts.append(wordml.paragraph(run, style))

    def para(self, text: object = "", bold: object = "", style: str | None = None, italic: bool = False,
             keep_with_next: bool = False) -> None:
        runs = (wordml.run(safe_text(bold), bold=True) if bold else "") + (
            wordml.run(safe_text(text), italic=italic) if text else "")
        self.parts.append(wordml.paragraph(runs, self.style_id(style), keep_with_next))

    def caption(self, text: object, above: bool) -> None:
        self.para(text, style="Caption", keep_with_next=above)

    def page_break(self) -> None:
        self.parts.append(wordml.page_break())

    def table(self, table: b.Table) -> None:
        """A table with its caption above it, the header row first and repeated on each
        page, numbers right-aligned, columns as wide as their text calls for."""
        from docx.shared import Emu

        if table.caption:
            self.caption(table.caption, above=True)
        if table.key:
            self.para(table.key, keep_with_next=True)
        headers = table.header
        rows = rc.cell_texts(table.frame, table.shares, table.decimals)
        numeric = [kind != "text" for kind in table.kinds()]
        widths = [Emu(width).twips for width in self._widths(headers, rows)]
        self.parts.append(wordml.table([safe_text(h) for h in headers], [[safe_text(v) for v in r] for r in rows],
                                       widths, numeric, self.style_id(TABLE_STYLE)))
        self.para()  # room after the table (and two tables never merge)

    def _widths(self, headers: list[str], rows: list[tuple[str, ...]]) -> list[int]:
        """Column widths within the text width: each at least as wide as its longest word
        (up to a limit), the rest shared by how much text a column typically holds."""
        from docx.shared import Pt

        sample = rows[:200]
        least, weights = [], []
        for i, header in enumerate(headers):
            cells = [r[i] for r in sample]
            word = max((len(w) for text in [header, *cells] for w in text.split()), default=1)
            least.append(int(Pt(4.6) * min(word, 10) + Pt(7)))  # 9 pt Arial: about 4.6 pt a letter
            weights.append(min(sum(map(len, cells)) / len(cells) if cells else len(header), 80))
        room = self.text_width - sum(least)
        if room <= 0:
            return [int(self.text_width * w / sum(least)) for w in least]
        total = sum(weights) or 1
        return [int(w + room * weight / total) for w, weight in zip(least, weights)]

    def chart(self, name: str) -> None:
        """A chart by name, as wide as the text (at most four fifths of the page high),
        with its alt text as the picture's description; a chart that does not apply to
        the report shows nothing."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        picture = self.pictures.get(name)
        if picture is None:
            return
        self.flush()
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(str(picture.png), width=self.text_width)
        most = int(self.text_height * 0.8)
        if shape.height > most:
            shape.width, shape.height = int(shape.width * most / shape.height), most
        # python-docx has no API for a picture's description: its wp:docPr element holds it
        properties = next(paragraph._p.iter(_w("wp:docPr")))
        properties.set("descr", safe_text(picture.alt_text))
        properties.set("name", picture.png.stem)
        self.caption(f"Diagram: {picture.title}", above=False)

    def judgement(self, block: b.Judgement) -> None:
        """The executive board's own words at the head of a section, in the template's
        style for them."""
        self.para(bold=rc.JUDGEMENT_HEAD, style=JUDGEMENT_STYLE)
        for label, value, pending in block.lines:
            self.para(value, bold=f"{label} " if label else "", style=JUDGEMENT_STYLE, italic=pending)

    def table_of_contents(self, headings: list[b.Heading]) -> None:
        """The headings of levels 1-3 with their page numbers, each linked to its heading
        (bookmarked in the same order by `heading`)."""
        self.para("Innehåll", style="TOC Heading")
        tab = self.text_width * 1440 // 914400  # EMU to twips
        shown = [h for h in headings if h.level <= TOC_LEVELS]
        for number, heading in enumerate(shown, 1):
            self.parts.append(wordml.toc_entry(safe_text(heading.text), number,
                                               self.style_id(f"TOC {heading.level}"), tab))


def _clear_body(document) -> None:
    """The template's body text goes: the document keeps its styles, page and headers."""
    for child in list(document.element.body):
        if child.tag != _w("sectPr"):
            document.element.body.remove(child)


def _ask_to_update_fields(document) -> None:
    """Word updates the fields (the table of contents) when it opens the document."""
    settings = document.settings.element
    if settings.find(_w("updateFields")) is None:
        settings.append(_element("updateFields", val="true"))


def _header(document, title: str) -> None:
    """The document's title in the template's header (pages after the cover): in its first
    empty paragraph, or in one added."""
    header = document.sections[0].header
    paragraph = next((p for p in header.paragraphs if not p.text.strip()), None) or header.add_paragraph(style="Header")
    paragraph.add_run().text = safe_text(title)


def council_document(data: ReportData, sections: list[tuple[str, list[b.Block]]], pictures: Mapping[str, Picture],
                     template):
    """The council document: the outline's `sections` (analysis.report.outline.report_blocks)
    rendered into `template` (a python-docx Document, changed and returned) after a cover
    and a table of contents; `pictures`: the exported chart files by chart name."""
    document = template
    _clear_body(document)
    properties = document.core_properties
    properties.title = data.title
    properties.language = LANGUAGE
    properties.subject = f"{data.occasion.label}, mandatperiod {data.catalogue.mandate_period}"
    properties.author = properties.last_modified_by = "Stadskontoret, Malmö stad"
    properties.keywords = "Exempeldata" if data.catalogue.example_data else ""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    properties.created = properties.modified = now
    properties.revision = 1
    _header(document, data.title)
    _ask_to_update_fields(document)  # Word recomputes the page numbers of the table of contents

    w = _Writer(document, pictures)
    _cover(w, data)
    w.page_break()
    blocks = [block for _, section in sections for block in section]
    w.table_of_contents([block for block in blocks if isinstance(block, b.Heading)])
    w.page_break()
    for block in blocks:
        w.block(block)
    w.flush()
    return document


def write_document(document, path: Path) -> None:
    """Save atomically (made in memory, written beside the target, renamed over it)."""
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes(path, buffer.getvalue())


# --- the cover -------------------------------------------------------------------------


def _cover(w: _Writer, data: ReportData) -> None:
    title = data.title.replace(" – Exempeldata", "").replace(f" – {data.occasion.label}", "")
    w.para(title, style="Title")
    w.para(data.occasion.label + (f", målområde {data.goal_area}" if data.goal_area else ""), style="Subtitle")
    w.para("Malmö stad")
    w.para(f"Mandatperiod {data.catalogue.mandate_period}")
    w.para(f"Datum: {swedish_date(data.stamp.get('made_at', ''))}")
    if data.catalogue.example_data:
        w.para(bold="Exempeldata – inte verkliga uppgifter")
        w.para("Alla nämnder, bolag, bedömningar och siffror i dokumentet kommer från arbetsbänkens exempelstad.")
    w.para(rc.basis_note(data))
