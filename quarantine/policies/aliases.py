"""Spellings of categories, needs and diets saved from roster decisions, as the lists pages show them."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import VocabularyAlias

# Which lists page shows the aliases of which kind.
ALIAS_KIND_OF_LIST = {"categories": "category", "needs": "need", "diets": "diet"}


def aliases_by_code(list_name: str) -> dict[str, list[VocabularyAlias]]:
    kind = ALIAS_KIND_OF_LIST.get(list_name)
    found: dict[str, list[VocabularyAlias]] = defaultdict(list)
    if kind:
        for alias in db.session.scalars(select(VocabularyAlias).where(VocabularyAlias.kind == kind)
                                        .order_by(VocabularyAlias.alias)):
            found[alias.code].append(alias)
    return found


def remove_alias(alias_id: int) -> VocabularyAlias:
    alias = db.session.get(VocabularyAlias, alias_id)
    if alias is None:
        raise DomainError(_("This spelling was removed already."))
    db.session.delete(alias)
    db.session.commit()
    return alias
