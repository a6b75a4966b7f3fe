"""The words of a roster check, shared by the web preview and the command line, and the plain-text report."""
from __future__ import annotations

from collections.abc import Sequence

from quarantine.i18n import _
from quarantine.roster.households import households_of
from quarantine.roster.records import RosterProblem, RosterReport, SuggestedHousehold, UnknownValue


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
    """row 4 (张三), 身份证号 "41052219900101123X": resident ID check digit is …"""
    if problem.row is None:
        return problem.message
    where = _("row %(row)d", row=problem.row)
    if problem.name:
        where = _("%(row)s (%(name)s)", row=where, name=problem.name)
    if problem.column:
        cell = problem.column if not problem.value else '%s "%s"' % (problem.column, problem.value)
        where = "%s, %s" % (where, cell)
    return "%s: %s" % (where, problem.message)


def summary_line(report: RosterReport) -> str:
    line = _(
        "people listed: %(total)d; ready: %(ok)d; with problems: %(bad)d; problems in all: %(problems)d",
        total=len(report.rows), ok=len(report.ok_rows), bad=len(report.bad_rows), problems=len(report.problems),
    )
    if report.left_out_rows:
        line += "; " + _("left out as you chose: %(n)d", n=len(report.left_out_rows))
    return line


def households_line(report: RosterReport) -> str:
    kept = {row.row_number for row in report.rows if row.left_out is None}
    households = {household for number, household in households_of(report).items() if number in kept}
    if not report.suggested_households:
        return _("households: %(n)d", n=len(households))
    return _("households: %(n)d, of them %(suggested)d suggested (to confirm)",
             n=len(households), suggested=len(report.suggested_households))


def unknown_value_line(unknown: UnknownValue) -> str:
    return _(
        '%(column)s "%(value)s": %(n)d rows (%(rows)s)',
        column=unknown.column, value=unknown.value, n=len(unknown.row_numbers), rows=row_ranges(unknown.row_numbers),
    )


def suggestion_line(report: RosterReport, suggestion: SuggestedHousehold) -> str:
    rows = row_ranges(suggestion.row_numbers)
    if suggestion.source == "relationship":
        head = next((row for row in report.rows if row.row_number == suggestion.row_numbers[0]), None)
        return _(
            "%(key)s: rows %(rows)s (family of %(name)s, from the %(column)s column)",
            key=suggestion.key, rows=rows, name=(head.name if head else None) or "?",
            column=report.columns.get("relationship", ""),
        )
    return _("%(key)s: rows %(rows)s (phone %(phone)s)", key=suggestion.key, rows=rows, phone=suggestion.phone)


def format_report(report: RosterReport) -> str:
    """Plain-text report for the command line, in the words of the web preview."""
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
    lines.append(summary_line(report))
    lines.append(households_line(report))
    if report.skipped_rows:
        lines.append(_(
            "rows skipped as repeated headers or totals/sign-off lines: %(rows)s",
            rows=row_ranges(report.skipped_rows),
        ))
    if report.unknown_values:
        lines += ["", _("Values not in the lists (one decision for each; their rows wait until then):")]
        lines.extend("  " + unknown_value_line(unknown) for unknown in report.unknown_values)
    if report.problems:
        lines += ["", _("Problems:")]
        lines.extend("  " + format_problem(problem) for problem in report.problems)
    if report.left_out_rows:
        lines += ["", _("Rows left out as you chose: %(rows)s",
                        rows=row_ranges([row.row_number for row in report.left_out_rows]))]
    lines.append("")
    ok = len(report.ok_rows)
    if report.is_clean:
        lines.append(_("people it would import: %(n)d", n=ok))
    else:
        lines.append(_("people it would import: %(n)d (rows with problems are left out until they are fixed)", n=ok))
    if report.suggested_households:
        lines += ["", _("Suggested households (from the relationship column or shared phone numbers; please confirm):")]
        lines.extend("  " + suggestion_line(report, suggestion) for suggestion in report.suggested_households)
    return "\n".join(lines)
