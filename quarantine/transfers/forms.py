from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from quarantine.extensions import db
from quarantine.form_fields import AppForm, AppSubForm, MultiCheckboxField
from quarantine.i18n import _l
from quarantine.models import ALIAS_KINDS, BATCH_STATUSES, TransferBatch


class BatchForm(AppForm):
    code = StringField(_l("Batch code"), validators=[DataRequired(), Length(max=40),
                       Regexp(r"^[\w\-]+$", message=_l("Use letters, digits, - and _ only, e.g. TK-1123"))])
    origin = StringField(_l("Origin (sending county)"), validators=[DataRequired(), Length(max=120)])
    origin_lat = FloatField(_l("Origin latitude"), validators=[Optional(), NumberRange(-90, 90)])
    origin_lon = FloatField(_l("Origin longitude"), validators=[Optional(), NumberRange(-180, 180)])
    expected_arrival = DateTimeLocalField(_l("Expected arrival"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    expected_count = IntegerField(_l("Expected number of people"), validators=[Optional(), NumberRange(0, 100000)])
    status = SelectField(_l("Status"), choices=[(s, s) for s in BATCH_STATUSES])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, batch_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._batch_id = batch_id

    def validate_code(self, field):
        query = select(func.count(TransferBatch.id)).where(TransferBatch.code == field.data.strip())
        if self._batch_id:
            query = query.where(TransferBatch.id != self._batch_id)
        if db.session.scalar(query):
            raise ValidationError(_l("Another batch already has this code."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Form-level: an empty field stops its own validators, so a pair is checked here.
        if ok and (self.origin_lat.data is None) != (self.origin_lon.data is None):
            missing = self.origin_lon if self.origin_lon.data is None else self.origin_lat
            missing.errors = list(missing.errors) + [str(_l("Give both latitude and longitude, or neither."))]
            ok = False
        return ok


class PlanForm(AppForm):
    batches = MultiCheckboxField(_l("Batches to plan together"), coerce=int)
    time_limit = IntegerField(_l("Time limit (seconds)"), default=10, validators=[InputRequired(), NumberRange(1, 300)])
    submit = SubmitField(_l("Plan"))

    def validate_batches(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one batch."))


class MoveInPlanForm(AppForm):
    """Who moves and where: the picker fills in the plan's keys (P…, R…); an empty room takes them out."""
    person = StringField(_l("Person"), validators=[DataRequired(), Regexp(r"^P\d+$", message=_l("Choose a person from the list."))])
    room = StringField(_l("Move to room"), validators=[Optional(), Regexp(r"^R\d+$", message=_l("Choose a room from the list."))])
    only_this_person = BooleanField(_l("Move only this person, not the whole household"))
    submit = SubmitField(_l("Move"))


class RosterUploadForm(AppForm):
    file = FileField(_l("Roster file (XLSX, XLS or CSV)"), validators=[
        FileRequired(message=_l("Choose a file to upload.")),
        FileAllowed(["csv", "xlsx", "xlsm", "txt", "xls"], _l("Upload an Excel workbook (.xlsx or .xls) or a CSV file."))])
    submit = SubmitField(_l("Check the file"))


class ValueDecisionForm(AppSubForm):
    """One value the lists do not know, and what the user makes of it (choices set per kind by the view)."""
    kind = HiddenField(validators=[AnyOf(ALIAS_KINDS)])
    value = HiddenField(validators=[DataRequired(), Length(max=100)])
    choice = SelectField(_l("Means"), validators=[Optional()])
    remember = BooleanField(_l("Remember for later files"))


class RosterDecisionsForm(AppForm):
    values = FieldList(FormField(ValueDecisionForm))
    submit = SubmitField(_l("Apply these decisions"))

    def set_choices(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        for entry in self.values:
            entry.form.choice.choices = [("", _l("— decide —"))] + choices.get(entry.form.kind.data, [])


class RosterImportForm(AppForm):
    token = HiddenField(validators=[DataRequired()])
    default_category = SelectField(_l("Category for rows without one"), validators=[Optional()])
    drop_bad_rows = BooleanField(_l("Leave out the rows with problems and import the rest"))
    households = MultiCheckboxField(_l("Confirm suggested households"), validate_choice=False)
    submit = SubmitField(_l("Import"))


class DoorCheckInForm(AppForm):
    """At the door: the ticked people, or one household's button, checked in with one confirmation."""
    reservations = MultiCheckboxField(coerce=int, validate_choice=False)
    household = StringField(validators=[Optional(), Length(max=80)])
    q = HiddenField(validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Check in the ticked people"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.reservations.data and not self.household.data:
            self.form_errors.append(str(_l("Tick the people who have arrived, or press their household's button.")))
            ok = False
        return ok


class ConfirmForm(AppForm):
    """A confirmation with nothing to fill in (did not arrive, undo): only the CSRF token."""
    submit = SubmitField(_l("Confirm"))


class OtherRoomForm(AppForm):
    room = IntegerField(validators=[InputRequired(message=_l("Choose the room the person was placed in."))])
    submit = SubmitField(_l("Arrived, placed here"))


class PlanUploadForm(AppForm):
    file = FileField(_l("Plan file (quarantine-plan/1 JSON)"), validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Load for review"))


class CapacityCheckForm(AppForm):
    """How many can we take: a headcount asked for before the roster comes (a GET form)."""
    class Meta:
        csrf = False

    people = IntegerField(_l("People"), validators=[InputRequired(message=_l("Enter how many people are coming.")),
                                                     NumberRange(1, 20000)])
    households = IntegerField(_l("Households (about)"), validators=[Optional(), NumberRange(1, 20000)],
                              description=_l("Empty: about one household for every 2.5 people."))
    category = SelectField(_l("Category"))
    needs_accessible = IntegerField(_l("Of them needing an accessible room"), validators=[Optional(),
                                                                                          NumberRange(0, 20000)])
    origin = StringField(_l("From (sending county)"), validators=[Optional(), Length(max=120)])
    lat = FloatField(_l("Origin latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(_l("Origin longitude"), validators=[Optional(), NumberRange(-180, 180)])
    submit = SubmitField(_l("Check"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.households.data and self.households.data > self.people.data:
            self.households.errors = list(self.households.errors) + [
                str(_l("There cannot be more households than people."))]
            ok = False
        if ok and (self.needs_accessible.data or 0) > self.people.data:
            self.needs_accessible.errors = list(self.needs_accessible.errors) + [
                str(_l("More people need an accessible room than are coming."))]
            ok = False
        if ok and (self.lat.data is None) != (self.lon.data is None):
            missing = self.lon if self.lon.data is None else self.lat
            missing.errors = list(missing.errors) + [str(_l("Give both latitude and longitude, or neither."))]
            ok = False
        return ok
