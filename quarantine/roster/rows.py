"""Checking one person's row: ID number, sex, birth date, age, category, needs and diet."""
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
    clean_phone,
    lost_digits,
    parse_age,
    parse_date,
    sex_label,
)
from quarantine.roster.header import Layout
from quarantine.roster.records import RosterProblem, RosterRow
from quarantine.roster.vocabulary import RosterVocabulary


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

        def cell(name: str) -> object:
            position = self.index.get(name)
            if position is None or position >= len(row):
                return None
            return row[position]

        def problem(name: str, message: str) -> None:
            problems.append(RosterProblem(row_number, header.get(name), message, name))

        name = clean_name(cell_text(cell("name"))) or None
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

        category = self._category(cell("category"), problem)
        needs = self._needs(cell("needs"), problem)
        diet = self._diet(cell("diet"), problem)
        household = cell_text(cell("household")) or None
        return RosterRow(
            row_number=row_number,
            name=name,
            id_number=id_number,
            id_kind=id_kind,
            sex=sex,
            birth_date=birth_date,
            phone=clean_phone(cell("phone")),
            household=household,
            category=category,
            needs=needs,
            diet=diet,
            origin=cell_text(cell("origin")) or None,
            notes=cell_text(cell("notes")) or None,
            problems=problems,
        )

    def _id_number(
        self, value: object, problem: Callable[[str, str], None]
    ) -> tuple[str | None, str | None, ResidentId | None]:
        column = self.header["id_number"]
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            # Excel keeps 15 significant digits; an 18-digit ID as a number is already damaged.
            shown = "%.15g" % value
            problem("id_number", lost_digits(shown, column))
            return shown, None, None
        if isinstance(value, str):
            value = value.strip().lstrip("'`")  # Excel's "treat as text" apostrophe
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

    def _sex(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = cell_text(value)
        if not text:
            return None
        sex = SEX_WORDS.get(text.casefold())
        if sex is None:
            problem("sex", _('sex "%(value)s" is not recognised: use 男 or 女 (M or F)', value=text))
        return sex

    def _birth_date(self, value: object, problem: Callable[[str, str], None]) -> date | None:
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
        self, value: object, born: date | None, from_id: bool, problem: Callable[[str, str], None]
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

    def _category(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = cell_text(value)
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
        text = cell_text(value)
        if not text or text.casefold() in NOTHING:
            return ()
        found: list[str] = []
        unknown: list[str] = []
        for chunk in NEED_SEPARATORS.split(text):
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
                    if words[start].casefold() not in NOTHING:
                        unknown.append(words[start])
                    start += 1
        if unknown:
            problem("needs", _(
                'unknown special need "%(value)s"; accepted: %(accepted)s',
                value="、".join(unknown), accepted=self.vocab.accepted_needs,
            ))
        return tuple(found)

    def _diet(self, value: object, problem: Callable[[str, str], None]) -> str | None:
        text = cell_text(value)
        if not text or text.casefold() in NOTHING:
            return self.vocab.default_diet
        code = self.vocab.diet(text)
        if code is None:
            problem("diet", _(
                'unknown diet "%(value)s"; accepted: %(accepted)s',
                value=text, accepted=self.vocab.accepted_diets,
            ))
        return code


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
            row.problems.append(RosterProblem(row.row_number, column, message, "id_number"))
