from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from quarantine.access import roles_required
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _, _l
from quarantine.models import AreaType, Category, Diet, Need, Policy, ZoneType
from quarantine.policies import services
from quarantine.policies.aliases import aliases_by_code, remove_alias
from quarantine.policies.forms import PolicyForm, VocabularyForm

bp = Blueprint("policies", __name__, url_prefix="/policy")

# The editable lists; each is a table of code + Chinese + English names.
VOCABULARIES = {
    "categories": (Category, _l("Categories of people")),
    "needs": (Need, _l("Needs")),
    "diets": (Diet, _l("Diets")),
    "zone_types": (ZoneType, _l("Zone types")),
    "area_types": (AreaType, _l("Functional area types")),
}


@bp.route("/")
@roles_required("admin", "hq")
def list_policies():
    policies = db.session.scalars(select(Policy).where(Policy.superseded_at.is_(None))
                                  .order_by(Policy.effective_from.desc())).all()
    return render_template("policies/list.html", policies=policies)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin", "hq")
def new_policy():
    form = PolicyForm()
    if form.validate_on_submit():
        policy = Policy()
        form.populate_obj(policy)
        db.session.add(policy)
        db.session.commit()
        flash(_("Policy saved."), "success")
        return redirect(url_for("policies.list_policies"))
    return render_template("policies/form.html", form=form, policy=None)


@bp.route("/<int:policy_id>", methods=["GET", "POST"])
@roles_required("admin", "hq")
def edit_policy(policy_id: int):
    policy = db.session.get(Policy, policy_id) or abort(404)
    if policy.superseded_by_id is not None:  # an earlier version: its edits go to the current one
        return redirect(url_for("policies.edit_policy", policy_id=services.current_version(policy).id))
    form = PolicyForm(obj=policy, policy_id=policy.id)
    if form.validate_on_submit():
        saved = services.edit_policy(policy, form.populate_obj)
        db.session.commit()
        if saved is policy:
            flash(_("Policy saved."), "success")
        else:
            flash(_("Policy saved as a new version; people who arrived under the earlier one keep it."), "success")
        return redirect(url_for("policies.list_policies"))
    return render_template("policies/form.html", form=form, policy=policy)


@bp.route("/lists")
@roles_required("admin")
def vocabularies():
    lists = {name: (title, db.session.scalars(select(model).order_by(model.sort, model.code)).all())
             for name, (model, title) in VOCABULARIES.items()}
    aliases = {name: aliases_by_code(name) for name in VOCABULARIES}
    return render_template("policies/vocabularies.html", lists=lists, aliases=aliases)


@bp.route("/lists/aliases/<int:alias_id>/delete", methods=["POST"])
@roles_required("admin")
def delete_alias(alias_id: int):
    try:
        alias = remove_alias(alias_id)
        flash(_("Spelling “%(alias)s” removed: rosters that use it will ask again.", alias=alias.alias), "success")
    except DomainError as exc:
        flash(str(exc), "error")
    return redirect(url_for("policies.vocabularies"))


@bp.route("/lists/<name>/<code>", methods=["GET", "POST"])
@bp.route("/lists/<name>/new", methods=["GET", "POST"], defaults={"code": None})
@roles_required("admin")
def edit_vocabulary(name: str, code: str | None):
    if name not in VOCABULARIES:
        abort(404)
    model, title = VOCABULARIES[name]
    item = db.session.get(model, code) if code else None
    if code and item is None:
        abort(404)
    form = VocabularyForm(obj=item)
    if item is not None:
        form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        if item is None:
            if db.session.get(model, form.code.data):
                form.code.errors.append(_("This code is already in the list."))
                return render_template("policies/vocabulary_form.html", form=form, title=title, item=item,
                                       aliases=[]), 400
            item = model(code=form.code.data)
            db.session.add(item)
        item.label_zh, item.label_en = form.label_zh.data.strip(), form.label_en.data.strip()
        item.sort, item.active = form.sort.data or 0, form.active.data
        db.session.commit()
        flash(_("List saved."), "success")
        return redirect(url_for("policies.vocabularies"))
    return render_template("policies/vocabulary_form.html", form=form, title=title, item=item,
                           aliases=aliases_by_code(name).get(code, []) if code else [])
