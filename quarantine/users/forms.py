from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from quarantine.extensions import db
from quarantine.form_fields import AppForm, MultiCheckboxField
from quarantine.i18n import _l
from quarantine.models import User

ROLE_CHOICES = [("admin", _l("Administrator")), ("hq", _l("Headquarters staff")),
                ("site_manager", _l("Site manager")), ("catering", _l("Catering"))]


class UserForm(AppForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=64),
                           Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("Letters, digits, _ . - only."))])
    display_name = StringField(_l("Full name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    sites = MultiCheckboxField(_l("Sites (for site managers and catering)"), coerce=int)
    active = BooleanField(_l("Account active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_username(self, field):
        query = select(func.count(User.id)).where(func.lower(User.username) == field.data.strip().lower())
        if self._user_id:
            query = query.where(User.id != self._user_id)
        if db.session.scalar(query):
            raise ValidationError(_l("This username is taken."))

    def validate_sites(self, field):
        if self.role.data in ("site_manager", "catering") and not field.data:
            raise ValidationError(_l("Site managers and catering staff need at least one site."))
