"""A demo county: one fixed site (a welfare centre), nine backup sites (hotels and a
training centre), rooms, an earlier batch in quarantine, and a batch announced tonight."""
from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quarantine.extensions import db
from quarantine.idnumbers import check_digit
from quarantine.localtime import local_to_utc, local_today
from quarantine.models import (
    AreaType,
    Building,
    FunctionalArea,
    Passage,
    Person,
    Room,
    Site,
    StaffMember,
    TransferBatch,
    User,
    Zone,
    ZoneType,
)
from quarantine.people.services import apply_release_date
from quarantine.stays.lifecycle import check_in
from quarantine.supplies import services as stock
from quarantine.users.services import create_user
from quarantine.waste import services as waste

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然欣怡子轩梓涵思雨"
COUNTY_CODE = "411623"  # Shangshui county

# name, kind, (lat, lon), buildings [(code, floors from, to, rooms per floor, beds, lift)], ready?
SITES = [
    ("县社会福利中心 County welfare centre", "fixed", (33.543, 114.611),
     [("A", 1, 4, 12, 1, True), ("B", 1, 3, 10, 2, False)], True),
    ("城关宾馆 Chengguan Hotel", "backup", (33.552, 114.603), [("A", 2, 6, 10, 1, True)], True),
    ("金源酒店 Jinyuan Hotel", "backup", (33.528, 114.640), [("A", 1, 5, 8, 2, True)], True),
    ("汇通商务酒店 Huitong Business Hotel", "backup", (33.561, 114.588), [("A", 2, 7, 9, 1, True)], True),
    ("颍河宾馆 Yinghe Hotel", "backup", (33.498, 114.652), [("A", 1, 4, 8, 1, False)], False),
    ("如家快捷酒店 Express Inn", "backup", (33.570, 114.620), [("A", 2, 6, 8, 1, True)], False),
    ("县委党校培训中心 Party school training centre", "backup", (33.590, 114.570),
     [("A", 1, 3, 10, 2, False)], False),
    ("锦江之星 Jinjiang Star", "backup", (33.535, 114.700), [("A", 2, 5, 10, 1, True)], False),
    ("天和大酒店 Tianhe Grand Hotel", "backup", (33.476, 114.598), [("A", 2, 8, 8, 1, True)], False),
    ("乡镇卫生院宿舍 Township clinic dormitory", "backup", (33.610, 114.690), [("A", 1, 3, 6, 2, False)], False),
]


def _resident_id(rng: random.Random, birth: date, sex: str) -> str:
    seq = rng.randint(0, 49) * 2 + (1 if sex == "M" else 0)
    first17 = f"{COUNTY_CODE}{birth:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"[:17]
    return first17 + check_digit(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _lay_out(site: Site) -> None:
    """Fill in the three zones, the functional areas and the two passages."""
    zones = {}
    for zt in list(db.session.scalars(select(ZoneType).order_by(ZoneType.sort))):
        buildings = list(site.buildings) if zt.holds_rooms else []  # loaded before the zone joins the session
        zone = Zone(site=site, type_code=zt.code, name=zt.label_zh, buildings=buildings)
        zones[zt.code] = zone
        db.session.add(zone)
    db.session.flush()
    for at in list(db.session.scalars(select(AreaType).order_by(AreaType.sort))):
        zone = zones.get(at.zone_type_code or "") or zones.get("buffer")
        db.session.add(FunctionalArea(site=site, type_code=at.code, zone=zone, description=at.label_zh))
    site.passages = [
        Passage(kind="staff", entrance="东门 East gate", route="东门 → 清洁区 → 更衣消毒间 → 缓冲区 → 隔离区"),
        Passage(kind="quarantined", entrance="北门 North gate", route="北门 → 隔离人员通道 → 隔离楼"),
    ]
    site.passages_separate_confirmed = True
    site.passages_confirmed_at = datetime.now(timezone.utc)


def demo_roster_xlsx(rng: random.Random, count: int) -> bytes:
    """A sending county's roster as it arrives: a title row, Chinese headers, households of 1–5."""
    from openpyxl import Workbook

    from quarantine.spreadsheets import append_row
    book = Workbook()
    sheet = book.active
    append_row(sheet, ["太康县密切接触者转运名单（第一批）"])
    append_row(sheet, ["序号", "姓名", "性别", "身份证号", "联系电话", "家庭编号", "人员类别", "特殊需求", "饮食", "备注"])
    written, household = 0, 0
    while written < count:
        household += 1
        size = min(count - written, rng.choice([1, 1, 2, 2, 3, 3, 4, 5]))
        phone = f"137{rng.randint(10000000, 99999999)}"
        for member in range(size):
            sex = rng.choice("MF")
            age = rng.randint(25, 75) if member == 0 else rng.randint(1, 60)
            birth = date(date.today().year - age, rng.randint(1, 12), rng.randint(1, 28))
            need = "行动不便" if age > 70 and rng.random() < 0.5 else ""
            diet = "婴儿" if age < 2 else rng.choice(["普通"] * 8 + ["清真", "素食", "糖尿病"])
            written += 1
            append_row(sheet, [written, _name(rng), "男" if sex == "M" else "女", _resident_id(rng, birth, sex), phone,
                          f"TK{household:03d}", "密切接触者", need, diet, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _staff_fixed_site(rng: random.Random, site: Site) -> None:
    """The fixed site's team: 2 doctors, 2 nurses and 12 others, on duty since the earlier batch came."""
    _staff_site(rng, site, medical=2, others=("disinfection", "disinfection", "disinfection", "liaison", "security",
                                              "security", "logistics", "logistics", "logistics", "transfer", "care",
                                              "care"), since=date.today() - timedelta(days=6))


def _staff_backup_site(rng: random.Random, site: Site) -> None:
    """A ready backup site's team, on duty since yesterday: 2 doctors and 2 nurses (100 residents)
    and the other staff the policy asks for; without them the site could take nobody."""
    _staff_site(rng, site, medical=2, others=("disinfection", "disinfection", "liaison", "security", "security",
                                              "logistics", "logistics", "logistics", "transfer", "care", "care",
                                              "care"), since=date.today() - timedelta(days=1))


def _staff_site(rng: random.Random, site: Site, *, medical: int, others: tuple[str, ...], since: date) -> None:
    team = [("health_observation", "doctor")] * medical + [("health_observation", "nurse")] * medical + [
        (group, "none") for group in others]
    for group, medical in team:
        db.session.add(StaffMember(site=site, name=_name(rng), phone=f"135{rng.randint(10000000, 99999999)}",
                                   work_group=group, medical_role=medical, shift=rng.choice(["day", "night"]),
                                   on_duty_from=since))


# The county reserve's stock (the seeds' stockpile of beds and bedding, and protective equipment).
RESERVE = {"bed": 300, "bedding_set": 300, "n95_mask": 2000, "medical_mask": 5000, "protective_suit": 1000,
           "gloves": 3000, "face_shield": 500, "disinfectant": 400, "thermometer": 200, "antigen_test": 1500,
           "waste_bag": 2000}
# Sent to the fixed site when it opened, and used since; protective suits and antigen tests run low.
FIXED_SITE_SENT = {"n95_mask": 260, "medical_mask": 500, "protective_suit": 80, "gloves": 800, "face_shield": 80,
                   "disinfectant": 60, "thermometer": 40, "antigen_test": 300, "waste_bag": 200}
FIXED_SITE_USED = {"n95_mask": 60, "medical_mask": 180, "protective_suit": 50, "gloves": 300, "disinfectant": 25,
                   "thermometer": 26, "antigen_test": 230, "waste_bag": 90}


def _stock_county(site: Site, user: User) -> None:
    """The county reserve stocked; the fixed site furnished from it (a bed and bedding set per bed) and
    supplied, with what it has used since."""
    reserve = stock.county_stores()[0]
    by_code = {item.code: item for item in stock.items()}
    for code, quantity in RESERVE.items():
        stock.receive(reserve, by_code[code], quantity, user, "县应急物资储备 county emergency stockpile")
    beds = sum(room.beds for building in site.buildings for room in building.rooms)
    store = stock.site_store(site, create=True)
    stock.send(reserve, store, [(by_code["bed"], beds), (by_code["bedding_set"], beds)]
               + [(by_code[code], n) for code, n in FIXED_SITE_SENT.items()], user, "开设隔离点 opening the site")
    for code, quantity in FIXED_SITE_USED.items():
        stock.issue(store, by_code[code], quantity, user, "日常使用 daily use")


# Sent to each ready backup site: a week's protective equipment for its staff.
BACKUP_SITE_SENT = {"n95_mask": 300, "medical_mask": 300, "protective_suit": 150, "gloves": 500, "face_shield": 100,
                    "disinfectant": 30, "antigen_test": 150, "waste_bag": 100}


def _supply_backup_site(site: Site, user: User) -> None:
    by_code = {item.code: item for item in stock.items()}
    stock.send(stock.county_stores()[0], stock.site_store(site, create=True),
               [(by_code[code], n) for code, n in BACKUP_SITE_SENT.items()], user, "备用隔离点启用 site made ready")


def _waste_log(site: Site, user: User) -> None:
    """Six days of medical waste at the fixed site, collected three days ago; the last three days wait."""
    today = local_today()
    buildings = [b.id for b in site.buildings]
    for days_ago in range(5, -1, -1):
        rows = [waste.WasteRow(bid, 4 + i, 12.0 + 2.5 * i) for i, bid in enumerate(buildings)]
        waste.record_day(site, today - timedelta(days=days_ago), rows + [waste.WasteRow(None, 1, 2.0)], user)
        if days_ago == 3:
            waste.record_collection(
                site, collected_at=local_to_utc(datetime.combine(today - timedelta(days=3), time(20, 0))),
                collector="周口市医疗废物集中处置中心 Zhoukou medical-waste centre", collector_person="刘师傅",
                vehicle="豫P·A1234", bags=30, weight_kg=86.0, seal_numbers="ZK-F0231 – ZK-F0263",
                handed_over_by=site.manager_name, handed_over_by_2="后勤组 王强", notes="", user=user)
    waste.set_capacity(site, 150.0, user)


def load_demo(seed: int = 7) -> str:
    rng = random.Random(seed)
    admin = db.session.scalar(select(User).where(User.role == "admin")) or create_user("admin", "admin")[0]
    sites = []
    for name, kind, (lat, lon), buildings, ready in SITES:
        site = Site(name=name, kind=kind, lat=lat, lon=lon, address=f"商水县 {name.split()[0]}",
                    responsible_unit=rng.choice(["县财政局", "县教育局", "县住建局", "县卫健委"]),
                    manager_name=_name(rng), manager_phone=f"139{rng.randint(10000000, 99999999)}",
                    capacity_limit=None, status="standby")
        db.session.add(site)
        for code, f_from, f_to, per_floor, beds, lift in buildings:
            building = Building(site=site, code=code, name=f"{code}栋", has_lift=lift)
            db.session.add(building)
            for floor in range(f_from, f_to + 1):
                for i in range(1, per_floor + 1):
                    room_beds = beds + (1 if i == per_floor else 0)  # a family room at the end of each floor
                    building.rooms.append(Room(floor=floor, number=f"{floor}{i:02d}", beds=room_beds,
                                               accessible=lift or floor == 1, status="available"))
        db.session.flush()  # rooms take their site from the building through the composite key
        if ready:
            _lay_out(site)
            site.status = "ready"
        sites.append(site)
    sites[0].capacity_limit = 150
    # One room of the fixed site under disinfection, one out of service.
    fixed_rooms = sites[0].buildings[0].rooms
    fixed_rooms[3].status = "cleaning"
    fixed_rooms[5].status, fixed_rooms[5].status_reason = "out_of_service", "水管维修 plumbing repair"
    db.session.commit()

    earlier = TransferBatch(code="ZK-1118", origin="周口市川汇区 Chuanhui District", origin_lat=33.62,
                            origin_lon=114.65, expected_arrival=datetime.now(timezone.utc) - timedelta(days=5),
                            expected_count=36, status="arrived")
    tonight = TransferBatch(code="TK-1123", origin="太康县 Taikang County", origin_lat=34.06, origin_lon=114.85,
                            expected_arrival=datetime.now(timezone.utc) + timedelta(hours=14), expected_count=100,
                            status="announced")
    db.session.add_all([earlier, tonight])
    db.session.commit()

    # Staff first: check-in keeps the residents the staff on duty support.
    _staff_fixed_site(rng, sites[0])
    db.session.flush()
    arrival = datetime.now(timezone.utc) - timedelta(days=5)
    placed = 0
    rooms = [r for r in sites[0].buildings[0].rooms if r.floor in (2, 3) and r.status == "available"]
    household = 0
    for room in rooms:
        household += 1
        size = 1 if room.beds == 1 else 2
        for member in range(size):
            sex = rng.choice("MF")
            age = rng.randint(20, 70) if member == 0 else rng.randint(3, 12)
            birth = date(date.today().year - age, rng.randint(1, 12), rng.randint(1, 28))
            person = Person(name=_name(rng), id_kind="resident_id", id_number=_resident_id(rng, birth, sex),
                            sex=sex, birth_date=birth, phone=f"138{rng.randint(10000000, 99999999)}",
                            household=f"ZK{household:03d}", category_code="close_contact",
                            diet_code=rng.choice(["regular"] * 6 + ["halal", "vegetarian", "diabetic", "soft"]),
                            origin=earlier.origin, batch=earlier, arrival_at=arrival, status="expected")
            db.session.add(person)
            apply_release_date(person)
            db.session.flush()
            sites[0].status = "in_use"
            check_in(person, room.id, admin, when=arrival)
            placed += 1
    for site in sites[1:]:
        if site.receiving:
            _staff_backup_site(rng, site)
    db.session.commit()
    _stock_county(sites[0], admin)
    for site in sites[1:]:
        if site.receiving:
            _supply_backup_site(site, admin)
    _waste_log(sites[0], admin)
    demo_accounts = []
    for username, role, site_list in (("hq", "hq", []), ("manager", "site_manager", [sites[0].id]),
                                      ("kitchen", "catering", [sites[0].id])):
        if db.session.scalar(select(User).where(User.username == username)) is None:
            _user, password = create_user(username, role, site_ids=site_list)
            demo_accounts.append(f"  {username:8} ({role}): {password}")
    rooms_total = sum(len(b.rooms) for s in sites for b in s.buildings)
    roster_path = Path(current_app.instance_path) / f"demo-roster-{tonight.code}.xlsx"
    roster_path.parent.mkdir(parents=True, exist_ok=True)
    roster_path.write_bytes(demo_roster_xlsx(rng, tonight.expected_count or 100))
    lines = [f"Demo county loaded: {len(sites)} sites, {rooms_total} rooms, {placed} residents, "
             f"batch {tonight.code} announced for tonight.",
             f"Its roster, to import on the batch page: {roster_path}"]
    if demo_accounts:
        lines.append("Demo accounts (passwords shown only now):")
        lines.extend(demo_accounts)
    return "\n".join(lines)
