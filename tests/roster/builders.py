"""Roster files as county offices make them, written for real by the tests: XLSX through openpyxl
(merged cells, numbers, formulas), .xls through xlwt, CSV in their encodings, and hostile workbooks."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import xlwt
from openpyxl import Workbook

from quarantine.idnumbers import check_digit


def rid(born: str = "19900101", sequence: str = "123", area: str = "410522") -> str:
    """A valid resident ID; an odd last sequence digit means male."""
    first17 = area + born + sequence
    return first17 + check_digit(first17)


def xlsx(path: Path, rows: list[list[object]], *, merges: tuple[str, ...] = (), sheet: str = "名单") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)
    return path


def xls(path: Path, rows: list[list[object]], *, merges: tuple[tuple[int, int, int, int], ...] = ()) -> Path:
    """A real Excel 97-2003 workbook; merges are (first row, last row, first col, last col), 0-based."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("名单")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged = {(r1, c1) for r1, _r2, c1, _c2 in merges}
    covered = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - merged
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in covered or value is None or (r, c) in merged:
                continue
            ws.write(r, c, value, dates) if isinstance(value, date) else ws.write(r, c, value)
    for r1, r2, c1, c2 in merges:
        ws.write_merge(r1, r2, c1, c2, rows[r1][c1])
    book.save(str(path))
    return path


def csv_file(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def rezip(data: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    """The same workbook with some parts replaced (None: removed) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = change.get(item.filename, source.read(item.filename))
            if content is not None:
                target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def small_workbook() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["张三", rid()])
    book.save(buffer)
    return buffer.getvalue()


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def hostile_far_cell() -> bytes:
    """5 KB: one cell at A1 and one at XFD1048576, a rectangle of 17 billion cells."""
    xml = sheet_xml(small_workbook()).replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    return rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml})


def hostile_wide_header(cells: int = 5_000_000) -> bytes:
    """A header row of millions of cells without references (the format allows leaving them out)."""
    xml = sheet_xml(small_workbook()).replace(b'<row r="1">', b'<row r="1">' + b"<c><v>1</v></c>" * cells, 1)
    return rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml})


def hostile_shared_strings(strings: int = 1_200_000) -> bytes:
    """A huge shared-strings part, compressing to a few MB."""
    body = b"".join(b"<si><t>%d</t></si>" % i for i in range(strings))
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
           b' count="%d" uniqueCount="%d">' % (strings, strings) + body + b"</sst>")
    data = small_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml")
    if "xl/sharedStrings.xml" in names:
        return rezip(data, {"xl/sharedStrings.xml": xml})
    types = types.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return rezip(data, {"[Content_Types].xml": types}, add={"xl/sharedStrings.xml": xml})


def hostile_zip_bomb(megabytes: int = 200) -> bytes:
    """A sheet part that unpacks to hundreds of MB of blank space from a few hundred KB."""
    xml = sheet_xml(small_workbook()).replace(b"</sheetData>", b"</sheetData>" + b" " * (megabytes << 20))
    return rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml})
