"""What the API reads and writes, as marshmallow schemas; flask-smorest builds the OpenAPI spec from them."""
from __future__ import annotations

from datetime import timezone

from marshmallow import RAISE, Schema, fields, validate

from quarantine.models import BATCH_STATUSES, PLAN_STATUSES, SITE_KINDS, SITE_STATUSES


class Moment(fields.DateTime):
    """A date and time always written with its offset: SQLite hands back naive UTC, PostgreSQL aware."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def moment(**kwargs) -> Moment:
    return Moment(**kwargs)


class Strict(Schema):
    """Requests with fields the spec does not name are refused (422), not silently ignored."""

    class Meta:
        unknown = RAISE


# PostgreSQL text holds no NUL character: such input is refused, not passed on to the database.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="No NUL characters, please.")
CODE = validate.Regexp(r"^[\w\-]+$", error="Use letters, digits, - and _ only, e.g. TK-1123")


class PageArgs(Strict):
    q = fields.String(load_default="", validate=[validate.Length(max=60), NO_NUL], metadata={"description": "name, address or responsible unit"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class PageInfo(Schema):
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class Confirmed(Schema):
    rooms = moment(allow_none=True, required=True)
    staff = moment(allow_none=True, required=True)
    report = moment(allow_none=True, required=True)


class SiteOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(SITE_STATUSES))
    beds = fields.Integer(required=True, metadata={"description": "all beds"})
    free_beds = fields.Integer(required=True, metadata={"description": "beds in rooms that take people"})
    reserved_beds = fields.Integer(required=True, metadata={"description": "beds held for people on their way"})
    occupied_beds = fields.Integer(required=True)
    residents = fields.Integer(required=True)
    staff_supported = fields.Integer(required=True, metadata={"description": "residents the staff on duty support"})
    capacity_limit = fields.Integer(allow_none=True, required=True, metadata={"description": "the stricter of the manual and the staffing limit"})
    takes = fields.Integer(required=True, metadata={"description": "people the site can take now"})
    releases_today = fields.Integer(required=True)
    releases_tomorrow = fields.Integer(required=True)
    last_confirmed = fields.Nested(Confirmed, required=True)
    stale = fields.List(fields.String(), required=True, metadata={"description": "figures not confirmed within the policy's hours"})


class SitePage(PageInfo):
    items = fields.List(fields.Nested(SiteOut), required=True)


class ForecastArgs(PageArgs):
    days = fields.Integer(load_default=7, validate=validate.Range(1, 14))


class DayOut(Schema):
    day = fields.Date(required=True)
    free_beds = fields.Integer(required=True)
    releases = fields.Integer(required=True)
    returning_beds = fields.Integer(required=True)
    takes = fields.Integer(required=True)


class CountyDayOut(DayOut):
    waiting = fields.Integer(required=True, metadata={"description": "people of batches expected by then without a bed"})
    after_waiting = fields.Integer(required=True)


class SiteForecastOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    days = fields.List(fields.Nested(DayOut), required=True)


class ForecastOut(PageInfo):
    days = fields.List(fields.Date(), required=True)
    county = fields.List(fields.Nested(CountyDayOut), required=True)
    sites = fields.List(fields.Nested(SiteForecastOut), required=True)


class LocationIn(Strict):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class BatchIn(Strict):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=40), CODE])
    origin = fields.String(required=True, validate=[validate.Length(min=1, max=120), NO_NUL])
    origin_location = fields.Nested(LocationIn,
                                    metadata={"description": "where the batch leaves from (for travel distances)"})
    expected_arrival = fields.AwareDateTime(allow_none=True, load_default=None)
    expected_count = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(0, 100_000))
    notes = fields.String(load_default="", validate=[validate.Length(max=2000), NO_NUL])


class BatchOut(Schema):
    code = fields.String(required=True)
    origin = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(BATCH_STATUSES))
    expected_arrival = moment(allow_none=True, required=True)
    expected_count = fields.Integer(allow_none=True, required=True)
    people = fields.Integer(required=True)
    waiting = fields.Integer(required=True, metadata={"description": "people still without a bed"})
    reserved = fields.Integer(required=True)
    checked_in = fields.Integer(required=True)


class RosterArgs(Strict):
    skip_bad_rows = fields.Boolean(load_default=False, metadata={"description": "import the rows without problems"})
    confirm_households = fields.Boolean(load_default=False, metadata={"description": "accept every suggested household"})


class RosterFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ProblemOut(Schema):
    row = fields.Integer(allow_none=True, required=True, metadata={"description": "row number as in the spreadsheet"})
    column = fields.String(allow_none=True, required=True)
    name = fields.String(allow_none=True, required=True)
    value = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class RosterOut(Schema):
    imported = fields.Integer(required=True)
    rows = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ProblemOut), required=True)
    file_errors = fields.List(fields.String(), required=True)
    message = fields.String(required=True)


class RosterRefused(Schema):
    """Nothing imported: the roster's problems (as RosterOut), or the request's own errors (as every 422)."""
    imported = fields.Integer()
    rows = fields.Integer()
    problems = fields.List(fields.Nested(ProblemOut))
    file_errors = fields.List(fields.String())
    message = fields.String()
    code = fields.Integer()
    status = fields.String()
    errors = fields.Dict()


class PlanRunIn(Strict):
    batches = fields.List(fields.String(validate=[validate.Length(min=1, max=40), NO_NUL]), required=True,
                          validate=validate.Length(min=1, max=20))
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(1, 300))


class PlanRunOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PLAN_STATUSES))
    batches = fields.List(fields.String(), required=True)
    people_total = fields.Integer(required=True)
    placed = fields.Integer(required=True)
    placed_bound = fields.Integer(allow_none=True, required=True)
    error = fields.String(required=True)
    created_at = moment(required=True)
    committed_at = moment(allow_none=True, required=True)


class PlanDocument(Schema):
    """The plan in the exchange format (quarantine-plan/1), exactly as `python -m planner check` reads it."""

    class Meta:
        unknown = "include"

    format = fields.String(required=True, metadata={"example": "quarantine-plan/1"})
    assignments = fields.List(fields.Dict(), required=True)
    unassigned = fields.List(fields.Dict(), required=True)
    stats = fields.Dict(required=True)
