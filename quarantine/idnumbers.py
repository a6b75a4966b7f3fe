"""Identity-document numbers: the 18-digit PRC resident ID, permits and passports.

- resident ID (居民身份证): 18 characters, GB 11643 check character;
- Hong Kong / Macau permit (港澳居民来往内地通行证): H or M and 8 digits, or the newer card's
  H/M and 10 digits (the last two count the cards issued);
- Taiwan permit (台湾居民来往大陆通行证): 8 digits (older booklets add a letter counting renewals);
- passport: 5-9 letters and digits, not all digits.

Kept free of Flask and the database so forms, the roster importer and the
command line all validate the same way.
"""
from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from quarantine.i18n import _

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RESIDENT_RE = re.compile(r"^\d{17}[\dX]$")
# ICAO 9303 documents use up to 9 characters; some countries issue fewer.
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,9}$")
_HKMO_PERMIT_RE = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TW_PERMIT_RE = re.compile(r"^\d{8}[A-Z]?$")
ID_KINDS = ("resident_id", "passport", "hkmo_permit", "tw_permit")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; the message says what to fix."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" or "F"


def normalize(raw: object) -> str:
    """Upper-case, half-width, no spaces; numbers stored by spreadsheets become text.

    A spreadsheet cell may hold an int or a float like 4.1052219900101e17, which has
    already lost digits; that case is left for the check digit to reject.
    """
    if raw is None:
        return ""
    if isinstance(raw, str) and raw.isascii() and raw.isalnum():
        return raw.upper()  # already clean: the usual case, read three times per roster row
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", text).upper()


def check_digit(first17: str) -> str:
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


def parse_resident_id(raw: object) -> ResidentId:
    """Validate an 18-digit resident ID and derive birth date and sex from it."""
    number = normalize(raw)
    if not _RESIDENT_RE.match(number):
        raise IdNumberError(_("resident ID must be 17 digits followed by a digit or X"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("resident ID holds an impossible birth date %(date)s", date=number[6:14])) from None
    if birth > date.today() or birth.year < 1880:
        raise IdNumberError(_("resident ID holds an impossible birth date %(date)s", date=number[6:14]))
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            _("resident ID check digit is %(got)s, expected %(expected)s: a digit is mistyped", got=number[17], expected=expected)
        )
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex)


def is_passport(number: str) -> bool:
    return bool(_PASSPORT_RE.match(number)) and not number.isdigit()


def classify(raw: object) -> tuple[str, ResidentId | None]:
    """Return ("resident_id", parsed), or (kind, None) for a permit or passport; raise with a reason otherwise.

    Digit strings are resident IDs, except the 8 digits of a Taiwan permit, so a mistyped
    resident ID (17 or 19 digits) is never silently accepted as something else.
    """
    number = normalize(raw)
    if not number:
        raise IdNumberError(_("ID number is missing"))
    if len(number) == 18 and number[:17].isdigit():
        return "resident_id", parse_resident_id(number)
    if len(number) == 8 and number.isdigit():
        return "tw_permit", None
    if number.isdigit():
        raise IdNumberError(_("resident ID must have 18 characters, this one has %(n)d", n=len(number)))
    if _HKMO_PERMIT_RE.match(number):
        return "hkmo_permit", None
    if _TW_PERMIT_RE.match(number):
        return "tw_permit", None
    if is_passport(number):
        return "passport", None
    raise IdNumberError(_(
        "not a resident ID (18 characters), a Hong Kong/Macau permit (H or M and 8 digits), "
        "a Taiwan permit (8 digits) nor a passport number (5–9 letters and digits)"
    ))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask_id(number: str) -> str:
    """Printed lists and the door show the first 6 and last 4 characters only."""
    return number[:6] + "*" * max(len(number) - 10, 0) + number[-4:] if len(number) > 10 else number
