"""How big a roster may be, and the check that an XLSX stays within it before any reader opens it.

A transfer batch is a few hundred people; the limits only stop hostile or runaway files.
Memory is what matters: the workbook reader (calamine) builds the whole used rectangle of a
sheet at once, so a 5 KB file with one cell at A1 and one at XFD1048576 would ask for hundreds
of gigabytes and kill the process. So the zip is inspected first with bounded reads: every part
the reader will parse is decompressed up to a cap (a zip bomb stops at the cap, and a size
that lies fails its CRC), the shared strings are counted, and each worksheet's cell
references are scanned for the rectangle its cells span.
"""
from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from quarantine.i18n import _

MAX_ROWS = 50_000  # people rows below the header
MAX_COLUMNS = 256
MAX_CELLS = 3_000_000  # rows x columns of the rectangle a sheet's cells span
MAX_SHEET_XML = 64 * 1024 * 1024  # one worksheet, uncompressed
MAX_SHARED_STRINGS_XML = 32 * 1024 * 1024
MAX_SHARED_STRINGS = 500_000
MAX_OTHER_XML = 16 * 1024 * 1024  # workbook, relationships, styles
MAX_ZIP_ENTRIES = 2_000
MAX_MERGED = 100_000
# Longest text the database keeps per field (quarantine/models/people.py); longer is a problem.
FIELD_LENGTHS = {"name": 60, "phone": 30, "household": 40, "origin": 120}


class TooLarge(Exception):
    """The file is past a limit; the message says which and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SheetScan:
    rows: int = 0  # 1-based number of the last row holding a value
    columns: int = 0  # 1-based number of the last column holding a value
    long_numbers: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based -> digits


@dataclass
class XlsxScan:
    sheets: dict[str, SheetScan]  # zip part name -> scan
    sheet_parts: list[str]  # part of each sheet, in workbook order ("" when unknown)
    active: int = 0


def too_many_rows(sheet: str, rows: int) -> str:
    return _(
        "sheet %(sheet)s has cells down to row %(rows)d; a roster may have at most %(max)d rows: "
        "split it into smaller files or delete what is below the list",
        sheet=sheet, rows=rows, max=MAX_ROWS,
    )


def too_many_columns(sheet: str, columns: int) -> str:
    return _(
        "sheet %(sheet)s has cells out to column %(columns)d; a roster may have at most %(max)d columns: "
        "delete the columns to the right of the list",
        sheet=sheet, columns=columns, max=MAX_COLUMNS,
    )


def too_many_cells(sheet: str, rows: int, columns: int) -> str:
    return _(
        "sheet %(sheet)s spans %(rows)d rows by %(columns)d columns, more than a roster may hold (%(max)d cells): "
        "delete what is outside the list",
        sheet=sheet, rows=rows, columns=columns, max=MAX_CELLS,
    )


def check_extent(sheet: str, rows: int, columns: int) -> None:
    if rows > MAX_ROWS + 100:  # room for title rows, the header and sign-off lines
        raise TooLarge(too_many_rows(sheet, rows))
    if columns > MAX_COLUMNS:
        raise TooLarge(too_many_columns(sheet, columns))
    if rows * columns > MAX_CELLS:
        raise TooLarge(too_many_cells(sheet, rows, columns))


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, what: Callable[[], str]) -> bytes:
    if info.file_size > cap:
        raise TooLarge(what())
    with archive.open(info) as stream:
        data = stream.read(cap + 1)  # never more than the cap, whatever the header claims
    if len(data) > cap:
        raise TooLarge(what())
    return data


def scan_xlsx(data: bytes, filename: str) -> XlsxScan:
    """Refuse (TooLarge) an XLSX past the limits; raise zipfile.BadZipFile & co. for a damaged one."""
    import io

    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise TooLarge(_("%(filename)s holds %(n)d files inside; a workbook has a few dozen", filename=filename, n=len(infos)))
    small: dict[str, bytes] = {}
    for info in infos:  # workbook, relationships, styles: what the reader parses besides sheets and strings
        lower = info.filename.lower()
        if _is_sheet(lower) or lower == "xl/sharedstrings.xml":
            continue
        if lower.endswith((".xml", ".rels")) and (lower.startswith("xl/") or lower == "[content_types].xml"):
            small[lower] = _read_capped(archive, info, MAX_OTHER_XML, lambda: _(
                "%(filename)s has a part larger than %(mb)d MB once unpacked (%(part)s); it is not a roster",
                filename=filename, mb=MAX_OTHER_XML >> 20, part=info.filename))
    parts, names, active = _sheet_order(small.get("xl/workbook.xml", b""), small.get("xl/_rels/workbook.xml.rels", b""))
    sheets: dict[str, SheetScan] = {}
    for info in infos:
        lower = info.filename.lower()
        if _is_sheet(lower):
            sheet = names.get(lower) or info.filename.rsplit("/", 1)[-1]
            xml = _read_capped(archive, info, MAX_SHEET_XML, lambda: _(
                "sheet %(sheet)s of %(filename)s is larger than %(mb)d MB once unpacked: a roster is far smaller; "
                "save only the list in a new workbook", sheet=sheet, filename=filename, mb=MAX_SHEET_XML >> 20))
            sheets[lower] = scan_sheet_xml(xml, sheet)
        elif lower == "xl/sharedstrings.xml":
            xml = _read_capped(archive, info, MAX_SHARED_STRINGS_XML, lambda: _shared_strings_message(filename))
            if xml.count(b"<si>") + xml.count(b"<si ") + xml.count(b":si>") + xml.count(b":si ") > MAX_SHARED_STRINGS:
                raise TooLarge(_shared_strings_message(filename))
    return XlsxScan(sheets, parts, active)


def _is_sheet(lower: str) -> bool:
    return lower.startswith("xl/worksheets/") and lower.endswith(".xml") and "/_rels/" not in lower


def _shared_strings_message(filename: str) -> str:
    return _(
        "%(filename)s holds more text than a roster can (over %(n)d different texts or %(mb)d MB): "
        "save only the list in a new workbook",
        filename=filename, n=MAX_SHARED_STRINGS, mb=MAX_SHARED_STRINGS_XML >> 20,
    )


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RID = re.compile(rb"\br:id=\"([^\"]+)\"|\b\w+:id=\"([^\"]+)\"")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"\b(Id|Target)=\"([^\"]*)\"")
_ACTIVE = re.compile(rb"\bactiveTab=\"(\d+)\"")
_NAME = re.compile(rb"\bname=\"([^\"]*)\"")


def _sheet_order(workbook_xml: bytes, rels_xml: bytes) -> tuple[list[str], dict[str, str], int]:
    """Zip part of each sheet in workbook order, sheet names by part, and the active sheet."""
    targets = {}
    for tag in _REL_TAG.findall(rels_xml):
        attrs = dict(_ATTR.findall(tag))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace").lstrip("/").lower()
            targets[attrs[b"Id"]] = target if target.startswith("xl/") else "xl/" + target
    parts, names = [], {}
    for tag in _SHEET_TAG.findall(workbook_xml):
        match = _RID.search(tag)
        part = targets.get((match.group(1) or match.group(2)) if match else None, "")
        parts.append(part)
        name = _NAME.search(tag)
        if part and name:
            names[part] = html.unescape(name.group(1).decode("utf-8", "replace"))
    active = _ACTIVE.search(workbook_xml)
    return parts, names, int(active.group(1)) if active else 0


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_LONG_NUMBER_HINT = re.compile(rb"v>\d{16,20}</")


def scan_sheet_xml(xml: bytes, sheet: str) -> SheetScan:
    """The rectangle of cells holding a value; empty cells (<c .../>) cost the reader nothing."""
    root = _PREFIX.search(xml[:4096])
    prefix = root.group(1) or b"" if root else b""  # word characters and ":" only: safe in a pattern
    if xml.count(b"<" + prefix + b"c ") + xml.count(b"<" + prefix + b"c>") > MAX_CELLS:  # before any pattern runs
        raise TooLarge(_(
            "sheet %(sheet)s holds more than %(max)d cells, more than a roster may hold: delete what is outside the list",
            sheet=sheet, max=MAX_CELLS,
        ))
    if xml.count(b"<" + prefix + b"mergeCell ") > MAX_MERGED:
        raise TooLarge(_(
            "sheet %(sheet)s has more than %(max)d merged cells: unmerge them and save the file again",
            sheet=sheet, max=MAX_MERGED,
        ))
    tags = xml.count(b"<" + prefix + b"c ") + xml.count(b"<" + prefix + b"c>")
    # One pass over the cells that lead with their reference (every common writer does); "/" marks an empty cell.
    cells = re.findall(b"<" + prefix + rb"c r=\"([A-Z]{1,3})(\d{1,7})\"[^>/]*(/?)>", xml)
    scan = SheetScan()
    if len(cells) == tags:
        filled = [(c, r) for c, r, empty in cells if not empty]
        if filled:
            scan.columns = max(_column_number(letters) for letters in {c for c, _r in filled})
            scan.rows = max(int(r) for r in {r for _c, r in filled})
    else:
        scan.rows, scan.columns = _walk_cells(xml, prefix, sheet)
    check_extent(sheet, scan.rows, scan.columns)
    if _LONG_NUMBER_HINT.search(xml):
        scan.long_numbers = _long_numbers(xml, prefix)
    return scan


def _walk_cells(xml: bytes, prefix: bytes, sheet: str) -> tuple[int, int]:
    """Slow path for cells without a reference (allowed by the format): follow rows and cells in order."""
    row = col = max_row = max_col = 0
    tag = re.compile(b"<" + prefix + rb"(row|c)\b([^>]*?)(/?)>")
    ref = re.compile(rb"\br=\"([A-Z]*)(\d*)\"")
    for kind, attrs, closed in tag.findall(xml):
        found = ref.search(attrs)
        if kind == b"row":
            row = int(found.group(2)) if found and found.group(2) else row + 1
            col = 0
            continue
        if found and found.group(1):
            col = _column_number(found.group(1))
            if found.group(2):
                row = int(found.group(2))
        else:
            col += 1
        if not closed:
            max_row, max_col = max(max_row, row), max(max_col, col)
            if max_col > MAX_COLUMNS or max_row > MAX_ROWS + 100:
                check_extent(sheet, max_row, max_col)
    return max_row, max_col


def _long_numbers(xml: bytes, prefix: bytes) -> dict[tuple[int, int], str]:
    """18-digit IDs some programs (WPS) store as exact integers; a float reader would round them."""
    pattern = re.compile(
        b"<" + prefix + rb"c\b([^>]*)>(?:<" + prefix + rb"f\b[^<]*(?:</" + prefix + rb"f>)?)?<"
        + prefix + rb"v>(\d{16,20})</"
    )
    ref = re.compile(rb"\br=\"([A-Z]{1,3})(\d{1,7})\"")
    kind = re.compile(rb"\bt=\"(\w+)\"")
    found = {}
    for attrs, digits in pattern.findall(xml):
        cell = ref.search(attrs)
        typ = kind.search(attrs)
        if cell and (typ is None or typ.group(1) == b"n"):
            found[(int(cell.group(2)) - 1, _column_number(cell.group(1)) - 1)] = digits.decode()
    return found
