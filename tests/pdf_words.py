"""Words broken in print: every word of a PDF's text must be a word of the Word file it
was made from (its body, header and footer). A word may be hyphenated at a line's end
("förflytt-" / "ning"): the two parts are joined before the check. What is left that is
no word of the Word file is a piece of a word cut in the middle without a hyphen
("Målomr" / "åde"), or a hyphenated piece whose rest is nowhere.

The PDF's text is read with poppler's `pdftotext -raw`, in the order LibreOffice wrote it
(a table cell's lines one after the other, but the cells of a row side by side on one
line). The rest of a hyphenated word is a word of a later line: the next line's first in
running text, a word further on in a table or after the page's footer and the next
page's header. A hyphenated piece that is a word itself needs no rest ('vård-' in
'vård- och omsorg')."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers (page numbers, figures) are not checked
_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
LOOK_AHEAD = 80  # lines after a hyphenated piece where its rest may be


def word_file_words(docx: Path) -> set[str]:
    """Every word of the Word file's text: its body (tables too), headers and footers, a
    paragraph's runs joined, a tab or line break between words."""
    words: set[str] = set()
    with zipfile.ZipFile(docx) as z:
        for name in z.namelist():
            if not _PARTS.fullmatch(name):
                continue
            for paragraph in ElementTree.fromstring(z.read(name)).iter(f"{_W}p"):
                text = "".join((e.text or "") if e.tag == f"{_W}t" else " " for e in paragraph.iter()
                               if e.tag in (f"{_W}t", f"{_W}tab", f"{_W}br"))
                words.update(WORD.findall(unicodedata.normalize("NFKC", text)))
    return words


def pdf_lines(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in unicodedata.normalize("NFKC", text).replace("\f", "\n").splitlines()]


def _tokens(line: str) -> list[tuple[str, bool]]:
    """The words of a line, each with whether a hyphen ends it ('förflytt-' at a line's or a
    table cell's end, or 'vård-' in 'vård- och omsorg')."""
    return [(m.group(), line[m.end():m.end() + 1] == "-" and line[m.end() + 1:m.end() + 2] in ("", " "))
            for m in WORD.finditer(line)]


def broken_words(pdf: Path, docx: Path) -> tuple[int, list[str]]:
    """(how many words the PDF's text has, the pieces of words in it that are no word of
    the Word file, each with the line it is on: 'piece (line)'; a hyphenated piece whose
    rest is nowhere as 'piece- (line)')."""
    return broken_in(pdf_lines(pdf), word_file_words(docx))


def broken_in(text: list[str], words: set[str]) -> tuple[int, list[str]]:
    """broken_words of the lines of a PDF's text, against the Word file's words."""
    lines = [_tokens(line) for line in text]
    used: set[tuple[int, int]] = set()  # (line, position): a word taken as the rest of a hyphenated piece
    pieces = [(i, j, token) for i, tokens in enumerate(lines) for j, (token, hyphenated) in enumerate(tokens) if hyphenated]
    # The pieces that are no word first, then the others: 'Kultur-' in 'Kultur- och fritid' must not
    # take the 'nämnden' of an 'omsorgs-' a line before it.
    rests = {}
    for i, j, token in [p for p in pieces if p[2] not in words] + [p for p in pieces if p[2] in words]:
        if (i, j) not in used:
            rests[i, j] = _rest(lines, i, token, words, used)
    total, broken = 0, []
    for i, tokens in enumerate(lines):
        for j, (token, hyphenated) in enumerate(tokens):
            if (i, j) in used and not rests.get((i, j)):
                continue  # the rest of a hyphenated word
            total += 1
            if token not in words and not rests.get((i, j)):
                broken.append(f"{token}{'-' if hyphenated else ''} ({text[i]})")
    return total, broken


def running_words(pdf: Path, docx: Path) -> list[str]:
    """The PDF's words in order, a word hyphenated at a line's end whole again (where the
    next line's first word completes it to a word of the Word file), to find a text of
    the Word file in it as a run of words."""
    words = word_file_words(docx)
    out: list[str] = []
    carried = None
    for line in pdf_lines(pdf):
        tokens = _tokens(line)
        for j, (token, hyphenated) in enumerate(tokens):
            if carried is not None:
                if j == 0 and carried + token in words:
                    out.append(carried + token)
                    carried = None
                    continue
                out.append(carried)
                carried = None
            if hyphenated and j == len(tokens) - 1:
                carried = token
            else:
                out.append(token)
    return out + ([carried] if carried is not None else [])


def _rest(lines: list[list[tuple[str, bool]]], i: int, piece: str, words: set[str], used: set[tuple[int, int]]) -> bool:
    """Whether a word of a later line completes the hyphenated `piece` (it is marked used):
    in running text the next line's first word; in a table, where a row's cells share
    lines, a word further on."""
    for k in range(i + 1, min(i + 1 + LOOK_AHEAD, len(lines))):
        for j, (rest, _) in enumerate(lines[k]):
            if (k, j) not in used and piece + rest in words:
                used.add((k, j))
                return True
    return False
