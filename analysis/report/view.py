"""The compiled analysis in a notebook: the report notebook (notebooks/sammanstalld_analys.ipynb)
opens the report of an occasion here and shows it section by section, each section
rendered from the outline (analysis.report.outline) as HTML, each chart as its
interactive figure. Everything is read from the processed store and the stored
aggregates through the package's public functions; nothing is handed over in files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.report import outline as o


@dataclass
class ReportView:
    data: object  # ReportData
    charts: dict  # chart name -> Chart, those that apply to the report
    sections: dict = field(init=False)  # section name -> its blocks, the whole outline built once

    def __post_init__(self) -> None:
        self.sections = dict(o.report_blocks(self.data, self.charts))

    def title(self) -> None:
        from IPython.display import HTML, display

        from analysis.report.html import title_html

        display(HTML(title_html(self.data.title.replace(" – Exempeldata", ""), self.data.catalogue.example_data)))

    def show(self, name: str) -> None:
        """One section of the report, by its name in the outline ('ovriga_diagram': the
        charts no section shows, if any)."""
        if name != o.OTHER_CHARTS:
            o.section(name)  # an unknown name is an error
        self.display(self.sections.get(name, []))

    def display(self, blocks) -> None:
        from IPython.display import HTML, display

        from analysis.report.html import html_parts

        for part in html_parts(blocks):
            if isinstance(part, str):
                display(HTML(part))
            elif part.name in self.charts:
                display(self.charts[part.name].shown())


def open_report(root: str | Path | None, occasion: str, goal_area: str | None = None,
                made_at: str | None = None) -> ReportView:
    """The report of `occasion` (optionally one goal area) from the root's current
    tables, for showing in a notebook; `made_at`: the time the report run gives it."""
    from analysis.catalogue import load_catalogues
    from analysis.config import Paths
    from analysis.occasion import Occasion
    from analysis.report.produce import prepare

    paths = Paths.at(root)
    prepared = prepare(paths, load_catalogues(paths.reference), Occasion.parse(occasion), goal_area, store=False,
                       made_at=made_at)
    return ReportView(prepared.data, {c.name: c for c in prepared.charts})
