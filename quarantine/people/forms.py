from wtforms import DateField, DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from quarantine.form_fields import PHONE, AppForm, MultiCheckboxField
from quarantine.i18n import _l
from quarantine.idnumbers import IdNumberError, classify
from quarantine.people.services import id_number_in_use


class PersonForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=30)],
                            description=_l("18-digit resident ID, or passport number for inbound travellers"))
    sex = SelectField(_l("Sex"), choices=[("", _l("from the ID")), ("M", _l("Male")), ("F", _l("Female"))],
                      validators=[Optional()], description=_l("Needed for passports only"))
    birth_date = DateField(_l("Birth date"), validators=[Optional()], description=_l("Needed for passports only"))
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    household = StringField(_l("Household"), validators=[Optional(), Length(max=40),
                            Regexp(r"^[\w\-]*$", message=_l("Use letters, digits, - and _ only."))],
                            description=_l("People with the same household code stay together"))
    category_code = SelectField(_l("Category"), validators=[InputRequired()])
    needs = MultiCheckboxField(_l("Needs"))
    diet_code = SelectField(_l("Diet"), validators=[InputRequired()])
    origin = StringField(_l("Origin"), validators=[Optional(), Length(max=120)])
    batch_id = SelectField(_l("Transfer batch"), coerce=int, validators=[Optional()])
    site_id = SelectField(_l("Site"), coerce=int, validators=[Optional()])
    arrival_at = DateTimeLocalField(_l("Arrival time"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    diet_note = StringField(_l("Diet and allergy note (printed on the meal rosters)"),
                            validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes (health and personal: site staff only, never on the kitchen's lists)"),
                          validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, person_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._person_id = person_id
        self.id_kind: str | None = None

    def validate_id_number(self, field):
        try:
            kind, parsed = classify(field.data)
        except IdNumberError as exc:
            raise ValidationError(str(exc)) from None
        self.id_kind = kind
        number = parsed.number if parsed else field.data.strip().upper()
        if id_number_in_use(number, self._person_id):
            raise ValidationError(_l("A current resident already has this ID number."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Checked after every field: the ID number's kind is only known once it has been validated.
        if self.id_kind not in (None, "resident_id") and not self.sex.data:  # passports and permits carry no sex
            self.sex.errors = list(self.sex.errors) + [str(_l("Choose the sex for a passport holder."))]
            ok = False
        return ok


class CheckInForm(AppForm):
    room_id = SelectField(_l("Room"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Check in"))


class MoveForm(AppForm):
    room_id = SelectField(_l("New room"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Reason for the move"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Move"))


class CheckOutForm(AppForm):
    reason = SelectField(_l("Reason"), choices=[("released", _l("Released")),
                                                ("transferred_out", _l("Transferred out"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Check out"))
