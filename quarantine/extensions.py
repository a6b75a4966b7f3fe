"""Flask extensions, created unbound and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman as _Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Rate limits on the pages that need them only (no default limits); counted in memory unless
# RATELIMIT_STORAGE_URI names a shared store (e.g. redis://…), which several workers need.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class Talisman(_Talisman):
    """Flask-Talisman, except that a page which set its own Referrer-Policy keeps it (the residents'
    pages send none at all: their address holds the resident's token)."""

    def _set_referrer_policy_headers(self, headers) -> None:
        if "Referrer-Policy" not in headers:
            super()._set_referrer_policy_headers(headers)


# Security headers: a Content-Security-Policy without inline scripts, styles or handlers, HSTS and
# HTTPS-only cookies in production (HTTPS_ONLY=1). Talisman keeps its options on the instance, so each
# app gets its own (create_app), and a test's production app leaves the others alone.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class BlueprintErrorsApi(Api):
    """flask-smorest's Api, whose JSON error handler is registered on the API's blueprints only
    (quarantine.api.auth), so the web pages keep their own error pages."""

    def _register_error_handlers(self) -> None:
        pass


rest_api = BlueprintErrorsApi()  # the REST API at /api/v1 (quarantine.api), its OpenAPI spec built from the code


@event.listens_for(Engine, "connect")
def _sqlite_enforce_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked on every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
