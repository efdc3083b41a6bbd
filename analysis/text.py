"""Text as a board typed it, made comparable. Two answers that look the same are the same:
Unicode is normalised to NFC (an 'ö' typed as 'o' plus a combining diaeresis is an 'ö'),
and characters that show nothing (zero-width space, soft hyphen, byte-order mark,
direction marks, blank letters) are not content. Spacing never matters: a no-break space
is a space. What a board wrote is never guessed beyond that."""

from __future__ import annotations

import unicodedata

# Characters that are not format characters (category Cf) but still show nothing.
_BLANK_LETTERS = "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0" + "".join(map(chr, range(0xFE00, 0xFE10)))


def is_invisible(ch: str) -> bool:
    """Whether a character shows nothing and is no space."""
    return unicodedata.category(ch) == "Cf" or ch in _BLANK_LETTERS


def _without_invisible(text: str) -> str:
    return "".join(ch for ch in text if not is_invisible(ch)) if not text.isascii() else text


def plain(text: object) -> str:
    """Text for comparing labels, codes and headings: NFC, without invisible characters,
    spacing collapsed to single spaces and trimmed. Letter case is kept."""
    text = str(text)
    if not text.isascii():
        text = _without_invisible(unicodedata.normalize("NFC", text))
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
