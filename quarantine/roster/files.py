"""Opening the uploaded bytes: CSV in the usual encodings, or an Excel workbook, judged by content."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from quarantine.i18n import _
from quarantine.roster.limits import MAX_COLUMNS
from quarantine.roster.records import BrokenFile
from quarantine.roster.workbooks import damaged_workbook, workbook_sheets


@dataclass
class Table:
    name: str | None
    rows: Iterator[Sequence[object]]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def open_tables(data: bytes, filename: str) -> list[Table]:
    """Candidate tables: worksheets of a workbook (active first), or one CSV parse per delimiter."""
    lower = filename.lower()
    # Content decides, not the extension: counties rename files freely.
    if data.startswith((b"PK\x03\x04", _OLE_MAGIC)):
        is_xlsx = data.startswith(b"PK")
        return [Table(name, rows) for name, rows in workbook_sheets(data, filename, is_xlsx)]
    if data.startswith(_BINARY_MAGICS):
        raise BrokenFile(_not_a_spreadsheet(filename))
    text = _decode(data)
    # A stray NUL in a cell is cleaned with the cell; a file full of them is binary.
    if text is None or text.count("\x00") > max(10, len(text) // 100):
        if lower.endswith((".xlsx", ".xlsm", ".xls")):
            raise BrokenFile(damaged_workbook(filename))
        raise BrokenFile(_not_a_spreadsheet(filename))
    stripped = text.lstrip()[:512].lower()
    if stripped.startswith(("<html", "<!doctype", "<?xml", "<table")):
        # Some government systems export an HTML page named .xls.
        raise BrokenFile(_(
            "%(filename)s is a web page, not a spreadsheet: open it in Excel, save it as .xlsx and upload it again",
            filename=filename,
        ))
    if not text.strip(" \t\r\n,;\"\ufeff"):
        # Only separators: judged here because each delimiter would split it differently.
        raise BrokenFile(_("%(filename)s is empty", filename=filename))
    return _csv_tables(text)


def _not_a_spreadsheet(filename: str) -> str:
    return _("%(filename)s is not a spreadsheet: upload an Excel workbook (.xlsx or .xls) or a CSV file", filename=filename)


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-delimited.
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_tables(text: str) -> list[Table]:
    sample = text[:65536]
    candidates = [",", "\t", ";"]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        candidates.remove(sniffed)
        candidates.insert(0, sniffed)
    except csv.Error:
        pass  # Sniffer gives up on some perfectly good files; the header search decides instead
    return [Table(None, _csv_rows(text, delimiter)) for delimiter in candidates]


def _csv_rows(text: str, delimiter: str) -> Iterator[Sequence[object]]:
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if len(row) > MAX_COLUMNS:
                raise BrokenFile(_(
                    "row %(row)d has %(n)d columns; a roster may have at most %(max)d: delete the extra columns",
                    row=number, n=len(row), max=MAX_COLUMNS,
                ))
            yield row
    except csv.Error as exc:
        raise BrokenFile(_("the CSV file is malformed: %(error)s", error=str(exc))) from exc
