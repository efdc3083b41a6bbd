"""Taking a view out of the notebook: its table to Excel (Swedish headers, text never a
formula) and its figure to PNG, into reports/utforskning/ with a name that says what was
filtered, e.g. `namndprofil_2026-delar_GRN.xlsx`."""

from __future__ import annotations

from pathlib import Path

from analysis.config import Paths
from analysis.explore.views import Filters, View

FOLDER = "utforskning"


def save_view(view: View, figure, filters: Filters, root: str | Path | None = None) -> list[Path]:
    """Write the view's table (and its second table, as a second sheet) and its figure;
    returns the files written."""
    from openpyxl import Workbook

    from analysis.excel import save_workbook, write_table_sheet

    folder = Paths.at(root).reports / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{view.name}_{filters.describe()}"
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb.create_sheet(view.title[:31].replace(":", " ").replace("/", "-")), view.table)
    if view.extra is not None:
        write_table_sheet(wb.create_sheet("Mer"), view.extra)
    wb.properties.title = view.title
    excel = folder / f"{stem}.xlsx"
    save_workbook(wb, excel)
    written = [excel]
    if figure is not None:
        png = folder / f"{stem}.png"
        figure.write_image(str(png), width=1100, height=figure.layout.height or 450, scale=2)
        written.append(png)
    return written
