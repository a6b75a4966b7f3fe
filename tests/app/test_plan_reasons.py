"""The planner's reasons for leaving people out reach the user in their language."""
from __future__ import annotations

from planner import reasons as planner_reasons
from quarantine.transfers.reasons import TAKEN_OUT_BY_HAND, TRANSLATABLE, translate_reason


def test_every_planner_reason_is_translatable(app):
    listed = {str(message) for message in TRANSLATABLE}  # English outside a request
    assert listed == {*planner_reasons.TEMPLATES, planner_reasons.SITES_NOT_READY, TAKEN_OUT_BY_HAND}


def test_reason_and_suggested_sites_in_chinese(app):
    text = (planner_reasons.NO_ROOM % {"size": 3}
            + planner_reasons.SITES_NOT_READY % {"sites": "S10 (乡镇卫生院宿舍), S7 (党校)"})
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = translate_reason(text)
    assert "3" in shown and "S10 (乡镇卫生院宿舍), S7 (党校)" in shown
    assert "no room" not in shown and "sites not ready" not in shown
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate_reason(text) == text


def test_capacity_reason_keeps_its_number_and_unknown_text_is_left_alone(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert "37" in translate_reason(planner_reasons.CAPACITY_LIMITS % {"short": 37})
        assert translate_reason("a reason from another planner") == "a reason from another planner"


def test_broken_rules_are_named_in_chinese(app):
    from planner.validate import Violation
    from quarantine.transfers.reasons import explain_violation
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = explain_violation(Violation(3, "room R5 mixes households 1:H1, 1:H2"))
        malformed = explain_violation(Violation("format", "person P9 appears 2 times"))
    assert "一户" in shown or "家庭" in shown
    assert "room R5 mixes households 1:H1, 1:H2" in shown and "P9" in malformed
