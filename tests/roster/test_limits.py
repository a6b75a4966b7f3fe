"""Hostile and runaway workbooks are refused with a message before the reader builds them in memory."""
from __future__ import annotations

import time
from datetime import date

import pytest

from quarantine.roster.limits import MAX_COLUMNS, scan_sheet_xml
from quarantine.roster.reader import read_roster
from quarantine.roster.vocabulary import default_vocabulary
from tests.roster.builders import (
    hostile_far_cell,
    hostile_shared_strings,
    hostile_wide_header,
    hostile_zip_bomb,
    rezip,
    rid,
    sheet_xml,
    small_workbook,
)

TODAY = date(2022, 11, 23)


def read(data: bytes, name: str = "r.xlsx"):
    return read_roster(data, name, default_vocabulary(), today=TODAY)


HOSTILE = [
    ("far-cell", hostile_far_cell, "has cells down to row 1048576; a roster may have at most 50000 rows"),
    ("wide-header", hostile_wide_header, "is larger than 64 MB once unpacked"),
    ("many-cells", lambda: hostile_wide_header(3_500_000), "holds more than 3000000 cells"),
    ("wide-header-small", lambda: hostile_wide_header(400), "has cells out to column 257; a roster may have at most 256"),
    ("shared-strings", hostile_shared_strings, "holds more text than a roster can"),
    ("zip-bomb", hostile_zip_bomb, "is larger than 64 MB once unpacked"),
]


@pytest.mark.parametrize(("make", "fragment"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_workbooks_are_refused_quickly(make, fragment) -> None:
    data = make()
    start = time.perf_counter()
    report = read(data)
    assert time.perf_counter() - start < 10  # a bound, not a benchmark: the unguarded reader took minutes or died
    assert len(report.file_errors) == 1 and fragment in report.file_errors[0], report.file_errors
    assert report.rows == []


def test_a_size_that_lies_is_a_damaged_file() -> None:
    data = bytearray(hostile_zip_bomb(1))
    # Shrink the declared size of the sheet in the central directory: reading stops there and the CRC fails.
    index = data.rfind(b"xl/worksheets/sheet1.xml")
    header = data.rfind(b"PK\x01\x02", 0, index)
    data[header + 24:header + 28] = (1000).to_bytes(4, "little")
    report = read(bytes(data))
    assert "could not be opened as an Excel workbook" in report.file_errors[0]


def test_cells_without_references_and_a_namespace_prefix_are_read() -> None:
    """The format lets cells leave out their reference, and some generators prefix every tag."""
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           b'<x:row><x:c t="inlineStr"><x:is><x:t>\xe5\xa7\x93\xe5\x90\x8d</x:t></x:is></x:c>'
           b'<x:c t="inlineStr"><x:is><x:t>\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7</x:t></x:is></x:c></x:row>'
           b'<x:row><x:c t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>'
           + rid().encode() + b"</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>")
    scan = scan_sheet_xml(xml, "s")
    assert (scan.rows, scan.columns) == (2, 2)
    report = read(rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml}))
    assert report.file_errors == [] and [(r.name, r.id_number) for r in report.rows] == [("A", rid())]


def test_empty_styled_cells_far_away_do_not_count() -> None:
    xml = sheet_xml(small_workbook()).replace(b"</sheetData>", b'<row r="900000"><c r="XFD900000" s="1"/></row></sheetData>')
    report = read(rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml}))
    assert report.file_errors == [] and len(report.rows) == 1


def test_wps_style_exact_18_digit_numbers_are_kept() -> None:
    xml = sheet_xml(small_workbook()).replace(b't="inlineStr"><is><t>%s</t></is>' % rid().encode(),
                                              b't="n"><v>%s</v>' % rid("19900101", "121").encode())
    report = read(rezip(small_workbook(), {"xl/worksheets/sheet1.xml": xml}))
    assert report.problems == [] and report.rows[0].id_number == rid("19900101", "121")


def test_csv_with_too_many_columns_is_refused() -> None:
    data = ("姓名,身份证号\n张三," + rid() + "," * (MAX_COLUMNS + 5) + "\n").encode()
    report = read(data, "r.csv")
    assert "has %d columns; a roster may have at most %d" % (MAX_COLUMNS + 7, MAX_COLUMNS) in report.file_errors[0]


def test_xls_far_cell_is_refused(tmp_path) -> None:
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("s")
    sheet.write(0, 0, "姓名")
    sheet.write(0, 1, "身份证号")
    sheet.write(65535, 200, "x")
    book.save(str(tmp_path / "far.xls"))
    report = read((tmp_path / "far.xls").read_bytes(), "far.xls")
    assert "has cells down to row 65536; a roster may have at most 50000 rows" in report.file_errors[0]
