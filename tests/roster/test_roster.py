"""Transfer-roster reader: real CSV and XLSX files as counties send them."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from quarantine.idnumbers import check_digit
from quarantine.roster.households import apply_suggested_households
from quarantine.roster.reader import read_roster
from quarantine.roster.records import RosterReport
from quarantine.roster.report import format_report
from quarantine.roster.vocabulary import RosterVocabulary, default_vocabulary

TODAY = date(2022, 11, 23)
HEADER = ["姓名", "性别", "身份证号", "联系电话", "家庭编号", "人员类别", "特殊需求", "饮食", "年龄", "出生日期", "备注"]


def rid(area: str = "410522", born: str = "19900101", sequence: str = "123") -> str:
    """A valid resident ID; an odd last sequence digit means male."""
    first17 = area + born + sequence
    return first17 + check_digit(first17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


MAN = rid(born="19900101", sequence="123")  # male, 32 on TODAY
WOMAN = rid(born="19851231", sequence="002")  # female, 36 on TODAY
CHILD = rid(born="20150615", sequence="011")  # male, 7 on TODAY


def person(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "姓名": "张三", "性别": "男", "身份证号": MAN, "联系电话": "13800000001", "家庭编号": "H1",
        "人员类别": "密接", "特殊需求": "", "饮食": "", "年龄": "", "出生日期": "", "备注": "",
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(tmp_path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(rows, encoding, delimiter))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "roster.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def patch_sheet(path: Path, old: bytes, new: bytes) -> Path:
    """Rewrite the first sheet's XML, to build what other spreadsheet programs write."""
    patched = path.with_name("patched-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(old, new, content)
            target.writestr(item, content)
    return patched


def table(*people: dict[str, object], header: list[str] = HEADER) -> list[list[object]]:
    return [header] + [[p.get(column, "") for column in header] for p in people]


def read(path: Path, existing: tuple[str, ...] = (), vocab: RosterVocabulary | None = None) -> RosterReport:
    return read_roster(path.read_bytes(), path.name, vocab or default_vocabulary(), existing, today=TODAY)


def problems_of(report: RosterReport) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in report.problems]


# --- formats and layouts ----------------------------------------------------------------


def test_xlsx_with_title_rows_blank_rows_and_extra_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["XX县新冠肺炎疫情防控指挥部 转运人员名单"],
        ["填报单位：XX乡", None, None, "2022年11月23日"],
        ["序号", "姓名", "性别", "身份证号", "联系电话", "人员类别", "饮食", "车次"],
        [1, "张三", "男", MAN, "13800000001", "密接", "清真", "豫P-1"],
        [None, None, None, None, None, None, None, None],
        [2, "李四", "女", WOMAN, "13800000002", "次密接", None, "豫P-1"],
        [3],  # pre-numbered row with nobody in it
    ]
    report = read(write_xlsx(tmp_path, rows))
    assert report.file_errors == []
    assert report.is_clean
    assert report.header_row == 3
    assert report.ignored_columns == ["序号", "车次"]
    assert [r.row_number for r in report.rows] == [4, 6]
    first, second = report.rows
    assert (first.name, first.id_number, first.id_kind, first.sex) == ("张三", MAN, "resident_id", "M")
    assert first.birth_date == date(1990, 1, 1)
    assert (first.category, first.diet, first.needs) == ("close_contact", "halal", ())
    assert (second.sex, second.category, second.diet) == ("F", "secondary_contact", "regular")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    rows = [["转运人员名单"]] + table(person(), person(姓名="李四", 性别="女", 身份证号=WOMAN, 特殊需求="轮椅; 孕妇"))
    report = read(write_csv(tmp_path, rows, encoding, delimiter))
    assert report.file_errors == []
    assert problems_of(report) == []
    assert [(r.row_number, r.name) for r in report.rows] == [(3, "张三"), (4, "李四")]
    assert report.rows[1].needs == ("mobility", "pregnant")


def test_utf16_tab_export(tmp_path: Path) -> None:
    # Excel's "Unicode text" save format.
    path = tmp_path / "roster.txt"
    path.write_bytes(csv_bytes(table(person()), "utf-16", "\t"))
    report = read(path)
    assert report.is_clean and report.rows[0].id_number == MAN


def test_full_width_characters_and_stray_spaces(tmp_path: Path) -> None:
    full_width_id = " " + MAN.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "　"
    x_id = rid(sequence="012")
    while not x_id.endswith("X"):  # find a sequence whose check character is X
        x_id = rid(sequence="%03d" % (int(x_id[14:17]) + 1))
    rows = table(
        person(姓名=" 张 三 ", 身份证号=full_width_id, 联系电话=" １３８ ０００ ００００１ ", 人员类别=" 密 接 "),
        person(姓名="Ｍａｒｙ  Ｓｍｉｔｈ", 身份证号=x_id.lower(), 性别=" 女 " if int(x_id[16]) % 2 == 0 else "男"),
    )
    report = read(write_csv(tmp_path, rows, "utf-8-sig"))
    assert problems_of(report) == []
    first, second = report.rows
    assert (first.name, first.id_number, first.phone, first.category) == ("张三", MAN, "13800000001", "close_contact")
    assert (second.name, second.id_number) == ("Mary Smith", x_id)


def test_english_headers_in_another_order(tmp_path: Path) -> None:
    rows = [
        ["Notes", "Diet", "ID Number", "Category", "Phone", "Full Name", "Sex", "Household", "Needs", "Date of birth", "Age", "Origin"],
        ["", "vegetarian", MAN, "close contact", "+86 138-0000-0001", "Zhang San", "male", "F-7", "wheelchair", "1990-01-01", "32", "Wuhan"],
    ]
    vocab = default_vocabulary()
    vocab.needs["mobility"].append("wheelchair")
    report = read(write_csv(tmp_path, rows), vocab=vocab)
    assert problems_of(report) == []
    row = report.rows[0]
    assert (row.name, row.sex, row.household, row.phone, row.origin) == ("Zhang San", "M", "F-7", "13800000001", "Wuhan")
    assert (row.category, row.diet, row.needs) == ("close_contact", "vegetarian", ("mobility",))
    assert report.columns["id_number"] == "ID Number"


@pytest.mark.parametrize("header", ["身份证号", "证件号码", "身份证号码", "证件号", "身份证号（必填）", "身份证号*", " 身份证 号 "])
def test_id_header_aliases(tmp_path: Path, header: str) -> None:
    report = read(write_csv(tmp_path, [["姓名", header], ["张三", MAN]]))
    assert report.is_clean and report.rows[0].id_number == MAN


def test_xlsx_numbers_and_dates_in_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["姓名", "身份证号", "联系电话", "出生日期", "年龄", "家庭编号"],
        ["张三", 12345, 13800000001, datetime(1990, 1, 1), 32, 17.0],
        ["李四", WOMAN, 13800000002.0, 19851231, 36.0, 18],
    ]
    # openpyxl writes big ints as floats; WPS and others write all 18 digits as an integer.
    path = patch_sheet(write_xlsx(tmp_path, rows), rb"<v>12345</v>", b"<v>" + MAN.encode() + b"</v>")
    report = read(path)
    assert problems_of(report) == []
    assert [(r.id_number, r.phone, r.household) for r in report.rows] == [
        (MAN, "13800000001", "17"), (WOMAN, "13800000002", "18"),
    ]


def test_id_stored_as_float_lost_digits(tmp_path: Path) -> None:
    rows: list[list[object]] = [["姓名", "身份证号"], ["张三", float(MAN)]]
    report = read(write_xlsx(tmp_path, rows))
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "身份证号")
    assert "stored as a number and lost digits" in problem.message
    assert "format the 身份证号 column as text" in problem.message


def test_active_sheet_without_header_falls_back_to_another_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请按模板填写"])
    sheet = workbook.create_sheet("名单")
    for row in table(person()):
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    report = read(path)
    assert report.sheet == "名单" and report.is_clean


def test_xlsx_with_wrong_dimension_is_read_in_full(tmp_path: Path) -> None:
    # Some exporters write <dimension ref="A1"/>; read-only openpyxl would trust it.
    path = write_xlsx(tmp_path, table(person(), person(姓名="李四", 性别="女", 身份证号=WOMAN)))
    report = read(patch_sheet(path, rb'<dimension ref="[^"]*"', b'<dimension ref="A1"'))
    assert report.is_clean and [r.name for r in report.rows] == ["张三", "李四"]


def test_repeated_header_and_footer_rows_are_skipped(tmp_path: Path) -> None:
    rows = table(person()) + [HEADER] + table(person(姓名="李四", 性别="女", 身份证号=WOMAN))[1:] + [
        ["合计：2人"], ["填表人：王五", "", "", "联系电话：13900000000"],
    ]
    report = read(write_csv(tmp_path, rows))
    assert report.is_clean
    assert [r.row_number for r in report.rows] == [2, 4]
    assert report.skipped_rows == [3, 5, 6]


def test_passport_numbers_are_accepted(tmp_path: Path) -> None:
    rows = table(person(姓名="John Smith", 身份证号="e12345678", 人员类别="入境人员", 出生日期="1980-05-06", 年龄="42"))
    report = read(write_csv(tmp_path, rows))
    assert problems_of(report) == []
    row = report.rows[0]
    assert (row.id_number, row.id_kind, row.category, row.sex, row.birth_date) == (
        "E12345678", "passport", "inbound_traveller", "M", date(1980, 5, 6),
    )


# --- row problems -----------------------------------------------------------------------

BAD_ROWS = [
    # (changes to a good row, column, message fragment)
    ({"姓名": ""}, "姓名", "name is missing"),
    ({"身份证号": ""}, "身份证号", "ID number is missing"),
    ({"身份证号": wrong_check(MAN)}, "身份证号", "check digit is %s, expected %s" % (wrong_check(MAN)[17], MAN[17])),
    ({"身份证号": MAN[:17]}, "身份证号", "must have 18 characters, this one has 17"),
    ({"身份证号": rid(born="19901301")}, "身份证号", "impossible birth date 19901301"),
    ({"身份证号": "AB-12"}, "身份证号", "nor a passport number"),
    ({"身份证号": "4.10522199001011E+17"}, "身份证号", "stored as a number and lost digits"),
    ({"身份证号": "410522199001011000"}, "身份证号", "stored as a number and lost digits"),
    ({"性别": "女"}, "性别", "sex is female but the ID number says male"),
    ({"性别": "未知"}, "性别", 'sex "未知" is not recognised'),
    ({"出生日期": "1990-01-02"}, "出生日期", "birth date 1990-01-02 does not match the ID number, which says 1990-01-01"),
    ({"出生日期": "去年"}, "出生日期", 'birth date "去年" is not a date'),
    ({"出生日期": "2030-01-01"}, "出生日期", "is in the future"),
    ({"年龄": "40"}, "年龄", "age 40 does not match the ID number, which says 32"),
    ({"年龄": "三十"}, "年龄", 'age "三十" is not a whole number'),
    ({"联系电话": "1234567"}, "联系电话", 'phone "1234567" is not a phone number'),
    ({"联系电话": "3456789"}, "联系电话", 'phone "3456789" has no area code'),
    ({"姓名": "张" * 61}, "姓名", "姓名 is longer than 60 characters"),
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("changes", "column", "fragment"), BAD_ROWS, ids=[c[2][:30] for c in BAD_ROWS])
def test_bad_rows(tmp_path: Path, file_format: str, changes: dict[str, object], column: str, fragment: str) -> None:
    rows = [["转运名单"]] + table(person(姓名="李四", 性别="女", 身份证号=WOMAN, 联系电话="13900000000"), person(**changes))
    path = write_csv(tmp_path, rows) if file_format == "csv" else write_xlsx(tmp_path, rows)
    report = read(path)
    assert report.file_errors == []
    matching = [p for p in report.problems if p.row == 4 and p.column == column and fragment in p.message]
    assert matching, problems_of(report)
    assert [r.row_number for r in report.ok_rows] == [3]
    assert [r.row_number for r in report.bad_rows] == [4]
    assert not report.is_clean


@pytest.mark.parametrize(("given", "ok"), [("32", True), ("31", True), ("33", True), ("32岁", True), ("34", False), ("30", False)])
def test_age_allows_one_year_either_way(tmp_path: Path, given: str, ok: bool) -> None:
    report = read(write_csv(tmp_path, table(person(年龄=given))))
    assert report.is_clean is ok


@pytest.mark.parametrize("birth", ["1990-01-01", "1990/1/1", "1990.01.01", "19900101", "1990年1月1日", "1990-01-01 00:00:00"])
def test_birth_date_formats_agree_with_id(tmp_path: Path, birth: str) -> None:
    report = read(write_csv(tmp_path, table(person(出生日期=birth))))
    assert problems_of(report) == []


@pytest.mark.parametrize("sex", ["男", "男性", "M", "m", "male", "Male"])
def test_sex_spellings(tmp_path: Path, sex: str) -> None:
    assert read(write_csv(tmp_path, table(person(性别=sex)))).is_clean


def test_duplicate_ids_report_both_rows(tmp_path: Path) -> None:
    rows = table(person(), person(姓名="李四", 性别="女", 身份证号=WOMAN), person(姓名="张三丰", 身份证号=" " + MAN))
    report = read(write_csv(tmp_path, rows))
    assert problems_of(report) == [
        (2, "身份证号", "the same ID number is also on row 4"),
        (4, "身份证号", "the same ID number is also on row 2"),
    ]


def test_three_duplicates_list_all_other_rows(tmp_path: Path) -> None:
    report = read(write_csv(tmp_path, table(person(), person(), person())))
    assert [p.message for p in report.problems][0] == "the same ID number is also on rows 3, 4"


def test_ids_already_among_residents(tmp_path: Path) -> None:
    report = read(write_csv(tmp_path, table(person(), person(姓名="李四", 性别="女", 身份证号=WOMAN))), existing=(WOMAN.lower(),))
    assert problems_of(report) == [(3, "身份证号", "this person is already among the current residents")]


def test_problems_come_in_row_then_column_order(tmp_path: Path) -> None:
    rows = table(person(联系电话="12", 姓名="", 性别="女"), person(年龄="x", 身份证号=WOMAN, 性别=""))
    report = read(write_csv(tmp_path, rows))
    assert [(p.row, p.column) for p in report.problems] == [(2, "姓名"), (2, "性别"), (2, "联系电话"), (3, "年龄")]


# --- vocabulary -------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "needs"), [
    ("", ()),
    ("无", ()),
    ("轮椅", ("mobility",)),
    ("mobility", ("mobility",)),
    ("轮椅、孕妇", ("mobility", "pregnant")),
    ("轮椅,孕妇", ("mobility", "pregnant")),
    ("轮椅，孕妇；透析", ("mobility", "pregnant", "dialysis")),
    ("轮椅/孕妇", ("mobility", "pregnant")),
    ("轮椅 孕妇", ("mobility", "pregnant")),
    ("轮椅 行动不便", ("mobility",)),
    ("Chronic Illness, pregnant", ("chronic_illness", "pregnant")),
])
def test_needs_cells(tmp_path: Path, cell: str, needs: tuple[str, ...]) -> None:
    report = read(write_csv(tmp_path, table(person(特殊需求=cell))))
    assert problems_of(report) == []
    assert report.rows[0].needs == needs


@pytest.mark.parametrize(("cell", "diet"), [
    ("", "regular"), ("常规", "regular"), ("清真", "halal"), ("HALAL", "halal"), ("糖尿病", "diabetic"),
    ("流食", "soft"), ("婴幼儿", "infant"), ("vegetarian", "vegetarian"),
])
def test_diet_cells(tmp_path: Path, cell: str, diet: str) -> None:
    report = read(write_csv(tmp_path, table(person(饮食=cell))))
    assert problems_of(report) == [] and report.rows[0].diet == diet


@pytest.mark.parametrize(("cell", "category"), [
    ("密接", "close_contact"), ("密切接触者", "close_contact"), ("close_contact", "close_contact"),
    ("Close Contact", "close_contact"), ("次密切接触者", "secondary_contact"),
    ("中高风险地区返乡人员", "risk_area_arrival"), ("", None),
])
def test_category_cells(tmp_path: Path, cell: str, category: str | None) -> None:
    report = read(write_csv(tmp_path, table(person(人员类别=cell))))
    assert problems_of(report) == [] and report.rows[0].category == category


def test_vocabulary_from_app_terms(tmp_path: Path) -> None:
    vocab = RosterVocabulary.from_terms(
        categories=[("close_contact", "密接", "Close contact"), ("staff", "工作人员", "Staff")],
        needs=[("oxygen", "吸氧", "Oxygen")],
        diets=[("regular", "普通", "Regular"), ("kosher", "", "Kosher")],
    )
    rows = table(
        person(人员类别="工作人员", 特殊需求="吸氧", 饮食="kosher"),
        person(姓名="李四", 性别="女", 身份证号=WOMAN, 人员类别="staff", 特殊需求="oxygen", 饮食=""),
        person(姓名="王五", 身份证号=CHILD, 人员类别="次密接", 饮食="清真"),
    )
    report = read(write_csv(tmp_path, rows), vocab=vocab)
    assert [(r.category, r.needs, r.diet) for r in report.rows[:2]] == [
        ("staff", ("oxygen",), "kosher"), ("staff", ("oxygen",), "regular"),
    ]
    assert problems_of(report) == []
    assert [(u.kind, u.column, u.value, u.row_numbers) for u in report.unknown_values] == [
        ("category", "人员类别", "次密接", [4]), ("diet", "饮食", "清真", [4]),
    ]
    assert [r.row_number for r in report.bad_rows] == [4] and not report.is_clean


# --- file-level errors ------------------------------------------------------------------


def _corrupt_xlsx(tmp_path: Path) -> bytes:
    data = write_xlsx(tmp_path, table(person())).read_bytes()
    return data[: len(data) // 2]


def _zip_without_workbook(tmp_path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


FILE_ERRORS = [
    ("empty.csv", lambda tmp: b"", "is empty"),
    ("blank.csv", lambda tmp: b"\r\n , ,\r\n\r\n", "is empty"),
    ("empty.xlsx", lambda tmp: write_xlsx(tmp, [], "e.xlsx").read_bytes(), "is empty"),
    ("noheader.csv", lambda tmp: "编号,地址\n1,XX村\n".encode(), "no header row found in the first 10 rows"),
    ("late.csv", lambda tmp: ("\n".join(["标题"] * 10) + "\n姓名,身份证号\n张三," + MAN + "\n").encode(), "no header row found"),
    ("nobody.xlsx", lambda tmp: write_xlsx(tmp, [["名单"], HEADER], "n.xlsx").read_bytes(), "header is on row 2 but no people"),
    ("photo.png", lambda tmp: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "is not a spreadsheet"),
    ("roster.pdf", lambda tmp: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "is not a spreadsheet"),
    ("binary.csv", lambda tmp: b"\x00\x01\x02\x03" * 50, "is not a spreadsheet"),
    ("broken.xlsx", _corrupt_xlsx, "could not be opened as an Excel workbook"),
    ("notes.docx", _zip_without_workbook, "could not be opened as an Excel workbook"),
    ("text.xlsx", lambda tmp: b"\x00\xff\x00garbage", "could not be opened as an Excel workbook"),
    ("damaged.xls", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "could not be opened as an Excel workbook"),
    ("export.xls", lambda tmp: "<html><table><tr><td>姓名</td></tr></table></html>".encode(), "is a web page"),
]


@pytest.mark.parametrize(("filename", "make", "fragment"), FILE_ERRORS, ids=[f[0] for f in FILE_ERRORS])
def test_file_errors(tmp_path: Path, filename: str, make: Callable[[Path], bytes], fragment: str) -> None:
    report = read_roster(make(tmp_path), filename, default_vocabulary(), today=TODAY)
    assert len(report.file_errors) == 1
    assert fragment in report.file_errors[0]
    assert report.rows == [] and report.problems == [] and not report.is_clean
    assert "Nothing can be imported" in format_report(report)


def test_xlsx_content_wins_over_csv_extension(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path, table(person())).read_bytes()
    report = read_roster(data, "renamed.csv", default_vocabulary(), today=TODAY)
    assert report.is_clean and len(report.rows) == 1


# --- households -------------------------------------------------------------------------


def test_households_suggested_from_shared_phones(tmp_path: Path) -> None:
    header = ["姓名", "身份证号", "联系电话", "性别"]
    rows: list[list[object]] = [
        header,
        ["张三", MAN, "138 0000 0001", "男"],  # row 2
        ["李四", WOMAN, "13800000002", "女"],  # row 3, alone
        ["张小三", CHILD, "+86 13800000001", "男"],  # row 4, same phone as row 2
        ["王五", rid(sequence="031"), "", "男"],  # row 5, no phone
        ["赵六", rid(sequence="041"), "13800000009", "男"],  # row 6
        ["赵七", rid(sequence="052"), 13800000009, "女"],  # row 7
    ]
    report = read(write_xlsx(tmp_path, rows))
    assert report.is_clean
    suggestions = [(s.key, s.row_numbers) for s in report.suggested_households]
    assert suggestions == [("TEL-13800000001", (2, 4)), ("TEL-13800000009", (6, 7))]
    households = {r.row_number: r.household for r in apply_suggested_households(report)}
    assert households == {
        2: "TEL-13800000001", 3: "ROW-3", 4: "TEL-13800000001", 5: "ROW-5", 6: "TEL-13800000009", 7: "TEL-13800000009",
    }
    assert report.rows[0].household is None  # the report itself is unchanged


def test_blank_household_joins_the_household_of_a_shared_phone(tmp_path: Path) -> None:
    # A merged household cell: only the first family member carries the number.
    rows = table(
        person(家庭编号="H7", 联系电话="13800000001"),
        person(姓名="张小三", 身份证号=CHILD, 家庭编号="", 联系电话="13800000001"),
        person(姓名="李四", 性别="女", 身份证号=WOMAN, 家庭编号="H8", 联系电话="13800000002"),
    )
    report = read(write_csv(tmp_path, rows))
    assert [(s.key, s.row_numbers) for s in report.suggested_households] == [("H7", (3,))]
    assert [r.household for r in apply_suggested_households(report)] == ["H7", "H7", "H8"]


def test_no_suggestions_when_every_household_is_given(tmp_path: Path) -> None:
    rows = table(person(家庭编号="H1"), person(姓名="李四", 性别="女", 身份证号=WOMAN, 家庭编号="H2"))
    report = read(write_csv(tmp_path, rows))
    assert report.suggested_households == []
    assert [r.household for r in apply_suggested_households(report)] == ["H1", "H2"]


# --- the command-line report ------------------------------------------------------------


def test_format_report(tmp_path: Path) -> None:
    bad = wrong_check(MAN)
    rows = [["转运名单"], ["序号", "姓名", "身份证号", "联系电话"]] + [
        [1, "张三", WOMAN, "13800000001"],
        [2, "李四", bad, "13800000002"],
        [3, "王五", CHILD, "13800000001"],
    ]
    text = format_report(read(write_xlsx(tmp_path, rows)))
    expected_problem = 'row 4 (李四), 身份证号 "%s": resident ID check digit is %s, expected %s: a digit is mistyped' % (
        bad, bad[17], MAN[17])
    assert expected_problem in text
    assert "people listed: 3; ready: 2; with problems: 1; problems in all: 1" in text
    assert "people it would import: 2" in text
    assert "TEL-13800000001: rows 3, 5" in text
    assert "columns ignored: 序号" in text


def test_format_report_clean(tmp_path: Path) -> None:
    text = format_report(read(write_csv(tmp_path, table(person()))))
    assert "people it would import: 1" in text and "Problems" not in text


def test_exact_header_beats_a_partial_one(tmp_path: Path) -> None:
    rows = [["姓名", "紧急联系人电话", "身份证号(18位)", "联系电话"], ["张三", "13900000000", MAN, "13800000001"]]
    report = read(write_csv(tmp_path, rows))
    assert report.columns == {"name": "姓名", "id_number": "身份证号(18位)", "phone": "联系电话"}
    assert report.rows[0].phone == "13800000001"
    assert report.ignored_columns == ["紧急联系人电话"]


def test_passport_age_is_checked_against_the_birth_date_column(tmp_path: Path) -> None:
    rows = table(person(身份证号="E12345678", 出生日期="1980-05-06", 年龄="30", 人员类别="入境人员"))
    report = read(write_csv(tmp_path, rows))
    assert problems_of(report) == [(2, "年龄", "age 30 does not match the birth date 1980-05-06, which makes 42")]


def test_runaway_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quarantine.roster.reader.MAX_ROWS", 2)  # the reader's copy of limits.MAX_ROWS
    report = read(write_csv(tmp_path, table(person(), person(), person())))
    assert report.rows == [] and "more than 2 rows" in report.file_errors[0]
