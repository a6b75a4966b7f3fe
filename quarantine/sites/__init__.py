from flask import Blueprint

bp = Blueprint("sites", __name__, url_prefix="/sites")

from quarantine.sites import routes  # noqa: E402,F401
