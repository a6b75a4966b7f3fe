"""Configuration from environment variables with safe defaults."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    A fixed default would let anyone forge sessions; a fresh key per start would log
    everyone out on every restart.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the common postgres:// spelling and use the psycopg 3 driver.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'quarantine.db'}"


def build_config(instance_path: Path, overrides: dict | None = None) -> dict:
    config = {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": None,
        # hide_parameters: a refused statement is logged without its values (names, ID numbers, notes).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_HOURS", "8"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Production behind an HTTPS proxy: HTTPS_ONLY=1 redirects http to https, sends HSTS and makes
        # cookies Secure; TRUSTED_PROXIES says how many proxies' X-Forwarded-* headers to believe.
        "HTTPS_ONLY": os.environ.get("HTTPS_ONLY", "0") == "1",
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1" or os.environ.get("HTTPS_ONLY") == "1",
        "WTF_CSRF_TIME_LIMIT": None,  # the session lifetime already bounds a form's life
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TZ_NAME", "Asia/Shanghai"),
        "LANGUAGES": ["zh", "en"],
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # rosters are spreadsheets, not archives
        # A planning run whose worker has been silent this long is tried again (then failed);
        # workers look for such runs this often.
        "PLAN_STALE_SECONDS": float(os.environ.get("PLAN_STALE_SECONDS", "30")),
        "JOBS_SWEEP_SECONDS": float(os.environ.get("JOBS_SWEEP_SECONDS", "10")),
        # Threads the planner's CP-SAT search uses inside one worker process (a core each).
        "PLANNER_THREADS": int(os.environ.get("PLANNER_THREADS", "2")),
        # Rate limits (sign-in, residents' self-report pages): in memory by default, shared when this names a store.
        # With several workers they must share a store: Redis (REDIS_URL) when the job queue has one.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://",
        # The address printed in the QR codes of door cards (the public one, behind the proxy);
        # empty: the address the request came in on.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        # The REST API (flask-smorest): its OpenAPI 3 spec at /api/v1/openapi.json, requests per token.
        "API_TITLE": "Quarantine sites API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "info": {"description": "Sites, capacity forecast, transfer batches and planning runs. Every request "
                                    "carries `Authorization: Bearer <token>` (`flask users token NAME`)."},
        },
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "120 per minute"),
    }
    config.update(overrides or {})
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(instance_path)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = _database_url(instance_path)
    if os.environ.get("DATABASE_POOLER") == "pgbouncer" and config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PgBouncer in transaction mode hands connections around: no server-side prepared statements.
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    return config
