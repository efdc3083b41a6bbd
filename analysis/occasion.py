"""Reporting occasions: `<year>-budget`, `<year>-delar` (interim) and `<year>-ar` (annual)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.errors import UsageError

KINDS = ("budget", "delar", "ar")
# The city's occasions, as the executive board and the council name them.
KIND_LABELS = {"budget": "Nämnds- och bolagsbudget", "delar": "Delårsrapport", "ar": "Årsredovisning"}
# The same, short, where space is tight (table columns, small charts).
KIND_SHORT_LABELS = {"budget": "Budget", "delar": "Delår", "ar": "År"}
# What one board or company sends at the occasion (by board kind: nämnd or bolag).
SUBMISSION_LABELS = {"budget": {"nämnd": "Nämndsbudget", "bolag": "Bolagsbudget"},
                     "delar": {"nämnd": "Delårsrapport", "bolag": "Delårsrapport"},
                     "ar": {"nämnd": "Årsanalys", "bolag": "Årsanalys"}}
_PATTERN = re.compile(r"^(\d{4})-(budget|delar|ar)$")


@dataclass(frozen=True, order=True)
class Occasion:
    year: int
    kind_rank: int
    kind: str

    @classmethod
    def parse(cls, text: str) -> "Occasion":
        match = _PATTERN.match(str(text).strip().lower())
        if not match:
            raise UsageError(
                f"Okänt rapporteringstillfälle '{text}'. Ange år och tillfälle, "
                "till exempel 2024-budget, 2024-delar eller 2024-ar."
            )
        year, kind = int(match.group(1)), match.group(2)
        return cls(year, KINDS.index(kind), kind)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.kind}"

    @property
    def label(self) -> str:
        """Swedish name, e.g. 'Delårsrapport 2024'."""
        return f"{KIND_LABELS[self.kind]} {self.year}"

    @property
    def short_label(self) -> str:
        """Short Swedish name, e.g. 'Delår 2024'."""
        return f"{KIND_SHORT_LABELS[self.kind]} {self.year}"

    def submission_label(self, board_kind: str) -> str:
        """What a board of the kind sends, e.g. 'Bolagsbudget 2024', 'Årsanalys 2024'."""
        return f"{SUBMISSION_LABELS[self.kind].get(board_kind, SUBMISSION_LABELS[self.kind]['nämnd'])} {self.year}"

    @property
    def is_follow_up(self) -> bool:
        return self.kind in ("delar", "ar")

    def __str__(self) -> str:
        return self.code


def occasions_between(first_year: int, last_year: int) -> list[Occasion]:
    """Every occasion of the years, in reporting order."""
    return [Occasion(y, i, k) for y in range(first_year, last_year + 1) for i, k in enumerate(KINDS)]
