from flask import Blueprint

bp = Blueprint("policies", __name__, url_prefix="/policy")

from quarantine.policies import routes  # noqa: E402,F401
