"""The council document: the compiled analysis as a Word file (`sammanstalld_analys.docx`),
rendered from the report's outline (analysis.report.outline, the same blocks the HTML
shows) on the city office's template (analysis.report.word_template), for the interim and
annual reports the council reads.

A cover (title, occasion, mandate period, date, *Exempeldata* where it is) and a table of
contents come first; then the outline's sections in order. The table of contents lists
the headings of levels 1-3, each linked to its heading, with its page number as a
PAGEREF field that Word and LibreOffice compute as they lay the document out. The charts
are the PNG files the export wrote, each with its alt text.

Each table's columns are set from its content (column_widths): none narrower than its
longest word, the room left going to the columns with the most text. A table that does not
fit the portrait text width goes on landscape pages: a section of its own, with the
template's header and footer, beginning with the headings and text right before the
table. The document asks Word and LibreOffice to hyphenate (in Swedish, its language), so a
word breaks only at a syllable, with a hyphen.

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

import copy
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


from analysis.files import write_bytes
from analysis.report import blocks as b, content as rc, wordml
from analysis.report.data import ReportData
from analysis.report.text_width import longest_line, longest_word
from analysis.report.word_template import JUDGEMENT_STYLE, LANGUAGE, TABLE_STYLE

TOC_LEVELS = 3  # headings of levels 1-3 in the table of contents
TABLE_SIZE_PT = 9.0  # a table's text, where the template's table style sets no size
CELL_MARGINS_TWIPS = 216  # a cell's left and right margins together, where the table style sets none (Word's)
# A word is measured a little wider than its font says, so that no renderer breaks it.
WORD_ROOM = 1.04
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
        from docx.shared import Emu

        self.document = document
        self.pictures = pictures
        self.body = document.element.body
        section = document.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin
        self.text_height = section.page_height - section.top_margin - section.bottom_margin
        self.landscape_width_twips = Emu(max(section.page_width, section.page_height) - section.left_margin
                                         - section.right_margin).twips
        self.text_width_twips = Emu(self.text_width).twips
        self.template_section = copy.deepcopy(self.body.find(_w("sectPr")))
        self.table_pt, self.cell_margins = _table_measures(document)
        self.layouts: dict[int, tuple] = {}  # a table's cells and its layout, measured once
        self.landscape = False  # the pages the blocks go on now
        self.breaks = 0  # the sections ended so far
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
            self.heading(block.level, block.text, block.contents)
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

    def heading(self, level: int, text: object, contents: bool = True) -> None:
        if level > self.level + 1:
            raise ValueError(f"Heading level {level} after level {self.level}: '{text}'.")
        self.level = level
        run = wordml.run(safe_text(text))
        style = self.style_id(f"Heading {level}")
        if _in_contents(level, contents):
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

    def layout(self, table: b.Table) -> tuple[list[int], bool]:
        """The table's column widths in twips and whether it goes on landscape pages: on
        the portrait page when every column fits as wide as its longest word, else on a
        landscape page (where, if even that is too narrow, the columns share its width)."""
        key = id(table)
        if key not in self.layouts:
            headers = [safe_text(h) for h in table.header]
            rows = [[safe_text(v) for v in r] for r in rc.cell_texts(table.frame, table.shares, table.decimals)]
            widths = column_widths(headers, rows, self.table_pt, self.text_width_twips, self.cell_margins)
            landscape = widths is None
            if landscape:
                widths = column_widths(headers, rows, self.table_pt, self.landscape_width_twips, self.cell_margins,
                                       squeeze=True)
            self.layouts[key] = (headers, rows, widths, landscape)
        _, _, widths, landscape = self.layouts[key]
        return widths, landscape

    def table(self, table: b.Table) -> None:
        """A table with its caption above it, the header row first and repeated on each
        page, numbers right-aligned, columns as wide as their text calls for (layout), a
        legend under it where it has one."""
        if table.caption:
            self.caption(table.caption, above=True)
        if table.key:
            self.para(table.key, keep_with_next=True)
        self.layout(table)
        headers, rows, widths, _ = self.layouts.pop(id(table))
        numeric = [kind != "text" for kind in table.kinds()]
        self.parts.append(wordml.table(headers, rows, widths, numeric, self.style_id(TABLE_STYLE)))
        if table.legend:
            self.caption(table.legend, above=False)  # also the room after the table
        else:
            self.para()  # room after the table (and two tables never merge)

    # --- landscape pages: a section of their own, with the same header and footer ---------

    def orient(self, landscape: bool) -> None:
        """The blocks that follow go on landscape pages (or back on portrait ones): the
        section so far ends here, on the page it is on."""
        if landscape == self.landscape:
            return
        self.parts.append(wordml.section_end(self.section_properties(self.landscape, first=self.breaks == 0)))
        self.breaks += 1
        self.landscape = landscape

    def section_properties(self, landscape: bool, first: bool) -> str:
        """The template's section properties (page, margins, header and footer), turned to
        landscape where asked; only the first section keeps its cover page without header
        and footer."""
        from lxml import etree

        properties = copy.deepcopy(self.template_section)
        _section_as(properties, landscape, first)
        return etree.tostring(properties, encoding="unicode")

    def finish(self) -> None:
        """The last section is described by the body's own section properties."""
        self.flush()
        if self.breaks:
            _section_as(self.body.find(_w("sectPr")), self.landscape, first=False)

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
        shown = [h for h in headings if _in_contents(h.level, h.contents)]
        for number, heading in enumerate(shown, 1):
            self.parts.append(wordml.toc_entry(safe_text(heading.text), number,
                                               self.style_id(f"TOC {heading.level}"), tab))


def _clear_body(document) -> None:
    """The template's body text goes: the document keeps its styles, page and headers."""
    for child in list(document.element.body):
        if child.tag != _w("sectPr"):
            document.element.body.remove(child)


# The document settings from `autoHyphenation` on, in the order WordprocessingML's schema
# gives them (CT_Settings): a setting goes in before the first later one the settings have.
_SETTINGS_ORDER = (
    "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting",
    "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore",
    "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
    "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt",
    "showXMLTags", "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
    "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def _setting(document, name: str) -> None:
    """A document setting turned on (`updateFields`: Word updates the fields, the table of
    contents, when it opens the document; `autoHyphenation`: words are hyphenated), in its
    place in the settings' order."""
    settings = document.settings.element
    found = settings.find(_w(name))
    if found is not None:
        found.set(_w("val"), "true")
        return
    element = _element(name, val="true")
    later = {_w(tag) for tag in _SETTINGS_ORDER[_SETTINGS_ORDER.index(name) + 1:]}
    following = next((child for child in settings if child.tag in later), None)
    if following is not None:
        following.addprevious(element)
    else:
        settings.append(element)


def _in_contents(level: int, contents: bool) -> bool:
    return contents and level <= TOC_LEVELS


def _section_as(properties, landscape: bool, first: bool) -> None:
    """Section properties made portrait or landscape (the page's width and height swapped,
    the margins kept); the cover page without header and footer (titlePg) only in the first."""
    if not first:
        for element in properties.findall(_w("titlePg")):
            properties.remove(element)
    size = properties.find(_w("pgSz"))
    if size is None:
        return
    width, height = int(size.get(_w("w"))), int(size.get(_w("h")))
    short, long = sorted((width, height))
    size.set(_w("w"), str(long if landscape else short))
    size.set(_w("h"), str(short if landscape else long))
    if landscape:
        size.set(_w("orient"), "landscape")
    else:
        size.attrib.pop(_w("orient"), None)


def _table_measures(document) -> tuple[float, int]:
    """The size of a table's text in points and its cells' left and right margins together
    in twips, as the template's table style sets them."""
    style = document.styles[TABLE_STYLE]
    size = style.font.size.pt if style.font.size is not None else TABLE_SIZE_PT
    margins = style.element.find(f"{_w('tblPr')}/{_w('tblCellMar')}")
    sides = [margins.find(_w(side)) if margins is not None else None for side in ("left", "right")]
    if all(side is not None and side.get(_w("type"), "dxa") == "dxa" for side in sides):
        return size, sum(int(side.get(_w("w"))) for side in sides)
    return size, CELL_MARGINS_TWIPS


def column_widths(headers: list[str], rows: list[list[str]], size_pt: float, available: int, margins: int,
                  squeeze: bool = False) -> list[int] | None:
    """Column widths in twips that share `available` twips: no column narrower than its
    longest word (the header's in bold, the cells' in the table's `size_pt`); the room left
    over goes to the columns with the most text (by the average width of their cells on one
    line), none wider than its widest cell on one line. None when the longest words alone do
    not fit, unless `squeeze`: then the columns share the width in proportion to their
    longest words (and a word may be hyphenated)."""
    if not headers:
        return []
    least, most, desire = [], [], []
    for i, header in enumerate(headers):
        cells = [r[i] for r in rows]
        word = max([longest_word(header, size_pt, bold=True), *(longest_word(c, size_pt) for c in cells)])
        lines = [longest_line(header, size_pt, bold=True), *(longest_line(c, size_pt) for c in cells)]
        least.append(_twips(word) + margins)
        most.append(max(_twips(max(lines)) + margins, least[-1]))
        desire.append(max(_twips(sum(lines) / len(lines)) + margins - least[-1], 1))
    if sum(least) > available:
        if not squeeze:
            return None
        return [available * w // sum(least) for w in least]
    if sum(most) <= available:  # every text on one line: the rest shared by the widths
        return [w + (available - sum(most)) * w // sum(most) for w in most]
    widths, open_ = list(least), set(range(len(least)))
    while open_:  # the room shared by desire; a column given its one-line width is done, its share goes round again
        room = available - sum(widths)
        wanted = sum(desire[i] for i in open_)
        full = {i for i in open_ if widths[i] + room * desire[i] / wanted >= most[i]}
        if not full:
            for i in open_:
                widths[i] += int(room * desire[i] / wanted)
            break
        for i in full:
            widths[i] = most[i]
        open_ -= full
    return widths


def _twips(points: float) -> int:
    """Points as twips, a little wider than the font says (WORD_ROOM) and a point of room,
    so that no renderer breaks the word."""
    return int(points * WORD_ROOM * 20) + 20



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
    _setting(document, "updateFields")  # Word recomputes the page numbers of the table of contents
    _setting(document, "autoHyphenation")  # Word and LibreOffice hyphenate, in the text's language (Swedish)

    w = _Writer(document, pictures)
    _cover(w, data)
    w.page_break()
    blocks = [block for _, section in sections for block in section]
    w.table_of_contents([block for block in blocks if isinstance(block, b.Heading)])
    w.page_break()
    for block, landscape in zip(blocks, _orientations(w, blocks)):
        w.orient(landscape)
        w.block(block)
    w.finish()
    return document


def _orientations(w: _Writer, blocks: list[b.Block]) -> list[bool]:
    """Whether each block goes on landscape pages: a table too wide for a portrait page,
    and the headings and text right before it, which go on its page."""
    landscape = [isinstance(block, b.Table) and w.layout(block)[1] for block in blocks]
    for i in range(len(blocks) - 2, -1, -1):
        if landscape[i + 1] and isinstance(blocks[i], (b.Heading, b.Paragraph, b.Note, b.Items)):
            landscape[i] = True
    return landscape


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
