"""Signing in through the login form, as a user does, for the browser tests."""
from __future__ import annotations

from tests.conftest import PASSWORD


def sign_in(page, base: str, user, landing: str = "/") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{landing}")
