"""What the browser tests share: logging in through the real login page."""

from __future__ import annotations

from parindex.assessments.tests.factories import PASSWORD


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in as ``username`` from a fresh session (any earlier login is dropped)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
