import re

from sqlalchemy import func, select
from wtforms import BooleanField, DateField, FloatField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from quarantine.extensions import db
from quarantine.form_fields import AppForm
from quarantine.i18n import _l
from quarantine.models import Policy


class PolicyForm(AppForm):
    name = StringField(_l("Policy name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("e.g. Prevention and control plan, 9th edition"))
    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    quarantine_days = IntegerField(_l("Days of centralized quarantine"), validators=[InputRequired(), NumberRange(1, 60)])
    home_days = IntegerField(_l("Days of home health monitoring after"), default=0,
                             validators=[InputRequired(), NumberRange(0, 60)])
    pcr_test_days = StringField(_l("PCR test days"), validators=[DataRequired(), Length(max=60)],
                                description=_l("Days of quarantine, comma separated, e.g. 1,4,7,14"))
    residents_per_doctor = IntegerField(_l("Residents per doctor (at most)"), default=50,
                                        validators=[InputRequired(), NumberRange(1, 1000)])
    residents_per_nurse = IntegerField(_l("Residents per nurse (at most)"), default=50,
                                       validators=[InputRequired(), NumberRange(1, 1000)])
    other_staff_min = FloatField(_l("Other staff per medical staff, from"), default=3,
                                 validators=[InputRequired(), NumberRange(0, 50)])
    other_staff_max = FloatField(_l("to"), default=4, validators=[InputRequired(), NumberRange(0, 50)])
    bus_seats = IntegerField(_l("Seats per bus"), default=45, validators=[InputRequired(), NumberRange(1, 100)])
    bus_load_factor = FloatField(_l("Bus load factor"), default=0.5, validators=[InputRequired(), NumberRange(0.05, 1)],
                                 description=_l("Share of seats that may be used, e.g. 0.5"))
    # --- Supplies and medical waste (daily use per item: on the policy's "Daily use of supplies" page) ---
    waste_collection_days = IntegerField(_l("Collect the medical-waste store at least every (days)"), default=2,
                                         validators=[InputRequired(), NumberRange(1, 30)])
    supply_warning_days = IntegerField(_l("Warn when an item lasts fewer days than"), default=3,
                                       validators=[InputRequired(), NumberRange(0, 60)])
    # --- end of supplies and medical waste ---
    retention_days = IntegerField(_l("Anonymise people's personal data this many days after release"), default=180,
                                  validators=[Optional(), NumberRange(1, 3650)],
                                  filters=[lambda days: 180 if days is None else days])
    # Left empty: the default of 24 hours.
    figures_stale_hours = IntegerField(_l("Flag a site whose figures were confirmed longer ago than (hours)"),
                                       default=24, filters=[lambda hours: 24 if hours is None else hours],
                                       validators=[Optional(), NumberRange(1, 720)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, policy_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._policy_id = policy_id

    def _taken(self, column, value) -> bool:
        query = select(func.count(Policy.id)).where(column == value, Policy.superseded_at.is_(None))
        if self._policy_id:
            query = query.where(Policy.id != self._policy_id)
        return bool(db.session.scalar(query))

    def validate_name(self, field):
        if self._taken(Policy.name, field.data.strip()):
            raise ValidationError(_l("Another policy already has this name."))

    def validate_effective_from(self, field):
        if self._taken(Policy.effective_from, field.data):
            raise ValidationError(_l("Another policy starts on this day; one policy per day."))

    def validate_pcr_test_days(self, field):
        parts = [p for p in re.split(r"[,，、\s]+", field.data.strip()) if p]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError(_l("List day numbers separated by commas, e.g. 1,4,7,14"))
        days = sorted({int(p) for p in parts})
        quarantine_days = self.quarantine_days.data or 0
        if days[0] < 1 or (quarantine_days and days[-1] > quarantine_days + (self.home_days.data or 0)):
            raise ValidationError(_l("Test days must lie between day 1 and the last day of quarantine."))
        field.data = ",".join(str(d) for d in days)

    def validate_other_staff_max(self, field):
        if self.other_staff_min.data is not None and field.data is not None and field.data < self.other_staff_min.data:
            raise ValidationError(_l("The upper ratio must not be below the lower one."))


class VocabularyForm(AppForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40),
                       Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lower-case letters, digits and _ only, e.g. close_contact"))])
    label_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    sort = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 1000)])
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))
