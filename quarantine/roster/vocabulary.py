"""Accepted values of the category, needs and diet columns, with the words people type for them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

_TERM_DROP = re.compile(r"[\s_\-]+")


def term_key(text: str) -> str:
    return _TERM_DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class RosterVocabulary:
    """Accepted values: canonical code -> aliases people type. Codes are always accepted.

    The first alias of each code is shown to users as its label in "accepted: ..." hints.
    Lookup tables are built on first use, so finish editing the mappings before reading.
    """

    categories: Mapping[str, Sequence[str]]
    needs: Mapping[str, Sequence[str]]
    diets: Mapping[str, Sequence[str]]
    default_diet: str | None = "regular"  # what an empty diet cell means

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

    @cached_property
    def _lookups(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        return _lookup(self.categories), _lookup(self.needs), _lookup(self.diets)

    def category(self, text: str) -> str | None:
        return self._lookups[0].get(term_key(text))

    def need(self, text: str) -> str | None:
        return self._lookups[1].get(term_key(text))

    def diet(self, text: str) -> str | None:
        return self._lookups[2].get(term_key(text))

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


def default_vocabulary() -> RosterVocabulary:
    return RosterVocabulary(
        categories={
            "close_contact": ["密接", "密切接触者", "close contact"],
            "secondary_contact": ["次密接", "次密切接触者", "secondary contact"],
            "risk_area_arrival": ["中高风险地区来返人员", "中高风险地区返乡人员", "risk area arrival"],
            "inbound_traveller": ["入境人员", "inbound traveller", "inbound traveler"],
        },
        needs={
            "mobility": ["行动不便", "轮椅", "mobility"],
            "elderly": ["高龄老人", "老年人", "高龄", "elderly"],
            "pregnant": ["孕妇", "孕产妇", "pregnant"],
            "infant": ["婴幼儿", "婴儿", "infant"],
            "chronic_illness": ["慢性病", "基础病", "chronic illness"],
            "dialysis": ["透析", "血液透析", "dialysis"],
            "mental_health": ["心理疏导", "精神障碍", "mental health"],
            "unaccompanied_minor": ["无人陪护未成年人", "留守儿童", "unaccompanied minor"],
        },
        diets={
            "regular": ["普通", "常规", "regular"],
            "halal": ["清真", "halal"],
            "vegetarian": ["素食", "vegetarian"],
            "diabetic": ["糖尿病餐", "糖尿病", "diabetic"],
            "soft": ["软食", "流食", "soft"],
            "infant": ["婴儿餐", "婴幼儿", "婴儿", "infant"],
        },
    )
