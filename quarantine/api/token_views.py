"""The administrators' page of API tokens: every token with its user, made, last used; revoke, or make
one for a user (shown once)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from quarantine.access import roles_required
from quarantine.api.tokens import all_tokens, make_token, revoke
from quarantine.extensions import db
from quarantine.form_fields import AppForm
from quarantine.i18n import _, _l
from quarantine.models import ApiToken, User

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens")


class NewTokenForm(AppForm):
    user_id = SelectField(_l("Account"), coerce=int)
    label = StringField(_l("What it is for"), validators=[Optional(), Length(max=100)],
                        description=_l("e.g. the province's dashboard"))
    submit = SubmitField(_l("Make a token"))


class RevokeForm(AppForm):
    submit = SubmitField(_l("Revoke"))


def _new_form() -> NewTokenForm:
    form = NewTokenForm()
    form.user_id.choices = [(u.id, f"{u.username} ({u.role})") for u in
                            db.session.scalars(select(User).where(User.active).order_by(User.username))]
    return form


@bp.route("/", methods=["GET", "POST"])
@roles_required("admin")
def list_tokens():
    form = _new_form()
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) or abort(404)
        token, _row = make_token(user, form.label.data or "")
        db.session.commit()
        flash(_("Token for %(user)s, shown only now: %(token)s", user=user.username, token=token), "success")
        return redirect(url_for("api_tokens.list_tokens"))
    return render_template("api/tokens.html", tokens=all_tokens(), form=form, revoke_form=RevokeForm())


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@roles_required("admin")
def revoke_token(token_id: int):
    row = db.session.get(ApiToken, token_id) or abort(404)
    if RevokeForm().validate_on_submit():
        revoke(row, current_user)
        db.session.commit()
        flash(_("Token %(prefix)s… revoked.", prefix=row.prefix), "success")
    return redirect(url_for("api_tokens.list_tokens"))
