from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import DateTimeLocalField, FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from quarantine.extensions import db
from quarantine.i18n import _l
from quarantine.models import BATCH_STATUSES, TransferBatch


class BatchForm(FlaskForm):
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

    def validate_origin_lon(self, field):
        if (self.origin_lat.data is None) != (field.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))
