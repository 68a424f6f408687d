"""The acceptance of the production issue, as an official meets it: ``parindex serve`` with
S3_BUCKET on a fresh database (PostgreSQL in CI's second run, SQLite in the first); through gunicorn a commune office signs in with the login form,
uploads an evidence file from its self-assessment page, finds it in the bucket, downloads it
back through the permission check; another commune's office gets 404."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from parindex.assessments.tests.factories import PASSWORD
from tests.conftest import ACCESS_KEY, SECRET_KEY
from tests.production.test_serve import base_env, free_port, start_serve, wait_healthy

# The database the suite runs on decides the installation's (a fresh one of the same kind).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SETUP = r"""
import datetime as dt
from django.utils import timezone
from parindex import scoring
from parindex.accounts.models import Role
from parindex.assessments.tests.factories import dues_from, open_cycle, user_with_role
from parindex.frameworks import services
from parindex.frameworks.files import REFERENCE_FRAMEWORK
from parindex.units.models import AdministrativeUnit as U
province = U.objects.create(era="current", code="44", name="Tỉnh Quảng Trị", kind="tinh", level=1)
commune = U.objects.create(era="current", code="19639", name="Xã Nam Cửa Việt", kind="xa", level=3, parent=province, province=province)
other = U.objects.create(era="current", code="19640", name="Xã Khác", kind="xa", level=3, parent=province, province=province)
version = services.framework_import(spec=scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK)), publish=True).version
cycle = open_cycle(province, version, commune, other, year=timezone.localdate().year, dues=dues_from(timezone.localdate()))
user_with_role("vp-s3", Role.COMMUNE_OFFICE, commune)
user_with_role("vp-khac", Role.COMMUNE_OFFICE, other)
print("ASSESSMENT", cycle.assessments.get(unit=commune).pk)
"""

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def fresh_database():
    """Environment for a fresh database of the kind the suite runs on: a new SQLite file (by
    base_env), or a new PostgreSQL database on the suite's server, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield {}
        return
    db = connection.settings_dict
    server = f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"parindex_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{server}/{name}"}
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_official_uploads_evidence_to_the_bucket_through_gunicorn(browser, s3_server, fresh_database, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = base_env(
        tmp_path, HOST=f"127.0.0.1:{port}", S3_BUCKET=s3_server["bucket"], S3_ENDPOINT_URL=s3_server["endpoint"],
        S3_ACCESS_KEY_ID=ACCESS_KEY, S3_SECRET_ACCESS_KEY=SECRET_KEY, S3_REGION="us-east-1", S3_PREFIX="e2e",
        ALLOWED_HOSTS="127.0.0.1", CSRF_TRUSTED_ORIGINS=base,
        SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false", **fresh_database,
    )  # fmt: skip
    cli = [sys.executable, "-m", "parindex.cli"]
    assert subprocess.run([*cli, "migrate", "-v0"], env=env, cwd=tmp_path, timeout=180).returncode == 0
    made = subprocess.run([*cli, "shell", "-c", SETUP], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assessment = int(made.stdout.split("ASSESSMENT")[1].split()[0])
    server = start_serve(env, tmp_path)
    context = browser.new_context(locale="vi-VN")
    try:
        assert wait_healthy(base, server)[0] == 200
        page = context.new_page()
        page.goto(f"{base}/dang-nhap/")
        page.fill("#id_username", "vp-s3")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/viec-can-lam/")
        page.goto(f"{base}/danh-gia/{assessment}/?linh-vuc=I&tieu-chi=1.1.1")
        token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
        uploaded = page.request.post(
            f"{base}/danh-gia/{assessment}/tai-lieu/",
            multipart={
                "csrfmiddlewaretoken": token, "title": "Kế hoạch CCHC", "criteria": "1.1.1",
                "file": {"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": PDF},
            },
            headers={"Referer": page.url}, max_redirects=0,
        )  # fmt: skip
        assert uploaded.status == 302, uploaded.text()[:500]
        listed = s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"], Prefix="e2e/")
        keys = [o["Key"] for o in listed.get("Contents", [])]
        stored = [k for k in keys if not k.startswith("e2e/healthz/")]
        assert len(stored) == 1, keys
        body = s3_server["client"].get_object(Bucket=s3_server["bucket"], Key=stored[0])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(PDF).hexdigest()
        page.reload()
        link = page.locator("a[href*='/tep/']", has_text="Kế hoạch CCHC").first
        href = link.get_attribute("href")
        download = page.request.get(base + href)
        assert download.status == 200 and download.body() == PDF
        page.context.clear_cookies()
        page.goto(f"{base}/dang-nhap/")
        page.fill("#id_username", "vp-khac")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/viec-can-lam/")
        assert page.request.get(base + href).status == 404
    finally:
        context.close()
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
