"""The database a bench runs against, shared by the benches that need Django.

DATABASE_URL's database when set (a PostgreSQL database that does not exist yet is
created), else SQLITE_PATH, else a new temporary SQLite file (never the development
db.sqlite3); migrated before use.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEMPORARY_SQLITE: list[str] = []  # the temporary SQLite file made for this run, if any


def setup_django(*, fresh: bool = False) -> str:
    """Configure Django for the chosen database and migrate it; returns a description of it.

    ``fresh`` drops and recreates a PostgreSQL database first (for benches that own theirs).
    """
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
        handle, path = tempfile.mkstemp(prefix="parindex-bench-", suffix=".sqlite3")
        os.close(handle)
        os.environ["SQLITE_PATH"] = path
        TEMPORARY_SQLITE.append(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    import django
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        create_postgres_database(db, fresh=fresh)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if settings.STATIC_HASHED:
        # DEBUG off serves hashed names from STATIC_ROOT's manifest, as `parindex serve` does
        # after collecting them: a fresh checkout has none yet.
        call_command("collectstatic", interactive=False, verbosity=0)
    if db["ENGINE"].endswith("postgresql"):
        return f"PostgreSQL, database {db['NAME']} on {db.get('HOST') or 'localhost'}"
    return f"SQLite, {db['NAME']}"


def create_postgres_database(db: dict, *, fresh: bool = False) -> None:
    import psycopg
    from psycopg import sql

    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load.

    Without them PostgreSQL plans as if the freshly filled tables were empty (autovacuum, which
    would analyze them in time, may be off or not have run yet: plans were 4× slower here); on
    SQLite ``ANALYZE`` fills sqlite_stat1 for the same purpose. Harmless to repeat.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def in_process_production() -> None:
    """Settings as in production (DEBUG off, so no template debug information and no query
    log) for a bench that requests pages in this process through ``django.test.Client``, over
    plain http. Call before ``setup_django``; variables already set are kept."""
    for name, value in {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        # DEBUG off turns these on; the test client speaks http.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }.items():
        os.environ.setdefault(name, value)


def after_bulk_load(*, quiet: bool = False) -> None:
    """What a bulk load (``bulk_create``, past the services) must be followed by, untimed: the
    forecast's stored projections (``Assessment.projected_*``) computed for every assessment
    (``projections.refresh_all``), then ``analyze``."""
    from parindex.indicators import projections

    started = time.perf_counter()
    written = projections.refresh_all()
    middle = time.perf_counter()
    analyze()
    if not quiet:
        print(
            f"settled:   projections of {written:,} assessments ({middle - started:.0f} s), "
            f"ANALYZE ({time.perf_counter() - middle:.1f} s)"
        )


def drop_temporary_sqlite() -> None:
    from django.db import connection

    connection.close()
    for path in TEMPORARY_SQLITE:
        Path(path).unlink(missing_ok=True)
