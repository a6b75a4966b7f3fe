"""Every page reachable by links renders, in both languages, for every role: the demo county with
its roster imported, planned and committed, then crawled link by link."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from quarantine.demo import load_demo
from quarantine.models import TransferBatch
from quarantine.transfers import planning, roster_import
from quarantine.transfers.commit import commit_plan

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/logout", "/lang/", "/static/", ".xlsx", ".csv", ".json", "mailto:")
MAX_PAGES = 250


@pytest.fixture
def demo_county(app, db, make_user):
    from pathlib import Path

    from sqlalchemy import select
    summary = load_demo()
    roster = Path(summary.split("batch page: ")[1].split()[0])
    batch = db.session.scalar(select(TransferBatch).where(TransferBatch.code == "TK-1123"))
    report = roster_import.check_roster(roster.read_bytes(), roster.name)
    roster_import.import_roster(batch, report, drop_bad_rows=False, confirmed_households=set(), default_category=None)
    user = make_user("hq")
    run = planning.queue_plan([batch], user, time_limit=3)
    db.session.refresh(run)
    commit_plan(run, user)
    return run


def crawl(client, start: str = "/", limit: int = MAX_PAGES) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 302:
            queue.append(urlsplit(response.headers["Location"]).path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or any(s in target for s in SKIP):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                queue.append(path)
    return seen


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("role", ["admin", "hq", "site_manager", "catering"])
def test_every_linked_page_renders(demo_county, signed_in, db, language, role):
    from quarantine.models import Site
    sites = [db.session.get(Site, 1)] if role in ("site_manager", "catering") else []
    client = signed_in(role, sites=sites)
    client.get(f"/lang/{language}?next=/")
    seen = crawl(client)
    broken = {url: status for url, status in seen.items() if status >= 500}
    assert not broken
    # Links shown to a role lead to pages it may open.
    refused = {url: status for url, status in seen.items() if status in (403, 404)}
    assert not refused, refused
    assert len(seen) > (5 if role == "catering" else 30)
    # Supplies, medical waste and the prepare page are linked for every role but catering.
    areas = {"/supplies/", "/waste/", "/supplies/sites/1", "/waste/sites/1", "/sites/1/prepare"}
    if role == "catering":
        assert not any(url.startswith(("/supplies", "/waste")) or url.endswith("/prepare") for url in seen)
    else:
        # The home page links the county view's pages too; site 1's own pages are checked from the site.
        site = crawl(client, "/sites/1", limit=40)
        assert not {url: status for url, status in site.items() if status >= 400}
        assert areas <= set(seen) | set(site), areas - set(seen) - set(site)
        # The whole county fills the crawl before the handover sheets; start a short one at site 1's waste.
        waste = crawl(client, "/waste/sites/1", limit=60)
        assert not {url: status for url, status in waste.items() if status >= 400}
        assert any(url.startswith("/waste/collections/") and url.endswith("/sheet") for url in waste)
