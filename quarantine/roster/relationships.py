"""Households from a relationship column (家庭关系 / 与户主关系), the way family registers list them.

The head of the household (户主, 本人) comes first and the relatives follow on the next rows:
a head row starts a household, and each following 配偶 / 子女 / 父母 / 其他… row joins it. A relative
on the first row, or right after someone alone, starts a household too (the head may be
elsewhere, or listed without the word). A blank cell (or 无) is a person alone and ends the run.
Rows that name their household in a household-number column keep it.
"""
from __future__ import annotations

from quarantine.roster.cells import NOTHING
from quarantine.roster.records import RosterRow, SuggestedHousehold
from quarantine.roster.vocabulary import term_key

HEAD = "head"
RELATIVE = "relative"

_HEAD_WORDS = frozenset(term_key(w) for w in ("户主", "本人", "户主本人", "家长", "head", "head of household", "self"))


def relationship_role(text: str | None) -> str | None:
    """HEAD, RELATIVE, or None for a blank / "none" cell. Any other word names a relative:
    the column says how someone is related to the head, whatever the wording (配偶, 长子, 外孙女…)."""
    if not text or text.casefold() in NOTHING:
        return None
    return HEAD if term_key(text) in _HEAD_WORDS else RELATIVE


def households_from_relationships(rows: list[RosterRow]) -> list[SuggestedHousehold]:
    """Families of consecutive rows, for rows without a household number; households of one are left out."""
    groups: list[list[RosterRow]] = []
    current: list[RosterRow] | None = None
    for row in rows:
        role = relationship_role(row.relationship)
        if row.household or role is None:
            current = None
            continue
        if role == HEAD or current is None:
            current = [row]
            groups.append(current)
        else:
            current.append(row)
    return [
        SuggestedHousehold("FAM-%d" % group[0].row_number, None, tuple(r.row_number for r in group), source="relationship")
        for group in groups
        if len(group) > 1
    ]
