"""The resident's own page, opened from the QR code on the door card: no account, a phone, Chinese or
English. Temperature morning and evening, how they feel, requests to the staff; nothing else.

Rate-limited per link (a phone reporting in a loop) and per address for tokens that open nothing
(someone trying tokens); refusals are a page of its own saying what to do.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address

from quarantine.errors import DomainError
from quarantine.extensions import db, limiter
from quarantine.i18n import _
from quarantine.localtime import local_today, utc_to_local
from quarantine.selfreport import reports
from quarantine.selfreport.forms import ReportForm, RequestForm
from quarantine.selfreport.links import Resident, link_from_token, resident_of

bp = Blueprint("selfreport", __name__)

READS = "60 per minute"
WRITES = "20 per hour;60 per day"
UNKNOWN_TOKENS = "30 per minute"  # counted only for tokens that open nothing


def _token_key() -> str:
    return "selfreport-link:" + (request.view_args or {}).get("token", "")[:120]


def _unknown(response) -> bool:
    return response.status_code == 404


def _limited(limit: str):
    """The link's own limit, and the per-address limit on tokens that open nothing."""
    def decorate(view):
        view = limiter.limit(limit, key_func=_token_key)(view)
        return limiter.limit(UNKNOWN_TOKENS, key_func=get_remote_address, deduct_when=_unknown)(view)
    return decorate


@bp.after_request
def _private(response):
    # The page is one person's: never cached, and the token in its address never sent elsewhere.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(429)
def _too_many(_error):
    return render_template("selfreport/message.html", title=_("Too many tries"),
                           message=_("Too many tries in a short time. Wait a few minutes and try again, or press the "
                                     "call button in your room.")), 429


def _open(token: str):
    """(link, resident) or a response: a page saying why the link does not open."""
    link = link_from_token(token)
    if link is None:
        return None, (render_template("selfreport/message.html", title=_("This link does not work"),
                                      message=_("This link is not valid (any more). Ask the staff for a new door card.")),
                      404)
    resident = resident_of(link)
    if resident is None:
        return None, render_template("selfreport/message.html", title=_("Not checked in yet"),
                                     message=_("Your link works once the staff have checked you in. If you have been "
                                               "checked in, ask the staff."))
    return (link, resident), None


def _page(token: str, resident: Resident, report_form: ReportForm, request_form: RequestForm, status: int = 200):
    today = reports.reports_today(resident.person.id)
    return render_template("selfreport/resident.html", token=token, resident=resident, today=today,
                           requests=reports.my_requests(resident.person.id), form=report_form,
                           request_form=request_form, day=local_today(), fever=reports.FEVER_CELSIUS), status


def _default_period() -> str:
    # Before 2 p.m. it is the morning reading, as on the staff's temperature pages.
    return "morning" if utc_to_local(datetime.now(timezone.utc)).hour < 14 else "evening"


@bp.route("/r/<token>")
@_limited(READS)
def resident(token: str):
    opened, refusal = _open(token)
    if refusal:
        return refusal
    _link, who = opened
    return _page(token, who, ReportForm(period=_default_period()), RequestForm())


@bp.route("/r/<token>/report", methods=["POST"])
@_limited(WRITES)
def report(token: str):
    opened, refusal = _open(token)
    if refusal:
        return refusal
    link, who = opened
    form = ReportForm()
    if form.validate_on_submit():
        try:
            saved = reports.record_report(who, link, form.period.data, form.value, form.symptoms.data or [],
                                          form.note.data or "")
        except DomainError as exc:
            db.session.rollback()
            form.celsius.errors = list(form.celsius.errors) + [str(exc)]
        else:
            if saved.celsius is not None and saved.celsius >= reports.FEVER_CELSIUS:
                flash(_("Saved. %(t).1f °C is a fever: the medical staff have been told and will come to you.",
                        t=saved.celsius), "warning")
            else:
                flash(_("Saved. Thank you."), "success")
            return redirect(url_for("selfreport.resident", token=token, _anchor="today"))
    return _page(token, who, form, RequestForm(), 400)


@bp.route("/r/<token>/request", methods=["POST"])
@_limited(WRITES)
def ask(token: str):
    opened, refusal = _open(token)
    if refusal:
        return refusal
    _link, who = opened
    form = RequestForm()
    if form.validate_on_submit():
        try:
            reports.add_request(who, form.kind.data, form.text.data or "")
        except DomainError as exc:
            db.session.rollback()
            form.text.errors = list(form.text.errors) + [str(exc)]
        else:
            flash(_("Your request has been sent to the staff."), "success")
            return redirect(url_for("selfreport.resident", token=token, _anchor="requests"))
    return _page(token, who, ReportForm(period=_default_period()), form, 400)
