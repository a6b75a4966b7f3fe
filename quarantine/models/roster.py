"""Roster uploads kept between the preview and the import, and the spellings saved for the lists.

Uploads live in the database, not on one machine's disk, so any web worker can import what
another one previewed; they are deleted when their import succeeds, and after a day by
`purge_uploads`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quarantine.extensions import db
from quarantine.models.common import utcnow

ALIAS_KINDS = ("category", "need", "diet")


class RosterUpload(db.Model):
    __tablename__ = "roster_uploads"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("transfer_batches.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The user's answers for values not in the lists: {"category": {"游客": "close_contact"}, ...}
    decisions: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VocabularyAlias(db.Model):
    """Another way of writing a category, need or diet, saved from a roster decision."""

    __tablename__ = "vocabulary_aliases"
    __table_args__ = (
        CheckConstraint(f"kind IN {ALIAS_KINDS!r}", name="kind_known"),
        # Exactly the term column of its kind is filled, so every alias points at a real term.
        CheckConstraint("(kind = 'category') = (category_code IS NOT NULL)", name="category_term"),
        CheckConstraint("(kind = 'need') = (need_code IS NOT NULL)", name="need_term"),
        CheckConstraint("(kind = 'diet') = (diet_code IS NOT NULL)", name="diet_term"),
        UniqueConstraint("kind", "alias_key", name="uq_vocabulary_aliases_kind_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    alias: Mapped[str] = mapped_column(String(100))  # as written in the roster
    alias_key: Mapped[str] = mapped_column(String(100))  # roster.vocabulary.term_key(alias)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code", ondelete="CASCADE"))
    need_code: Mapped[str | None] = mapped_column(ForeignKey("needs.code", ondelete="CASCADE"))
    diet_code: Mapped[str | None] = mapped_column(ForeignKey("diets.code", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def code(self) -> str:
        return self.category_code or self.need_code or self.diet_code or ""

    @code.setter
    def code(self, value: str) -> None:
        setattr(self, f"{self.kind}_code", value)
