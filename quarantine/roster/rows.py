"""Checking one person's row: ID number, sex, birth date, age, phone, category, needs and diet."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from quarantine.i18n import _
from quarantine.idnumbers import IdNumberError, ResidentId, age_on, classify, normalize
from quarantine.roster.cells import (
    NEED_SEPARATORS,
    NOTHING,
    SCIENTIFIC,
    SEX_WORDS,
    cell_text,
    clean_name,
    lost_digits,
    parse_age,
    parse_date,
    sex_label,
    shown,
)
from quarantine.roster.header import Layout
from quarantine.roster.limits import FIELD_LENGTHS
from quarantine.roster.phones import PhoneError, parse_phone
from quarantine.roster.records import RosterProblem, RosterRow
from quarantine.roster.vocabulary import IGNORE, LEAVE_OUT, RosterVocabulary


class RowParser:
    """Turns one sheet row into a RosterRow with its problems; set up once per file."""

    def __init__(self, layout: Layout, vocab: RosterVocabulary, existing: set[str], today: date) -> None:
        self.index = layout.index
        self.header = layout.header
        self.vocab = vocab
        self.existing = existing
        self.today = today

    def __call__(self, row_number: int, row: Sequence[object]) -> RosterRow:
        problems: list[RosterProblem] = []
        header = self.header
        width = len(row)
        index = self.index

        def cell(name: str) -> object:
            position = index.get(name)
            if position is None or position >= width:
                return None
            return row[position]

        name = clean_name(cell_text(cell("name"))) or None

        def problem(field: str, message: str, value: object = None) -> None:
            found = shown(cell(field)) if value is None else str(value)
            problems.append(RosterProblem(row_number, header.get(field), message, field, name, found))

        if name is None:
            problem("name", _("name is missing"))

        id_number, id_kind, parsed = self._id_number(cell("id_number"), problem)
        sex = parsed.sex if parsed else None
        birth_date = parsed.birth_date if parsed else None

        given_sex = self._sex(cell("sex"), problem)
        if given_sex and parsed and given_sex != parsed.sex:
            problem("sex", _(
                "sex is %(given)s but the ID number says %(expected)s",
                given=sex_label(given_sex), expected=sex_label(parsed.sex),
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
        texts = {field: cell_text(cell(field)) or None for field in ("household", "origin", "notes", "relationship")}
        texts["name"] = name
        texts["phone"] = self._phone(cell("phone"), problem)
        for field, limit in FIELD_LENGTHS.items():
            if texts[field] and len(texts[field]) > limit:
                problem(field, _("%(column)s is longer than %(n)d characters", column=header.get(field, field), n=limit))

        result = RosterRow(
            row_number=row_number,
            name=name,
            id_number=id_number,
            id_kind=id_kind,
            sex=sex,
            birth_date=birth_date,
            phone=texts["phone"],
            household=texts["household"],
            category=None,
            needs=(),
            diet=None,
            origin=texts["origin"],
            notes=texts["notes"],
            problems=problems,
            relationship=texts["relationship"],
        )
        result.category = self._category(cell("category"), result)
        result.needs = self._needs(cell("needs"), result)
        result.diet = self._diet(cell("diet"), result)
        return result

    def _phone(self, value: object, problem: Callable[..., None]) -> str | None:
        text = cell_text(value)
        if not text:
            return None
        try:
            return parse_phone(text)
        except PhoneError as exc:
            problem("phone", str(exc))
            return None

    def _id_number(
        self, value: object, problem: Callable[..., None]
    ) -> tuple[str | None, str | None, ResidentId | None]:
        column = self.header["id_number"]
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            # Excel keeps 15 significant digits; an 18-digit ID as a number is already damaged.
            digits = "%.15g" % value
            problem("id_number", lost_digits(digits, column), digits)
            return digits, None, None
        if isinstance(value, str):
            value = cell_text(value).lstrip("'`")  # Excel's "treat as text" apostrophe
        number = normalize(value)
        if SCIENTIFIC.match(number):  # a CSV saved from Excel after the damage was done
            problem("id_number", lost_digits(number, column))
            return number, None, None
        try:
            kind, parsed = classify(number)
        except IdNumberError as exc:
            message = str(exc)
            if len(number) == 18 and number.endswith("000") and number[:17].isdigit():
                # Excel zeroes everything after the 15th digit; the check-digit error would mislead.
                message = lost_digits(number, column)
            problem("id_number", message)
            return number or None, None, None
        if number in self.existing:
            problem("id_number", _("this person is already among the current residents"))
        return number, kind, parsed

    def _sex(self, value: object, problem: Callable[..., None]) -> str | None:
        text = cell_text(value)
        if not text:
            return None
        sex = SEX_WORDS.get(text.casefold())
        if sex is None:
            problem("sex", _('sex "%(value)s" is not recognised: use 男 or 女 (M or F)', value=text))
        return sex

    def _birth_date(self, value: object, problem: Callable[..., None]) -> date | None:
        try:
            born = parse_date(value)
        except ValueError:
            problem("birth_date", _('birth date "%(value)s" is not a date: use YYYY-MM-DD', value=cell_text(value)))
            return None
        if born is not None and born > self.today:
            problem("birth_date", _("birth date %(value)s is in the future", value=born.isoformat()))
            return None
        return born

    def _check_age(
        self, value: object, born: date | None, from_id: bool, problem: Callable[..., None]
    ) -> None:
        try:
            age = parse_age(value)
        except ValueError:
            problem("age", _('age "%(value)s" is not a whole number of years', value=cell_text(value)))
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

    def _decided(self, kind: str, text: str, row: RosterRow) -> str | None:
        """The code for a value; a value nobody has decided on yet waits, a left-out one leaves the row out."""
        code = self.vocab.lookup(kind, text)
        if code is None:
            row.undecided.append((kind, text))
            return None
        if self.vocab.decision(kind, text) is not None:
            row.decided.append((kind, text))
        if code == LEAVE_OUT:
            row.left_out = row.left_out or _('left out as you chose for "%(value)s"', value=text)
            return None
        return code

    def _category(self, value: object, row: RosterRow) -> str | None:
        text = cell_text(value)
        if not text:
            return None  # the batch may set one category for everybody
        return self._decided("category", text, row)

    def _needs(self, value: object, row: RosterRow) -> tuple[str, ...]:
        text = cell_text(value)
        if not text or text.casefold() in NOTHING:
            return ()
        found: list[str] = []
        for chunk in NEED_SEPARATORS.split(text):
            words = chunk.split()
            start = 0
            # Spaces also separate needs, but English aliases contain spaces: take the
            # longest run of words that is a known need.
            while start < len(words):
                for end in range(len(words), start, -1):
                    code = self.vocab.need(" ".join(words[start:end]))
                    if code == LEAVE_OUT:
                        self._decided("need", " ".join(words[start:end]), row)
                    if code:
                        if code not in found:
                            found.append(code)
                        start = end
                        break
                else:
                    if words[start].casefold() not in NOTHING:
                        self._decided("need", words[start], row)
                    start += 1
        return tuple(code for code in found if code not in (IGNORE, LEAVE_OUT))

    def _diet(self, value: object, row: RosterRow) -> str | None:
        text = cell_text(value)
        if not text or text.casefold() in NOTHING:
            return self.vocab.default_diet
        return self._decided("diet", text, row)


def mark_duplicates(rows: list[RosterRow], column: str) -> None:
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
            row.problems.append(RosterProblem(row.row_number, column, message, "id_number", row.name, row.id_number))
