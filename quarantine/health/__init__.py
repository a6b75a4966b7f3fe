"""Running a site day to day: the quarantine clock, PCR tests, the daily routine and the daily report."""
from flask import Blueprint

bp = Blueprint("health", __name__, url_prefix="/health")

from quarantine.health import pcr_views, report_views, routes, routine_views  # noqa: E402,F401
