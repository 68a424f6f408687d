"""What the browser tests share: the demo data, and logging in through the real login page."""

from __future__ import annotations

from django.core.management import call_command

from parindex.assessments.tests.factories import PASSWORD


def seed_demo(settings, media_root) -> None:
    """Load the demo (``make run``'s data) with uploads under ``media_root``."""
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    settings.MEDIA_ROOT = media_root
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in as ``username`` from a fresh session (any earlier login is dropped)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def to_dashboard(page) -> None:
    """After logging in: from the landing page ("Việc cần làm") to the person's first dashboard,
    by the inbox's shortcut."""
    page.wait_for_url("**/viec-can-lam/")
    page.locator(".inbox-links a[href*='/bang-dieu-khien/']").first.click()
