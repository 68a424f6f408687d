"""What the browser tests share: the demo data, and logging in through the real login page."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction

from parindex.assessments.tests.factories import PASSWORD

# The demo as the first browser test of this process loaded it: on SQLite a copy of the
# database (sqlite3's backup API), on PostgreSQL every table's rows (COPY … TO STDOUT, binary)
# and every sequence's position; and a copy of the uploads. The next tests restore it in well
# under a second instead of loading the demo again (about 4 s on SQLite, 6–7 s on PostgreSQL);
# the data are the same, primary keys included.
_snapshot: dict[str, Any] = {}


def seed_demo(settings, media_root) -> None:
    """Load the demo (``make run``'s data) with uploads under ``media_root``."""
    settings.MEDIA_ROOT = media_root
    if _snapshot:
        _restore()
        shutil.copytree(_snapshot["media"], media_root, dirs_exist_ok=True)
        return
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    media = Path(tempfile.mkdtemp(prefix="parindex-demo-media-"))
    shutil.copytree(media_root, media, dirs_exist_ok=True)
    _snapshot.update(media=media, **_copy())


def _copy() -> dict[str, Any]:
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return {"db": copy}
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT (FORMAT BINARY)") as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
        cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences")
        sequences = cursor.fetchall()
    return {"tables": rows, "sequences": sequences}


def _restore() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _snapshot["db"].backup(connection.connection)
        return
    quote = connection.ops.quote_name
    tables = _snapshot["tables"]
    # Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED: in one transaction
    # the tables fill in any order and the references are checked at the commit.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in tables)}")
        for table, data in tables.items():
            if data:
                with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
        for schema, name, last in _snapshot["sequences"]:
            cursor.execute("SELECT setval(%s, %s, %s)", [f"{quote(schema)}.{quote(name)}", last or 1, last is not None])


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
