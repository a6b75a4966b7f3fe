from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from quarantine.access import READ_ROSTERS, roles_required, site_or_404
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.localtime import local_today, local_zone
from quarantine.meals import services
from quarantine.meals.forms import MealTimesForm, RosterChoiceForm, day_choices
from quarantine.models import MEALS, Diet, Need, Site
from quarantine.paging import page_arg, row_id
from quarantine.sites.listing import site_page

bp = Blueprint("meals", __name__, url_prefix="/meals")


@bp.route("/")
@roles_required(*READ_ROSTERS)
def index():
    q = request.args.get("q", "")
    page = site_page(q, page_arg())
    form = RosterChoiceForm(request.args)
    # The sites of this page to choose from, and the one asked for if the user may see it.
    chosen = request.args.get("site_id", type=row_id)
    asked = [db.session.get(Site, chosen)] if chosen and current_user.can_see_site(chosen) else []
    form.site_id.choices = [(s.id, s.name) for s in {s.id: s for s in [*page.items, *asked] if s}.values()]
    form.day.choices = day_choices(services.roster_days(), local_today())
    if "site_id" in request.args or "meal" in request.args:
        if form.validate():
            return redirect(url_for("meals.roster", site_id=form.site_id.data, meal=form.meal.data,
                                    day=form.day.data or None))
        return render_template("meals/index.html", page=page, sites=page.items, q=q, form=form), 400
    return render_template("meals/index.html", page=page, sites=page.items, q=q, form=form)


def _day_arg() -> date | None:
    """The roster's day: today unless asked; None for a day outside today and the coming week."""
    raw = request.args.get("day")
    if not raw:
        return local_today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if day in services.roster_days() else None


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    """Diet and need labels in the user's language, looked up once for a roster of thousands."""
    return ({d.code: vocab_label(d) for d in db.session.scalars(select(Diet))},
            {n.code: vocab_label(n) for n in db.session.scalars(select(Need))})


@bp.route("/sites/<int:site_id>/roster")
@roles_required(*READ_ROSTERS)
def roster(site_id: int):
    site = site_or_404(site_id)
    meal = request.args.get("meal")
    if meal is not None and meal not in MEALS:
        abort(404)
    day, today = _day_arg(), local_today()
    if day is None:
        last = services.roster_days()[-1]
        flash(_("Rosters are printed for today and the coming week, up to %(last)s: choose one of those days.",
                last=last.isoformat()), "error")
        return redirect(url_for("meals.roster", site_id=site.id, meal=meal))
    meal = meal or (services.next_meal(site, _local_now()) if day == today else MEALS[0])
    diets, needs = _labels()
    return render_template("meals/roster.html", roster=services.meal_roster(site, meal, day), site=site,
                           diets=diets, needs=needs, masked=request.args.get("masked") == "1",
                           days=day_choices(services.roster_days(), today),
                           arriving=_("arriving %(at)s", at="{at}"))


@bp.route("/sites/<int:site_id>/week")
@roles_required(*READ_ROSTERS)
def week(site_id: int):
    """The kitchen's totals for every meal of today and the coming week, arrivals counted."""
    site = site_or_404(site_id)
    today = local_today()
    diets, _needs = _labels()
    return render_template("meals/week.html", site=site, week=services.week_counts(site), diets=diets,
                           labels=dict(day_choices(services.roster_days(), today)))


@bp.route("/sites/<int:site_id>/times", methods=["GET", "POST"])
@roles_required(*READ_ROSTERS)
def meal_times(site_id: int):
    site = site_or_404(site_id)
    form = MealTimesForm(data=services.meal_times(site) if request.method == "GET" else None)
    if form.validate_on_submit():
        services.save_meal_times(site, form.times)
        flash(_("Meal times saved."), "success")
        return redirect(url_for("meals.roster", site_id=site.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meals/times.html", site=site, form=form), status


def _local_now() -> datetime:
    return datetime.now(local_zone()).replace(tzinfo=None)
