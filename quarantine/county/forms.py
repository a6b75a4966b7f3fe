from wtforms import SubmitField
from wtforms.validators import ValidationError

from quarantine.form_fields import AppForm, MultiCheckboxField
from quarantine.i18n import _l

CONFIRM_CHOICES = [("rooms", _l("Rooms and beds")), ("staff", _l("Staff on duty")), ("report", _l("Daily report"))]


class ConfirmFiguresForm(AppForm):
    """The site manager says the site's figures are true now."""
    kinds = MultiCheckboxField(_l("These figures are correct now"), choices=CONFIRM_CHOICES,
                               default=["rooms", "staff", "report"])
    submit = SubmitField(_l("Confirm"))

    def validate_kinds(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one of the figures."))


class AcknowledgeForm(AppForm):
    submit = SubmitField(_l("Seen: we are ready for them"))
