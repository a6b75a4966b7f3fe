"""Supplies: stock as the sum of append-only movements (a count corrects it), refusals that write
nothing, days of cover at a generated site, daily use per policy, items, and who may do what."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from quarantine.errors import DomainError
from quarantine.localtime import local_today
from quarantine.models import Policy, PolicySupplyRate, Reservation, StockBalance, StockMovement, SupplyItem
from quarantine.policies.services import policy_in_force
from quarantine.stays import beds
from quarantine.supplies import cover, services
from tests.app.health_helpers import admin, policy14, settle  # noqa: F401
from tests.conftest import staff_for_beds


def text(response) -> str:
    return response.get_data(as_text=True)


def item(db, code: str) -> SupplyItem:
    return db.session.scalar(select(SupplyItem).where(SupplyItem.code == code))


@pytest.fixture
def reserve(db):
    return services.county_stores()[0]


def movement_count(db) -> int:
    return db.session.scalar(select(func.count(StockMovement.id)))


def balance(db, store, it) -> int | None:
    db.session.expire_all()
    row = db.session.get(StockBalance, (store.id, it.id))
    return None if row is None else row.quantity


# --- stock from movements -----------------------------------------------------------------------

def test_stock_is_the_sum_of_movements_and_a_count_corrects_it(db, make_site, reserve, admin):
    site = make_site("Welfare centre")
    masks, suits = item(db, "n95_mask"), item(db, "protective_suit")
    services.receive(reserve, masks, 1000, admin, "delivery note 17")
    services.receive(reserve, suits, 200, admin)
    store = services.site_store(site, create=True)
    services.send(reserve, store, [(masks, 300), (suits, 50)], admin, "truck 1")
    services.issue(store, masks, 120, admin)
    # The count finds 175 masks where the movements say 180: the difference is its own movement.
    counted = services.count(store, masks, 175, admin, "five damaged")
    assert (counted.kind, counted.counted, counted.quantity) == ("count", 175, -5)
    again = services.count(store, masks, 175, admin)  # a count that agrees records a difference of 0
    assert (again.quantity, again.counted) == (0, 175)

    levels = services.stock_levels([reserve.id, store.id])
    assert levels[reserve.id] == {masks.id: 700, suits.id: 150}
    assert levels[store.id] == {masks.id: 175, suits.id: 50}
    # The lockable balance rows agree with the sums.
    assert [balance(db, reserve, masks), balance(db, store, masks), balance(db, store, suits)] == [700, 175, 50]
    # Every movement is kept: the transfer is one movement out and one in, on both sides.
    kinds = db.session.execute(select(StockMovement.store_id, StockMovement.kind, StockMovement.quantity)
                               .where(StockMovement.item_id == masks.id).order_by(StockMovement.id)).all()
    assert kinds == [(reserve.id, "received", 1000), (reserve.id, "transfer_out", -300), (store.id, "transfer_in", 300),
                     (store.id, "issued", -120), (store.id, "count", -5), (store.id, "count", 0)]
    history = services.history(store)
    assert history[0].id == again.id and history[-1].kind == "transfer_in"
    assert history[-1].other_store_id == reserve.id and history[-1].user_id == admin.id


def test_a_count_can_raise_stock_found_uncounted(db, make_site, admin):
    store = services.site_store(make_site("Hotel"), create=True)
    gloves = item(db, "gloves")
    services.count(store, gloves, 40, admin, "boxes found in the store room")
    assert services.stock_of(store) == {gloves.id: 40}


@pytest.mark.parametrize("action", ["issue", "send"])
def test_a_movement_that_would_go_negative_is_refused_and_writes_nothing(db, make_site, reserve, admin, action):
    store = services.site_store(make_site("Hotel"), create=True)
    tests_ = item(db, "antigen_test")
    services.receive(reserve, tests_, 10, admin)
    before = movement_count(db)
    with pytest.raises(DomainError, match="holds 10 tests of Antigen test; 11 cannot leave it"):
        if action == "issue":
            services.issue(reserve, tests_, 11, admin)
        else:
            services.send(reserve, store, [(tests_, 11)], admin)
    assert movement_count(db) == before
    assert services.stock_of(reserve) == {tests_.id: 10} and services.stock_of(store) == {}
    assert balance(db, reserve, tests_) == 10


def test_a_send_of_several_items_is_all_or_nothing(db, make_site, reserve, admin):
    store = services.site_store(make_site("Hotel"), create=True)
    beds, bedding = item(db, "bed"), item(db, "bedding_set")
    services.receive(reserve, beds, 100, admin)
    services.receive(reserve, bedding, 20, admin)
    with pytest.raises(DomainError, match="Bedding set"):
        services.send(reserve, store, [(beds, 60), (bedding, 60)], admin)
    assert services.stock_of(reserve) == {beds.id: 100, bedding.id: 20}
    assert services.stock_of(store) == {}


@pytest.mark.parametrize("quantity", [0, -3, services.MAX_QUANTITY + 1])
def test_quantities_outside_the_range_are_refused(db, reserve, admin, quantity):
    with pytest.raises(DomainError, match="whole number from 1"):
        services.receive(reserve, item(db, "gloves"), quantity, admin)
    assert movement_count(db) == 0


def test_movements_are_never_overwritten(db, reserve, admin):
    movement = services.receive(reserve, item(db, "gloves"), 50, admin, "first")
    movement.quantity = 500
    with pytest.raises(ValueError, match="part of the record"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(StockMovement, movement.id))
    with pytest.raises(ValueError, match="part of the record"):
        db.session.commit()
    db.session.rollback()
    # Below the application too: the database refuses to change what a movement recorded.
    with pytest.raises(DBAPIError, match="never changed"):
        db.session.execute(sql("UPDATE stock_movements SET quantity = 500 WHERE id = :id"), {"id": movement.id})
    db.session.rollback()
    assert db.session.get(StockMovement, movement.id).quantity == 50


# --- days of cover --------------------------------------------------------------------------------

@pytest.fixture
def occupied_site(db, make_site, make_person, admin, policy14):
    """12 one-bed rooms: 6 residents checked in, 3 people expected with reserved beds, 4 staff on duty."""
    site = make_site("Generated hotel", floors=(1, 3), rooms_per_floor=4, ready=True, staffed=False)
    staff_for_beds(db, site, 50)  # 1 doctor + 1 nurse
    staff_for_beds(db, site, 50)
    db.session.commit()
    rooms = site.buildings[0].rooms
    for i, room in enumerate(rooms[:6]):
        settle(make_person, site, room.label, admin, arrived=local_today() - timedelta(days=2), name=f"住户{i}")
    for i, room in enumerate(rooms[6:9]):
        person = make_person(f"在途{i}", site_id=site.id, status="expected")
        db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
    # The beds are held as a committed plan holds them.
    beds.reserve_in_bulk({room.id: 1 for room in rooms[6:9]}, datetime.now(timezone.utc))
    db.session.commit()
    return site


def set_rates(db, policy: Policy, code: str, per_resident: float, per_staff: float) -> None:
    cover.save_rates(policy, {item(db, code).id: cover.Rate(per_resident, per_staff)})


def test_days_of_cover_at_the_current_and_forecast_occupancy(db, occupied_site, reserve, admin, policy14):
    site = occupied_site
    set_rates(db, policy14, "medical_mask", 2, 3)    # 6 residents, 4 staff: 24 a day; forecast 9: 30 a day
    set_rates(db, policy14, "protective_suit", 0, 2)  # staff only: 8 a day now and in the forecast
    store = services.site_store(site, create=True)
    services.receive(store, item(db, "medical_mask"), 120, admin)
    services.receive(store, item(db, "protective_suit"), 20, admin)

    occupancy, rows = cover.site_cover(site)
    assert (occupancy.residents, occupancy.expected, occupancy.staff) == (6, 3, 4)
    by_code = {row.item.code: row for row in rows}
    masks, suits, beds = by_code["medical_mask"], by_code["protective_suit"], by_code["bed"]
    assert (masks.now.daily_use, masks.now.days) == (24, 5.0)
    assert (masks.forecast.daily_use, masks.forecast.days) == (30, 4.0)
    assert suits.now.days == suits.forecast.days == 2.5
    assert beds.now.days is None  # not used up day by day
    threshold = policy14.supply_warning_days
    assert threshold == 3
    assert not masks.short and suits.short and not beds.short

    # The same arithmetic with any occupancy, e.g. a forecast of 20 residents and 6 staff.
    forecast = {c.item.code: c for c in cover.days_of_cover(site, residents=20, staff=6)}
    assert forecast["medical_mask"].daily_use == 58 and forecast["medical_mask"].days == pytest.approx(120 / 58)


def test_site_page_and_supplies_page_flag_items_under_the_threshold(db, occupied_site, signed_in, admin, policy14):
    site = occupied_site
    set_rates(db, policy14, "protective_suit", 0, 2)
    services.receive(services.site_store(site, create=True), item(db, "protective_suit"), 20, admin)
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/supplies/sites/{site.id}"))
    row = page.split('data-item="protective_suit"')[1].split("</tr>")[0]
    assert 'class="short"' in page.split('data-item="protective_suit"')[0][-30:]
    assert ">20<" in row and ">2.5<" in row
    site_page = text(client.get(f"/sites/{site.id}"))
    flags = site_page.split('id="supply-flags"')[1].split("</section>")[0]
    assert "Protective suit 2.5" in flags and "Fewer than 3 days" in flags


def test_a_policy_with_a_higher_threshold_flags_more(db, occupied_site, admin, policy14):
    site = occupied_site
    set_rates(db, policy14, "medical_mask", 2, 3)
    services.receive(services.site_store(site, create=True), item(db, "medical_mask"), 120, admin)
    assert not next(r for r in cover.site_cover(site)[1] if r.item.code == "medical_mask").short
    policy14.supply_warning_days = 7
    db.session.commit()
    assert next(r for r in cover.site_cover(site)[1] if r.item.code == "medical_mask").short


def test_county_cover_adds_every_store_and_every_site(db, occupied_site, make_site, reserve, admin, policy14):
    set_rates(db, policy14, "medical_mask", 2, 3)
    other = make_site("Empty backup", kind="backup")
    services.receive(reserve, item(db, "medical_mask"), 500, admin)
    services.send(reserve, services.site_store(other, create=True), [(item(db, "medical_mask"), 100)], admin)
    services.receive(services.site_store(occupied_site, create=True), item(db, "medical_mask"), 20, admin)
    total, rows = cover.county_cover([occupied_site, other])
    row = next(r for r in rows if r.item.code == "medical_mask")
    assert (row.in_reserve, row.at_sites, row.total) == (400, 120, 520)
    assert (total.residents, total.expected, total.staff) == (6, 3, 4)
    assert row.cover.now.daily_use == 24 and row.cover.forecast.days == pytest.approx(520 / 30)


# --- daily use per policy ---------------------------------------------------------------------------

def test_policy_page_edits_daily_use_and_a_new_policy_inherits_it(db, signed_in):
    client = signed_in("hq")
    policy = policy_in_force(local_today())
    page = text(client.get(f"/policy/{policy.id}"))
    assert f"/supplies/policies/{policy.id}/daily-use" in page
    form = text(client.get(f"/supplies/policies/{policy.id}/daily-use"))
    rows = form.count('name="rows-')
    assert rows == 3 * len(services.items(include_inactive=True))  # item id, per resident, per staff
    data = {}
    for i, it in enumerate(services.items(include_inactive=True)):
        data[f"rows-{i}-item_id"] = str(it.id)
        data[f"rows-{i}-per_resident"] = "1.5" if it.code == "n95_mask" else "0"
        data[f"rows-{i}-per_staff"] = "6" if it.code == "n95_mask" else "0"
    assert client.post(f"/supplies/policies/{policy.id}/daily-use", data=data).status_code == 302
    masks = item(db, "n95_mask")
    assert cover.rates_for(policy)[masks.id] == cover.Rate(1.5, 6)

    newer = Policy(name="Newer", effective_from=local_today() + timedelta(days=1), quarantine_days=7,
                   pcr_test_days="1,7")
    db.session.add(newer)
    db.session.commit()
    assert cover.rates_for(newer)[masks.id] == cover.Rate(1.5, 6)  # inherited until edited
    set_rates(db, newer, "n95_mask", 0, 3)
    assert cover.rates_for(newer)[masks.id] == cover.Rate(0, 3)
    assert cover.rates_for(policy)[masks.id] == cover.Rate(1.5, 6)


@pytest.mark.parametrize("value,message", [("-1", "between 0 and 100"), ("lots", "Not a valid float value."),
                                           ("", "This field is required.")])
def test_daily_use_refuses_bad_input_and_saves_nothing(db, signed_in, value, message):
    client = signed_in("admin")
    policy = policy_in_force(local_today())
    before = db.session.execute(select(PolicySupplyRate.item_id, PolicySupplyRate.per_staff)
                                .where(PolicySupplyRate.policy_id == policy.id).order_by(PolicySupplyRate.item_id)).all()
    data = {}
    for i, it in enumerate(services.items(include_inactive=True)):
        data.update({f"rows-{i}-item_id": str(it.id), f"rows-{i}-per_resident": "9", f"rows-{i}-per_staff": "9"})
    data["rows-2-per_staff"] = value
    response = client.post(f"/supplies/policies/{policy.id}/daily-use", data=data)
    assert response.status_code == 400
    errors = text(response).split('id="bulk-errors"')[1].split("</div>")[0]
    assert message in errors and "N95 mask" in errors
    db.session.expire_all()
    assert db.session.execute(select(PolicySupplyRate.item_id, PolicySupplyRate.per_staff)
                              .where(PolicySupplyRate.policy_id == policy.id)
                              .order_by(PolicySupplyRate.item_id)).all() == before


# --- items ------------------------------------------------------------------------------------------

GOOD_ITEM = {"code": "goggles", "label_zh": "护目镜", "label_en": "Goggles", "unit_zh": "副", "unit_en": "pairs",
             "per_bed": "0", "sort": "200", "active": "y"}


def test_items_are_added_and_edited(db, signed_in):
    client = signed_in("hq")
    assert client.post("/supplies/items", data=GOOD_ITEM).status_code == 302
    goggles = item(db, "goggles")
    assert (goggles.label_zh, goggles.unit_en, goggles.active) == ("护目镜", "pairs", True)
    assert client.post(f"/supplies/items/{goggles.id}", data={**GOOD_ITEM, "label_en": "Safety goggles",
                                                               "active": ""}).status_code == 302
    db.session.refresh(goggles)
    assert goggles.label_en == "Safety goggles" and not goggles.active
    assert goggles not in services.items()


@pytest.mark.parametrize("changes,message", [
    ({"code": "n95_mask"}, "Another item already has this code."),
    ({"code": "N95 Mask"}, "Lower-case letters, digits and _ only"),
    ({"unit_zh": ""}, "This field is required."),
    ({"per_bed": "-1"}, "between 0 and 10"),
])
def test_item_form_refuses_bad_input(db, signed_in, changes, message):
    before = len(services.items(include_inactive=True))
    response = signed_in("admin").post("/supplies/items", data={**GOOD_ITEM, **changes})
    assert response.status_code == 400 and message in text(response)
    assert len(services.items(include_inactive=True)) == before


# --- the pages, as their users use them ---------------------------------------------------------------

def move(client, site, kind, code, quantity, db, note=""):
    return client.post(f"/supplies/sites/{site.id}/movements", data={
        "move-kind": kind, "move-item_id": str(item(db, code).id), "move-quantity": str(quantity), "move-note": note})


def test_site_manager_records_use_and_counts_at_their_site(db, make_site, signed_in):
    site = make_site("Welfare centre", ready=True)
    client = signed_in("site_manager", sites=[site])
    assert move(client, site, "received", "gloves", 300, db, "donation").status_code == 302
    assert move(client, site, "issued", "gloves", 120, db).status_code == 302
    assert move(client, site, "count", "gloves", 170, db, "one box torn").status_code == 302
    store = services.site_store(site)
    assert services.stock_of(store)[item(db, "gloves").id] == 170
    page = text(client.get(f"/supplies/sites/{site.id}"))
    history = page.split('id="movements"')[1].split("</table>")[0]
    assert "one box torn" in history and ">-10<" in history and ">170<" in history and "donation" in history


@pytest.mark.parametrize("kind,quantity,message", [
    ("issued", "5", "holds 0 pairs of Gloves; 5 cannot leave it"),
    ("issued", "0", "Give a quantity of at least 1 (only a count may be 0)."),
    ("received", "-4", "Number must be between 0 and 1000000."),
    ("received", "a dozen", "Not a valid integer value."),
    ("stolen", "5", "Not a valid choice"),
])
def test_movement_form_refuses_bad_input_and_writes_nothing(db, make_site, signed_in, kind, quantity, message):
    site = make_site("Welfare centre", ready=True)
    client = signed_in("site_manager", sites=[site])
    response = move(client, site, kind, "gloves", quantity, db)
    assert response.status_code == 400
    assert message in text(response)
    assert movement_count(db) == 0
    assert services.site_store(site) is None  # not even the store was made


def test_hq_sends_from_the_county_reserve_to_a_site(db, make_site, signed_in, reserve, admin):
    site = make_site("Welfare centre", ready=True)
    services.receive(reserve, item(db, "disinfectant"), 100, admin)
    client = signed_in("hq")
    response = client.post(f"/supplies/stores/{reserve.id}/send", data={
        "send-destination_id": f"s{site.id}", "send-item_id": str(item(db, "disinfectant").id),
        "send-quantity": "30", "send-note": "豫P 12345"}, follow_redirects=True)
    assert "30 litres of Disinfectant sent to Welfare centre." in text(response)
    assert services.stock_of(reserve)[item(db, "disinfectant").id] == 70
    assert services.stock_of(services.site_store(site))[item(db, "disinfectant").id] == 30
    refused = client.post(f"/supplies/stores/{reserve.id}/send", data={
        "send-destination_id": f"s{site.id}", "send-item_id": str(item(db, "disinfectant").id), "send-quantity": "71"})
    assert refused.status_code == 400
    assert "holds 70 litres of Disinfectant; 71 cannot leave it." in text(refused)
    assert services.stock_of(reserve)[item(db, "disinfectant").id] == 70


@pytest.mark.parametrize("role,url,expected", [
    ("catering", "/supplies/", 403), ("catering", "/supplies/sites/{a}", 403), ("catering", "/supplies/items", 403),
    ("site_manager", "/supplies/sites/{b}", 404), ("site_manager", "/supplies/stores/{reserve}", 403),
    ("site_manager", "/supplies/items", 403), ("site_manager", "/supplies/policies/1/daily-use", 403),
    ("site_manager", "/supplies/sites/{a}", 200), ("hq", "/supplies/sites/{b}", 200),
])
def test_who_may_open_the_supplies_pages(db, make_site, signed_in, reserve, role, url, expected):
    a, b = make_site("Alpha", ready=True), make_site("Bravo", ready=True)
    client = signed_in(role, sites=[a] if role in ("site_manager", "catering") else [])
    assert client.get(url.format(a=a.id, b=b.id, reserve=reserve.id)).status_code == expected


@pytest.mark.parametrize("role,url,expected", [
    ("catering", "/supplies/sites/{a}/movements", 403),
    ("site_manager", "/supplies/sites/{b}/movements", 404),
    ("site_manager", "/supplies/stores/{reserve}/movements", 403),
    ("site_manager", "/supplies/stores/{reserve}/send", 403),
    ("site_manager", "/supplies/sites/{a}/send", 403),
])
def test_movements_refused_to_foreign_roles_and_sites(db, make_site, signed_in, reserve, admin, role, url, expected):
    a, b = make_site("Alpha", ready=True), make_site("Bravo", ready=True)
    services.receive(reserve, item(db, "gloves"), 10, admin)
    client = signed_in(role, sites=[a])
    before = movement_count(db)
    response = client.post(url.format(a=a.id, b=b.id, reserve=reserve.id), data={
        "move-kind": "issued", "move-item_id": str(item(db, "gloves").id), "move-quantity": "5",
        "send-destination_id": f"s{a.id}", "send-item_id": str(item(db, "gloves").id), "send-quantity": "5"})
    assert response.status_code == expected
    assert movement_count(db) == before


def test_supplies_are_in_the_navigation_except_for_catering(db, make_site, signed_in):
    site = make_site("Alpha", ready=True)
    for role, shown in (("hq", True), ("site_manager", True), ("catering", False)):
        page = text(signed_in(role, sites=[site]).get("/meals/"))
        assert ('href="/supplies/"' in page) is shown and ('href="/waste/"' in page) is shown, role

