"""The roster preview in the browser: one decision per unknown value, remembered for the next file."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quarantine.models import Person, VocabularyAlias
from tests.app.transfer_helpers import make_batch, resident_id
from tests.browser.test_site_setup import sign_in
from tests.roster.builders import xlsx

pytestmark = pytest.mark.browser


def test_unknown_values_are_decided_once_each(live_server, page, db, make_user, tmp_path):
    batch = make_batch(db, "TK-9")
    rows: list[list[object]] = [["县转运人员名单"], ["姓名", "性别", "身份证号", "人员类别", "饮食"]]
    for i in range(30):
        rows.append(["测试%02d" % i, "男", resident_id(i), "外省返乡" if i < 20 else "密接", "火锅" if i == 25 else ""])
    path = xlsx(tmp_path / "county.xlsx", rows)
    sign_in(page, live_server, make_user("hq"))
    page.goto(f"{live_server}/transfers/{batch.id}/roster")
    page.set_input_files("#file", str(path))
    page.click("#roster-upload button[type=submit]")
    decisions = page.locator("#roster-decisions")
    decisions.wait_for()
    assert decisions.locator("tr.open").count() == 2  # two values, not 21 errors
    assert "20 rows (3-22)" in decisions.inner_text()
    assert page.inner_text("#rows-ok") == "9"

    page.get_by_label("外省返乡").select_option("risk_area_arrival")
    decisions.locator("tr[data-value='外省返乡'] input[type=checkbox]").check()
    page.get_by_label("火锅").select_option("-leave-out-")
    decisions.locator("button[type=submit]").click()
    page.wait_for_selector("#roster-clean")
    assert page.inner_text("#rows-ok") == "29" and page.inner_text("#rows-left-out") == "1"
    # 外省返乡 is in the lists now (remembered); 火锅 stays a decision of this file.
    assert decisions.locator("tr.decided").count() == 1

    page.click("#roster-import button[type=submit]")
    assert "29 people imported" in page.inner_text(".flash.success")
    assert len(db.session.scalars(select(Person).where(Person.category_code == "risk_area_arrival")).all()) == 20
    assert [a.alias for a in db.session.scalars(select(VocabularyAlias))] == ["外省返乡"]
