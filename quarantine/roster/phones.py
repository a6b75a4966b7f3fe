"""Phone numbers as county sheets write them: mainland mobiles, landlines with area code, foreign numbers.

Accepted, with spaces, dashes, dots and brackets anywhere:
- a mainland mobile: 11 digits starting 13–19, optionally after +86 / 0086 / 86;
- a mainland landline with its area code: 0 + 2–3 digit area code + 7–8 digits
  (0394-1234567, (010)12345678), or after +86 without the 0 (+86 394 1234567);
- a foreign number: + and the country code, 7–15 digits in all (+852 9123 4567, +1 202 555 0100),
  or 00 in place of the +.
Several numbers in one cell: the first is the person's own.
"""
from __future__ import annotations

import re

from quarantine.i18n import _

_FIRST = re.compile(r"[/,，、;；]|\s{2,}|转|ext", re.IGNORECASE)
_WORDS = re.compile(r"[（(]?[\u3400-\u9fff]+[)）]?|[:：]")
_ALLOWED = re.compile(r"^\+?[\d\s\-.()（）]+$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0[1-9]\d{8,10}$")  # 0 + area code (2-3 digits, e.g. 10, 394) + 7-8 digits


class PhoneError(ValueError):
    """Not a phone number; the message says what a number looks like."""


def parse_phone(text: str) -> str:
    """The number as stored: 11 mobile digits, 0-prefixed landline digits, or +<digits> abroad."""
    if len(text) == 11 and text.isdigit() and _MOBILE.match(text):
        return text
    # Words around the number ("手机：138…", "138…（本人）") are not part of it.
    first = _WORDS.sub(" ", _FIRST.split(text, 1)[0]).strip()
    if not first or not _ALLOWED.match(first):
        raise PhoneError(_not_a_phone(text))
    digits = re.sub(r"\D", "", first)
    if first.startswith("+") or digits.startswith("00"):
        international = digits[2:] if not first.startswith("+") else digits
        if international.startswith("86"):
            return _mainland(international[2:], text, from_abroad=True)
        if 7 <= len(international) <= 15 and not international.startswith("0"):
            return "+" + international
        raise PhoneError(_not_a_phone(text))
    if len(digits) == 13 and digits.startswith("861"):  # 86 without the +
        digits = digits[2:]
    return _mainland(digits, text, from_abroad=False)


def _mainland(digits: str, text: str, *, from_abroad: bool) -> str:
    if _MOBILE.match(digits):
        return digits
    if from_abroad and not digits.startswith("0"):
        digits = "0" + digits  # +86 394 1234567 is 0394-1234567
    if _LANDLINE.match(digits):
        return digits
    if 7 <= len(digits) <= 8 and not digits.startswith(("0", "1")):
        raise PhoneError(_(
            'phone "%(value)s" has no area code: write the landline with its area code, e.g. 0394-1234567',
            value=text,
        ))
    raise PhoneError(_not_a_phone(text))


def _not_a_phone(text: str) -> str:
    return _(
        'phone "%(value)s" is not a phone number: a mobile has 11 digits (13800000000), a landline its area code '
        "(0394-1234567), a foreign number + and the country code (+852 91234567)",
        value=text,
    )
