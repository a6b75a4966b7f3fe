from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from quarantine.form_fields import AppForm
from quarantine.i18n import _l
from quarantine.localtime import local_today
from quarantine.rooms.services import MAX_BULK_ROOMS


class BuildingForm(AppForm):
    code = StringField(_l("Building code"), validators=[DataRequired(), Length(max=20),
                       Regexp(r"^[0-9A-Za-z\-]+$", message=_l("Use letters, digits and - only, e.g. A or 2"))])
    name = StringField(_l("Building name"), validators=[Optional(), Length(max=100)])
    has_lift = BooleanField(_l("Has a lift"))
    submit = SubmitField(_l("Add building"))

    def __init__(self, *args, existing_codes: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._existing = {c.upper() for c in (existing_codes or set())}

    def validate_code(self, field):
        if field.data.strip().upper() in self._existing:
            raise ValidationError(_l("This site already has a building with this code."))


class BulkCreateForm(AppForm):
    building_id = SelectField(_l("Building"), coerce=int, validators=[InputRequired()])
    floor_from = IntegerField(_l("From floor"), validators=[InputRequired(), NumberRange(-5, 200)])
    floor_to = IntegerField(_l("To floor"), validators=[InputRequired(), NumberRange(-5, 200)])
    room_from = IntegerField(_l("Rooms per floor, from number"), validators=[InputRequired(), NumberRange(1, 999)])
    room_to = IntegerField(_l("to number"), validators=[InputRequired(), NumberRange(1, 999)])
    beds = IntegerField(_l("Beds per room"), default=1, validators=[InputRequired(), NumberRange(0, 20)])
    own_bathroom = BooleanField(_l("Own bathroom"), default=True)
    accessible = BooleanField(_l("All accessible"))
    accessible_ground_floor = BooleanField(_l("Ground-floor rooms accessible"), default=True)
    submit = SubmitField(_l("Create rooms"))

    def validate_floor_to(self, field):
        if self.floor_from.data is not None and field.data is not None and field.data < self.floor_from.data:
            raise ValidationError(_l("The last floor must not be below the first."))

    def validate_room_to(self, field):
        if self.room_from.data is None or field.data is None:
            return
        if field.data < self.room_from.data:
            raise ValidationError(_l("The last room number must not be below the first."))
        if self.floor_from.data is not None and self.floor_to.data is not None:
            count = (self.floor_to.data - self.floor_from.data + 1) * (field.data - self.room_from.data + 1)
            if count > MAX_BULK_ROOMS:
                raise ValidationError(_l("That is more than %(n)d rooms at once; create them in parts.", n=MAX_BULK_ROOMS))


TRISTATE = [("", _l("unchanged")), ("1", _l("yes")), ("0", _l("no"))]


class BulkEditForm(AppForm):
    building_id = SelectField(_l("Building"), coerce=int, validators=[Optional()])
    floor_from = IntegerField(_l("From floor"), validators=[Optional(), NumberRange(-5, 200)])
    floor_to = IntegerField(_l("To floor"), validators=[Optional(), NumberRange(-5, 200)])
    numbers = StringField(_l("Room numbers"), validators=[Optional(), Length(max=500)],
                          description=_l("Empty for all; or e.g. 201-205, 208"))
    beds = IntegerField(_l("Set beds to"), validators=[Optional(), NumberRange(0, 20)])
    accessible = SelectField(_l("Accessible"), choices=TRISTATE)
    status = SelectField(_l("Set status"), choices=[("", _l("unchanged")), ("available", _l("Available")),
                                                   ("out_of_service", _l("Out of service")),
                                                   ("cleaning", _l("Terminal disinfection"))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)],
                         description=_l("Required when taking rooms out of service"))
    expected_return = DateField(_l("Expected back in service"), validators=[Optional()])
    submit = SubmitField(_l("Apply to matching rooms"))

    def validate_floor_to(self, field):
        if self.floor_from.data is not None and field.data is not None and field.data < self.floor_from.data:
            raise ValidationError(_l("The last floor must not be below the first."))

    def validate_reason(self, field):
        if self.status.data == "out_of_service" and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for taking rooms out of service."))

    def validate_expected_return(self, field):
        if field.data and field.data < local_today():
            raise ValidationError(_l("The expected return date must not be in the past."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.beds.data is None and not self.accessible.data and not self.status.data:
            self.form_errors.append(_l("Choose at least one change: beds, accessible or status."))
            return False
        return ok


class RoomForm(AppForm):
    beds = IntegerField(_l("Beds"), validators=[InputRequired(), NumberRange(0, 20)])
    accessible = BooleanField(_l("Accessible (ground floor or lift)"))
    own_bathroom = BooleanField(_l("Own bathroom"))
    status = SelectField(_l("Status"), choices=[("available", _l("Available")),
                                                ("out_of_service", _l("Out of service")),
                                                ("cleaning", _l("Terminal disinfection")),
                                                ("occupied", _l("Occupied"))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    expected_return = DateField(_l("Expected back in service"), validators=[Optional()])
    submit = SubmitField(_l("Save room"))

    def __init__(self, *args, stored_return=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_return = stored_return

    def validate_reason(self, field):
        if self.status.data == "out_of_service" and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for taking the room out of service."))

    def validate_expected_return(self, field):
        # A date saved earlier may have passed since; only a newly entered one must lie ahead.
        if field.data and field.data < local_today() and field.data != self._stored_return:
            raise ValidationError(_l("The expected return date must not be in the past."))


class OutOfServiceForm(AppForm):
    """Take one room out of service from the turnover page, by building and room number."""
    building_id = SelectField(_l("Building"), coerce=int, validators=[InputRequired()])
    number = StringField(_l("Room number"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason for taking the room out of service.")),
                                                   Length(max=200)])
    expected_return = DateField(_l("Expected back in service"), validators=[Optional()])
    submit = SubmitField(_l("Take out of service"))

    def __init__(self, *args, find_room=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._find_room = find_room
        self.room = None

    def validate_number(self, field):
        if self.building_id.data is None or self._find_room is None:
            return
        self.room = self._find_room(self.building_id.data, field.data)
        if self.room is None:
            raise ValidationError(_l("There is no room %(number)s in this building.", number=field.data.strip()))
        if self.room.status == "occupied":
            raise ValidationError(_l("Room %(number)s is occupied; move or check out its people first.",
                                     number=field.data.strip()))

    def validate_expected_return(self, field):
        if field.data and field.data < local_today():
            raise ValidationError(_l("The expected return date must not be in the past."))
