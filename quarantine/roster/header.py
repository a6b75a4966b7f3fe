"""Finding the header row: the columns a roster may have, under the names counties give them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quarantine.roster.cells import cell_text, is_blank

# The header must be within this many rows; county sheets put one or two title rows above it.
HEADER_SEARCH_ROWS = 10


FIELDS = (
    "name", "sex", "id_number", "phone", "household", "category",
    "needs", "diet", "age", "birth_date", "origin", "notes", "relationship",
)


HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "name", "full name"),
    "sex": ("性别", "sex", "gender"),
    "id_number": (
        "身份证号", "证件号码", "身份证号码", "证件号", "身份证", "公民身份号码", "居民身份证号码",
        "身份证件号码", "护照号", "护照号码", "id number", "id no", "id", "id_number",
        "passport", "passport number", "document number",
    ),
    "phone": ("联系电话", "电话", "手机号", "手机", "手机号码", "联系方式", "phone", "telephone", "mobile", "tel"),
    "household": ("家庭编号", "户号", "家庭", "户编号", "家庭号", "家庭序号", "家庭户号", "同户编号", "household",
                  "household id", "household number", "family", "family id"),
    "relationship": ("家庭关系", "与户主关系", "与户主的关系", "关系", "亲属关系", "家庭成员关系", "户内关系",
                     "relationship", "relation", "relationship to head", "relationship to the head"),
    "category": ("人员类别", "类别", "人员类型", "category", "type"),
    "needs": ("特殊需求", "需求", "特殊需要", "needs", "special needs"),
    "diet": ("饮食", "饮食要求", "饮食需求", "diet", "dietary requirements"),
    "age": ("年龄", "age"),
    "birth_date": ("出生日期", "出生年月日", "生日", "birth date", "date of birth", "dob", "birth_date", "birthday"),
    "origin": ("来源地", "来源", "来自", "origin", "from"),
    "notes": ("备注", "notes", "note", "remarks"),
}


# Used only when no header matches exactly: "联系电话(本人)" or "身份证号(18位)" style headers.
_HEADER_FRAGMENTS = (("身份证", "id_number"), ("证件号", "id_number"), ("电话", "phone"), ("手机", "phone"))


# Rows that end a county sheet without being people: totals and sign-off lines.
_FOOTER_PREFIXES = (
    "合计", "总计", "小计", "共计", "填表人", "制表人", "填报人", "审核人", "负责人",
    "填表日期", "填报日期", "制表日期", "注:", "说明", "经办人", "审批人", "统计人", "签字", "盖章",
    "单位盖章", "填报单位", "报送单位", "total", "prepared by", "signed",
)


_HEADER_DROP = re.compile(r"[\s_\-*:]+")


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


def header_key(value: object) -> str:
    text = _BRACKETS.sub("", unicodedata.normalize("NFKC", str(value)))
    return _HEADER_DROP.sub("", text).casefold()


_HEADER_LOOKUP = {header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def header_fields(value: object) -> tuple[str | None, str | None]:
    """(exact match, fragment match) for a header cell."""
    if value is None:
        return None, None
    key = header_key(value)
    if not key:
        return None, None
    exact = _HEADER_LOOKUP.get(key)
    if exact:
        return exact, None
    for fragment, name in _HEADER_FRAGMENTS:
        if fragment in key:
            return None, name
    return None, None


@dataclass
class Layout:
    header_row: int
    index: dict[str, int]  # field -> column position
    header: dict[str, str]  # field -> header text in the file
    ignored: list[str]


def find_layout(row: Sequence[object], row_number: int) -> Layout | None:
    matches = [header_fields(value) for value in row]
    index: dict[str, int] = {}
    # Exact headers first, so "紧急联系人电话" cannot take the phone from a later "联系电话";
    # of two same-meaning columns the first wins.
    for position, (exact, _fragment) in enumerate(matches):
        if exact and exact not in index:
            index[exact] = position
    for position, (_exact, fragment) in enumerate(matches):
        if fragment and fragment not in index:
            index[fragment] = position
    if "name" not in index or "id_number" not in index:
        return None
    used = set(index.values())
    header = {name: cell_text(row[position]) for name, position in index.items()}
    ignored = [cell_text(value) for position, value in enumerate(row) if position not in used and cell_text(value)]
    return Layout(row_number, index, header, ignored)


def is_repeated_header(row: Sequence[object], header_keys: Mapping[int, str]) -> bool:
    # Sheets printed page by page repeat the header row.
    return all(
        position < len(row) and row[position] is not None and header_key(row[position]) == key
        for position, key in header_keys.items()
    )


def is_footer(row: Sequence[object], layout: Layout) -> bool:
    id_position = layout.index["id_number"]
    if id_position < len(row) and not is_blank(row[id_position]):
        return False
    first = next((cell_text(value) for value in row if not is_blank(value)), "")
    return first.casefold().startswith(_FOOTER_PREFIXES)
