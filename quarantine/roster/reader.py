"""Read and check a transfer roster: the spreadsheet a sending county sends with a batch.

Pure functions only (no Flask app, no database), so the web upload, the command line
and the tests all see the same checks. County spreadsheets are made by hand: title rows
above the header, Chinese or English headers in any order, full-width digits, stray
spaces, ID numbers that Excel turned into numbers. Everything the reader cannot accept
becomes a problem with its spreadsheet row and column; nothing here raises on bad input.
"""
from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from datetime import date

from quarantine.i18n import _
from quarantine.idnumbers import normalize
from quarantine.roster.cells import is_blank
from quarantine.roster.files import BrokenFile, Table, open_tables
from quarantine.roster.header import HEADER_SEARCH_ROWS, Layout, find_layout, header_key, is_footer, is_repeated_header
from quarantine.roster.households import suggest_households
from quarantine.roster.records import RosterReport
from quarantine.roster.rows import RowParser, mark_duplicates
from quarantine.roster.vocabulary import RosterVocabulary

# A transfer batch is a few hundred people; this only stops a runaway file from eating memory.
MAX_ROWS = 100_000


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
    report = RosterReport(filename=filename)
    if not data.strip():
        report.file_errors.append(_("%(filename)s is empty", filename=filename))
        return report
    try:
        with contextlib.ExitStack() as stack:
            tables = open_tables(data, filename, stack)
            _read_tables(report, tables, vocab, existing_ids, today or date.today())
    except BrokenFile as exc:
        # Rows read before a damaged part are not trustworthy as a batch; keep only the error.
        return RosterReport(filename=filename, file_errors=[exc.message])
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
    order = {name: position for name, position in layout.index.items()}
    report.problems = [
        problem
        for row in report.rows
        for problem in sorted(row.problems, key=lambda p: order.get(p.field or "", -1))
    ]
    report.suggested_households = suggest_households(report.rows)
