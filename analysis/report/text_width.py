"""How wide a text is in the council document's font: the advance widths of Arial, in
thousandths of the font size, as Liberation Sans has them (made metric-compatible with
Arial, so LibreOffice's PDF and Word lay a line out alike). The council document
(analysis.report.document) sets each table column from them: no column narrower than
its longest word.

The widths were read from Liberation Sans 2 (Regular and Bold, `hmtx` of each glyph of
the `cmap`) for printable ASCII, Latin-1 and the few other characters the report uses;
any other character counts as the widest letter. Pure."""

from __future__ import annotations

_REGULAR = {
    191: "'", 222: "ijl‘’", 260: "|¦", 278: " !,./:;I[\\]ft\xa0ÌÍÎÏìíîï", 333: "()-`r¡¨\xad²³´·¸¹“”", 334: "{}",
    350: "•", 355: '"', 365: "º", 370: "ª", 389: "*", 400: "°", 469: "^", 500: "Jcksvxyzçýÿ", 537: "¶", 549: "±÷",
    552: "¯", 556: "#$0123456789?L_abdeghnopqu¢£¤¥§«»àáâãäåèéêëðñòóôõöùúûüþ–€", 576: "µ", 584: "+<=>~¬×−",
    611: "FTZ¿ßø", 667: "&ABEKPSVXYÀÁÂÃÄÅÈÉÊËÝÞ", 722: "CDHNRUwÇÐÑÙÚÛÜ", 737: "©®", 778: "GOQÒÓÔÕÖØ", 833: "Mm",
    834: "¼½¾", 889: "%æ", 944: "W", 1000: "Æ—…→", 1015: "@",
}
_BOLD = {
    238: "'", 278: " ,./I\\ijl\xa0ÌÍÎÏìíîï‘’", 280: "|¦", 333: "!()-:;[]`ft¡¨\xad²³´·¸¹", 350: "•", 365: "º", 370: "ª",
    389: "*r{}", 400: "°", 474: '"', 500: "z“”", 549: "±÷", 552: "¯",
    556: "#$0123456789J_aceksvxy¢£¤¥§«¶»àáâãäåçèéêëýÿ–€", 576: "µ", 584: "+<=>^~¬×−",
    611: "?FLTZbdghnopqu¿ßðñòóôõöøùúûüþ", 667: "EPSVXYÈÉÊËÝÞ", 722: "&ABCDHKNRUÀÁÂÃÄÅÇÐÑÙÚÛÜ", 737: "©®",
    778: "GOQwÒÓÔÕÖØ", 833: "M", 834: "¼½¾", 889: "%mæ", 944: "W", 975: "@", 1000: "Æ—…→",
}
WIDEST = 1015  # a character not in the tables counts as the widest


def _table(groups: dict[int, str]) -> dict[str, int]:
    return {ch: width for width, chars in groups.items() for ch in chars}


REGULAR, BOLD = _table(_REGULAR), _table(_BOLD)


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` on one line, in points, at `size_pt` points."""
    widths = BOLD if bold else REGULAR
    return sum(widths.get(ch, WIDEST) for ch in text) * size_pt / 1000


def longest_word(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of the text's widest word (words are split at white space), in points."""
    return max((text_width(word, size_pt, bold) for word in text.split()), default=0.0)


def longest_line(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of the text's widest line as written (lines split at line breaks), in points."""
    return max((text_width(line.strip(), size_pt, bold) for line in text.splitlines()), default=0.0)
