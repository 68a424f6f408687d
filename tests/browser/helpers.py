"""What the browser tests share: the demo data, and logging in through the real login page."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection

from parindex.assessments.tests.factories import PASSWORD

# The demo as the first browser test of this process loaded it, on SQLite: a copy of the
# database (sqlite3's backup API) and of the uploads. The next tests restore it in some 50 ms
# instead of loading the demo again (about 4 s); the data are the same, primary keys included.
_snapshot: dict[str, Any] = {}


def seed_demo(settings, media_root) -> None:
    """Load the demo (``make run``'s data) with uploads under ``media_root``."""
    settings.MEDIA_ROOT = media_root
    if connection.vendor == "sqlite" and _snapshot:
        connection.ensure_connection()
        _snapshot["db"].backup(connection.connection)
        shutil.copytree(_snapshot["media"], media_root, dirs_exist_ok=True)
        return
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        media = Path(tempfile.mkdtemp(prefix="parindex-demo-media-"))
        shutil.copytree(media_root, media, dirs_exist_ok=True)
        _snapshot.update(db=copy, media=media)


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
