"""Read and check a transfer roster: the spreadsheet a sending county sends with a batch.

Pure functions only (no Flask app, no database), so the web upload, the command line
and the tests all see the same checks. County spreadsheets are made by hand: title rows
above the header, Chinese or English headers in any order, full-width digits, stray
spaces, ID numbers that Excel turned into numbers, short forms of the categories, families
listed head first. Everything the reader cannot accept becomes a problem with its
spreadsheet row, column, name and value; a value the lists do not know becomes one decision
for all its rows; nothing here raises on bad input.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date

from quarantine.i18n import _
from quarantine.idnumbers import normalize
from quarantine.roster.cells import is_blank
from quarantine.roster.files import Table, open_tables
from quarantine.roster.header import HEADER_SEARCH_ROWS, Layout, find_layout, header_key, is_footer, is_repeated_header
from quarantine.roster.households import age_of, children_alone, households_of, suggest_households
from quarantine.roster.limits import MAX_ROWS
from quarantine.roster.records import BrokenFile, RosterProblem, RosterReport, RosterRow, UnknownValue
from quarantine.roster.rows import RowParser, mark_duplicates
from quarantine.roster.vocabulary import RosterVocabulary, term_key

_KIND_FIELDS = {"category": "category", "need": "needs", "diet": "diet"}


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
    today = today or date.today()
    report = RosterReport(filename=filename, today=today)
    if not data.strip():
        report.file_errors.append(_("%(filename)s is empty", filename=filename))
        return report
    try:
        _read_tables(report, open_tables(data, filename), vocab, existing_ids, today)
    except BrokenFile as exc:
        # Rows read before a damaged part are not trustworthy as a batch; keep only the error.
        return RosterReport(filename=filename, file_errors=[exc.message], today=today)
    return report


def _read_tables(
    report: RosterReport,
    tables: list[Table],
    vocab: RosterVocabulary,
    existing_ids: Collection[str],
    today: date,
) -> None:
    saw_content = False
    for table in tables:
        layout = None
        for row_number, row in enumerate(table.rows, start=1):
            if not all(is_blank(value) for value in row):
                saw_content = True
                layout = find_layout(row, row_number)
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
    layout: Layout,
    rows: Iterator[Sequence[object]],
    vocab: RosterVocabulary,
    existing_ids: Collection[str],
    today: date,
) -> None:
    existing = {normalize(number) for number in existing_ids}
    header_keys = {position: header_key(layout.header[name]) for name, position in layout.index.items()}
    positions = sorted(layout.index.values())
    parse = RowParser(layout, vocab, existing, today)
    for row_number, row in enumerate(rows, start=layout.header_row + 1):
        if row_number - layout.header_row > MAX_ROWS:
            raise BrokenFile(_(
                "the sheet has more than %(n)d rows: split it into smaller files", n=MAX_ROWS,
            ))
        # Only recognised columns count: pre-numbered 序号 cells with nobody in them are blank rows.
        cells = [row[p] if p < len(row) else None for p in positions]
        if all(is_blank(value) for value in cells):
            continue
        if is_repeated_header(row, header_keys) or is_footer(row, layout):
            report.skipped_rows.append(row_number)
            continue
        report.rows.append(parse(row_number, row))
    if not report.rows:
        report.file_errors.append(_(
            "the header is on row %(row)d but no people are listed below it", row=layout.header_row,
        ))
        return
    mark_duplicates(report.rows, layout.header["id_number"])
    report.suggested_households = suggest_households(report.rows)
    _mark_children_alone(report, layout)
    order = {name: position for name, position in layout.index.items()}
    kept = [row for row in report.rows if row.left_out is None]
    report.problems = [
        problem
        for row in kept
        for problem in sorted(row.problems, key=lambda p: order.get(p.field or "", -1))
    ]
    report.unknown_values = _values(kept, layout, "undecided")
    report.decided_values = _values(report.rows, layout, "decided")
    for value in report.decided_values:
        value.decision = vocab.decision(value.kind, value.value)


def _mark_children_alone(report: RosterReport, layout: Layout) -> None:
    """With every suggested household accepted, a child under 14 still without an adult is a problem."""
    field = next((f for f in ("relationship", "household") if f in layout.index), None)
    by_number = {row.row_number: row for row in report.rows}
    today = report.today or date.today()
    for child in children_alone(report.rows, today, households_of(report)):
        row = by_number[child.row_number]
        row.problems.append(RosterProblem(
            row.row_number, layout.header.get(field) if field else None,
            _(
                "a child of %(age)d with no adult in their household: no room can take a child alone; "
                "give the child the household number of the adult they travel with, or list them under their 户主",
                age=age_of(child, today) or 0,
            ),
            field, row.name, row.relationship if field == "relationship" else row.household,
        ))


def _values(rows: list[RosterRow], layout: Layout, which: str) -> list[UnknownValue]:
    """Distinct values not in the lists (`which` "undecided" or "decided"), with their rows."""
    found: dict[tuple[str, str], UnknownValue] = {}
    for row in rows:
        for kind, value in getattr(row, which):
            key = (kind, term_key(value))
            if key not in found:
                found[key] = UnknownValue(kind, layout.header.get(_KIND_FIELDS[kind], kind), value)
            if not found[key].row_numbers or found[key].row_numbers[-1] != row.row_number:
                found[key].row_numbers.append(row.row_number)
    return sorted(found.values(), key=lambda u: (list(_KIND_FIELDS).index(u.kind), -len(u.row_numbers), u.row_numbers[0]))
