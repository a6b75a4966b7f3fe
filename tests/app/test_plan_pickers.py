"""The hand-move picker speaks the user's language: rooms with free beds, accessibility and the floor's
cohort as category labels and batch codes, people with their room label; never internal keys."""
from __future__ import annotations

import json

from quarantine.stays import lifecycle
from quarantine.transfers import planning
from tests.app.transfer_helpers import add_people, make_batch


def test_rooms_and_people_in_the_picker_in_chinese(db, make_site, make_person, make_user, signed_in):
    site = make_site("Hotel", ready=True, floors=(1, 2), rooms_per_floor=3, beds=2)
    clerk = make_user("admin")
    resident = make_person("住客", site_id=site.id, category_code="secondary_contact")
    lifecycle.check_in(resident, site.buildings[0].rooms[0].id, clerk)  # floor 1 holds someone without a batch
    batch = make_batch(db, "TK-7")
    add_people(db, batch, 2)
    client = signed_in("hq")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    run = planning.queue_plan([batch], client.user, time_limit=2)
    db.session.refresh(run)
    rooms = json.loads(client.get(f"/transfers/plans/{run.id}/rooms.json?site=S{site.id}").data)
    floor_one = next(r for r in rooms if r["floor"] == 1)
    texts = [c["text"] for c in floor_one["cohort"]]
    assert texts == ["次密接 · 无批次"], texts
    assert all("contact" not in t and "none" not in t for r in rooms for t in (c["text"] for c in r["cohort"]))
    assert all(r["label"].startswith("A-") for r in rooms)
    people = json.loads(client.get(f"/transfers/plans/{run.id}/people.json?q=TK-7").data)
    assert people and all(p["room"] is None or p["room"].startswith("A-") for p in people)
    page = client.get(f"/transfers/plans/{run.id}").get_data(as_text=True)
    assert 'data-room-free="{beds}张床位中空闲{free}张"' in page and 'data-floor-empty="本层无人"' in page
