"""One cell at a time: clean text, names, dates and ages as county sheets write them.

Text that starts with =, +, - or @ stays text exactly as written: it is a name or a note, never
a formula here (exports make it safe where they write spreadsheets).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from quarantine.i18n import _

# A needs or diet cell saying "none" in one of the usual ways.
NOTHING = frozenset({"无", "没有", "否", "none", "no", "n/a", "na", "-", "/", "—", "--"})


SEX_WORDS = {"男": "M", "男性": "M", "m": "M", "male": "M", "女": "F", "女性": "F", "f": "F", "female": "F"}


SPACES = re.compile(r"\s+")


# Control and invisible format characters (NUL, zero-width spaces, byte-order marks) come from
# copy-and-paste and broken exports; they are never part of a name or a number.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060-\u2064\ufeff\ufffe]")


NEED_SEPARATORS = re.compile(r"[、,，;；/]+")


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff·])\s+|\s+(?=[\u3400-\u9fff·])")


SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


_AGE_TEXT = re.compile(r"^(\d{1,3})\s*(岁|周岁)?$")


# Excel counts days from 1899-12-30 (it keeps Lotus 1-2-3's 1900 leap-year bug).
_EXCEL_EPOCH = date(1899, 12, 30)


def cell_text(value: object) -> str:
    """Cell value as clean text: half-width, single spaces, integral floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        # The common case without regular expressions: printable (no control, invisible or odd space
        # characters), already NFKC (no full-width digits), no runs of spaces.
        if value.isprintable() and "  " not in value and (value.isascii() or unicodedata.is_normalized("NFKC", value)):
            return value.strip()
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
        text = _INVISIBLE.sub("", text)
    elif not text.isprintable():
        text = _INVISIBLE.sub("", text)
    return SPACES.sub(" ", text).strip()


def shown(value: object, limit: int = 60) -> str | None:
    """A cell's value as a problem list shows it: clean text, cut short when long."""
    text = cell_text(value)
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_name(text: str) -> str:
    # "张 三" is a typing slip; "John Smith" keeps its space.
    return _CJK_GAP.sub("", text) if " " in text else text


def parse_date(value: object) -> date | None:
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
    text = cell_text(value)
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE_TEXT.match(text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse_age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= value < 150:
            return int(value)
        raise ValueError(value)
    text = cell_text(value)
    if not text:
        return None
    match = _AGE_TEXT.match(text)
    if not match:
        raise ValueError(text)
    return int(match[1])


def lost_digits(shown: str, column: str) -> str:
    return _(
        "the ID number was stored as a number and lost digits (%(shown)s): "
        "format the %(column)s column as text and type the number again",
        shown=shown, column=column,
    )


def sex_label(sex: str) -> str:
    return _("male") if sex == "M" else _("female")
