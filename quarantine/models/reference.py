"""Editable vocabularies: categories of people, needs, diets, zone and area types.

They are rows, not constants, because the wording and the lists changed with every
policy edition and differ between counties.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quarantine.extensions import db


class _Vocabulary:
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(100))
    label_zh: Mapped[str] = mapped_column(String(100))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def label(self, locale: str) -> str:
        return self.label_zh if locale.startswith("zh") else self.label_en


class Category(_Vocabulary, db.Model):
    """Category of a quarantined person (close contact, secondary contact, ...)."""
    __tablename__ = "categories"


class Need(_Vocabulary, db.Model):
    """A placement need such as 'mobility' (needs an accessible room)."""
    __tablename__ = "needs"


class Diet(_Vocabulary, db.Model):
    __tablename__ = "diets"


class ZoneType(_Vocabulary, db.Model):
    """Clean, buffer and contaminated zones; `required` ones must exist before a site is ready."""
    __tablename__ = "zone_types"
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # The zone in which quarantined people's rooms lie (the contaminated / isolation zone).
    holds_rooms: Mapped[bool] = mapped_column(Boolean, default=False)


class AreaType(_Vocabulary, db.Model):
    """Functional areas: warehouse, medical-waste store, staff dining, changing room."""
    __tablename__ = "area_types"
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the area must sit, e.g. the warehouse in the clean zone; NULL = anywhere.
    zone_type_code: Mapped[str | None] = mapped_column(ForeignKey("zone_types.code"), nullable=True)
