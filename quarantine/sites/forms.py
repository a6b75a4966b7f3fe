import re

from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from quarantine.extensions import db
from quarantine.form_fields import PHONE, AppForm, MultiCheckboxField
from quarantine.i18n import _l
from quarantine.models import Site


class SiteForm(AppForm):
    name = StringField(_l("Site name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[("fixed", _l("Fixed site")), ("backup", _l("Backup site"))])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)],
                     description=_l("Decimal degrees, e.g. 33.54"))
    lon = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)],
                     description=_l("Decimal degrees, e.g. 114.61"))
    responsible_unit = StringField(_l("Responsible unit"), validators=[Optional(), Length(max=120)])
    manager_name = StringField(_l("Site manager"), validators=[Optional(), Length(max=60)])
    manager_phone = StringField(_l("Manager's phone"), validators=[Optional(), PHONE])
    capacity_limit = IntegerField(_l("Capacity limit (people)"), validators=[Optional(), NumberRange(min=0)],
                                  description=_l("Most people the site may hold; empty means beds only."))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    webhook_url = StringField(_l("Webhook for arrival notices"), validators=[Optional(), Length(max=500)],
                              description=_l("Optional: an http(s) address of a messaging gateway that receives a "
                                             "JSON message when arrivals are committed to this site."))
    submit = SubmitField(_l("Save"))

    def validate_webhook_url(self, field):
        field.data = (field.data or "").strip()
        if field.data and not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", field.data):
            raise ValidationError(_l("Give an address starting with http:// or https://"))

    def __init__(self, *args, site_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._site_id = site_id

    def validate_name(self, field):
        query = select(func.count(Site.id)).where(func.lower(Site.name) == field.data.strip().lower())
        if self._site_id:
            query = query.where(Site.id != self._site_id)
        if db.session.scalar(query):
            raise ValidationError(_l("Another site already has this name."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Form-level: an empty field stops its own validators, so a pair is checked here.
        if ok and (self.lat.data is None) != (self.lon.data is None):
            missing = self.lon if self.lon.data is None else self.lat
            missing.errors = list(missing.errors) + [str(_l("Give both latitude and longitude, or neither."))]
            ok = False
        return ok


class StatusForm(AppForm):
    status = SelectField(_l("New status"), validators=[InputRequired()])
    submit = SubmitField(_l("Change status"))


class ZoneForm(AppForm):
    type_code = SelectField(_l("Zone"), validators=[InputRequired()])
    name = StringField(_l("Zone name"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Where it is"), validators=[Optional(), Length(max=2000)])
    buildings = MultiCheckboxField(_l("Buildings in this zone"), coerce=int, validate_choice=True,
                                   description=_l("For the contaminated zone: the buildings where people stay."))
    submit = SubmitField(_l("Add zone"))


class ZoneBuildingsForm(AppForm):
    buildings = MultiCheckboxField(_l("Buildings in this zone"), coerce=int)
    submit = SubmitField(_l("Save buildings"))


class AreaForm(AppForm):
    type_code = SelectField(_l("Area"), validators=[InputRequired()])
    zone_id = SelectField(_l("In zone"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(_l("Where it is"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add area"))

    def __init__(self, *args, area_zone_rules: dict[str, str | None] | None = None,
                 zone_types: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._rules = area_zone_rules or {}
        self._zone_types = zone_types or {}

    def validate_zone_id(self, field):
        required = self._rules.get(self.type_code.data)
        if required and self._zone_types.get(field.data) != required:
            raise ValidationError(_l("This area must lie in the zone required for it (e.g. the warehouse in the clean zone)."))


class PassageForm(AppForm):
    kind = SelectField(_l("Passage"), choices=[("staff", _l("Staff passage")),
                                               ("quarantined", _l("Quarantined-person passage"))])
    entrance = StringField(_l("Entrance"), validators=[DataRequired(), Length(max=200)])
    route = TextAreaField(_l("Route"), validators=[DataRequired(), Length(max=2000)],
                          description=_l("From the entrance through each zone, e.g. gate 2 → changing room → building A stairs."))
    submit = SubmitField(_l("Save passage"))


class ConfirmPassagesForm(AppForm):
    confirm = BooleanField(_l("I have walked both routes: they do not cross and do not share doors or lifts."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Confirm"))
