"""The plain-text report of a roster check (the command line prints it)."""
from __future__ import annotations

from collections.abc import Sequence

from quarantine.i18n import _
from quarantine.roster.records import RosterProblem, RosterReport


def row_ranges(numbers: Sequence[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    parts: list[str] = []
    start = previous = None
    for number in sorted(numbers):
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else "%d-%d" % (start, previous))
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else "%d-%d" % (start, previous))
    return ", ".join(parts)


def format_problem(problem: RosterProblem) -> str:
    if problem.row is None:
        return problem.message
    if problem.column:
        return _("row %(row)d, %(column)s: %(text)s", row=problem.row, column=problem.column, text=problem.message)
    return _("row %(row)d: %(text)s", row=problem.row, text=problem.message)


def format_report(report: RosterReport) -> str:
    """Plain-text report for the command line."""
    lines = [report.filename]
    if report.file_errors:
        lines.extend("  " + error for error in report.file_errors)
        lines.append(_("Nothing can be imported from this file."))
        return "\n".join(lines)
    if report.sheet:
        lines.append(_("sheet %(sheet)s, header on row %(row)d", sheet=report.sheet, row=report.header_row or 0))
    else:
        lines.append(_("header on row %(row)d", row=report.header_row or 0))
    if report.ignored_columns:
        lines.append(_("columns ignored: %(columns)s", columns=", ".join(report.ignored_columns)))
    ok = len(report.ok_rows)
    lines.append(_(
        "people listed: %(total)d; ready: %(ok)d; with problems: %(bad)d; problems in all: %(problems)d",
        total=len(report.rows), ok=ok, bad=len(report.bad_rows), problems=len(report.problems),
    ))
    if report.skipped_rows:
        lines.append(_(
            "rows skipped as repeated headers or totals/sign-off lines: %(rows)s",
            rows=row_ranges(report.skipped_rows),
        ))
    if report.problems:
        lines.append("")
        lines.append(_("Problems:"))
        lines.extend("  " + format_problem(problem) for problem in report.problems)
    lines.append("")
    if report.is_clean:
        lines.append(_("people it would import: %(n)d", n=ok))
    else:
        lines.append(_("people it would import: %(n)d (rows with problems are left out until they are fixed)", n=ok))
    if report.suggested_households:
        lines.append("")
        lines.append(_("Suggested households (rows with no household sharing a phone number; please confirm):"))
        for suggestion in report.suggested_households:
            lines.append("  " + _(
                "%(key)s: rows %(rows)s (phone %(phone)s)",
                key=suggestion.key, rows=row_ranges(suggestion.row_numbers), phone=suggestion.phone,
            ))
    return "\n".join(lines)
