"""What reading a roster produces: rows with their problems, suggested households, the report."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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
