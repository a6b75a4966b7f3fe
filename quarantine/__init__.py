"""The quarantine-site operations and capacity planner (Flask app)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from quarantine.config import build_config
from quarantine.extensions import babel, csrf, db, login_manager, migrate

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
                instance_path=str(Path.cwd() / "instance"))
    app.config.update(build_config(Path(app.instance_path), config))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))

    from quarantine import models  # noqa: F401  (register tables with the metadata)
    from quarantine.auth import bp as auth_bp
    from quarantine.health import bp as health_bp
    from quarantine.main import bp as main_bp
    from quarantine.meals import bp as meals_bp
    from quarantine.people import bp as people_bp
    from quarantine.policies import bp as policies_bp
    from quarantine.rooms import bp as rooms_bp
    from quarantine.sites import bp as sites_bp
    from quarantine.transfers.routes import bp as transfers_bp
    from quarantine.users import bp as users_bp

    for bp in (auth_bp, main_bp, sites_bp, rooms_bp, people_bp, policies_bp, transfers_bp, users_bp,
               meals_bp):
        app.register_blueprint(bp)
    app.register_blueprint(health_bp)
    from quarantine.staff import bp as staff_bp
    app.register_blueprint(staff_bp)

    from quarantine.cli import register_cli
    register_cli(app)

    from quarantine.templating import register_template_helpers
    register_template_helpers(app)

    @app.before_request
    def _keep_session_alive() -> None:
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request.
        session.permanent = True

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
