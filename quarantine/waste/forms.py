"""Forms of the medical-waste pages: a day's entries (one row per source, Tab from one to the
next), a collection as the handover sheet records it, and the store's capacity."""
from __future__ import annotations

from wtforms import (
    DateTimeLocalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from quarantine.form_fields import AppForm, AppSubForm
from quarantine.i18n import _l
from quarantine.waste.services import MAX_BAGS_A_DAY, row_problem

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
OTHER_AREAS = "other"


def parse_kg(text: str) -> float:
    """A weight as typed on a phone or a Chinese keyboard: "3.5", "3,5", "3.5kg", "3.5公斤"."""
    cleaned = text.strip().lower().replace(",", ".").replace("，", ".")
    for unit in ("kg", "公斤", "千克"):
        cleaned = cleaned.replace(unit, "")
    return round(float(cleaned.strip()), 1)


class WasteRowForm(AppSubForm):
    """One source's row; plain Form so the rows carry no CSRF token of their own."""
    source = HiddenField()
    bags = IntegerField(validators=[Optional(), NumberRange(0, MAX_BAGS_A_DAY)])
    weight_kg = StringField(validators=[Optional(), Length(max=12)])

    def validate_source(self, field):
        if field.data != OTHER_AREAS and not (field.data or "").isdigit():
            raise ValidationError(_l("Not a building of this site."))

    def validate_weight_kg(self, field):
        text = (field.data or "").strip()
        if not text:
            return
        try:
            weight = parse_kg(text)
        except ValueError:
            raise ValidationError(_l("“%(text)s” is not a weight; type kilograms, e.g. 3.5.", text=text)) from None
        problem = row_problem(self.bags.data or 0, weight)
        if problem:
            raise ValidationError(problem)

    def validate_bags(self, field):
        if field.data and not (self.weight_kg.data or "").strip():
            raise ValidationError(_l("Give both the number of bags and their weight (0 and 0 removes the entry)."))

    @property
    def filled(self) -> bool:
        return self.bags.data is not None or bool((self.weight_kg.data or "").strip())

    @property
    def building_id(self) -> int | None:
        return None if self.source.data == OTHER_AREAS else int(self.source.data)


class WasteDayForm(AppForm):
    rows = FieldList(FormField(WasteRowForm))
    submit = SubmitField(_l("Save the day's waste"))

    def entries(self) -> list[tuple[int | None, int, float]]:
        """(building id or None, bags, kg) of the rows filled in; blank rows change nothing."""
        return [(row.building_id, row.bags.data or 0,
                 parse_kg(row.weight_kg.data) if (row.weight_kg.data or "").strip() else 0.0)
                for row in self.rows if row.filled]


class CollectionForm(AppForm):
    collected_at = DateTimeLocalField(_l("Date and time of the handover"), format=DATETIME_FORMAT,
                                      validators=[InputRequired()])
    collector = StringField(_l("Licensed collector"), validators=[DataRequired(), Length(max=120)],
                            description=_l("The company licensed to collect medical waste"))
    collector_person = StringField(_l("Collected by"), validators=[Optional(), Length(max=60)],
                                   description=_l("The collector's driver or handler"))
    vehicle = StringField(_l("Vehicle"), validators=[DataRequired(), Length(max=30)], description=_l("Number plate"))
    bags = IntegerField(_l("Bags handed over"), validators=[InputRequired(), NumberRange(1, 10000)])
    weight_kg = FloatField(_l("Weight handed over (kg)"), validators=[InputRequired(), NumberRange(0.1, 100000)])
    seal_numbers = TextAreaField(_l("Seal numbers"), validators=[DataRequired(), Length(max=2000)],
                                 description=_l("The numbers of the seals on the bags or boxes, e.g. F0231–F0248"))
    handed_over_by = StringField(_l("Handed over by (first person)"), validators=[DataRequired(), Length(max=60)])
    handed_over_by_2 = StringField(_l("Handed over by (second person)"), validators=[DataRequired(), Length(max=60)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the collection"))

    def validate_handed_over_by_2(self, field):
        if field.data and self.handed_over_by.data and field.data.strip() == self.handed_over_by.data.strip():
            raise ValidationError(_l("Two different people hand the waste over; give the second person's name."))


class CapacityForm(AppForm):
    capacity_kg = FloatField(_l("Capacity of the store (kg)"), validators=[Optional(), NumberRange(0.1, 100000)],
                             description=_l("Empty when not known; the store is flagged when it holds more."))
    submit = SubmitField(_l("Save capacity"))
