"""How a board workbook reads on screen and on paper: the height a row needs for its
text, and the scale a sheet prints at on A4 landscape. Pure arithmetic on column widths,
font sizes and text, shared by the template writer and the example city.

**Print scale.** Each sheet prints fitted to the width of an A4 landscape page; its
columns are chosen narrow enough for that to be at least 70 % (`print_scale`).

**Row heights.** Neither Excel nor LibreOffice recomputes the height of a row it opens
from a file, so a row of wrapped text keeps the height the file gives it and the text
otherwise runs over the rows below. The estimate is deliberately generous, because the
text is drawn in Calibri by Excel but in a wider substitute (DejaVu Sans) by a
LibreOffice without Calibri:

- a column `width` is Excel's unit, the width of one digit of the default font (Calibri
  11 pt) and a little padding; a line holds `(width - 1) * CHARS_PER_WIDTH * 11 / size`
  characters of text of `size` points, bold text `BOLD_WIDTH` times fewer.
  `CHARS_PER_WIDTH` is 1.0: Swedish prose in Calibri averages about 1.08 characters per
  digit width, and LibreOffice's PDF of the example city's workbooks put 1.2 or more on
  a line (measured cell by cell against this estimate: no cell took more lines);
- text is wrapped at spaces the way a spreadsheet does (a word longer than a line is
  broken), and every explicit line break starts a new line;
- a line takes `size * LINE_SPACING` points, plus `ROW_PADDING` for the row;
- a row is as high as its tallest cell, at least one line, at most Excel's maximum
  (409 pt); a cell without wrapping takes one line of its font size."""

from __future__ import annotations

import math
from typing import Iterable

DEFAULT_FONT_SIZE = 11.0
DEFAULT_COLUMN_WIDTH = 8.43  # a column whose width the file does not set
CHARS_PER_WIDTH = 1.0
BOLD_WIDTH = 1.1
LINE_SPACING = 1.3
ROW_PADDING = 1.5
MAX_ROW_HEIGHT = 409.0

# A4 landscape and the margins the workbooks print with (inches, as openpyxl takes them).
A4_LANDSCAPE_WIDTH_PT = 297 / 25.4 * 72
MARGIN_LEFT = MARGIN_RIGHT = 0.5
MARGIN_TOP = MARGIN_BOTTOM = 0.75
MARGIN_HEADER = MARGIN_FOOTER = 0.3
# A column's width is counted in digits of the workbook's default font, Calibri 11: 7
# pixels (5.25 pt) each in Excel. A LibreOffice without Calibri counts them in its
# substitute (DejaVu Sans), whose digit is wider: measured on LibreOffice's PDF of the
# example city's workbooks, 7.0 to 7.3 pt. The print scale is estimated for the wider.
POINTS_PER_WIDTH = 7.3
MIN_PRINT_SCALE = 70


def chars_per_line(width: float, size: float = DEFAULT_FONT_SIZE, bold: bool = False) -> int:
    """How many characters of text one line of a column `width` wide holds."""
    usable = max(width - 1.0, 1.0) * CHARS_PER_WIDTH * DEFAULT_FONT_SIZE / size
    return max(1, math.floor(usable / (BOLD_WIDTH if bold else 1.0)))


def text_lines(text: object, width: float, size: float = DEFAULT_FONT_SIZE, bold: bool = False, wrap: bool = True) -> int:
    """The lines a cell's text takes in a column `width` wide (at least one)."""
    if text is None:
        return 1
    paragraphs = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not wrap:
        return len(paragraphs)
    capacity = chars_per_line(width, size, bold)
    lines = 0
    for paragraph in paragraphs:
        used = None  # characters on the current line; None: no line started
        for word in paragraph.split():
            if used is not None and used + 1 + len(word) <= capacity:
                used += 1 + len(word)
                continue
            # The word starts a new line; a word longer than a line is broken over several.
            whole, rest = divmod(len(word), capacity)
            lines += whole + (1 if rest else 0)
            used = rest if rest else capacity
        lines += 0 if used is not None else 1  # an empty paragraph is an empty line
    return max(lines, 1)


def line_height(size: float = DEFAULT_FONT_SIZE) -> float:
    """Points one line of text of `size` points takes."""
    return size * LINE_SPACING


def cell_height(text: object, width: float, size: float = DEFAULT_FONT_SIZE, bold: bool = False, wrap: bool = True) -> float:
    """Points a cell needs to show all its text."""
    return text_lines(text, width, size, bold, wrap) * line_height(size) + ROW_PADDING


def row_height(cells: Iterable[tuple[object, float, float, bool, bool]]) -> float:
    """The height (points) of a row whose cells are (text, column width, font size, bold,
    wrapped): its tallest cell's, at least one line of the default font, at most 409 pt."""
    tallest = max((cell_height(*c) for c in cells), default=0.0)
    return round(min(max(tallest, cell_height(None, 10)), MAX_ROW_HEIGHT), 1)


def printable_width_pt() -> float:
    return A4_LANDSCAPE_WIDTH_PT - (MARGIN_LEFT + MARGIN_RIGHT) * 72


def print_scale(widths: Iterable[float]) -> int:
    """The scale (per cent) at which columns of these widths fit the width of an A4
    landscape page, what fitting to the page width gives (never above 100), in the
    program that draws them widest (see POINTS_PER_WIDTH)."""
    total = sum(widths) * POINTS_PER_WIDTH
    if total <= 0:
        return 100
    return min(100, math.floor(100 * printable_width_pt() / total))
