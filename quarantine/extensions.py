"""Flask extensions, created unbound and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
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
