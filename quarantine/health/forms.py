"""Forms of the daily pages. Bulk entries are one form per floor with one row per resident;
a row left blank is not an entry. The forms check what was typed; the services check the rules."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from quarantine.form_fields import AppForm, AppSubForm
from quarantine.health.routine import parse_celsius, temperature_problem
from quarantine.i18n import _l

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ReleaseForm(AppForm):
    released_at = DateTimeLocalField(_l("Release time"), format=DATETIME_FORMAT, validators=[Optional()],
                                     description=_l("Leave empty for now"))
    early_reason = StringField(_l("Reason for an early release"), validators=[Optional(), Length(max=200)],
                               description=_l("Only needed before the release date"))
    submit = SubmitField(_l("Release"))


class ResidentRow(AppSubForm):
    """One resident's row of a floor's bulk entry; plain Form so the rows carry no CSRF token of their own."""
    person_id = HiddenField()

    def validate_person_id(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_l("Not a person of this floor."))


class PcrRow(ResidentRow):
    """One resident's result."""
    result = SelectField(choices=[("", "—"), ("negative", _l("Negative")), ("positive", _l("Positive"))],
                         validators=[Optional()])


class PcrFloorForm(AppForm):
    sampled_at = DateTimeLocalField(_l("Sample time"), format=DATETIME_FORMAT, validators=[InputRequired()])
    hospital = StringField(_l("Designated hospital for positive cases"), validators=[Optional(), Length(max=120)])
    rows = FieldList(FormField(PcrRow))
    submit = SubmitField(_l("Save results"))

    def entries(self) -> list[tuple[int, str]]:
        """(person id, result) for the rows that were filled in."""
        return [(int(row.person_id.data), row.result.data) for row in self.rows if row.result.data]


class TemperatureRow(ResidentRow):
    """One resident's reading."""
    celsius = StringField(validators=[Optional(), Length(max=10)])

    def validate_celsius(self, field):
        if not (field.data or "").strip():
            return
        try:
            value = parse_celsius(field.data)
        except ValueError:
            raise ValidationError(_l("“%(text)s” is not a temperature; type e.g. 36.5.", text=field.data.strip())) \
                from None
        problem = temperature_problem(value)
        if problem:
            raise ValidationError(problem)


class TemperatureFloorForm(AppForm):
    rows = FieldList(FormField(TemperatureRow))
    submit = SubmitField(_l("Save temperatures"))

    def entries(self) -> list[tuple[int, float]]:
        return [(int(row.person_id.data), parse_celsius(row.celsius.data)) for row in self.rows
                if (row.celsius.data or "").strip()]


class DisinfectionForm(AppForm):
    zone_id = SelectField(_l("Zone"), coerce=int, validators=[InputRequired()])
    done_at = DateTimeLocalField(_l("Time"), format=DATETIME_FORMAT, validators=[InputRequired()])
    done_by = StringField(_l("By whom"), validators=[DataRequired(), Length(max=60)])
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=500)],
                        description=_l("Disinfectant and concentration, areas covered"))
    submit = SubmitField(_l("Record disinfection"))


class HealthRoundForm(AppForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    meal = SelectField(_l("Meal"), choices=[("breakfast", _l("Breakfast")), ("lunch", _l("Lunch")),
                                            ("dinner", _l("Dinner"))], validators=[InputRequired()])
    done = BooleanField(_l("Round done"), default=True)
    done_by = StringField(_l("By whom"), validators=[Optional(), Length(max=60)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)],
                          description=_l("Anyone unwell, requests, problems found"))
    submit = SubmitField(_l("Record round"))
