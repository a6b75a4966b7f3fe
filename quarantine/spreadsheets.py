"""Every CSV and XLSX the app writes goes through here, so text stays text in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel, WPS and
LibreOffice: a roster name `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` would run when the file is
opened. Following OWASP's CSV-injection advice, such text gets a leading apostrophe in CSV; in XLSX
it is written as a string cell with Excel's quote prefix, so the text reads unchanged and never runs.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """The value as a CSV cell: text that a spreadsheet would run gets an apostrophe in front."""
    return "'" + value if looks_like_formula(value) else value


def csv_bytes(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (so Excel reads Chinese correctly), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(v) for v in headers])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_row(sheet, row: Sequence[object]) -> list[object]:
    """`row` ready for `sheet.append` (a normal or a write-only sheet): text that would be a formula
    becomes a string cell with Excel's quote prefix; cells already made are checked the same way."""
    from openpyxl.cell.cell import Cell
    out: list[object] = []
    for value in row:
        cell = value if isinstance(value, Cell) else None
        if looks_like_formula(cell.value if cell is not None else value):
            if cell is None:
                cell = Cell(sheet, row=1, column=1, value=value)  # append places it (as WriteOnlyCell does)
            cell.data_type = "s"
            cell.quotePrefix = True
            out.append(cell)
        else:
            out.append(value)
    return out


def append_row(sheet, row: Sequence[object]) -> None:
    """Append `row` to an openpyxl sheet; text that would be a formula is stored as text."""
    sheet.append(xlsx_row(sheet, row))


def append_rows(sheet, rows: Iterable[Sequence[object]]) -> None:
    for row in rows:
        append_row(sheet, row)
