"""Households: the ones the sheet names, and the ones suggested from shared phone numbers."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from quarantine.roster.records import RosterReport, RosterRow, SuggestedHousehold


def suggest_households(rows: list[RosterRow]) -> list[SuggestedHousehold]:
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
