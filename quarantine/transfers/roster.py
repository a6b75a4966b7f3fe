"""Read and check a transfer roster: the spreadsheet a sending county sends with a batch.

Pure functions only (no Flask app, no database), so the web upload, the command line
and the tests all see the same checks. County spreadsheets are made by hand: title rows
above the header, Chinese or English headers in any order, full-width digits, stray
spaces, ID numbers that Excel turned into numbers. Everything the reader cannot accept
becomes a problem with its spreadsheet row and column; nothing here raises on bad input.
"""
from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property

from quarantine.i18n import _
from quarantine.idnumbers import IdNumberError, ResidentId, age_on, classify, normalize

__all__ = [
    "FIELDS",
    "RosterProblem",
    "RosterReport",
    "RosterRow",
    "RosterVocabulary",
    "SuggestedHousehold",
    "apply_suggested_households",
    "default_vocabulary",
    "format_problem",
    "format_report",
    "read_roster",
]

# The header must be within this many rows; county sheets put one or two title rows above it.
HEADER_SEARCH_ROWS = 10
# A transfer batch is a few hundred people; this only stops a runaway file from eating memory.
MAX_ROWS = 100_000

FIELDS = (
    "name", "sex", "id_number", "phone", "household", "category",
    "needs", "diet", "age", "birth_date", "origin", "notes",
)

HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "name", "full name"),
    "sex": ("性别", "sex", "gender"),
    "id_number": (
        "身份证号", "证件号码", "身份证号码", "证件号", "身份证", "公民身份号码", "居民身份证号码",
        "身份证件号码", "护照号", "护照号码", "id number", "id no", "id", "id_number",
        "passport", "passport number", "document number",
    ),
    "phone": ("联系电话", "电话", "手机号", "手机", "手机号码", "联系方式", "phone", "telephone", "mobile", "tel"),
    "household": ("家庭编号", "户号", "家庭", "户编号", "家庭号", "household", "household id", "family"),
    "category": ("人员类别", "类别", "人员类型", "category", "type"),
    "needs": ("特殊需求", "需求", "特殊需要", "needs", "special needs"),
    "diet": ("饮食", "饮食要求", "饮食需求", "diet", "dietary requirements"),
    "age": ("年龄", "age"),
    "birth_date": ("出生日期", "出生年月日", "生日", "birth date", "date of birth", "dob", "birth_date", "birthday"),
    "origin": ("来源地", "来源", "来自", "origin", "from"),
    "notes": ("备注", "notes", "note", "remarks"),
}
# Used only when no header matches exactly: "联系电话(本人)" or "身份证号(18位)" style headers.
_HEADER_FRAGMENTS = (("身份证", "id_number"), ("证件号", "id_number"), ("电话", "phone"), ("手机", "phone"))

# Rows that end a county sheet without being people: totals and sign-off lines.
_FOOTER_PREFIXES = (
    "合计", "总计", "小计", "共计", "填表人", "制表人", "填报人", "审核人", "负责人",
    "填表日期", "填报日期", "制表日期", "注:", "说明",
)
# A needs or diet cell saying "none" in one of the usual ways.
_NOTHING = frozenset({"无", "没有", "否", "none", "no", "n/a", "na", "-", "/", "—", "--"})
_SEX_WORDS = {"男": "M", "男性": "M", "m": "M", "male": "M", "女": "F", "女性": "F", "f": "F", "female": "F"}

_SPACES = re.compile(r"\s+")
_HEADER_DROP = re.compile(r"[\s_\-*:]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_TERM_DROP = re.compile(r"[\s_\-]+")
_NEED_SEPARATORS = re.compile(r"[、,，;；/]+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff·])\s+|\s+(?=[\u3400-\u9fff·])")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_AGE_TEXT = re.compile(r"^(\d{1,3})\s*(岁|周岁)?$")
# Excel counts days from 1899-12-30 (it keeps Lotus 1-2-3's 1900 leap-year bug).
_EXCEL_EPOCH = date(1899, 12, 30)


# --- public data ------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterProblem:
    """One thing to fix; `row` is as numbered in Excel, `column` the header text in the file."""

    row: int | None
    column: str | None
    message: str
    field: str | None = None  # canonical field name, for highlighting a cell in the web page


@dataclass
class RosterRow:
    row_number: int
    name: str | None
    id_number: str | None
    id_kind: str | None  # "resident_id", "passport", or None when the ID was not accepted
    sex: str | None  # "M" / "F"
    birth_date: date | None
    phone: str | None
    household: str | None
    category: str | None  # vocabulary code
    needs: tuple[str, ...]  # vocabulary codes
    diet: str | None  # vocabulary code
    origin: str | None
    notes: str | None
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SuggestedHousehold:
    """Rows with a blank household that share a phone number, for the user to confirm.

    `key` is "TEL-<phone>", or the household already given to another row with that
    phone (the rows would join it).
    """

    key: str
    phone: str
    row_numbers: tuple[int, ...]


@dataclass
class RosterReport:
    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)  # row problems, in sheet order
    file_errors: list[str] = field(default_factory=list)
    suggested_households: list[SuggestedHousehold] = field(default_factory=list)
    sheet: str | None = None  # worksheet read, for XLSX
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> header text found
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # repeated headers, totals, sign-off lines

    @property
    def ok_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.problems]

    @property
    def bad_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.problems]

    @property
    def is_clean(self) -> bool:
        return not self.file_errors and not self.problems

    def apply_suggested_households(self) -> list[RosterRow]:
        return apply_suggested_households(self)


# --- vocabulary -------------------------------------------------------------------------


def _term_key(text: str) -> str:
    return _TERM_DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class RosterVocabulary:
    """Accepted values: canonical code -> aliases people type. Codes are always accepted.

    The first alias of each code is shown to users as its label in "accepted: ..." hints.
    Lookup tables are built on first use, so finish editing the mappings before reading.
    """

    categories: Mapping[str, Sequence[str]]
    needs: Mapping[str, Sequence[str]]
    diets: Mapping[str, Sequence[str]]
    default_diet: str | None = "regular"  # what an empty diet cell means

    @classmethod
    def from_terms(
        cls,
        categories: Iterable[Sequence[str]],
        needs: Iterable[Sequence[str]],
        diets: Iterable[Sequence[str]],
        default_diet: str | None = "regular",
    ) -> RosterVocabulary:
        """Build from the app's editable lists of (code, zh label, en label, ...)."""

        def table(terms: Iterable[Sequence[str]]) -> dict[str, list[str]]:
            return {code: [label for label in labels if label] for code, *labels in terms}

        return cls(table(categories), table(needs), table(diets), default_diet)

    @cached_property
    def _lookups(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        return _lookup(self.categories), _lookup(self.needs), _lookup(self.diets)

    def category(self, text: str) -> str | None:
        return self._lookups[0].get(_term_key(text))

    def need(self, text: str) -> str | None:
        return self._lookups[1].get(_term_key(text))

    def diet(self, text: str) -> str | None:
        return self._lookups[2].get(_term_key(text))

    @cached_property
    def accepted_categories(self) -> str:
        return _accepted(self.categories)

    @cached_property
    def accepted_needs(self) -> str:
        return _accepted(self.needs)

    @cached_property
    def accepted_diets(self) -> str:
        return _accepted(self.diets)


def _lookup(terms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    # Codes first so an alias can never hijack a code; otherwise the first definition wins.
    for code in terms:
        table.setdefault(_term_key(code), code)
    for code, aliases in terms.items():
        for alias in aliases:
            table.setdefault(_term_key(alias), code)
    return table


def _accepted(terms: Mapping[str, Sequence[str]]) -> str:
    shown = []
    for code, aliases in terms.items():
        label = aliases[0] if aliases else code
        shown.append(code if _term_key(label) == _term_key(code) else "%s (%s)" % (label, code))
    return ", ".join(shown)


def default_vocabulary() -> RosterVocabulary:
    return RosterVocabulary(
        categories={
            "close_contact": ["密接", "密切接触者", "close contact"],
            "secondary_contact": ["次密接", "次密切接触者", "secondary contact"],
            "risk_area_arrival": ["中高风险地区来返人员", "中高风险地区返乡人员", "risk area arrival"],
            "inbound_traveller": ["入境人员", "inbound traveller", "inbound traveler"],
        },
        needs={
            "mobility": ["行动不便", "轮椅", "mobility"],
            "elderly": ["高龄老人", "老年人", "高龄", "elderly"],
            "pregnant": ["孕妇", "孕产妇", "pregnant"],
            "infant": ["婴幼儿", "婴儿", "infant"],
            "chronic_illness": ["慢性病", "基础病", "chronic illness"],
            "dialysis": ["透析", "血液透析", "dialysis"],
            "mental_health": ["心理疏导", "精神障碍", "mental health"],
            "unaccompanied_minor": ["无人陪护未成年人", "留守儿童", "unaccompanied minor"],
        },
        diets={
            "regular": ["普通", "常规", "regular"],
            "halal": ["清真", "halal"],
            "vegetarian": ["素食", "vegetarian"],
            "diabetic": ["糖尿病餐", "糖尿病", "diabetic"],
            "soft": ["软食", "流食", "soft"],
            "infant": ["婴儿餐", "婴幼儿", "婴儿", "infant"],
        },
    )


# --- cell helpers -----------------------------------------------------------------------


def _text(value: object) -> str:
    """Cell value as clean text: half-width, single spaces, integral floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def _header_key(value: object) -> str:
    text = _BRACKETS.sub("", unicodedata.normalize("NFKC", str(value)))
    return _HEADER_DROP.sub("", text).casefold()


_HEADER_LOOKUP = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def _header_fields(value: object) -> tuple[str | None, str | None]:
    """(exact match, fragment match) for a header cell."""
    if value is None:
        return None, None
    key = _header_key(value)
    if not key:
        return None, None
    exact = _HEADER_LOOKUP.get(key)
    if exact:
        return exact, None
    for fragment, name in _HEADER_FRAGMENTS:
        if fragment in key:
            return None, name
    return None, None


def _clean_name(text: str) -> str:
    # "张 三" is a typing slip; "John Smith" keeps its space.
    return _CJK_GAP.sub("", text)


def _clean_phone(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    # Several numbers in one cell: the first is the person's own.
    first = re.split(r"[/,，、;；]|\s{2,}", text)[0]
    digits = re.sub(r"[^\d+]", "", first)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits or text


def _parse_date(value: object) -> date | None:
    """Birth date from a date cell, an Excel serial, 19900101 or 1990-1-1 / 1990年1月1日."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 18000101 <= number <= 29991231:
            return date(number // 10000, number // 100 % 100, number % 100)
        if 1 <= number < 200_000:
            return _EXCEL_EPOCH + timedelta(days=number)
        raise ValueError(value)
    text = _text(value)
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE_TEXT.match(text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _parse_age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= value < 150:
            return int(value)
        raise ValueError(value)
    text = _text(value)
    if not text:
        return None
    match = _AGE_TEXT.match(text)
    if not match:
        raise ValueError(text)
    return int(match[1])


def _lost_digits(shown: str, column: str) -> str:
    return _(
        "the ID number was stored as a number and lost digits (%(shown)s): "
        "format the %(column)s column as text and type the number again",
        shown=shown, column=column,
    )


def _sex_label(sex: str) -> str:
    return _("male") if sex == "M" else _("female")


# --- reading files ----------------------------------------------------------------------


class _BrokenFile(Exception):
    """The file as a whole cannot be read; the message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Table:
    name: str | None
    rows: Iterator[Sequence[object]]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _open_tables(data: bytes, filename: str, stack: contextlib.ExitStack) -> list[_Table]:
    """Candidate tables: XLSX worksheets (active first), or one CSV parse per delimiter."""
    lower = filename.lower()
    # Content decides, not the extension: counties rename files freely.
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_tables(data, filename, stack)
    if data.startswith(_OLE_MAGIC):
        raise _BrokenFile(_(
            "%(filename)s is an old Excel 97-2003 (.xls) workbook: open it in Excel, save it as .xlsx and upload it again",
            filename=filename,
        ))
    if data.startswith(_BINARY_MAGICS):
        raise _BrokenFile(_not_a_spreadsheet(filename))
    text = _decode(data)
    if text is None or "\x00" in text:
        if lower.endswith((".xlsx", ".xlsm")):
            raise _BrokenFile(_damaged_workbook(filename))
        raise _BrokenFile(_not_a_spreadsheet(filename))
    stripped = text.lstrip()[:512].lower()
    if stripped.startswith(("<html", "<!doctype", "<?xml", "<table")):
        # Some government systems export an HTML page named .xls.
        raise _BrokenFile(_(
            "%(filename)s is a web page, not a spreadsheet: open it in Excel, save it as .xlsx and upload it again",
            filename=filename,
        ))
    if not text.strip(" \t\r\n,;\"\ufeff"):
        # Only separators: judged here because each delimiter would split it differently.
        raise _BrokenFile(_("%(filename)s is empty", filename=filename))
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


def _csv_tables(text: str) -> list[_Table]:
    sample = text[:65536]
    candidates = [",", "\t", ";"]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        candidates.remove(sniffed)
        candidates.insert(0, sniffed)
    except csv.Error:
        pass  # Sniffer gives up on some perfectly good files; the header search decides instead
    return [_Table(None, _csv_rows(text, delimiter)) for delimiter in candidates]


def _csv_rows(text: str, delimiter: str) -> Iterator[Sequence[object]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise _BrokenFile(_("the CSV file is malformed: %(error)s", error=str(exc))) from exc


def _xlsx_tables(data: bytes, filename: str, stack: contextlib.ExitStack) -> list[_Table]:
    from openpyxl import load_workbook  # import cost only when a workbook is uploaded

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of types (zipfile, KeyError, XML) for bad files
        raise _BrokenFile(_damaged_workbook(filename)) from exc
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
        tables.append(_Table(sheet.title, _guarded(sheet.iter_rows(values_only=True), filename)))
    return tables


def _guarded(rows: Iterator[Sequence[object]], filename: str) -> Iterator[Sequence[object]]:
    """Turn failures while parsing sheet XML (a damaged file) into a file-level error."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # same zoo as load_workbook
            raise _BrokenFile(_damaged_workbook(filename)) from exc
        yield row


# --- the reader -------------------------------------------------------------------------


@dataclass
class _Layout:
    header_row: int
    index: dict[str, int]  # field -> column position
    header: dict[str, str]  # field -> header text in the file
    ignored: list[str]


def _layout(row: Sequence[object], row_number: int) -> _Layout | None:
    matches = [_header_fields(value) for value in row]
    index: dict[str, int] = {}
    # Exact headers first, so "紧急联系人电话" cannot take the phone from a later "联系电话";
    # of two same-meaning columns the first wins.
    for position, (exact, _fragment) in enumerate(matches):
        if exact and exact not in index:
            index[exact] = position
    for position, (_exact, fragment) in enumerate(matches):
        if fragment and fragment not in index:
            index[fragment] = position
    if "name" not in index or "id_number" not in index:
        return None
    used = set(index.values())
    header = {name: _text(row[position]) for name, position in index.items()}
    ignored = [_text(value) for position, value in enumerate(row) if position not in used and _text(value)]
    return _Layout(row_number, index, header, ignored)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_roster(
    data: bytes,
    filename: str,
    vocab: RosterVocabulary,
    existing_ids: Collection[str] = (),
    *,
    today: date | None = None,
) -> RosterReport:
    """Read a roster (CSV or XLSX bytes) and check every row; never raises on bad input.

    `existing_ids` are the ID numbers of current residents; `today` is for age checks.
    """
    report = RosterReport(filename=filename)
    if not data.strip():
        report.file_errors.append(_("%(filename)s is empty", filename=filename))
        return report
    try:
        with contextlib.ExitStack() as stack:
            tables = _open_tables(data, filename, stack)
            _read_tables(report, tables, vocab, existing_ids, today or date.today())
    except _BrokenFile as exc:
        # Rows read before a damaged part are not trustworthy as a batch; keep only the error.
        return RosterReport(filename=filename, file_errors=[exc.message])
    return report


def _read_tables(
    report: RosterReport,
    tables: list[_Table],
    vocab: RosterVocabulary,
    existing_ids: Collection[str],
    today: date,
) -> None:
    saw_content = False
    for table in tables:
        layout = None
        for row_number, row in enumerate(table.rows, start=1):
            if not all(_is_blank(value) for value in row):
                saw_content = True
                layout = _layout(row, row_number)
                if layout:
                    break
            if row_number >= HEADER_SEARCH_ROWS:
                break
        if layout is None:
            continue
        report.sheet = table.name
        report.header_row = layout.header_row
        report.columns = dict(layout.header)
        report.ignored_columns = layout.ignored
        _read_rows(report, layout, table.rows, vocab, existing_ids, today)
        return
    if not saw_content:
        report.file_errors.append(_("%(filename)s is empty", filename=report.filename))
    else:
        report.file_errors.append(_(
            "no header row found in the first %(n)d rows: the sheet needs a name column (姓名) and an ID number column (身份证号)",
            n=HEADER_SEARCH_ROWS,
        ))


def _read_rows(
    report: RosterReport,
    layout: _Layout,
    rows: Iterator[Sequence[object]],
    vocab: RosterVocabulary,
    existing_ids: Collection[str],
    today: date,
) -> None:
    existing = {normalize(number) for number in existing_ids}
    header_keys = {position: _header_key(layout.header[name]) for name, position in layout.index.items()}
    positions = sorted(layout.index.values())
    parse = _RowParser(layout, vocab, existing, today)
    for row_number, row in enumerate(rows, start=layout.header_row + 1):
        if row_number - layout.header_row > MAX_ROWS:
            raise _BrokenFile(_(
                "the sheet has more than %(n)d rows: split it into smaller files", n=MAX_ROWS,
            ))
        # Only recognised columns count: pre-numbered 序号 cells with nobody in them are blank rows.
        cells = [row[p] if p < len(row) else None for p in positions]
        if all(_is_blank(value) for value in cells):
            continue
        if _is_repeated_header(row, header_keys) or _is_footer(row, layout):
            report.skipped_rows.append(row_number)
            continue
        report.rows.append(parse(row_number, row))
    if not report.rows:
        report.file_errors.append(_(
            "the header is on row %(row)d but no people are listed below it", row=layout.header_row,
        ))
        return
    _mark_duplicates(report.rows, layout.header["id_number"])
    order = {name: position for name, position in layout.index.items()}
    report.problems = [
        problem
        for row in report.rows
        for problem in sorted(row.problems, key=lambda p: order.get(p.field or "", -1))
    ]
    report.suggested_households = _suggest_households(report.rows)


def _is_repeated_header(row: Sequence[object], header_keys: Mapping[int, str]) -> bool:
    # Sheets printed page by page repeat the header row.
    return all(
        position < len(row) and row[position] is not None and _header_key(row[position]) == key
        for position, key in header_keys.items()
    )


def _is_footer(row: Sequence[object], layout: _Layout) -> bool:
    id_position = layout.index["id_number"]
    if id_position < len(row) and not _is_blank(row[id_position]):
        return False
    first = next((_text(value) for value in row if not _is_blank(value)), "")
    return first.startswith(_FOOTER_PREFIXES)


class _RowParser:
    """Turns one sheet row into a RosterRow with its problems; set up once per file."""

    def __init__(self, layout: _Layout, vocab: RosterVocabulary, existing: set[str], today: date) -> None:
        self.index = layout.index
        self.header = layout.header
        self.vocab = vocab
        self.existing = existing
        self.today = today

    def __call__(self, row_number: int, row: Sequence[object]) -> RosterRow:
        problems: list[RosterProblem] = []
        header = self.header

        def cell(name: str) -> object:
            position = self.index.get(name)
            if position is None or position >= len(row):
                return None
            return row[position]

        def problem(name: str, message: str) -> None:
            problems.append(RosterProblem(row_number, header.get(name), message, name))

        name = _clean_name(_text(cell("name"))) or None
        if name is None:
            problem("name", _("name is missing"))

        id_number, id_kind, parsed = self._id_number(cell("id_number"), problem)
        sex = parsed.sex if parsed else None
        birth_date = parsed.birth_date if parsed else None

        given_sex = self._sex(cell("sex"), problem)
        if given_sex and parsed and given_sex != parsed.sex:
            problem("sex", _(
                "sex is %(given)s but the ID number says %(expected)s",
                given=_sex_label(given_sex), expected=_sex_label(parsed.sex),
            ))
        sex = sex or given_sex

        given_birth = self._birth_date(cell("birth_date"), problem)
        if given_birth and parsed and given_birth != parsed.birth_date:
            problem("birth_date", _(
                "birth date %(given)s does not match the ID number, which says %(expected)s",
                given=given_birth.isoformat(), expected=parsed.birth_date.isoformat(),
            ))
        birth_date = birth_date or given_birth

        self._check_age(cell("age"), birth_date, parsed is not None, problem)

        category = self._category(cell("category"), problem)
        needs = self._needs(cell("needs"), problem)
        diet = self._diet(cell("diet"), problem)
        household = _text(cell("household")) or None
        return RosterRow(
            row_number=row_number,
            name=name,
            id_number=id_number,
            id_kind=id_kind,
            sex=sex,
            birth_date=birth_date,
            phone=_clean_phone(cell("phone")),
            household=household,
            category=category,
            needs=needs,
            diet=diet,
            origin=_text(cell("origin")) or None,
            notes=_text(cell("notes")) or None,
            problems=problems,
        )

    def _id_number(
        self, value: object, problem: Callable[[str, str], None]
    ) -> tuple[str | None, str | None, ResidentId | None]:
        column = self.header["id_number"]
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            # Excel keeps 15 significant digits; an 18-digit ID as a number is already damaged.
            shown = "%.15g" % value
            problem("id_number", _lost_digits(shown, column))
            return shown, None, None
        if isinstance(value, str):
            value = value.strip().lstrip("'`")  # Excel's "treat as text" apostrophe
        number = normalize(value)
        if _SCIENTIFIC.match(number):  # a CSV saved from Excel after the damage was done
            problem("id_number", _lost_digits(number, column))
            return number, None, None
        try:
            kind, parsed = classify(number)
        except IdNumberError as exc:
            message = str(exc)
            if len(number) == 18 and number.endswith("000") and number[:17].isdigit():
                # Excel zeroes everything after the 15th digit; the check-digit error would mislead.
                message = _lost_digits(number, column)
            problem("id_number", message)
            return number or None, None, None
        if number in self.existing:
            problem("id_number", _("this person is already among the current residents"))
        return number, kind, parsed

    def _sex(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = _text(value)
        if not text:
            return None
        sex = _SEX_WORDS.get(text.casefold())
        if sex is None:
            problem("sex", _('sex "%(value)s" is not recognised: use 男 or 女 (M or F)', value=text))
        return sex

    def _birth_date(self, value: object, problem: Callable[[str, str], None]) -> date | None:
        try:
            born = _parse_date(value)
        except ValueError:
            problem("birth_date", _('birth date "%(value)s" is not a date: use YYYY-MM-DD', value=_text(value)))
            return None
        if born is not None and born > self.today:
            problem("birth_date", _("birth date %(value)s is in the future", value=born.isoformat()))
            return None
        return born

    def _check_age(
        self, value: object, born: date | None, from_id: bool, problem: Callable[[str, str], None]
    ) -> None:
        try:
            age = _parse_age(value)
        except ValueError:
            problem("age", _('age "%(value)s" is not a whole number of years', value=_text(value)))
            return
        if age is None or born is None:
            return
        actual = age_on(born, self.today)
        # One year either way: the list may predate a birthday, or give the traditional 虚岁 age.
        if abs(age - actual) <= 1:
            return
        if from_id:
            problem("age", _(
                "age %(given)d does not match the ID number, which says %(expected)d (born %(born)s)",
                given=age, expected=actual, born=born.isoformat(),
            ))
        else:
            problem("age", _(
                "age %(given)d does not match the birth date %(born)s, which makes %(expected)d",
                given=age, expected=actual, born=born.isoformat(),
            ))

    def _category(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = _text(value)
        if not text:
            return None  # the batch may set one category for everybody
        code = self.vocab.category(text)
        if code is None:
            problem("category", _(
                'unknown category "%(value)s"; accepted: %(accepted)s',
                value=text, accepted=self.vocab.accepted_categories,
            ))
        return code

    def _needs(self, value: object, problem: Callable[[str, str], None]) -> tuple[str, ...]:
        text = _text(value)
        if not text or text.casefold() in _NOTHING:
            return ()
        found: list[str] = []
        unknown: list[str] = []
        for chunk in _NEED_SEPARATORS.split(text):
            words = chunk.split()
            start = 0
            # Spaces also separate needs, but English aliases contain spaces: take the
            # longest run of words that is a known need.
            while start < len(words):
                for end in range(len(words), start, -1):
                    code = self.vocab.need(" ".join(words[start:end]))
                    if code:
                        if code not in found:
                            found.append(code)
                        start = end
                        break
                else:
                    if words[start].casefold() not in _NOTHING:
                        unknown.append(words[start])
                    start += 1
        if unknown:
            problem("needs", _(
                'unknown special need "%(value)s"; accepted: %(accepted)s',
                value="、".join(unknown), accepted=self.vocab.accepted_needs,
            ))
        return tuple(found)

    def _diet(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = _text(value)
        if not text or text.casefold() in _NOTHING:
            return self.vocab.default_diet
        code = self.vocab.diet(text)
        if code is None:
            problem("diet", _(
                'unknown diet "%(value)s"; accepted: %(accepted)s',
                value=text, accepted=self.vocab.accepted_diets,
            ))
        return code


def _mark_duplicates(rows: list[RosterRow], column: str) -> None:
    by_id: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row.id_number:
            by_id[row.id_number].append(row)
    for group in by_id.values():
        if len(group) < 2:
            continue
        for row in group:
            others = [str(other.row_number) for other in group if other is not row]
            if len(others) == 1:
                message = _("the same ID number is also on row %(rows)s", rows=others[0])
            else:
                message = _("the same ID number is also on rows %(rows)s", rows=", ".join(others))
            row.problems.append(RosterProblem(row.row_number, column, message, "id_number"))


# --- households -------------------------------------------------------------------------


def _suggest_households(rows: list[RosterRow]) -> list[SuggestedHousehold]:
    """Group rows with a blank household by phone number (families share one phone)."""
    blank: dict[str, list[int]] = defaultdict(list)
    known: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if not row.phone:
            continue
        if row.household:
            known[row.phone].add(row.household)
        else:
            blank[row.phone].append(row.row_number)
    suggestions = []
    for phone, numbers in blank.items():
        households = known.get(phone, set())
        if len(households) == 1:
            # Typically a merged household cell: only the first family member has the number.
            suggestions.append(SuggestedHousehold(next(iter(households)), phone, tuple(numbers)))
        elif len(numbers) >= 2:
            suggestions.append(SuggestedHousehold("TEL-" + phone, phone, tuple(numbers)))
    suggestions.sort(key=lambda s: s.row_numbers[0])
    return suggestions


def apply_suggested_households(report: RosterReport) -> list[RosterRow]:
    """All rows with households filled: explicit ones kept, suggestions applied,
    everybody else alone in household "ROW-<row number>". The report is not changed."""
    suggested = {number: s.key for s in report.suggested_households for number in s.row_numbers}
    result = []
    for row in report.rows:
        household = row.household or suggested.get(row.row_number) or "ROW-%d" % row.row_number
        result.append(replace(row, household=household, problems=list(row.problems)))
    return result


# --- command-line report ----------------------------------------------------------------


def _row_ranges(numbers: Sequence[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    parts: list[str] = []
    start = previous = None
    for number in sorted(numbers):
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else "%d-%d" % (start, previous))
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else "%d-%d" % (start, previous))
    return ", ".join(parts)


def format_problem(problem: RosterProblem) -> str:
    if problem.row is None:
        return problem.message
    if problem.column:
        return _("row %(row)d, %(column)s: %(text)s", row=problem.row, column=problem.column, text=problem.message)
    return _("row %(row)d: %(text)s", row=problem.row, text=problem.message)


def format_report(report: RosterReport) -> str:
    """Plain-text report for the command line."""
    lines = [report.filename]
    if report.file_errors:
        lines.extend("  " + error for error in report.file_errors)
        lines.append(_("Nothing can be imported from this file."))
        return "\n".join(lines)
    if report.sheet:
        lines.append(_("sheet %(sheet)s, header on row %(row)d", sheet=report.sheet, row=report.header_row or 0))
    else:
        lines.append(_("header on row %(row)d", row=report.header_row or 0))
    if report.ignored_columns:
        lines.append(_("columns ignored: %(columns)s", columns=", ".join(report.ignored_columns)))
    ok = len(report.ok_rows)
    lines.append(_(
        "people listed: %(total)d; ready: %(ok)d; with problems: %(bad)d; problems in all: %(problems)d",
        total=len(report.rows), ok=ok, bad=len(report.bad_rows), problems=len(report.problems),
    ))
    if report.skipped_rows:
        lines.append(_(
            "rows skipped as repeated headers or totals/sign-off lines: %(rows)s",
            rows=_row_ranges(report.skipped_rows),
        ))
    if report.problems:
        lines.append("")
        lines.append(_("Problems:"))
        lines.extend("  " + format_problem(problem) for problem in report.problems)
    lines.append("")
    if report.is_clean:
        lines.append(_("people it would import: %(n)d", n=ok))
    else:
        lines.append(_("people it would import: %(n)d (rows with problems are left out until they are fixed)", n=ok))
    if report.suggested_households:
        lines.append("")
        lines.append(_("Suggested households (rows with no household sharing a phone number; please confirm):"))
        for suggestion in report.suggested_households:
            lines.append("  " + _(
                "%(key)s: rows %(rows)s (phone %(phone)s)",
                key=suggestion.key, rows=_row_ranges(suggestion.row_numbers), phone=suggestion.phone,
            ))
    return "\n".join(lines)
