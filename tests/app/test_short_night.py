"""The demo county's short night, end to end: the roster of 100 arrives while two of the ready backup
hotels are closed for the night, so the beds left take fewer than all of them; the plan places the
proven most, the rest are grouped by reason with the backup sites that would help, and a commit
leaves the batch saying who still waits."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quarantine.models import PlanRun, Site, TransferBatch
from quarantine.transfers import plan_store, planning
from quarantine.transfers.roster_import import check_roster, import_roster


def _demo_with_roster(app, db) -> TransferBatch:
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for name in ("金源酒店 Jinyuan Hotel", "汇通商务酒店 Huitong Business Hotel"):
        db.session.scalar(select(Site).where(Site.name == name)).status = "standby"
    db.session.commit()
    batch = db.session.scalar(select(TransferBatch).where(TransferBatch.code == "TK-1123"))
    data = (Path(current_app.instance_path) / "demo-roster-TK-1123.xlsx").read_bytes()
    report = check_roster(data, "demo-roster-TK-1123.xlsx")
    assert report.is_clean, report.problems[:3]
    households = {s.key for s in report.suggested_households}
    assert import_roster(batch, report, drop_bad_rows=False, confirmed_households=households,
                         default_category=None) == 100
    return batch


def test_the_demo_night_places_the_proven_most_and_says_what_would_help(app, db, signed_in):
    batch = _demo_with_roster(app, db)
    client = signed_in("hq")
    run = planning.queue_plan([batch], None, time_limit=8)
    run = db.session.get(PlanRun, run.id)
    assert run.status == "done"
    assert run.placed < 100 and run.placed_bound == run.placed and run.placed_bound_status == "proven"
    reasons = plan_store.reasons_of(run)
    assert len(reasons) == 100 - run.placed and all(r.code != "text" for r in reasons.values())

    page = client.get(f"/transfers/plans/{run.id}").get_data(as_text=True)
    assert f'id="stat-bound">{run.placed}<' in page
    assert f"No valid plan places more than {run.placed} of these 100 people" in page
    groups = page.count('class="reason-group"')
    assert 1 <= groups < len(reasons)  # one line per reason, not one per person
    assert "/prepare" in page  # a backup site to prepare, with what it lacks

    assert client.post(f"/transfers/plans/{run.id}/commit").status_code == 302
    listing = client.get("/transfers/").get_data(as_text=True)
    assert f"{100 - run.placed} of 100 waiting for a bed" in listing


def test_the_chinese_review_shows_reasons_in_chinese(app, db, signed_in):
    batch = _demo_with_roster(app, db)
    run = planning.queue_plan([batch], None, time_limit=8)
    client = signed_in("hq")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    page = client.get(f"/transfers/plans/{run.id}").get_data(as_text=True)
    rows = page.split('id="unassigned-table"')[1].split("</table>")[0].split('<tr class="reason-group">')[1:]
    reasons = [row.split("<td>")[1].split("</td>")[0] for row in rows]
    assert reasons
    english = ("left at ready sites", "household of", "beds short", "every free floor", "not placed")
    assert not [r for r in reasons if any(word in r for word in english)], reasons
