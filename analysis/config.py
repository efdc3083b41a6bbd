"""Where things live. Every path is derived from one root so tests can use a temporary folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    root: Path

    @classmethod
    def at(cls, root: str | Path | None = None) -> "Paths":
        return cls(Path(root).resolve() if root is not None else REPOSITORY_ROOT)

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        """The current processed tables, as people open them: `data/processed/aktuell`, a
        link to the current snapshot (see analysis.intake.store; the package's readers
        resolve it once per load with `store.current_folder`)."""
        return self.root / "data" / "processed" / "aktuell"

    @property
    def snapshots(self) -> Path:
        """The snapshots of the processed tables, one folder each."""
        return self.root / "data" / "processed" / "snapshots"

    @property
    def aggregates(self) -> Path:
        """The aggregate tables, by occasion and by the digest of their stamp."""
        return self.root / "data" / "processed" / "aggregates"

    @property
    def lock_file(self) -> Path:
        """Held by the one command that writes under the root (analysis.lock)."""
        return self.root / "data" / ".malstyrning.lock"

    @property
    def reference(self) -> Path:
        """Goal catalogues and analysts' judgement files. Falls back to the repository's
        reference data when the root has none, so a fresh temporary root works."""
        own = self.root / "data" / "reference"
        if any(own.glob("malkatalog-*.yaml")):
            return own
        return REPOSITORY_ROOT / "data" / "reference"

    @property
    def report_template(self) -> Path:
        """The Word template of the council document (the city office's): the root's own,
        else the repository's."""
        own = self.root / "data" / "reference" / "rapportmall.docx"
        return own if own.exists() else REPOSITORY_ROOT / "data" / "reference" / "rapportmall.docx"

    @property
    def judgements(self) -> Path:
        """The analysts' judgement files, one per occasion (always under the root)."""
        return self.root / "data" / "reference" / "bedomning"

    def judgement_for(self, occasion: str) -> Path:
        """The analysts' judgement file of an occasion."""
        return self.judgements / f"{occasion}.xlsx"

    @property
    def dialogues(self) -> Path:
        """The office's dialogue workbooks with the boards, one per occasion (always under the root)."""
        return self.root / "data" / "reference" / "dialog"

    def dialogue_for(self, occasion: str) -> Path:
        """The office's dialogue workbook of an occasion (analysis.dialogue)."""
        return self.dialogues / f"{occasion}.xlsx"

    @property
    def templates(self) -> Path:
        return self.root / "data" / "templates"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def raw_for(self, occasion: str) -> Path:
        return self.raw / occasion

    def templates_for(self, occasion: str) -> Path:
        return self.templates / occasion

    def report_for(self, occasion: str, goal_area: str | None = None) -> Path:
        """The report folder of an occasion (a link to its current version, see
        analysis.versions), or of one goal area's report within it."""
        folder = self.reports / occasion
        return folder / f"malomrade-{goal_area}" if goal_area else folder
