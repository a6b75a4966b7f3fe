from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TimeField
from wtforms.validators import InputRequired, ValidationError

from quarantine.i18n import _l
from quarantine.labels import KIND_LABELS
from quarantine.models import MEALS

MEAL_CHOICES = [(meal, KIND_LABELS[meal]) for meal in MEALS]


class RosterChoiceForm(FlaskForm):
    """Which roster to print: a GET form, so no CSRF token and no side effects."""
    class Meta:
        csrf = False

    site_id = SelectField(_l("Site"), coerce=int, validators=[InputRequired(message=_l("Choose a site."))])
    meal = SelectField(_l("Meal"), choices=MEAL_CHOICES, validators=[InputRequired(message=_l("Choose a meal."))])
    submit = SubmitField(_l("Show roster"))


def _time(label):
    return TimeField(label, validators=[InputRequired(message=_l("Enter a time such as 07:30."))])


class MealTimesForm(FlaskForm):
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
