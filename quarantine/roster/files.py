"""Opening the uploaded bytes: CSV in the usual encodings, or an Excel workbook, judged by content."""
from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from quarantine.i18n import _


class BrokenFile(Exception):
    """The file as a whole cannot be read; the message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    name: str | None
    rows: Iterator[Sequence[object]]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def open_tables(data: bytes, filename: str, stack: contextlib.ExitStack) -> list[Table]:
    """Candidate tables: XLSX worksheets (active first), or one CSV parse per delimiter."""
    lower = filename.lower()
    # Content decides, not the extension: counties rename files freely.
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_tables(data, filename, stack)
    if data.startswith(_OLE_MAGIC):
        raise BrokenFile(_(
            "%(filename)s is an old Excel 97-2003 (.xls) workbook: open it in Excel, save it as .xlsx and upload it again",
            filename=filename,
        ))
    if data.startswith(_BINARY_MAGICS):
        raise BrokenFile(_not_a_spreadsheet(filename))
    text = _decode(data)
    if text is None or "\x00" in text:
        if lower.endswith((".xlsx", ".xlsm")):
            raise BrokenFile(_damaged_workbook(filename))
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
    return _("%(filename)s is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file", filename=filename)


def _damaged_workbook(filename: str) -> str:
    return _(
        "%(filename)s could not be opened as an Excel workbook; it may be damaged: open it in Excel and save it again as .xlsx",
        filename=filename,
    )


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
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise BrokenFile(_("the CSV file is malformed: %(error)s", error=str(exc))) from exc


def _xlsx_tables(data: bytes, filename: str, stack: contextlib.ExitStack) -> list[Table]:
    from openpyxl import load_workbook  # import cost only when a workbook is uploaded

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of types (zipfile, KeyError, XML) for bad files
        raise BrokenFile(_damaged_workbook(filename)) from exc
    stack.callback(workbook.close)
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    active = workbook.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    tables = []
    for sheet in sheets:
        # Some generators write a wrong <dimension>, and read-only mode would trust it and
        # cut off columns; forget it and read the rows as they are.
        sheet.reset_dimensions()
        tables.append(Table(sheet.title, _guarded(sheet.iter_rows(values_only=True), filename)))
    return tables


def _guarded(rows: Iterator[Sequence[object]], filename: str) -> Iterator[Sequence[object]]:
    """Turn failures while parsing sheet XML (a damaged file) into a file-level error."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # same zoo as load_workbook
            raise BrokenFile(_damaged_workbook(filename)) from exc
        yield row
