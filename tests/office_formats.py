"""Copies of a workbook in the other formats a board may send, made from its cell values
the way a board's spreadsheet program would save them: an OpenDocument spreadsheet (.ods,
with odfpy), a legacy Excel workbook (.xls, with xlwt) and a macro-enabled workbook
(.xlsm). Every sheet and every value is kept, in the same cells; formatting is not."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl


def _values(source: Path):
    """(sheet name, [(row, column, value)]) of every sheet, 1-based, values only."""
    wb = openpyxl.load_workbook(source)
    return [(ws.title, [(c.row, c.column, c.value) for row in ws.iter_rows() for c in row if c.value is not None])
            for ws in wb.worksheets]


def to_ods(source: Path, target: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for title, cells in _values(source):
        table = Table(name=title)
        by_row: dict[int, dict[int, object]] = {}
        for r, c, v in cells:
            by_row.setdefault(r, {})[c] = v
        for r in range(1, max(by_row, default=0) + 1):
            row = TableRow()
            values = by_row.get(r, {})
            for c in range(1, max(values, default=0) + 1):
                v = values.get(c)
                if v is None:
                    cell = TableCell()
                elif isinstance(v, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(v).lower())
                elif isinstance(v, (int, float)):
                    cell = TableCell(valuetype="float", value=v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat())
                else:
                    cell = TableCell(valuetype="string")
                if v is not None:
                    cell.addElement(P(text=str(v)))
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(target))


def to_xls(source: Path, target: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for title, cells in _values(source):
        sheet = book.add_sheet(title)
        for r, c, v in cells:
            if isinstance(v, (dt.date, dt.datetime)):
                sheet.write(r - 1, c - 1, v, date_style)
            else:
                sheet.write(r - 1, c - 1, v)
    book.save(str(target))


def to_xlsm(source: Path, target: Path) -> None:
    """The workbook as Excel saves it with macros: a VBA project beside the sheets (never run)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)


CONVERTERS = {".ods": to_ods, ".xls": to_xls, ".xlsm": to_xlsm}
