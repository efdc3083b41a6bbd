"""The Word template of the council document, `data/reference/rapportmall.docx`, which the
city office owns: its styles (title, headings, body text, caption, the table style, the
style of the executive board's assessment), A4 page and margins, header and footer. The
council document (analysis.report.document) is built on it, so the office restyles the
output in Word without touching code: anything the template sets, the document keeps.

`default_template` makes the built-in one from python-docx's default document, in the
city's plain look (black and grey; nothing carries meaning by colour alone);
`data/reference/make_rapportmall.py` writes it. `open_template` opens the office's file
and names what is wrong with it. Where python-docx has no API (a paragraph's border and
shading, a table style's header row, the footer's page number fields, the document
language, a heading that is never hyphenated) the XML is written through python-docx's
element objects."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from analysis.errors import ReportFailed

TEMPLATE_NAME = "rapportmall.docx"
TABLE_STYLE = "Rapporttabell"
JUDGEMENT_STYLE = "Kommunstyrelsens bedömning"
LANGUAGE = "sv-SE"
FONT = "Arial"  # LibreOffice draws it with the metric-compatible Liberation Sans
# Every style the document uses: a template without one of them cannot be used.
PARAGRAPH_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption",
                    "TOC Heading", "Header", "Footer", JUDGEMENT_STYLE)
# When the built-in template was made: fixed, so that remaking it gives the same parts.
MADE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        element.set(_w(name), value)
    return element


def _child(parent, tag: str, before: tuple[str, ...] = ()):
    """The parent's child element `tag`, added when missing (before the first of `before`
    present, to keep the schema's order)."""
    found = parent.find(_w(tag))
    if found is None:
        found = _element(tag)
        following = next((e for t in before for e in [parent.find(_w(t))] if e is not None), None)
        if following is not None:
            following.addprevious(found)
        else:
            parent.append(found)
    return found


def _font(style, size: float, bold: bool | None = None, color: str = "000000", italic: bool | None = False) -> None:
    from docx.shared import Pt, RGBColor

    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = RGBColor.from_string(color)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(_w(attribute), FONT)
    for attribute in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(_w(attribute), None)


def _spacing(style, before: float, after: float, keep_with_next: bool = False) -> None:
    from docx.shared import Pt

    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    if keep_with_next:
        style.paragraph_format.keep_with_next = True


# What follows `w:suppressAutoHyphens` in a paragraph's properties (the schema's order).
_AFTER_SUPPRESS_HYPHENS = ("kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
                           "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
                           "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
                           "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _not_hyphenated(style) -> None:
    """The style's paragraphs are never hyphenated (the document hyphenates its text)."""
    _child(style.element.get_or_add_pPr(), "suppressAutoHyphens", _AFTER_SUPPRESS_HYPHENS)


def _no_border(style) -> None:
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(_w("pBdr")):
        ppr.remove(border)


def _defaults(styles) -> None:
    """The document defaults, which body text (Normal) takes as they are: Arial 10.5 pt in
    Swedish, 6 pt after a paragraph. (Set here rather than in Normal, so that the table
    style's smaller text and tighter spacing win in tables: Word lets a paragraph style
    that differs from the defaults override a table style.)"""
    defaults = styles.element.find(_w("docDefaults"))
    rpr = defaults.find(f"{_w('rPrDefault')}/{_w('rPr')}")
    fonts = _child(rpr, "rFonts")
    fonts.attrib.clear()
    for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(_w(attribute), FONT)
    for tag in ("sz", "szCs"):
        _child(rpr, tag).set(_w("val"), "21")
    lang = _child(rpr, "lang")
    for attribute in ("val", "eastAsia", "bidi"):
        lang.set(_w(attribute), LANGUAGE)
    spacing = _child(defaults.find(f"{_w('pPrDefault')}/{_w('pPr')}"), "spacing")
    spacing.attrib.clear()
    spacing.attrib.update({_w("after"): "120", _w("line"): "264", _w("lineRule"): "auto"})


def _judgement_style(styles) -> None:
    """The executive board's assessment: a grey rule at the left and a light grey ground."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm

    style = styles.add_style(JUDGEMENT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    _font(style, 10.5)
    _spacing(style, 0, 4)
    style.paragraph_format.left_indent = Cm(0.3)
    ppr = style.element.get_or_add_pPr()
    border = _child(ppr, "pBdr", ("shd", "tabs", "spacing", "ind", "jc", "rPr"))
    border.append(_element("left", val="single", sz="24", space="8", color="595959"))
    _child(ppr, "shd", ("tabs", "spacing", "ind", "jc", "rPr")).attrib.update(
        {_w("val"): "clear", _w("color"): "auto", _w("fill"): "F2F2F2"})


def _table_style(styles) -> None:
    """Thin grey grid, 9 pt text, the header row bold on light grey (repeated on every page
    by the document, which marks each table's first row)."""
    from docx.enum.style import WD_STYLE_TYPE

    style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Normal Table"]
    _font(style, 9)
    _spacing(style, 0, 0)
    style.paragraph_format.line_spacing = 1.0
    tblpr = _child(style.element, "tblPr", ("trPr", "tcPr", "tblStylePr"))
    borders = _child(tblpr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(side, val="single", sz="4", space="0", color="808080"))
    margins = _child(tblpr, "tblCellMar")
    for side, width in (("left", "70"), ("right", "70")):
        margins.append(_element(side, w=width, type="dxa"))
    header = _element("tblStylePr", type="firstRow")
    rpr = _element("rPr")
    rpr.append(_element("b"))
    header.append(rpr)
    tcpr = _element("tcPr")
    tcpr.append(_element("shd", val="clear", color="auto", fill="D9D9D9"))
    header.append(tcpr)
    style.element.append(header)


def _page_number_footer(document) -> None:
    """'Sida N av M' in the footer, from Word's own fields (PAGE, NUMPAGES), and an empty
    right-aligned header (the document writes its title there); the cover page has
    neither."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.opc.constants import CONTENT_TYPE

    section = document.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style, header.alignment = "Header", WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.style, footer.alignment = "Footer", WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Sida ")
    footer.add_run(" av ")
    # python-docx has no fields: the footer's XML, from the package's one footer part
    part = next(p for p in document.part.package.iter_parts() if p.content_type == CONTENT_TYPE.WML_FOOTER)
    runs = part.element.find(_w("p")).findall(_w("r"))
    for run, field in ((runs[0], "PAGE"), (runs[1], "NUMPAGES")):
        simple = _element("fldSimple", instr=f" {field} ")
        shown, text = _element("r"), _element("t")
        text.text = "1"
        shown.append(text)
        simple.append(shown)
        run.addnext(simple)


def default_template():
    """The built-in template: python-docx's default document made A4, in Arial, black and
    grey, with the styles the council document uses."""
    import docx
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)
    styles = document.styles
    _defaults(styles)
    for name, size, before, after in (("Heading 1", 16, 18, 6), ("Heading 2", 13, 14, 4), ("Heading 3", 11.5, 12, 3),
                                      ("Heading 4", 10.5, 10, 2)):
        _font(styles[name], size, bold=True)
        _spacing(styles[name], before, after, keep_with_next=True)
    _font(styles["Title"], 28, color="000000")
    _no_border(styles["Title"])
    _spacing(styles["Title"], 0, 12)
    _font(styles["Subtitle"], 16, color="404040")
    _spacing(styles["Subtitle"], 0, 24)
    _font(styles["TOC Heading"], 16, bold=True)
    _font(styles["Caption"], 9, bold=False, color="404040")
    _spacing(styles["Caption"], 2, 8, keep_with_next=False)
    _font(styles["Header"], 8.5, color="595959")
    _font(styles["Footer"], 8.5, color="595959")
    for name in ("TOC 1", "TOC 2", "TOC 3"):
        from docx.enum.style import WD_STYLE_TYPE

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Mm(5 * (int(name[-1]) - 1))
        style.paragraph_format.space_after = Pt(0)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "TOC Heading", "TOC 1", "TOC 2",
                 "TOC 3"):
        _not_hyphenated(styles[name])  # headings and the table of contents keep their words whole
    _judgement_style(styles)
    _table_style(styles)
    _page_number_footer(document)
    properties = document.core_properties
    properties.title = "Rapportmall för den sammanställda analysen"
    properties.author = properties.last_modified_by = "Stadskontoret, Malmö stad"
    properties.language = LANGUAGE
    properties.subject = properties.keywords = properties.comments = ""
    properties.created = properties.modified = MADE
    properties.revision = 1
    return document


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    default_template().save(buffer)
    return buffer.getvalue()


def open_template(path: Path):
    """The office's template as a python-docx Document, or a clear message saying why it
    cannot be used (missing, not a Word document, or without a style the document uses)."""
    import docx

    if not path.is_file():
        raise ReportFailed(f"Rapportmallen {path} saknas. Lägg tillbaka stadskontorets mall eller gör standardmallen "
                           "med 'python data/reference/make_rapportmall.py'.")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is no Word document
        kind = " (en Word-mall, .dotx: spara den som Word-dokument, .docx)" if "template" in str(exc) else ""
        raise ReportFailed(f"Rapportmallen {path} kan inte läsas som ett Word-dokument{kind}. Spara om den i Word "
                           "som .docx eller gör standardmallen med 'python data/reference/make_rapportmall.py'.") from None
    names = {s.name for s in document.styles}
    missing = [name for name in PARAGRAPH_STYLES + (TABLE_STYLE,) if name not in names]
    if missing:
        raise ReportFailed(f"Rapportmallen {path} saknar formatmallarna {', '.join(missing)}, som dokumentet använder. "
                           "Lägg till dem i Word (samma namn) eller utgå från standardmallen.")
    return document
