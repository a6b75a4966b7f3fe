"""Roster import as HQ staff meet it: uploads kept in the database, one decision per unknown value (saved as an
alias for the next file), households from the relationship column, problems a person can act on, the preview
that stays when an import is refused, and `flask roster import` with the same checks."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from quarantine.models import Person, RosterUpload, VocabularyAlias
from quarantine.transfers.roster_import import purge_uploads
from tests.app.transfer_helpers import make_batch, resident_id
from tests.roster.builders import csv_file, xls, xlsx

SEVEN_YEARS_AGO = date.today().replace(year=date.today().year - 7, day=1).strftime("%Y%m%d")
FAMILY = [["序号", "姓名", "性别", "身份证号", "联系电话", "与户主关系", "人员类别"],
          [1, "张伟", "男", resident_id(1, "19800101"), "13800000001", "户主", "密接"],
          [2, "李娜", "女", resident_id(2, "19820202", female=True), "13800000002", "配偶", "密接"],
          [3, "张小明", "男", resident_id(3, SEVEN_YEARS_AGO), "", "子女", "密接"],
          [4, "赵强", "男", resident_id(4, "19900505"), "13900000005", "", "次密接"]]


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, batch, path: Path):
    return client.post(f"/transfers/{batch.id}/roster", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                       content_type="multipart/form-data")


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def people(db, batch) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.batch_id == batch.id).order_by(Person.name)))


def unknown_category_file(tmp_path: Path, word: str = "境外来返", name: str = "r.xlsx", start: int = 0) -> Path:
    rows: list[list[object]] = [["姓名", "性别", "身份证号", "人员类别"]]
    for i in range(100):
        rows.append(["测试%03d" % i, "男", resident_id(start + i), word if i < 48 else "密接"])
    return xlsx(tmp_path / name, rows)


def test_upload_lives_in_the_database_until_its_import(db, app, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    response = upload(client, batch, xlsx(tmp_path / "r.xlsx", FAMILY))
    assert response.status_code == 302 and "/roster/" in response.headers["Location"]
    stored = db.session.scalar(select(RosterUpload))
    assert stored.filename == "r.xlsx" and stored.size == len((tmp_path / "r.xlsx").read_bytes())
    assert not (Path(app.instance_path) / "uploads").exists()
    page = text(client.get(response.headers["Location"]))
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page), "households": "FAM-2"})
    assert len(people(db, batch)) == 4
    assert db.session.scalar(select(func.count(RosterUpload.id))) == 0  # deleted with its import
    again = client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page)}, follow_redirects=True)
    assert "no longer kept" in text(again) and len(people(db, batch)) == 4


def test_purge_uploads_deletes_those_older_than_asked(db, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    for name in ("a.xlsx", "b.xlsx"):
        upload(client, batch, xlsx(tmp_path / name, FAMILY))
    old = db.session.scalar(select(RosterUpload).where(RosterUpload.filename == "a.xlsx"))
    old.created_at = datetime.now(timezone.utc) - timedelta(hours=25)
    db.session.commit()
    assert purge_uploads(timedelta(hours=24)) == 1
    assert [u.filename for u in db.session.scalars(select(RosterUpload))] == ["b.xlsx"]
    # An upload past a day is refused at import even before the purge runs.
    assert purge_uploads(timedelta(hours=24)) == 0


def test_unknown_value_is_one_decision_remembered_for_the_next_file(db, signed_in, make_user, login, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    preview_url = upload(client, batch, unknown_category_file(tmp_path)).headers["Location"]
    page = text(client.get(preview_url))
    assert page.count('<tr class="open"') == 1 and "48 rows (2-49)" in page
    assert "unknown category" not in page  # not 48 errors
    token = token_of(page)
    decided = client.post(f"/transfers/{batch.id}/roster/{token}/decisions", data={
        "values-0-kind": "category", "values-0-value": "境外来返", "values-0-choice": "inbound_traveller",
        "values-0-remember": "y"}, follow_redirects=True)
    body = text(decided)
    assert "The file is clean" in body and 'id="rows-ok">100<' in body
    alias = db.session.scalar(select(VocabularyAlias))
    assert (alias.kind, alias.alias, alias.code) == ("category", "境外来返", "inbound_traveller")
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token})
    imported = people(db, batch)
    assert len(imported) == 100 and sum(p.category_code == "inbound_traveller" for p in imported) == 48
    # The next file from that county goes through, and the admin sees the spelling on the lists page.
    second = make_batch(db, "TK-2")
    next_page = text(client.get(upload(client, second, unknown_category_file(tmp_path, name="s.xlsx", start=200)).headers["Location"]))
    assert "The file is clean" in next_page
    admin = login(make_user("admin"))
    lists = text(admin.get("/policy/lists"))
    assert "境外来返" in lists
    admin.post(f"/policy/lists/aliases/{alias.id}/delete")
    assert db.session.scalar(select(func.count(VocabularyAlias.id))) == 0


def test_leave_out_decision_and_a_decision_for_a_word_no_list_has(db, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    token = token_of(text(client.get(upload(client, batch, unknown_category_file(tmp_path, "游客")).headers["Location"])))
    bad = client.post(f"/transfers/{batch.id}/roster/{token}/decisions", data={
        "values-0-kind": "category", "values-0-value": "游客", "values-0-choice": "no_such_code"}, follow_redirects=True)
    assert "could not be read" in text(bad)
    page = text(client.post(f"/transfers/{batch.id}/roster/{token}/decisions", data={
        "values-0-kind": "category", "values-0-value": "游客", "values-0-choice": "-leave-out-"}, follow_redirects=True))
    assert 'id="rows-left-out">48<' in page and "Rows left out as you chose: 2-49" in page
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token})
    assert len(people(db, batch)) == 52
    assert db.session.scalar(select(func.count(VocabularyAlias.id))) == 0


def test_import_without_choosing_keeps_the_preview_and_its_problems(db, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = [row[:] for row in FAMILY]
    rows[4][4] = "1234567"  # a 7-digit phone
    preview_url = upload(client, batch, csv_file(tmp_path / "r.csv", rows, "gbk")).headers["Location"]
    page = text(client.get(preview_url))
    assert re.search(r'<td class="row">5</td><td>赵强</td><td>联系电话</td><td>1234567</td><td>phone &#34;1234567&#34; is not', page)
    refused = client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page)})
    assert refused.headers["Location"].endswith(preview_url)
    again = text(client.get(refused.headers["Location"]))
    assert "still has 1 problem" in again and "<td>1234567</td>" in again
    assert people(db, batch) == []


def test_relationship_households_need_confirming_and_a_child_is_never_alone(db, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    page = text(client.get(upload(client, batch, xls(tmp_path / "r.xls", FAMILY)).headers["Location"]))
    assert "FAM-2: rows 2-4 (family of 张伟, from the 与户主关系 column)" in page
    assert 'value="FAM-2" checked' in page
    refused = client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page)}, follow_redirects=True)
    assert "Rows 4 (张小明, 7): a child under 14 would arrive without an adult" in text(refused)
    assert people(db, batch) == []
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page), "households": "FAM-2"})
    households = {p.name: p.household for p in people(db, batch)}
    assert households["张伟"] == households["李娜"] == households["张小明"] == "FAM-2"
    assert households["赵强"] == "ROW-5"


def test_permits_passports_and_cleaned_cells_reach_the_database(db, signed_in, tmp_path):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = [["姓名", "性别", "证件号码", "出生日期", "人员类别", "联系电话", "备注"],
            ["陈大文\x00", "男", "H12345678", "1975-01-02", "入境", "+852 9123 4567", "=SUM(A1)"],
            ["林志明", "男", "12345678", "1970-07-08", "入境", "0394-8123456", "\u200b@家属"],
            ["John Smith", "男", "E12345678", "1980-05-06", "入境人员", "+1 202 555 0100", "-"]]
    page = text(client.get(upload(client, batch, csv_file(tmp_path / "r.csv", rows)).headers["Location"]))
    assert "The file is clean" in page
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page)})
    found = {p.name: (p.id_kind, p.phone, p.notes, p.category_code) for p in people(db, batch)}
    assert found == {"陈大文": ("hkmo_permit", "+85291234567", "=SUM(A1)", "inbound_traveller"),
                     "林志明": ("tw_permit", "03948123456", "@家属", "inbound_traveller"),
                     "John Smith": ("passport", "+12025550100", "-", "inbound_traveller")}


def test_cli_import_with_the_web_checks(db, app, tmp_path):
    batch = make_batch(db)
    runner = app.test_cli_runner()
    family = xlsx(tmp_path / "family.xlsx", FAMILY)
    result = runner.invoke(args=["roster", "import", str(family), "--batch", batch.code])
    assert result.exit_code == 1
    assert "Nothing was imported: Rows 4 (张小明, 7): a child under 14" in result.output
    assert "households: 2, of them 1 suggested (to confirm)" in result.output
    result = runner.invoke(args=["roster", "import", str(family), "--batch", batch.code, "--confirm-households"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Imported 4 people into batch TK-1.\nSuggested households applied: 1.")
    rows = [row[:] for row in FAMILY]
    rows[4][3] = rows[4][3][:17] + ("0" if rows[4][3][17] != "0" else "1")
    rows[4][1] = "钱七"
    dirty = csv_file(tmp_path / "dirty.csv", [r if i == 0 else r for i, r in enumerate([rows[0], rows[4]])])
    second = make_batch(db, "TK-2")
    result = runner.invoke(args=["roster", "import", str(dirty), "--batch", "TK-2"])
    assert result.exit_code == 1
    assert 'row 2 (钱七), 身份证号 "%s": resident ID check digit' % rows[4][3] in result.output
    assert "Nothing was imported: the file has problems" in result.output
    assert people(db, second) == []
    result = runner.invoke(args=["roster", "import", str(dirty), "--batch", "TK-2", "--skip-bad-rows"])
    assert result.exit_code == 1 and "No row without problems is left to import." in result.output
    result = runner.invoke(args=["roster", "import", str(dirty), "--batch", "NOPE"])
    assert result.exit_code == 1 and "no batch with code NOPE" in result.output


def test_cli_check_speaks_the_words_of_the_preview(db, app, signed_in, tmp_path):
    batch = make_batch(db)
    path = unknown_category_file(tmp_path)
    output = app.test_cli_runner().invoke(args=["roster", "check", str(path)]).output
    client = signed_in("hq")
    page = text(client.get(upload(client, batch, path).headers["Location"]))
    summary = "people listed: 100; ready: 52; with problems: 48; problems in all: 0"
    assert summary in output and summary in page
    assert '人员类别 "境外来返": 48 rows (2-49)' in output and "48 rows (2-49)" in page


def test_tests_keep_out_of_the_real_instance_folder(app):
    root = Path(__file__).resolve().parents[2]
    assert not Path(app.instance_path).resolve().is_relative_to(root)


def test_a_file_past_the_upload_limit_gets_the_upload_page_with_a_message(db, app, signed_in):
    batch = make_batch(db)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    try:
        response = signed_in("hq").post(f"/transfers/{batch.id}/roster", content_type="multipart/form-data",
                                        data={"file": (io.BytesIO(b"x" * (2 << 20)), "big.xlsx")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert response.status_code == 413 and "The file is larger than 1 MB" in text(response)


def test_text_limits_of_the_reader_match_the_database_columns():
    from quarantine.roster.limits import FIELD_LENGTHS
    assert FIELD_LENGTHS == {name: Person.__table__.c[name].type.length for name in FIELD_LENGTHS}
