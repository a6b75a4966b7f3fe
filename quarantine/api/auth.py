"""What every API blueprint shares: a bearer token (the user's role and sites then apply as on the web
pages), a rate limit per token, JSON errors, no CSRF (no cookies are used)."""
from __future__ import annotations

import hashlib

from flask import current_app, g, jsonify, request
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from quarantine.api.tokens import user_for
from quarantine.extensions import csrf, db, limiter, rest_api


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """Requests are counted per token (hashed), else per address."""
    token = _bearer()
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16] if token else "ip:" + (request.remote_addr or "")


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _authenticate() -> None:
    """Before every API request: the token's user becomes current_user; the session cookie is ignored."""
    token = _bearer()
    user = user_for(token) if token else None
    if user is None:
        abort(401, message="A valid API token is required: Authorization: Bearer <token>.")
    g._login_user = user  # Flask-Login's per-request user: access checks work as on the web pages


def _database_refused(error):
    """A value the database refuses, or a conflict with a concurrent change: JSON, not the web's error page."""
    db.session.rollback()
    code = 400 if isinstance(error, DataError) else 409
    return jsonify(code=code, status=HTTP_STATUS_CODES[code], message="The database refused the request."), code


def _server_error(_error):
    db.session.rollback()
    return jsonify(code=500, status=HTTP_STATUS_CODES[500], message="Internal error; it has been logged."), 500


def protected_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    bp = Blueprint(name, import_name, **kwargs)
    bp.before_request(_authenticate)
    bp.register_error_handler(HTTPException, rest_api.handle_http_exception)
    for refused in (DataError, IntegrityError, OperationalError):
        bp.register_error_handler(refused, _database_refused)
    bp.register_error_handler(InternalServerError, _server_error)
    csrf.exempt(bp)
    limiter.limit(_rate_limit, key_func=rate_key)(bp)
    return bp


def require_role(*roles: str) -> None:
    from flask_login import current_user
    if current_user.role not in roles:
        abort(403, message="Your role may not do this.")
