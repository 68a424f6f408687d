"""``parindex backup`` then ``parindex restore`` into an empty installation (a fresh database and
file folder, in another process): every table's row count and every file's sha256 come back, on
the database the suite runs on (SQLite, and PostgreSQL in CI's second run)."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from parindex.accounts.models import Role
from parindex.assessments import services
from parindex.assessments.models import EvidenceFile
from parindex.assessments.tests.factories import PDF, answer_everything, open_cycle, user_with_role
from parindex.core.backups import _count, _tables, read_manifest
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion

# Committed data: pg_dump reads from its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def installation(settings, tmp_path, province, commune, reference_spec):
    settings.MEDIA_ROOT = tmp_path / "media"
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    assessment = open_cycle(province, version, commune).assessments.get()
    office = user_with_role("vp-sao-luu", Role.COMMUNE_OFFICE, commune)
    answer_everything(assessment, office)
    leaf = Criterion.objects.get(version=version, code="1.1.1")
    for i in range(3):
        services.evidence_add(
            assessment=assessment, upload=io.BytesIO(PDF + bytes([i])), filename=f"{i}.pdf", title=f"TL {i}",
            criteria=[leaf], actor=office,
        )  # fmt: skip
    return assessment


@pytest.fixture
def empty_target(tmp_path):
    """The environment of an empty installation of the same database kind."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(DEBUG="true", MEDIA_ROOT=str(tmp_path / "restored-media"))
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(tmp_path / "restored.sqlite3")
        yield env, lambda: _sqlite_counts(tmp_path / "restored.sqlite3")
        return
    name = f"parindex_restore_{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    admin = f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{admin}/{name}"
    try:
        yield env, lambda: _pg_counts(f"{admin}/{name}")
    finally:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return _count(conn.cursor(), _tables())


def _pg_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return _count(conn.cursor(), _tables())


def restore(archive: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", "restore", str(archive)], env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def test_a_backup_restores_into_an_empty_installation_with_every_row_and_file(installation, empty_target, tmp_path):
    env, restored_counts = empty_target
    archive = tmp_path / "sao-luu.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert f"Đã sao lưu vào {archive}" in out.getvalue() and "3 tệp (kèm tệp)" in out.getvalue()
    manifest = read_manifest(archive)
    with connection.cursor() as cursor:
        live = _count(cursor, _tables())
    assert manifest.tables == live and live["assessments_answer"] > 0 and live["assessments_evidencefile"] == 3
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"} <= set(
            tar.getnames()
        )

    done = restore(archive, env)
    assert done.returncode == 0, done.stderr
    assert "số dòng và sha256 khớp bản sao lưu" in done.stdout
    assert restored_counts() == live
    media = Path(env["MEDIA_ROOT"])
    for row in EvidenceFile.objects.all():
        assert hashlib.sha256((media / row.file.name).read_bytes()).hexdigest() == row.sha256

    again = restore(archive, env)  # the installation is no longer empty
    assert again.returncode != 0 and "đã có bảng" in again.stderr


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, installation):
    bogus = tmp_path / "khac.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(Path(__file__), arcname="x.py")
    with pytest.raises(CommandError, match="không phải bản sao lưu parindex"):
        call_command("restore", str(bogus))
    with pytest.raises(CommandError, match="đã có"):
        bogus_again = tmp_path / "sao-luu.tar"
        call_command("backup", str(bogus_again), stdout=io.StringIO())
        call_command("backup", str(bogus_again), stdout=io.StringIO())
