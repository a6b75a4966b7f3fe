"""The quarantine-site operations and capacity planner (Flask app)."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from quarantine import models  # noqa: F401  (register every table with the metadata)
from quarantine.access import load_user
from quarantine.audit import trail as audit_trail
from quarantine.config import build_config
from quarantine.error_pages import register_error_pages
from quarantine.extensions import (
    CONTENT_SECURITY_POLICY,
    Talisman,
    babel,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    rest_api,
)
from quarantine.i18n import _l
from quarantine.templating import register_template_helpers

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    """The user's choice from the switcher, else the browser's preference (English outside a request)."""
    if not has_request_context():
        return "en"
    chosen = session.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    return request.accept_languages.best_match(["zh", "en"]) or "zh"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static",
                instance_path=os.environ.get("QUARANTINE_INSTANCE_PATH") or str(Path.cwd() / "instance"))
    app.config.update(build_config(Path(app.instance_path), config))
    register_extensions(app)
    register_blueprints(app)
    register_error_pages(app)
    register_commands(app)
    register_template_helpers(app)
    register_request_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    limiter.init_app(app)
    https_only = app.config["HTTPS_ONLY"]
    Talisman(app, force_https=https_only, strict_transport_security=https_only,
             session_cookie_secure=app.config["SESSION_COOKIE_SECURE"], session_cookie_samesite="Lax",
             content_security_policy=CONTENT_SECURITY_POLICY, frame_options="DENY", referrer_policy="same-origin")
    if app.config["TRUSTED_PROXIES"]:
        # Behind the HTTPS proxy: the client's address (sign-in limits, the audit trail) and scheme from it.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    audit_trail.register()
    rest_api.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))


class RowIdConverter(IntegerConverter):
    """<int:…> in addresses stops at what a database integer holds: /people/99999999999999999999 is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area, defined in the area's routes.py; the area's other view modules
    add their pages to that blueprint, so they are imported here before it is registered."""
    app.url_map.converters["int"] = RowIdConverter
    from quarantine.api.routes import register_api
    from quarantine.api.token_views import bp as api_tokens
    from quarantine.audit.routes import bp as audit
    from quarantine.auth.routes import bp as auth
    from quarantine.county.routes import bp as county
    from quarantine.health import pcr_views, report_views, routine_views  # noqa: F401  (pages on health.bp)
    from quarantine.health.routes import bp as health
    from quarantine.main import bp as main
    from quarantine.meals.routes import bp as meals
    from quarantine.people.routes import bp as people
    from quarantine.policies.routes import bp as policies
    from quarantine.rooms.routes import bp as rooms
    from quarantine.selfreport import staff_views  # noqa: F401  (pages on selfreport.bp)
    from quarantine.selfreport.routes import bp as selfreport
    from quarantine.sites import prepare_views  # noqa: F401  (pages on sites.bp)
    from quarantine.sites.routes import bp as sites
    from quarantine.staff.routes import bp as staff
    from quarantine.supplies.routes import bp as supplies
    from quarantine.transfers import arrival_views, capacity_views, plan_views, print_views, roster_views  # noqa: F401
    from quarantine.transfers.routes import bp as transfers
    from quarantine.users.routes import bp as users
    from quarantine.waste.routes import bp as waste
    register_api(app)

    for blueprint in (auth, main, sites, rooms, people, policies, transfers, users, meals, health, staff, supplies,
                      waste, selfreport, audit, county, api_tokens):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from quarantine.cli import register_cli
    register_cli(app)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _keep_session_alive() -> None:
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request.
        session.permanent = True

    @app.after_request
    def _private_pages(response):
        # The other security headers come from Flask-Talisman (register_extensions).
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
