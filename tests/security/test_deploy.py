"""Production settings (security review, case 7), checked in a fresh process with DEBUG off and
the variables documented in .env.example / README: ``check --deploy`` is silent, and responses
carry HSTS, the redirect to HTTPS, the CSP and the other headers; error pages are Vietnamese."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-Zx8_vQ3#tP9!mW2&rL5^yN7(bJ4)hF6@sD1+gK0*cV",
    "ALLOWED_HOSTS": "cchc.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://cchc.example.gov.vn",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto,https",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def run(args: list[str], tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    # Only what a production machine has: not the test run's database or browser-test settings.
    dropped = ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env |= PRODUCTION | {"SQLITE_PATH": str(tmp_path / "db.sqlite3"), "MEDIA_ROOT": str(tmp_path / "media")}
    env |= {"STATIC_ROOT": str(tmp_path / "static")} | extra
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_prints_no_warning_with_the_documented_variables(tmp_path):
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = run([sys.executable, "manage.py", "check"], tmp_path, SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


PROBE = r"""
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
https = {"HTTP_HOST": "cchc.example.gov.vn", "HTTP_X_FORWARDED_PROTO": "https"}
plain = client.get("/dang-nhap/", HTTP_HOST="cchc.example.gov.vn")
out["plain"] = [plain.status_code, plain.get("Location", "")]
page = client.get("/khong-co-trang-nay/", **https)
out["missing"] = [page.status_code, dict(page.headers), page.content.decode()]
print("JSON" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    # As in production (make serve): the hashed static files collected before the first request.
    collected = run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], tmp)
    assert collected.returncode == 0, collected.stderr
    result = run([sys.executable, "-c", PROBE], tmp, DJANGO_SETTINGS_MODULE="parindex.settings")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("JSON", 1)[1])


def test_plain_http_is_redirected_to_https(probe):
    status, location = probe["plain"]
    assert status == 301 and location == "https://cchc.example.gov.vn/dang-nhap/"


def test_production_responses_carry_the_security_headers(probe):
    _, headers, _ = probe["missing"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_404_page_is_vietnamese_in_the_sites_layout(probe):
    status, _, html = probe["missing"]
    assert status == 404 and '<html lang="vi">' in html and "Không tìm thấy" in html and "Not Found" not in html
