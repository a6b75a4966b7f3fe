from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from quarantine.form_fields import PHONE, AppForm
from quarantine.i18n import _l
from quarantine.labels import KIND_LABELS
from quarantine.models import SHIFTS, STAFF_GROUPS

# Choices in the order of the model's tuples; the wording lives with the other labels.
WORK_GROUPS = [(code, KIND_LABELS[code]) for code in STAFF_GROUPS]
MEDICAL_ROLES = [("none", _l("Not medical")), ("doctor", KIND_LABELS["doctor"]), ("nurse", KIND_LABELS["nurse"])]
SHIFT_CHOICES = [(code, KIND_LABELS[code]) for code in SHIFTS]


class StaffForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    work_group = SelectField(_l("Work group"), choices=WORK_GROUPS, validators=[InputRequired()])
    medical_role = SelectField(_l("Medical role"), choices=MEDICAL_ROLES, default="none",
                               description=_l("Doctors and nurses belong to the health-observation group"))
    zone_id = SelectField(_l("Works in zone"), coerce=int, validators=[Optional()])
    shift = SelectField(_l("Shift"), choices=SHIFT_CHOICES, default="day")
    on_duty_from = DateField(_l("On duty from"), validators=[InputRequired(message=_l("Enter the first day on duty."))])
    on_duty_to = DateField(_l("On duty until"), validators=[Optional()],
                           description=_l("Last planned day on duty; empty while open-ended"))
    submit = SubmitField(_l("Save"))

    def validate_medical_role(self, field):
        if field.data != "none" and self.work_group.data != "health_observation":
            raise ValidationError(_l("Doctors and nurses work in the health-observation group."))

    def validate_on_duty_to(self, field):
        if field.data and self.on_duty_from.data and field.data < self.on_duty_from.data:
            raise ValidationError(_l("The last day on duty cannot be before the first."))


class EndDutyForm(AppForm):
    last_day = DateField(_l("Last day on duty"), validators=[InputRequired(message=_l("Enter the last day on duty."))])
    quarantine_until = DateField(_l("Post-duty quarantine until"), validators=[Optional()],
                                 description=_l("Empty: from the policy in force (its quarantine length)"))
    submit = SubmitField(_l("End duty"))

    def __init__(self, *args, on_duty_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_duty_from = on_duty_from

    def validate_last_day(self, field):
        if self._on_duty_from and field.data and field.data < self._on_duty_from:
            raise ValidationError(_l("The last day on duty cannot be before the first (%(day)s).",
                                     day=self._on_duty_from))

    def validate_quarantine_until(self, field):
        if field.data and self.last_day.data and field.data <= self.last_day.data:
            raise ValidationError(_l("Post-duty quarantine must end after the last day on duty."))
