"""What kind of file a submission is, checked from its bytes before any parser touches
it. A board may send the template as an Excel workbook (.xlsx, .xlsm), an OpenDocument
spreadsheet (.ods, LibreOffice's own format) or a legacy Excel workbook (.xls); each is
checked in its own container:

- zip (.xlsx, .xlsm, .ods): not broken, unpacking to a bounded size (no zip bomb), and the
  sheets the reader reads within a bounded number of rows and columns, counted from the
  sheet's XML as it streams out of the archive, before it is parsed (an OpenDocument
  sheet can repeat one row a million times in a few bytes);
- OLE (.xls): not encrypted (an encrypted .xlsx is an OLE file too), every sheet within
  the same bounds, counted from its cell records.

Anything else, and any format that cannot be a submission (Word, PDF, a binary .xlsb, a
text file, ...), is refused with its own Swedish message. Pure: bytes in, a kind out."""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from typing import IO, Callable, Iterable, Iterator

from analysis.boards.layout import column_number
from analysis.errors import SubmissionError
from analysis.vocabulary import number

XLSX, XLSM, ODS, XLS = "xlsx", "xlsm", "ods", "xls"
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_SHEET_ROWS = 5_000
MAX_SHEET_COLUMNS = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
FORMATS = ".xlsx, .xlsm, .ods eller .xls"
USE_TEMPLATE = "Använd mallen från stadskontoret och skicka in den som arbetsbok (" + FORMATS + ")."
ENCRYPTED = "Filen är lösenordsskyddad (krypterad). Ta bort lösenordet och skicka in den igen."
BROKEN = "Filen är skadad och kan inte öppnas. Spara om den och skicka in den igen."
CHUNK = 1 << 20

# Formats recognised by their first bytes that can never be a submission.
NOT_A_WORKBOOK: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "Filen är en PDF, inte en arbetsbok."),
    (b"\x89PNG", "Filen är en bild, inte en arbetsbok."),
    (b"\xff\xd8\xff", "Filen är en bild, inte en arbetsbok."),
    (b"{\\rtf", "Filen är ett textdokument (RTF), inte en arbetsbok."),
)
# Zip archives that are office files but no workbook, by a member they have.
NOT_A_WORKBOOK_ZIP: tuple[tuple[str, str], ...] = (
    ("word/document.xml", f"Filen är ett Word-dokument, inte en arbetsbok. {USE_TEMPLATE}"),
    ("ppt/presentation.xml", f"Filen är en PowerPoint-presentation, inte en arbetsbok. {USE_TEMPLATE}"),
    ("xl/workbook.bin", "Filen är en binär Excel-arbetsbok (.xlsb), som inte kan läsas. Spara den som Excel-arbetsbok "
                        "(.xlsx) och skicka in den igen."),
)

SheetCheck = Callable[[str], bool]  # whether the reader reads a sheet of this name


def check_container(data: bytes, reads: SheetCheck) -> str:
    """The kind of workbook (xlsx, xlsm, ods or xls), or SubmissionError saying what the
    file is instead. `reads` tells which sheets of an .xlsx the reader will parse (the
    others are never parsed); every sheet of an .ods or .xls is parsed when it opens."""
    if len(data) == 0:
        raise SubmissionError("Filen är tom.")
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionError(f"Filen är för stor ({len(data) / 1e6:.0f} MB); en inlämning ska vara högst "
                              f"{MAX_FILE_BYTES // 2**20} MB.")
    if data.startswith(OLE_MAGIC):
        return _check_ole(data)
    if data.startswith(b"PK") or zipfile.is_zipfile(io.BytesIO(data)):
        return _check_zip(data, reads)
    for magic, message in NOT_A_WORKBOOK:
        if data.startswith(magic):
            raise SubmissionError(f"{message} {USE_TEMPLATE}")
    head = data[:4096]
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        raise SubmissionError(f"Filen är en webbsida (HTML), inte en arbetsbok. {USE_TEMPLATE}")
    if b"\0" not in head:
        raise SubmissionError(f"Filen är en textfil (till exempel CSV eller ett meddelande), inte en arbetsbok. {USE_TEMPLATE}")
    raise SubmissionError(f"Filen är inte en arbetsbok. {USE_TEMPLATE}")


# --- zip: .xlsx, .xlsm, .ods --------------------------------------------------------------


def _check_zip(data: bytes, reads: SheetCheck) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES or any(
                m.compress_size and m.file_size > 1_000_000 and m.file_size / m.compress_size > MAX_RATIO for m in members
            ):
                raise SubmissionError("Filen packas upp till orimligt stor storlek (misstänkt zip-bomb) och läses inte.")
            names = {m.filename for m in members}
            if "xl/workbook.xml" in names:
                _check_sizes(_xlsx_sheet_sizes(archive, names, reads))
                return XLSM if "xl/vbaProject.bin" in names else XLSX
            if "mimetype" in names and "content.xml" in names:
                mimetype = archive.read("mimetype")[:200].strip()
                if mimetype == ODS_MIMETYPE:
                    with archive.open("content.xml") as content:
                        _check_sizes(_ods_sheet_sizes(_chunks(content)))
                    return ODS
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    raise SubmissionError(f"Filen är ett OpenDocument-dokument men inget kalkylark. {USE_TEMPLATE}")
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"Filen är skadad (ofullständig ZIP-struktur: {exc}) och kan inte öppnas. "
                              "Spara om den och skicka in den igen.") from None
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:  # a damaged member, an unknown compression
        raise SubmissionError(f"{BROKEN} ({type(exc).__name__})") from None
    for member, message in NOT_A_WORKBOOK_ZIP:
        if member in names:
            raise SubmissionError(message)
    raise SubmissionError(f"Filen är ett ZIP-arkiv men ingen arbetsbok ({FORMATS}). {USE_TEMPLATE}")


def _chunks(stream) -> Iterator[bytes]:
    """A member's bytes in pieces that each end just before a '<', so no tag is split."""
    rest = b""
    while block := stream.read(CHUNK):
        block = rest + block
        cut = block.rfind(b"<")
        if cut <= 0:
            rest = b""
            yield block
        else:
            rest = block[cut:]
            yield block[:cut]
    if rest:
        yield rest


def _check_sizes(sizes: Iterable[tuple[str, int, int]]) -> None:
    for sheet, rows, columns in sizes:
        if rows > MAX_SHEET_ROWS:
            raise SubmissionError(
                f"Fliken '{sheet}' har {number(rows, 0)} rader; en inlämning kan ha högst {number(MAX_SHEET_ROWS, 0)} "
                "rader per flik. Ta bort överflödiga rader och skicka in filen igen.", sheet=sheet)
        if columns > MAX_SHEET_COLUMNS:
            raise SubmissionError(
                f"Fliken '{sheet}' har {number(columns, 0)} kolumner; en inlämning kan ha högst "
                f"{number(MAX_SHEET_COLUMNS, 0)} kolumner per flik. Ta bort överflödiga kolumner och skicka in filen igen.",
                sheet=sheet)


_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def _attributes(text: bytes) -> dict[bytes, str]:
    """The attributes of a start tag by local name (any namespace prefix dropped)."""
    return {name.rsplit(b":", 1)[-1]: html.unescape((a if a is not None else b).decode("utf-8", "replace"))
            for name, a, b in _ATTRIBUTE.findall(text)}


_XLSX_SHEET = re.compile(rb"<(?:\w+:)?sheet(?=[\s/>])([^>]*)>")
_XLSX_RELATION = re.compile(rb"<(?:\w+:)?Relationship(?=[\s/>])([^>]*)>")


def _xlsx_sheet_sizes(archive: zipfile.ZipFile, names: set[str], reads: SheetCheck) -> Iterator[tuple[str, int, int]]:
    """(sheet, rows, columns) of every worksheet the reader reads, from workbook.xml, its
    relationships and each sheet's XML."""
    relations = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for match in _XLSX_RELATION.finditer(archive.read("xl/_rels/workbook.xml.rels")):
            attrs = _attributes(match.group(1))
            target = attrs.get(b"Target", "")
            relations[attrs.get(b"Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    with archive.open("xl/workbook.xml") as workbook:
        sheets = [_attributes(m.group(1)) for chunk in _chunks(workbook) for m in _XLSX_SHEET.finditer(chunk)]
    for attrs in sheets:
        name, part = attrs.get(b"name", ""), relations.get(attrs.get(b"id"))
        if part in names and reads(name):
            yield name, *_xlsx_extent(lambda: archive.open(part))


_XLSX_CELL = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_XLSX_START = re.compile(rb"<(?:\w+:)?c[\s/>]")
_XLSX_PLACED = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="[A-Z]{1,3}\d{1,7}"')
_XLSX_FILLED = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')
_REF = re.compile(rb'\br\s*=\s*"([A-Z]*)(\d*)"')


def _xlsx_extent(open_sheet: Callable[[], IO[bytes]]) -> tuple[int, int]:
    """The last row and column holding a cell with content (a cell element that is not
    empty), as the parser would make its grid. Every cell says where it is in the files
    Excel, LibreOffice and openpyxl write; a sheet where one does not is read again,
    tag by tag."""
    last_row = last_column = 0
    with open_sheet() as sheet:
        for chunk in _chunks(sheet):
            if len(_XLSX_START.findall(chunk)) != len(_XLSX_PLACED.findall(chunk)):
                break
            found = _XLSX_FILLED.findall(chunk)
            if found:
                last_row = max(last_row, *map(int, {row for _, row in found}))
                last_column = max(last_column, *(column_number(c.decode()) for c in {column for column, _ in found}))
        else:
            return last_row, last_column
    with open_sheet() as sheet:
        return _xlsx_extent_slowly(_chunks(sheet))


def _xlsx_extent_slowly(chunks: Iterable[bytes]) -> tuple[int, int]:
    """_xlsx_extent for a sheet where a row or cell does not say where it is: it then
    follows the previous one, as the parser places it."""
    row = column = last_row = last_column = 0
    for chunk in chunks:
        for kind, attrs, closed in _XLSX_CELL.findall(chunk):
            ref = _REF.search(attrs)
            if kind == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                column = 0
                continue
            if ref and ref.group(1):
                column = column_number(ref.group(1).decode())
                if ref.group(2):
                    row = int(ref.group(2))
            else:
                column += 1
            if not closed:
                last_row, last_column = max(last_row, row), max(last_column, column)
    return last_row, last_column


_ODS_TAG = re.compile(
    rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell|text:p)(?=[\s/>])([^>]*?)(/?)>")


def _repeat(attrs: bytes, name: bytes) -> int:
    match = re.search(rb"table:" + name + rb'\s*=\s*"(\d+)"', attrs)
    return int(match.group(1)) if match else 1


def _ods_sheet_sizes(chunks: Iterable[bytes]) -> Iterator[tuple[str, int, int]]:
    """(sheet, rows, columns) of every table in content.xml, counting repeated rows and
    cells as the parser expands them: up to the last row and column with content."""
    name, position, last_row, width = "", 0, 0, 0
    row_repeat = row_content = column = row_width = 0
    cell_repeat, cell_content = 1, False
    for chunk in chunks:
        for end, tag, attrs, closed in _ODS_TAG.findall(chunk):
            if tag == b"table:table":
                if end:
                    yield name, last_row, width
                elif not closed:
                    name, position, last_row, width = _attributes(attrs).get(b"name", ""), 0, 0, 0
            elif tag == b"table:table-row":
                if end or closed:
                    if end and row_content:
                        last_row, width = position + row_repeat, max(width, row_width)
                    position += row_repeat if end else _repeat(attrs, b"number-rows-repeated")
                else:
                    row_repeat, row_content, column, row_width = _repeat(attrs, b"number-rows-repeated"), False, 0, 0
            elif tag == b"text:p":
                cell_content = cell_content or not (end or closed)
            elif end:  # the end of a cell
                if cell_content:
                    row_content, row_width = True, column + cell_repeat
                column += cell_repeat
            else:  # a cell starts
                cell_repeat, cell_content = _repeat(attrs, b"number-columns-repeated"), b"office:value-type" in attrs
                if closed:
                    if cell_content:
                        row_content, row_width = True, column + cell_repeat
                    column += cell_repeat
                    cell_content = False


# --- OLE: .xls (and encrypted workbooks) --------------------------------------------------


def _check_ole(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises OSError and others for a damaged container
        raise SubmissionError(BROKEN) from None
    with ole:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise SubmissionError(ENCRYPTED)
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            if ole.exists("WordDocument"):
                raise SubmissionError(f"Filen är ett Word-dokument, inte en arbetsbok. {USE_TEMPLATE}")
            raise SubmissionError(f"Filen är inte en arbetsbok. {USE_TEMPLATE}")
        try:
            biff = ole.openstream(stream).read()
        except Exception:
            raise SubmissionError(BROKEN) from None
    _check_sizes(_xls_sheet_sizes(biff))
    return XLS


BOF, EOF, FILEPASS, BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
# Cell records with a value, each starting with its row and column; MULRK ends with its last column.
XLS_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}
MULRK = 0x00BD


def _records(biff: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """BIFF records (type, body) from `start` to the end of the substream."""
    position = start
    while position + 4 <= len(biff):
        kind, size = struct.unpack_from("<HH", biff, position)
        body = biff[position + 4:position + 4 + size]
        position += 4 + size
        yield kind, body
        if kind == EOF:
            return


def _xls_sheet_sizes(biff: bytes) -> Iterator[tuple[str, int, int]]:
    """(sheet, rows, columns) of every worksheet, from its cell records; an encrypted
    workbook (FILEPASS) is refused."""
    sheets: list[tuple[str, int]] = []
    biff8 = True
    try:
        for kind, body in _records(biff, 0):
            if kind == BOF:
                biff8 = struct.unpack_from("<H", body)[0] == 0x0600
            elif kind == FILEPASS:
                raise SubmissionError(ENCRYPTED)
            elif kind == BOUNDSHEET:
                offset, length = struct.unpack_from("<I", body)[0], body[6]
                if biff8:
                    wide = body[7] & 1
                    name = body[8:8 + length * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1")
                else:
                    name = body[7:7 + length].decode("latin-1")
                sheets.append((name, offset))
        for name, offset in sheets:
            rows = columns = 0
            for kind, body in _records(biff, offset):
                if kind in XLS_CELLS or kind == MULRK:
                    row, column = struct.unpack_from("<HH", body)
                    if kind == MULRK:
                        column = struct.unpack_from("<H", body, len(body) - 2)[0]
                    rows, columns = max(rows, row + 1), max(columns, column + 1)
            yield name, rows, columns
    except struct.error:
        raise SubmissionError(BROKEN) from None
