"""The Chinese catalog: complete, consistent with the source strings, compiled, and shown.

A new `_()`/`_l()` string in a template or module fails `test_every_extracted_string_is_in_the_catalog`
with the list of what to add: run `make translations`, fill in the new msgstr in
quarantine/translations/zh/LC_MESSAGES/messages.po, and commit the .po and the compiled .mo."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "quarantine" / "translations"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# %(name)s, %(n)d, %(t).1f ...: name and conversion must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*(?:\d+)?(?:\.\d+)?([diouxXeEfFgGcrsa])")


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def _messages(catalog):
    return [m for m in catalog if m.id]


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if message.pluralizable else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted(PLACEHOLDER.findall(text))


# --- (a) the catalog itself ---------------------------------------------------------------------

def test_catalog_header_has_one_plural_form():
    catalog = _catalog()
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert not catalog.fuzzy


def test_every_entry_is_translated_and_not_fuzzy():
    messages = _messages(_catalog())
    assert len(messages) > 100
    untranslated = [_ids(m)[0] for m in messages if not all(s and s.strip() for s in _strings(m))]
    fuzzy = [_ids(m)[0] for m in messages if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy}"


def test_placeholders_are_kept():
    wrong = []
    for m in _messages(_catalog()):
        expected = _placeholders(_ids(m)[0])
        for string in _strings(m):
            if _placeholders(string) != expected:
                wrong.append((_ids(m)[0], string))
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(f"{i!r} -> {s!r}" for i, s in wrong)


def test_babel_checkers_find_nothing():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _catalog().check()]
    assert not problems


def test_translations_are_chinese_not_copies_of_the_english():
    # A few source strings are the same in both languages (a placeholder pattern, a unit).
    copies = [m.id for m in _messages(_catalog())
              if not m.pluralizable and m.string == m.id and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", m.id))]
    assert not copies, copies


# --- (b) nothing in the code is missing from the catalog ------------------------------------------

def _pybabel() -> list[str]:
    beside = Path(sys.executable).with_name("pybabel")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pybabel")
    return [found] if found else [sys.executable, "-m", "babel.messages.frontend"]


def test_every_extracted_string_is_in_the_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    result = subprocess.run([*_pybabel(), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as fh:
        extracted = {_ids(m)[0] for m in read_po(fh) if m.id}
    assert len(extracted) > 100
    in_catalog = {_ids(m)[0] for m in _messages(_catalog())}
    missing = sorted(extracted - in_catalog)
    assert not missing, (f"{len(missing)} string(s) not in {PO}; run `make translations` "
                         "and translate them:\n" + "\n".join(repr(s) for s in missing))


def test_compiled_catalog_matches_the_po():
    """The app reads the .mo, which is committed so a fresh clone shows Chinese without a compile step."""
    assert MO.exists(), "run `pybabel compile -d quarantine/translations`"
    with MO.open("rb") as fh:
        compiled = {_ids(m)[0]: _strings(m) for m in read_mo(fh) if m.id}
    stale = [_ids(m)[0] for m in _messages(_catalog()) if compiled.get(_ids(m)[0]) != _strings(m)]
    assert not stale, f"messages.mo is out of date for {len(stale)} string(s), e.g. {stale[:5]}; recompile"


def test_compiled_catalog_is_not_git_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(["git", "check-ignore", "-q", str(MO.relative_to(ROOT))], cwd=ROOT)
    assert result.returncode == 1, "messages.mo is ignored by git; the app needs it committed"


# --- (c) the pages in Chinese ---------------------------------------------------------------------

NAV_ENGLISH = ["Sign out", "Transfer batches", "Meal rosters", "Quarantine sites", "Overview", "Policy",
               "Users", "Lists", "People", "Sites"]


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]+>", " ", html))


@pytest.fixture
def chinese_admin(signed_in, make_site):
    site = make_site("城关隔离点", ready=True)
    client = signed_in("admin")
    response = client.get("/lang/zh?next=/")
    assert response.status_code == 302
    client.site = site
    return client


@pytest.mark.parametrize("path", ["/", "/sites/", "/sites/{site}", "/transfers/", "/transfers/plan", "/meals/",
                                  "/policy/", "/people/", "/users/", "/policy/lists"])
def test_pages_render_in_chinese(chinese_admin, path):
    response = chinese_admin.get(path.format(site=chinese_admin.site.id))
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    text = _visible_text(html)
    for chinese in ("退出登录", "隔离点", "送餐清单", "转运批次"):
        assert chinese in text, (path, chinese)
    leftovers = [word for word in NAV_ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]
    assert not leftovers, (path, leftovers)


def test_site_page_shows_statuses_and_labels_in_chinese(chinese_admin):
    text = _visible_text(chinese_admin.get(f"/sites/{chinese_admin.site.id}").get_data(as_text=True))
    for chinese in ("可接收", "空闲", "终末消毒", "停用", "三区两通道", "包点单位", "待接收人员", "日报告"):
        assert chinese in text, chinese
    for english in ("Available", "Terminal disinfection", "Out of service", "Expected arrivals", "Daily report",
                    "Responsible unit", "Rooms by floor"):
        assert english not in text, english


def test_switching_back_to_english(chinese_admin):
    chinese_admin.get("/lang/en?next=/")
    text = _visible_text(chinese_admin.get("/sites/").get_data(as_text=True))
    assert "Sign out" in text and "退出登录" not in text
