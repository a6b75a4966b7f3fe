"""GET /api/v1/sites and /api/v1/capacity/forecast: what the home page and the forecast show, as JSON."""
from __future__ import annotations

from flask import Flask, jsonify, request
from marshmallow import RAISE
from werkzeug.http import HTTP_STATUS_CODES

from quarantine.access import visible_sites_query
from quarantine.api.auth import protected_blueprint
from quarantine.api.schemas import ForecastArgs, ForecastOut, PageArgs, SitePage
from quarantine.county.figures import site_figures, stale_cutoff
from quarantine.county.forecast import forecast, forecast_sites
from quarantine.extensions import rest_api
from quarantine.localtime import local_today
from quarantine.sites.listing import site_page

sites_bp = protected_blueprint("api_sites", __name__, url_prefix="/api/v1/sites", description="Sites and their beds")
capacity_bp = protected_blueprint("api_capacity", __name__, url_prefix="/api/v1/capacity",
                                  description="What the sites can take, day by day")


@sites_bp.route("")
@sites_bp.arguments(PageArgs, location="query", unknown=RAISE)
@sites_bp.response(200, SitePage)
def list_sites(args):
    """The sites the token's user may see, a page at a time, with free, reserved and total beds."""
    today = local_today()
    page = site_page(args["q"], args["page"], args["per_page"])
    items = []
    for f in site_figures(page.items, today, stale_cutoff(today)):
        items.append({
            "id": f.site.id, "name": f.site.name, "kind": f.site.kind, "status": f.site.status,
            "beds": f.cap.beds, "free_beds": f.cap.free_beds, "reserved_beds": f.cap.reserved,
            "occupied_beds": f.cap.occupants, "residents": f.cap.residents, "staff_supported": f.staff_limit,
            "capacity_limit": f.limit, "takes": f.takes, "releases_today": f.releases_today,
            "releases_tomorrow": f.releases_tomorrow, "stale": f.stale,
            "last_confirmed": {kind: f.confirmed_at(kind) for kind in ("rooms", "staff", "report")},
        })
    return {"items": items, "page": page.number, "pages": page.pages, "total": page.total}


@capacity_bp.route("/forecast")
@capacity_bp.arguments(ForecastArgs, location="query", unknown=RAISE)
@capacity_bp.response(200, ForecastOut)
def capacity_forecast(args):
    """Free beds and what can be taken, per day: the county over every visible site, and a page of sites."""
    today = local_today()
    result = forecast(forecast_sites(visible_sites_query()), today, args["days"])
    page = site_page(args["q"], args["page"], args["per_page"])
    return {
        "days": result.days,
        "county": [{**vars(d.figure), "waiting": d.waiting, "after_waiting": d.after_waiting} for d in result.county],
        "sites": [{"id": s.id, "name": s.name, "status": s.status, "days": [vars(d) for d in result.sites[s.id]]}
                  for s in page.items],
        "page": page.number, "pages": page.pages, "total": page.total,
    }


def _json_error(code: int, message: str):
    response = jsonify(code=code, status=HTTP_STATUS_CODES.get(code, ""), message=message)
    response.status_code = code
    return response


def _api_request_errors():
    """Before the web pages' own checks: under /api, an address that matches nothing (or not with this
    method) and a NUL character in the query are answered in JSON, like every other API error."""
    if not request.path.startswith("/api/"):
        return None
    error = request.routing_exception
    if error is not None:
        code = getattr(error, "code", 404)
        response = _json_error(code, getattr(error, "description", ""))
        if code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    if any("\x00" in value for value in request.args.values()):
        return _json_error(422, "The query contains a character that is not allowed (NUL).")
    return None


def register_api(app: Flask) -> None:
    from quarantine.api.batch_views import bp as batches_bp
    from quarantine.api.plan_views import bp as plans_bp
    for blueprint in (sites_bp, capacity_bp, batches_bp, plans_bp):
        rest_api.register_blueprint(blueprint)
    app.before_request(_api_request_errors)
