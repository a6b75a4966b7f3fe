from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from quarantine.access import roles_required
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Site, User
from quarantine.users import services
from quarantine.users.forms import UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


def _form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.sites.choices = [(s.id, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))]
    return form


@bp.route("/")
@roles_required("admin")
def list_users():
    users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("users/list.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = _form()
    if form.validate_on_submit():
        user, password = services.create_user(form.username.data, form.role.data, form.display_name.data or "",
                                              form.sites.data or [])
        return _password_once(user, password, _("Account %(user)s created.", user=user.username))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = _form(obj=user, user_id=user.id)
    if not form.is_submitted():
        form.sites.data = [s.id for s in user.sites]
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            form.role.errors = list(form.role.errors) + [_("You cannot remove your own administrator access.")]
        else:
            services.save_account(user, form.username.data, form.display_name.data or "", form.role.data,
                                  form.active.data, form.sites.data or [])
            if user.id == current_user.id:
                login_user(user)  # an administrator editing their own account stays signed in here
            flash(_("Account saved."), "success")
            return redirect(url_for("users.list_users"))
    return render_template("users/form.html", form=form, user=user)


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@roles_required("admin")
def reset_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    password = services.reset_password(user)
    return _password_once(user, password, _("New password for %(user)s; every session of the account has ended.",
                                            user=user.username))


def _password_once(user: User, password: str, heading: str):
    """The password on this page only: never in a flash message, which would travel in the session cookie."""
    response = make_response(render_template("users/password_once.html", user=user, password=password,
                                             heading=heading))
    response.headers["Cache-Control"] = "no-store"
    return response
