"""The council document's body as WordprocessingML text: paragraphs, runs and tables
written the way python-docx's own API writes them (`add_paragraph`, `add_run`,
`Run.text`, `add_table`, `add_row`, column and cell widths), as one string per part that
the document (analysis.report.document) parses once and puts into the body. The example
city's annual report has 167 tables with 4,667 cells: built cell by cell through
python-docx's objects they took about a second, as text parsed in one go 0.06 s.

Text only ever becomes a run's character data, escaped: whatever a board typed ('{ PAGE }',
'=HYPERLINK(...)', '<b>') stays the characters it is and never becomes a field, a link,
markup or a style. A tab becomes `w:tab` and a line break `w:br` as with `Run.text`, and
text that starts or ends with white space keeps it (`xml:space="preserve"`). The text must
hold only characters XML can (analysis.report.document.safe_text sees to that)."""

from __future__ import annotations

import re
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# python-docx's new table: width 'auto', the table style's header row and first column on.
_TABLE_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
               'w:noVBand="1" w:val="04A0"/>')
_PIECES = re.compile(r"\t|[\r\n]|[^\t\r\n]+")


def _t(text: str) -> str:
    space = ' xml:space="preserve"' if text.strip() != text else ""
    return f"<w:t{space}>{escape(text)}</w:t>"


def run(text: str, bold: bool = False, italic: bool = False) -> str:
    """One run holding `text` ('\\n' or '\\r' a line break, '\\t' a tab), bold and/or italic."""
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    content = "".join("<w:tab/>" if piece == "\t" else "<w:br/>" if piece in "\r\n" else _t(piece)
                      for piece in _PIECES.findall(text))
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{content}</w:r>"


def paragraph(runs: str = "", style_id: str | None = None, keep_with_next: bool = False,
              align: str | None = None) -> str:
    """A paragraph of the given runs, in the style `style_id` (None: the default style),
    kept on the page of the next one, aligned 'left', 'center' or 'right' (None: the
    style's)."""
    properties = ((f"<w:pStyle w:val={quoteattr(style_id)}/>" if style_id else "")
                  + ("<w:keepNext/>" if keep_with_next else "")
                  + (f"<w:jc w:val={quoteattr(align)}/>" if align else ""))
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{runs}</w:p>"


def bookmarked(runs: str, style_id: str | None, bookmark: int) -> str:
    """A paragraph (a heading) whose text is the bookmark `_Toc<bookmark>`, which the
    table of contents refers to."""
    style = f"<w:pPr><w:pStyle w:val={quoteattr(style_id)}/></w:pPr>" if style_id else ""
    return (f'<w:p>{style}<w:bookmarkStart w:id="{int(bookmark)}" w:name="_Toc{int(bookmark)}"/>{runs}'
            f'<w:bookmarkEnd w:id="{int(bookmark)}"/></w:p>')


def toc_entry(text: str, bookmark: int, style_id: str | None, tab_twips: int) -> str:
    """A table of contents entry: the heading's text, linked to its bookmark, and its page
    number as a PAGEREF field, which LibreOffice and Word compute when they lay the
    document out (so the PDF needs no update of the table of contents)."""
    style = f"<w:pStyle w:val={quoteattr(style_id)}/>" if style_id else ""
    tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{int(tab_twips)}"/></w:tabs>'
    name = f"_Toc{int(bookmark)}"
    return (f"<w:p><w:pPr>{style}{tabs}</w:pPr><w:hyperlink w:anchor={quoteattr(name)}>{run(text)}<w:r><w:tab/></w:r>"
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> PAGEREF {name} \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>')


def page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int], right: Sequence[bool],
          style_id: str | None) -> str:
    """A table in the style `style_id`: the header row first, marked to repeat on each
    page; one cell per value, each column `widths` twips wide, the columns where `right`
    is true aligned right (below the header)."""
    cells = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{int(width)}"/></w:tcPr>' for width in widths]
    header = "".join(f"{cell}{paragraph(run(text))}</w:tc>" for cell, text in zip(cells, headers))
    body = "".join(
        "<w:tr>" + "".join(f"{cell}{paragraph(run(text), align='right' if aligned else None)}</w:tc>"
                           for cell, text, aligned in zip(cells, values, right)) + "</w:tr>"
        for values in rows)
    style = f"<w:tblStyle w:val={quoteattr(style_id)}/>" if style_id else ""
    grid = "".join(f'<w:gridCol w:w="{int(width)}"/>' for width in widths)
    return (f'<w:tbl><w:tblPr>{style}<w:tblW w:type="auto" w:w="0"/>{_TABLE_LOOK}</w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>{body}</w:tbl>")


def body(parts: Sequence[str]) -> str:
    """Parts in a `w:body` that declares the namespace, to be parsed in one go."""
    return f'<w:body xmlns:w="{NAMESPACE}">{"".join(parts)}</w:body>'


def section_end(properties: str) -> str:
    """A paragraph that ends a section, holding its properties (`w:sectPr`, as XML text):
    the smallest paragraph there can be, so that it adds no line of its own."""
    return ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            f'<w:rPr><w:sz w:val="2"/></w:rPr>{properties}</w:pPr></w:p>')
