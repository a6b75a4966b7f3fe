"""Form pieces shared by several areas: phone numbers, lists of check boxes."""
from wtforms import SelectMultipleField
from wtforms.validators import Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from quarantine.i18n import _l

PHONE = Regexp(r"^[0-9+\-() ]{5,30}$", message=_l("Enter a phone number: digits, spaces, + - ( ) only."))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes, one per line."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
