from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from quarantine.auth import signin
from quarantine.auth.forms import LoginForm, PasswordChangeForm
from quarantine.extensions import limiter
from quarantine.i18n import _
from quarantine.users import services as users

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow same-site relative redirects after login."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


def _failed(response) -> bool:
    """Only refused sign-ins count towards the limits (a success redirects)."""
    return request.method == "POST" and response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin.PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=_failed,
               scope="sign-in-address")
@limiter.limit(signin.PER_ACCOUNT, key_func=signin.account_key, methods=["POST"], deduct_when=_failed,
               scope="sign-in-account")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = signin.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong username or password, or the account is disabled."), "error")
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in
            if lang:
                session["lang"] = lang
            login_user(user)
            signin.signed_in(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.errorhandler(429)
def _too_many_sign_ins(_error):
    signin.throttled()
    if request.endpoint == "auth.change_password":
        flash(_("Too many wrong current passwords. Wait a few minutes and try again."), "error")
        return render_template("auth/password.html", form=PasswordChangeForm(username=current_user.username)), 429
    flash(_("Too many refused sign-ins for this account or from this address. Wait a few minutes and try again, "
            "or ask an administrator for a new password."), "error")
    return render_template("auth/login.html", form=LoginForm()), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    signin.sign_out(current_user._get_current_object())
    logout_user()
    flash(_("You have signed out, on this device and everywhere else."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
# Whoever holds a session could otherwise guess the account's password here without limit.
@limiter.limit(signin.PER_ACCOUNT, key_func=lambda: f"password:{current_user.id}", methods=["POST"],
               deduct_when=_failed, scope="password-change")
def change_password():
    form = PasswordChangeForm(username=current_user.username)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors = [*form.current.errors, _("This is not your current password.")]
        else:
            user = current_user._get_current_object()
            users.change_own_password(user, form.new.data)
            login_user(user)  # this session goes on with the new version; the others have ended
            flash(_("Password changed. Every other session of your account has ended."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/lang/<code>")
def set_language(code: str):
    if code not in ("zh", "en"):
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next") or request.referrer and urlsplit(request.referrer).path))
