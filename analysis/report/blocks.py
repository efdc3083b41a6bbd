"""The report's building blocks: what a section of the compiled analysis says, with no
format in it. The outline (analysis.report.outline) yields them; the HTML renderer
(analysis.report.html) and the Word renderer (analysis.report.document) turn the same
blocks into each format, so the two always hold the same headings, tables and charts in
the same order. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

ColumnKind = Literal["text", "count", "share", "decimal"]


@dataclass(frozen=True)
class Heading:
    """A section's heading; level 1 is a chapter of the report (the title is above it).
    `contents`: listed in the council document's table of contents (an appendix's
    subheadings are not, so that it lists the appendices without their every goal)."""

    text: str
    level: int
    contents: bool = True


@dataclass(frozen=True)
class Paragraph:
    """Running text, optionally led by a few words in bold."""

    text: str = ""
    lead: str = ""


@dataclass(frozen=True)
class Judgement:
    """The executive board's own words at the head of a section: (label or None, value,
    pending) lines, as analysis.report.content.judgement_parts gives them."""

    lines: tuple[tuple[str | None, str, bool], ...]


@dataclass(frozen=True)
class Table:
    """A table with its caption and header row. The cells are shown by column kind:
    text as it is, counts and decimals in Swedish number format, shares as percentages."""

    caption: str
    frame: pd.DataFrame
    shares: tuple[str, ...] = ()  # columns shown as percentages
    decimals: dict[str, int] = field(default_factory=dict)  # columns shown with this many decimals
    key: str = ""  # how to read the table, said between the caption and the table
    legend: str = ""  # what the table's short codes mean, said under the table

    @property
    def header(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def kinds(self) -> list[ColumnKind]:
        """Each column's kind (numbers are aligned right in print)."""
        out: list[ColumnKind] = []
        for name in self.frame.columns:
            dtype = self.frame[name].dtype
            if name in self.shares:
                out.append("share")
            elif name in self.decimals or pd.api.types.is_float_dtype(dtype):
                out.append("decimal")
            elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                out.append("count")
            else:
                out.append("text")
        return out


@dataclass(frozen=True)
class Chart:
    """A chart of the chart registry (analysis.report.charts), by name; its caption and
    alt text come with the drawn chart. A chart that does not apply shows nothing."""

    name: str


@dataclass(frozen=True)
class Note:
    """A remark in smaller or italic type: what a figure rests on, that nothing was found."""

    text: str


@dataclass(frozen=True)
class Items:
    """A short list, under an optional lead-in."""

    items: tuple[str, ...]
    lead: str = ""


Block = Heading | Paragraph | Judgement | Table | Chart | Note | Items
