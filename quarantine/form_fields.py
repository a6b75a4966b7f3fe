"""Form pieces shared by several areas: the forms' base classes, phone numbers, lists of check boxes."""
from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, SelectMultipleField, StringField
from wtforms.validators import Regexp, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from quarantine.i18n import _l

PHONE = Regexp(r"^[0-9+\-() ]{5,30}$", message=_l("Enter a phone number: digits, spaces, + - ( ) only."))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes, one per line."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- checks every form field gets ----------------------------------------------------------------
# PostgreSQL refuses NUL in text and integers past 32 bits; a form refuses them first, with a message,
# so bad input never reaches the database as a 500.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


# StopValidation: the field's own checks (validate_<field>, which may query with the value) do not run.
def no_nul(form, field) -> None:
    if isinstance(field.data, str) and "\x00" in field.data:
        raise StopValidation(_l("This text contains a character that is not allowed (NUL); remove it."))


def integer_in_range(form, field) -> None:
    if isinstance(field.data, int) and not INT_MIN <= field.data <= INT_MAX:
        raise StopValidation(_l("This number is too large."))


class FieldChecks:
    """Form Meta that adds the NUL and integer-range checks to every field of a form."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField):
            field.validators = [*field.validators, no_nul]
        elif isinstance(field, IntegerField):
            field.validators = [*field.validators, integer_in_range]
        return field


class AppForm(FlaskForm):
    """The base of every page's form."""
    class Meta(FieldChecks):
        pass


class AppSubForm(Form):
    """The base of the rows inside a form (FieldList of FormField)."""
    class Meta(FieldChecks):
        pass
