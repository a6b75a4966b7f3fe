"""The resident's two forms (a report, a request) and the staff's one-click forms."""
from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from quarantine.form_fields import AppForm, MultiCheckboxField
from quarantine.health.routine import parse_celsius, temperature_problem
from quarantine.i18n import _l
from quarantine.models import READING_PERIODS

SYMPTOM_CHOICES = [
    ("cough", _l("Cough")), ("sore_throat", _l("Sore throat")), ("short_of_breath", _l("Short of breath")),
    ("fatigue", _l("Very tired, aching")), ("diarrhoea", _l("Diarrhoea")),
    ("lost_taste_smell", _l("Lost taste or smell")), ("other", _l("Something else (say in the note)")),
]
REQUEST_CHOICES = [("diet", _l("Food or diet")), ("medicine", _l("Medicine")),
                   ("call_back", _l("Please call me back")), ("other", _l("Something else"))]
PERIOD_CHOICES = [("morning", _l("Morning")), ("evening", _l("Evening"))]


class ReportForm(AppForm):
    period = RadioField(_l("Morning or evening"), choices=PERIOD_CHOICES,
                        validators=[InputRequired(message=_l("Choose morning or evening."))])
    celsius = StringField(_l("Temperature (°C)"), validators=[Optional(), Length(max=10)],
                          description=_l("For example 36.5"))
    symptoms = MultiCheckboxField(_l("How do you feel? Tick anything that applies"), choices=SYMPTOM_CHOICES)
    note = StringField(_l("Anything else (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Send my report"))

    def validate_period(self, field):
        if field.data not in READING_PERIODS:
            raise ValidationError(_l("Choose morning or evening."))

    def validate_celsius(self, field):
        if not field.data:
            return
        try:
            value = parse_celsius(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the temperature as a number, for example 36.5.")) from None
        problem = temperature_problem(value)
        if problem:
            raise ValidationError(problem)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.celsius.data and not self.symptoms.data:
            self.celsius.errors = list(self.celsius.errors) + [str(_l("Enter your temperature, or tick how you feel."))]
            ok = False
        return ok

    @property
    def value(self) -> float | None:
        return parse_celsius(self.celsius.data) if self.celsius.data else None


class RequestForm(AppForm):
    kind = SelectField(_l("What do you need?"), choices=REQUEST_CHOICES,
                       validators=[InputRequired(message=_l("Choose what you need."))])
    text = TextAreaField(_l("In a few words"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Send request"))

    def validate_text(self, field):
        if self.kind.data != "call_back" and not (field.data or "").strip():
            raise ValidationError(_l("Say in a few words what you need."))


class HandledForm(AppForm):
    note = StringField(_l("What was done (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Handled"))


class SeenForm(AppForm):
    submit = SubmitField(_l("Seen"))
