"""Error pages in the user's language, inside the layout; database refusals answered with a message.

A request that the database refuses (two people saving the same record at the same moment, a value
it cannot store) is rolled back and answered with a page saying what to do, never a 500 with a trace.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from quarantine.extensions import db
from quarantine.i18n import _

log = logging.getLogger(__name__)


def _texts(code: int) -> tuple[str, str]:
    """(title, message) for an HTTP status, translated at request time."""
    from flask import current_app
    megabytes = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return {
        400: (_("Bad request"), _("The page could not read what was sent. Go back, reload the page and try again.")),
        403: (_("No access"), _("Your account may not open this page. Ask an administrator if your work needs it.")),
        404: (_("Page not found"), _("This page does not exist, or your account cannot see it.")),
        405: (_("Not allowed"), _("This address does not take that kind of request.")),
        409: (_("Changed at the same moment"),
              _("Someone else changed the same record at the same moment, so nothing was saved. Reload the page, "
                "check what is there now and try again.")),
        413: (_("File too large"), _("The file is larger than %(mb)d MB. Send a smaller file.", mb=megabytes)),
        429: (_("Too many attempts"), _("Too many attempts in a short time. Wait a minute and try again.")),
    }.get(code, (_("Something went wrong"),
                 _("Something went wrong on our side and nothing was saved. It has been logged; try again, or tell "
                   "the administrator.")))


def error_page(code: int, message: str | None = None):
    title, default = _texts(code)
    return render_template("errors/error.html", title=title, message=message or default, code=code), code


def register_error_pages(app: Flask) -> None:
    @app.before_request
    def _no_nul_in_the_address():
        # Forms refuse NUL field by field (quarantine.form_fields); a search in the address is refused here.
        if any("\x00" in value for value in request.args.values()):
            return error_page(400, _("The address contains a character that is not allowed (NUL)."))
        return None

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return error_page(400, _("This form has expired or was not sent from this site. Go back, reload the page "
                                 "and send it again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400 or isinstance(error, InternalServerError):
            return error
        return error_page(error.code)

    @app.errorhandler(IntegrityError)
    def _conflict(error):
        db.session.rollback()
        log.warning("database refused %s %s: %s", request.method, request.path, type(error.orig).__name__)
        return error_page(409)

    @app.errorhandler(OperationalError)
    def _busy(error):
        # Two writers on one record (a lock or serialization conflict) are a 409; anything else
        # operational (the database gone, a timeout) is a real 500 with its traceback in the log.
        if not _is_write_conflict(error):
            raise error
        db.session.rollback()
        log.warning("database busy %s %s: %s", request.method, request.path, type(error.orig).__name__)
        return error_page(409)

    @app.errorhandler(DataError)
    def _bad_value(error):
        db.session.rollback()
        log.warning("database refused a value at %s %s: %s", request.method, request.path, type(error.orig).__name__)
        return error_page(400, _("A value sent could not be stored (too long, too large, or a character that is not "
                                 "allowed). Go back, correct it and try again."))

    @app.errorhandler(InternalServerError)
    def _server_error(_error):
        db.session.rollback()
        return error_page(500)


# PostgreSQL: serialization failure, deadlock, lock not available; SQLite: the write lock.
WRITE_CONFLICT_CODES = {"40001", "40P01", "55P03"}


def _is_write_conflict(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in WRITE_CONFLICT_CODES or "database is locked" in str(error.orig)
