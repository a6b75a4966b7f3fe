"""Printouts of a committed plan: bus manifests, arrival room lists, door cards, exports."""

from flask import Response, abort, render_template, request
from flask_login import current_user

from quarantine.access import roles_required
from quarantine.audit import trail
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import PlanRun
from quarantine.paging import row_id
from quarantine.policies.services import policy_in_force
from quarantine.selfreport import links
from quarantine.selfreport.qr import qr_svg
from quarantine.transfers import manifests
from quarantine.transfers.routes import bp


def _committed_run(run_id: int) -> PlanRun:
    run = db.session.get(PlanRun, run_id)
    if run is None or run.status != "committed":
        abort(404)
    return run


def _headers() -> list[str]:
    return [_("Bus"), _("Destination site"), _("Household"), _("Name"), _("Sex"), _("Age"), _("ID number"),
            _("Phone"), _("Room")]


def _site_arg() -> int | None:
    """Printouts are made per site (a bus goes to one site; a room list is read at one site)."""
    return request.args.get("site", type=row_id)


@bp.route("/plans/<int:run_id>/prints")
@roles_required("admin", "hq")
def print_index(run_id: int):
    run = _committed_run(run_id)
    return render_template("transfers/print_index.html", run=run, sites=manifests.sites_of_run(run))


@bp.route("/plans/<int:run_id>/manifests")
@roles_required("admin", "hq")
def print_manifests(run_id: int):
    run = _committed_run(run_id)
    policy = policy_in_force(local_today())
    buses = manifests.plan_buses(run, policy, _site_arg())
    return render_template("transfers/print_manifests.html", run=run, buses=buses, policy=policy,
                           mask_id=manifests.mask_id, site_id=_site_arg())


@bp.route("/plans/<int:run_id>/manifests.<any(csv, xlsx):fmt>")
@roles_required("admin", "hq")
def export_manifests(run_id: int, fmt: str):
    run = _committed_run(run_id)
    buses = manifests.plan_buses(run, site_id=_site_arg())
    if fmt == "csv":
        body, mimetype = manifests.manifest_csv(buses, _headers()), "text/csv; charset=utf-8"
    else:
        body = manifests.manifest_xlsx(buses, _headers())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    trail.record("export", entity="plan_runs", entity_id=run.id, site_id=_site_arg(), detail=f"manifests.{fmt}",
                 commit=True)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=manifest-run-{run.id}.{fmt}"})


@bp.route("/plans/<int:run_id>/room-lists")
@roles_required("admin", "hq")
def print_room_lists(run_id: int):
    run = _committed_run(run_id)
    return render_template("transfers/print_room_lists.html", run=run, lists=manifests.arrival_lists(run, _site_arg()))


@bp.route("/plans/<int:run_id>/door-cards")
@roles_required("admin", "hq")
def print_door_cards(run_id: int):
    """One card per room, each person with the QR code of their own self-report link (issued on first print)."""
    run = _committed_run(run_id)
    lists = manifests.arrival_lists(run, _site_arg())
    people = [p for arrivals in lists for _room, members in arrivals.rooms for p in members]
    live = links.live_links([p.id for p in people], current_user)
    qr = {p.id: qr_svg(links.url_for_link(live[p.id])) for p in people}
    return render_template("transfers/print_door_cards.html", run=run, lists=lists, qr=qr)
