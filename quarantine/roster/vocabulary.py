"""Accepted values of the category, needs and diet columns, with the words people type for them,
and the user's decisions for values the lists do not know."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

_TERM_DROP = re.compile(r"[\s_\-·.。]+")

KINDS = ("category", "need", "diet")
# A decision that is not a term: leave every row with this value out of the import.
LEAVE_OUT = "-leave-out-"
# A decision for a word in the needs column: it is no need, read past it.
IGNORE = "-ignore-"


@lru_cache(maxsize=4096)  # a roster repeats a handful of categories, needs and diets thousands of times
def term_key(text: str) -> str:
    return _TERM_DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class RosterVocabulary:
    """Accepted values: canonical code -> aliases people type. Codes are always accepted.

    The first alias of each code is shown to users as its label in "accepted: ..." hints.
    `decisions` maps kind -> term_key(value) -> code, LEAVE_OUT or (needs) IGNORE: what the
    user chose for values of this one file. Lookup tables are built on first use, so finish
    editing the mappings before reading.
    """

    categories: Mapping[str, Sequence[str]]
    needs: Mapping[str, Sequence[str]]
    diets: Mapping[str, Sequence[str]]
    default_diet: str | None = "regular"  # what an empty diet cell means
    decisions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_terms(
        cls,
        categories: Iterable[Sequence[str]],
        needs: Iterable[Sequence[str]],
        diets: Iterable[Sequence[str]],
        default_diet: str | None = "regular",
    ) -> RosterVocabulary:
        """Build from the app's editable lists of (code, zh label, en label, ...)."""

        def table(terms: Iterable[Sequence[str]]) -> dict[str, list[str]]:
            return {code: [label for label in labels if label] for code, *labels in terms}

        return cls(table(categories), table(needs), table(diets), default_diet)

    def with_decisions(self, decisions: Mapping[str, Mapping[str, str]]) -> RosterVocabulary:
        """The same lists, with the user's decisions for this file; decisions naming no term are dropped."""
        kept = {
            kind: {term_key(value): code for value, code in chosen.items()
                   if code == LEAVE_OUT or (code == IGNORE and kind == "need") or code in self.terms(kind)}
            for kind, chosen in decisions.items() if kind in KINDS
        }
        return replace(self, decisions=kept)

    def terms(self, kind: str) -> Mapping[str, Sequence[str]]:
        return {"category": self.categories, "need": self.needs, "diet": self.diets}[kind]

    @cached_property
    def _lookups(self) -> dict[str, dict[str, str]]:
        tables = {kind: dict(listed) for kind, listed in self._listed.items()}
        for kind, chosen in self.decisions.items():
            for key, code in chosen.items():
                tables[kind].setdefault(key, code)
        return tables

    def lookup(self, kind: str, text: str) -> str | None:
        """The code for a value, LEAVE_OUT / IGNORE as decided, or None when nobody knows it yet."""
        return self._lookups[kind].get(term_key(text))

    def decision(self, kind: str, text: str) -> str | None:
        """What the user chose for this value in this file, if the lists themselves do not know it."""
        chosen = self.decisions.get(kind)
        if not chosen:
            return None
        key = term_key(text)
        return chosen.get(key) if key not in self._listed[kind] else None

    @cached_property
    def _listed(self) -> dict[str, dict[str, str]]:
        return {kind: _lookup(self.terms(kind)) for kind in KINDS}

    def category(self, text: str) -> str | None:
        return self.lookup("category", text)

    def need(self, text: str) -> str | None:
        return self.lookup("need", text)

    def diet(self, text: str) -> str | None:
        return self.lookup("diet", text)

    def accepted(self, kind: str) -> str:
        return _accepted(self.terms(kind))

    @cached_property
    def accepted_categories(self) -> str:
        return _accepted(self.categories)

    @cached_property
    def accepted_needs(self) -> str:
        return _accepted(self.needs)

    @cached_property
    def accepted_diets(self) -> str:
        return _accepted(self.diets)


def _lookup(terms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    # Codes first so an alias can never hijack a code; otherwise the first definition wins.
    for code in terms:
        table.setdefault(term_key(code), code)
    for code, aliases in terms.items():
        for alias in aliases:
            table.setdefault(term_key(alias), code)
    return table


def _accepted(terms: Mapping[str, Sequence[str]]) -> str:
    shown = []
    for code, aliases in terms.items():
        label = aliases[0] if aliases else code
        shown.append(code if term_key(label) == term_key(code) else "%s (%s)" % (label, code))
    return ", ".join(shown)


# The words county offices write for the standard terms: full and short forms, with and without
# 人员, older names. The first of each list is the label shown in "accepted: ..." hints.
USUAL_CATEGORIES = {
    "close_contact": ["密接", "密切接触者", "密切接触人员", "密切接触", "密接者", "密接人员", "close contact"],
    "secondary_contact": ["次密接", "次密切接触者", "次密切接触人员", "次密接者", "次密接人员", "密接的密接",
                          "secondary contact"],
    "risk_area_arrival": ["中高风险地区来返人员", "中高风险地区来返", "中高风险地区返乡人员", "中高风险地区返乡",
                          "中高风险地区来(返)人员", "中高风险区来返人员", "中高风险区来返", "中高风险来返人员", "中高风险来返", "风险地区来返人员",
                          "风险地区来返", "高风险地区来返人员", "中风险地区来返人员", "涉疫地区来返人员",
                          "risk area arrival"],
    "inbound_traveller": ["入境人员", "入境", "境外入境人员", "境外入境", "入境来返人员", "境外来返人员",
                          "inbound traveller", "inbound traveler", "inbound"],
}
USUAL_NEEDS = {
    "mobility": ["行动不便", "轮椅", "坐轮椅", "行动困难", "残疾", "残疾人", "肢体残疾", "mobility", "wheelchair"],
    "elderly": ["高龄老人", "老年人", "高龄", "老人", "elderly"],
    "pregnant": ["孕妇", "孕产妇", "怀孕", "孕期", "pregnant"],
    "infant": ["婴幼儿", "婴儿", "幼儿", "哺乳期", "infant"],
    "chronic_illness": ["慢性病", "基础病", "基础疾病", "慢性病患者", "高血压", "心脏病", "糖尿病", "chronic illness"],
    "dialysis": ["透析", "血液透析", "透析患者", "肾透析", "dialysis"],
    "mental_health": ["心理疏导", "精神障碍", "心理问题", "精神疾病", "mental health"],
    "unaccompanied_minor": ["无人陪护未成年人", "留守儿童", "无人陪护", "unaccompanied minor"],
}
USUAL_DIETS = {
    "regular": ["普通", "常规", "普通餐", "普食", "正常", "正常饮食", "regular"],
    "halal": ["清真", "清真餐", "清真饮食", "halal"],
    "vegetarian": ["素食", "素", "素餐", "全素", "vegetarian"],
    "diabetic": ["糖尿病餐", "糖尿病", "糖尿病饮食", "低糖", "diabetic"],
    "soft": ["软食", "流食", "半流食", "流质", "半流质", "soft"],
    "infant": ["婴儿餐", "婴幼儿", "婴儿", "婴幼儿餐", "infant"],
}


def default_vocabulary() -> RosterVocabulary:
    copy = lambda terms: {code: list(words) for code, words in terms.items()}  # noqa: E731  (callers may extend)
    return RosterVocabulary(categories=copy(USUAL_CATEGORIES), needs=copy(USUAL_NEEDS), diets=copy(USUAL_DIETS))
