"""Forms of the supplies pages: a movement in one store, sending between stores, the delivery of
beds and bedding for a site being prepared, the items, and the daily use per policy."""
from __future__ import annotations

from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from quarantine.extensions import db
from quarantine.form_fields import AppForm, AppSubForm
from quarantine.i18n import _l
from quarantine.models import SupplyItem
from quarantine.supplies.services import MAX_QUANTITY

MOVEMENT_KINDS = {
    "received": _l("Received (delivery from outside)"),
    "issued": _l("Issued for use"),
    "count": _l("Counted (stock count)"),
}


class MovementForm(AppForm):
    kind = SelectField(_l("What happened"), validators=[InputRequired()])
    item_id = SelectField(_l("Item"), coerce=int, validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(0, MAX_QUANTITY)],
                            description=_l("For a count: the quantity counted, which becomes the stock."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)],
                       description=_l("Supplier, delivery note, who took it, why the count differs"))
    submit = SubmitField(_l("Record"))

    def validate_quantity(self, field):
        if self.kind.data != "count" and field.data is not None and field.data < 1:
            raise ValidationError(_l("Give a quantity of at least 1 (only a count may be 0)."))


class SendForm(AppForm):
    destination_id = SelectField(_l("Send to"), validators=[InputRequired()],
                                 description=_l("A county reserve or a site (its warehouse)"))
    item_id = SelectField(_l("Item"), coerce=int, validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(1, MAX_QUANTITY)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)],
                       description=_l("Vehicle, driver, delivery note"))
    submit = SubmitField(_l("Send"))


class DeliveryRow(AppSubForm):
    """One item of a delivery; plain Form so the rows carry no CSRF token of their own."""
    item_id = HiddenField()
    quantity = IntegerField(validators=[Optional(), NumberRange(0, MAX_QUANTITY)])

    def validate_item_id(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_l("Not an item of this delivery."))


class DeliveryForm(AppForm):
    """Beds and bedding for a site being prepared, sent from a county reserve in one action."""
    source_id = SelectField(_l("From store"), coerce=int, validators=[InputRequired()])
    rows = FieldList(FormField(DeliveryRow))
    submit = SubmitField(_l("Send from the county reserve"))

    def quantities(self) -> list[tuple[int, int]]:
        return [(int(row.item_id.data), row.quantity.data) for row in self.rows if row.quantity.data]

    def validate_rows(self, field):
        if not any(row.quantity.data for row in field):
            raise ValidationError(_l("Give a quantity for at least one item."))


class ItemForm(AppForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), Regexp(
        r"^[a-z][a-z0-9_]*$", message=_l("Lower-case letters, digits and _ only, e.g. n95_mask"))])
    label_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    unit_zh = StringField(_l("Unit (Chinese)"), validators=[DataRequired(), Length(max=20)],
                          description=_l("e.g. 个, 套, 件"))
    unit_en = StringField(_l("Unit (English)"), validators=[DataRequired(), Length(max=20)],
                          description=_l("e.g. pcs, sets"))
    per_bed = IntegerField(_l("Needed per bed"), default=0, validators=[InputRequired(), NumberRange(0, 10)],
                           description=_l("For furnishing a site: 1 for beds and bedding sets, else 0."))
    sort = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 1000)])
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, item_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._item_id = item_id

    def validate_code(self, field):
        query = select(func.count(SupplyItem.id)).where(SupplyItem.code == field.data.strip())
        if self._item_id:
            query = query.where(SupplyItem.id != self._item_id)
        if db.session.scalar(query):
            raise ValidationError(_l("Another item already has this code."))


class RateRow(AppSubForm):
    item_id = HiddenField()
    per_resident = FloatField(validators=[InputRequired(), NumberRange(0, 100)])
    per_staff = FloatField(validators=[InputRequired(), NumberRange(0, 100)])

    def validate_item_id(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_l("Not an item of the list."))


class RatesForm(AppForm):
    rows = FieldList(FormField(RateRow))
    submit = SubmitField(_l("Save daily use"))
