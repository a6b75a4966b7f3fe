from datetime import date, timedelta

from flask_babel import format_date
from wtforms import SelectField, SubmitField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

from quarantine.form_fields import AppForm
from quarantine.i18n import _, _l
from quarantine.labels import KIND_LABELS
from quarantine.models import MEALS

MEAL_CHOICES = [(meal, KIND_LABELS[meal]) for meal in MEALS]


def day_label(day: date, today: date) -> str:
    """"Today · Thu 12/4", "Tomorrow · Fri 12/5", then "Sat 12/6", in the user's language."""
    shown = format_date(day, "EEE M/d")
    if day == today:
        return _("Today · %(day)s", day=shown)
    if day == today + timedelta(days=1):
        return _("Tomorrow · %(day)s", day=shown)
    return shown


def day_choices(days: list[date], today: date) -> list[tuple[str, str]]:
    return [(d.isoformat(), day_label(d, today)) for d in days]


class RosterChoiceForm(AppForm):
    """Which roster to print: a GET form, so no CSRF token and no side effects."""
    class Meta:
        csrf = False

    site_id = SelectField(_l("Site"), coerce=int, validators=[InputRequired(message=_l("Choose a site."))])
    day = SelectField(_l("Day"), validators=[Optional()])  # today and the coming week, set by the view
    meal = SelectField(_l("Meal"), choices=MEAL_CHOICES, validators=[InputRequired(message=_l("Choose a meal."))])
    submit = SubmitField(_l("Show roster"))


def _time(label):
    return TimeField(label, validators=[InputRequired(message=_l("Enter a time such as 07:30."))])


class MealTimesForm(AppForm):
    breakfast = _time(_l("Breakfast"))
    lunch = _time(_l("Lunch"))
    dinner = _time(_l("Dinner"))
    submit = SubmitField(_l("Save meal times"))

    def validate_lunch(self, field):
        if self.breakfast.data and field.data and field.data <= self.breakfast.data:
            raise ValidationError(_l("Lunch must come after breakfast."))

    def validate_dinner(self, field):
        if self.lunch.data and field.data and field.data <= self.lunch.data:
            raise ValidationError(_l("Dinner must come after lunch."))

    @property
    def times(self) -> dict:
        return {meal: getattr(self, meal).data for meal in MEALS}
