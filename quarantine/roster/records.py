"""What reading a roster produces: rows with their problems, values to decide, suggested households, the report."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class BrokenFile(Exception):
    """The file as a whole cannot be read; the message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RosterProblem:
    """One thing to fix; `row` is as numbered in Excel, `column` the header text in the file,
    `name` the person's name on that row and `value` what the cell holds, so nobody has to open
    the file to find it."""

    row: int | None
    column: str | None
    message: str
    field: str | None = None  # canonical field name, for highlighting a cell in the web page
    name: str | None = None
    value: str | None = None


@dataclass
class RosterRow:
    row_number: int
    name: str | None
    id_number: str | None
    id_kind: str | None  # "resident_id", "passport", "hkmo_permit", "tw_permit"; None when not accepted
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
    relationship: str | None = None  # the relationship cell as written (户主, 配偶, 子女…)
    undecided: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) not in the lists yet
    decided: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) read through the user's decisions
    left_out: str | None = None  # why the user's decisions leave this row out

    @property
    def is_ok(self) -> bool:
        return not self.problems and not self.undecided and self.left_out is None


@dataclass
class UnknownValue:
    """A category, need or diet the lists do not know: one decision for every row that has it."""

    kind: str  # "category", "need" or "diet"
    column: str  # header text in the file
    value: str  # as first written in the file
    row_numbers: list[int] = field(default_factory=list)
    decision: str | None = None  # the code, LEAVE_OUT or IGNORE the user chose; None while undecided


@dataclass(frozen=True)
class SuggestedHousehold:
    """Rows without a household number that look like one family, for the user to confirm.

    From the relationship column (`source` "relationship", key "FAM-<first row>"), or from a
    shared phone (`source` "phone", key "TEL-<phone>", or the household already given to
    another row with that phone, which the rows would join).
    """

    key: str
    phone: str | None
    row_numbers: tuple[int, ...]
    source: str = "phone"


@dataclass
class RosterReport:
    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)  # row problems, in sheet order
    file_errors: list[str] = field(default_factory=list)
    suggested_households: list[SuggestedHousehold] = field(default_factory=list)
    unknown_values: list[UnknownValue] = field(default_factory=list)  # still to decide
    decided_values: list[UnknownValue] = field(default_factory=list)  # decided for this file
    sheet: str | None = None  # worksheet read, for workbooks
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> header text found
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # repeated headers, totals, sign-off lines
    today: date | None = None  # the day ages were counted on

    @property
    def ok_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.is_ok]

    @property
    def bad_rows(self) -> list[RosterRow]:
        """Rows that wait for a fix or a decision (rows left out by a decision are not among them)."""
        return [row for row in self.rows if not row.is_ok and row.left_out is None]

    @property
    def left_out_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.left_out is not None]

    @property
    def is_clean(self) -> bool:
        return not self.file_errors and not self.problems and not self.unknown_values
