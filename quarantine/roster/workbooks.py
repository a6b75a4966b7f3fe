"""Excel workbooks (.xlsx and the older .xls) through calamine, within the limits of limits.py."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence

from quarantine.i18n import _
from quarantine.roster.limits import TooLarge, XlsxScan, check_extent, scan_xlsx
from quarantine.roster.records import BrokenFile


def damaged_workbook(filename: str) -> str:
    return _(
        "%(filename)s could not be opened as an Excel workbook; it may be damaged: open it in Excel and save it again as .xlsx",
        filename=filename,
    )


def workbook_sheets(data: bytes, filename: str, is_xlsx: bool) -> list[tuple[str, Iterator[Sequence[object]]]]:
    """(sheet name, rows) of each worksheet, the active one first; a sheet is loaded only when read."""
    import python_calamine as calamine  # import cost only when a workbook is uploaded

    scan = None
    if is_xlsx:
        try:
            scan = scan_xlsx(data, filename)
        except TooLarge as exc:
            raise BrokenFile(exc.message) from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
            raise BrokenFile(damaged_workbook(filename)) from exc
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise BrokenFile(_(
            "%(filename)s is protected by a password: open it, remove the password and save it again", filename=filename,
        )) from exc
    except Exception as exc:  # calamine reports damage through several exception types
        raise BrokenFile(damaged_workbook(filename)) from exc
    worksheet = calamine.SheetTypeEnum.WorkSheet
    visible = calamine.SheetVisibleEnum.Visible
    order = [i for i, meta in enumerate(book.sheets_metadata) if meta.typ == worksheet]
    active = scan.active if scan else 0
    # The sheet the file opens on first, then the other visible ones, hidden ones last.
    order.sort(key=lambda i: (i != active, book.sheets_metadata[i].visible != visible, i))
    return [(book.sheet_names[i], _rows(book, i, filename, _long_numbers(scan, i))) for i in order]


def _long_numbers(scan: XlsxScan | None, index: int) -> dict[tuple[int, int], str]:
    if scan is None or index >= len(scan.sheet_parts):
        return {}
    found = scan.sheets.get(scan.sheet_parts[index])
    return found.long_numbers if found else {}


def _rows(book, index: int, filename: str, long_numbers: dict[tuple[int, int], str]) -> Iterator[Sequence[object]]:
    try:
        sheet = book.get_sheet_by_index(index)
    except Exception as exc:
        raise BrokenFile(damaged_workbook(filename)) from exc
    end = sheet.end
    if end is None:
        return
    first_col = sheet.start[1] if sheet.start else 0
    try:
        # .xls was not scanned before loading (its format stops at 65,536 x 256); check it now.
        check_extent(sheet.name, end[0] + 1, end[1] + 1)
    except TooLarge as exc:
        raise BrokenFile(exc.message) from exc
    longs: dict[int, list[tuple[int, int]]] = {}
    for (r, c), digits in long_numbers.items():
        if c >= first_col:
            longs.setdefault(r, []).append((c - first_col, int(digits)))
    starts = _vertical_merges(sheet.merged_cell_ranges or [], first_col)
    spans: list[list] = []  # [position, last row, value] of merges being filled
    # calamine yields rows from the sheet's first row, and columns from its first used column.
    for row_index, values in enumerate(sheet.iter_rows()):
        if row_index in longs or row_index in starts or spans:
            values = list(values)
            for position, number in longs.get(row_index, ()):
                if position < len(values):
                    values[position] = number
            if spans:
                spans = [span for span in spans if span[1] >= row_index]
                for position, _last, value in spans:
                    if position < len(values) and values[position] in ("", None):
                        values[position] = value
            for position, last in starts.get(row_index, ()):
                if position < len(values):
                    spans.append([position, last, values[position]])
        yield values


def _vertical_merges(ranges, first_col: int) -> dict[int, list[tuple[int, int]]]:
    """One-column merged cells down several rows (a household number or a category for a family or a
    page): every row shows the value on screen, so every row gets it. First row -> (position, last row)."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for (top, left), (bottom, right) in ranges:
        if left == right and bottom > top and left >= first_col:
            starts.setdefault(top, []).append((left - first_col, bottom))
    return starts
