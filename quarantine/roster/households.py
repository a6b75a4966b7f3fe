"""Households: the ones the sheet names, the families of a relationship column, the ones suggested
from shared phone numbers, and the children the planner could not place because no adult is with them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import date

from quarantine.idnumbers import age_on
from quarantine.roster.records import RosterReport, RosterRow, SuggestedHousehold
from quarantine.roster.relationships import households_from_relationships

# The planner's defaults (planner.model.Policy): a child below 14 needs an adult of 18 or more in the room.
CHILD_AGE_BELOW = 14
ADULT_AGE = 18


def suggest_households(rows: list[RosterRow]) -> list[SuggestedHousehold]:
    """Families from the relationship column first; then rows with a blank household grouped by phone."""
    families = households_from_relationships(rows)
    in_family = {number for family in families for number in family.row_numbers}
    phones = _by_phone([row for row in rows if row.row_number not in in_family])
    return sorted(families + phones, key=lambda s: s.row_numbers[0])


def _by_phone(rows: list[RosterRow]) -> list[SuggestedHousehold]:
    """Families share one phone."""
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
    return suggestions


def households_of(report: RosterReport, confirmed: Collection[str] | None = None) -> dict[int, str]:
    """Row number -> household: explicit ones kept, suggestions applied (all of them, or only the
    `confirmed` keys), everybody else alone in household "ROW-<row number>"."""
    suggested = {number: s.key for s in report.suggested_households
                 if confirmed is None or s.key in confirmed for number in s.row_numbers}
    return {row.row_number: row.household or suggested.get(row.row_number) or "ROW-%d" % row.row_number
            for row in report.rows}


def apply_suggested_households(report: RosterReport, confirmed: Collection[str] | None = None) -> list[RosterRow]:
    """All rows with households filled as `households_of` says; the report is not changed."""
    households = households_of(report, confirmed)
    return [replace(row, household=households[row.row_number], problems=list(row.problems),
                    undecided=list(row.undecided), decided=list(row.decided)) for row in report.rows]


def age_of(row: RosterRow, today: date) -> int | None:
    return age_on(row.birth_date, today) if row.birth_date else None


def children_alone(rows: list[RosterRow], today: date, households: dict[int, str] | None = None) -> list[RosterRow]:
    """Children under 14 whose household has no adult: no room can take them. Households are the rows'
    own, or `households` (row number -> household) when given."""
    def household(row: RosterRow) -> str:
        return households[row.row_number] if households is not None else row.household or ""

    adults = {household(row) for row in rows if (age := age_of(row, today)) is None or age >= ADULT_AGE}
    return [row for row in rows
            if (age := age_of(row, today)) is not None and age < CHILD_AGE_BELOW and household(row) not in adults]
