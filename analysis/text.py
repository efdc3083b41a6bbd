"""Text as a board typed it, made comparable. Two answers that look the same are the same:
Unicode is normalised to NFC (an 'ö' typed as 'o' plus a combining diaeresis is an 'ö'),
and characters that show nothing (zero-width space, soft hyphen, byte-order mark,
direction marks, blank letters) are not content. Spacing never matters: a no-break space
is a space. What a board wrote is never guessed beyond that."""

from __future__ import annotations

import unicodedata
from functools import cache

# Characters that are not format characters (category Cf) but still show nothing.
_BLANK_LETTERS = "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0" + "".join(map(chr, range(0xFE00, 0xFE10)))
# Where format characters are: the basic plane and these blocks beyond it (a test checks
# the list against every code point).
_FORMAT_BLOCKS = (range(0x10000), range(0x110B0, 0x110D0), range(0x13430, 0x13460), range(0x1BCA0, 0x1BCB0),
                  range(0x1D170, 0x1D180), range(0xE0000, 0xE0080))


@cache
def invisible_characters() -> frozenset[str]:
    """Every character that shows nothing and is no space (made once, when first needed)."""
    found = {chr(c) for block in _FORMAT_BLOCKS for c in block if unicodedata.category(chr(c)) == "Cf"}
    return frozenset(found | set(_BLANK_LETTERS))


@cache
def _deletions() -> dict[int, None]:
    return dict.fromkeys(map(ord, invisible_characters()))


def is_invisible(ch: str) -> bool:
    """Whether a character shows nothing and is no space."""
    return ch in invisible_characters()


def plain(text: object) -> str:
    """Text for comparing labels, codes and headings: NFC, without invisible characters,
    spacing collapsed to single spaces and trimmed. Letter case is kept."""
    text = str(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_deletions())
    return " ".join(text.split())


def content(text: str) -> str | None:
    """A text cell's content: NFC, trimmed of spacing and invisible characters at both
    ends; None when nothing visible is left (a lone zero-width space is no answer)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        start, end = 0, len(text)
        while start < end and (text[start].isspace() or is_invisible(text[start])):
            start += 1
        while end > start and (text[end - 1].isspace() or is_invisible(text[end - 1])):
            end -= 1
        text = text[start:end]
    else:
        text = text.strip()
    return text or None


def shown(text: str) -> str:
    """Text for a message, with every character that shows nothing made visible as
    ⟨U+200B⟩, so a board sees why an answer that looks right was not accepted."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(f"⟨U+{ord(ch):04X}⟩" if is_invisible(ch) or not (ch.isprintable() or ch == " ") else ch for ch in text)
