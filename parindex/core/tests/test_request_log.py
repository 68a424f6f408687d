"""One JSON log line per request, with the user and unit, the status and the duration; and the
Prometheus metrics behind their setting."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_each_request_is_one_json_line(client, settings, caplog, commune):
    settings.MIDDLEWARE = ["parindex.core.request_log.RequestLogMiddleware", *settings.MIDDLEWARE]
    user = user_with_role("vp-log", Role.COMMUNE_OFFICE, commune)
    user.unit = commune
    user.save(update_fields=["unit"])
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="parindex.requests"):
        client.get("/viec-can-lam/?q=bi-mat")
        client.get("/khong-co/")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "parindex.requests"]
    assert [line["status"] for line in lines] == [200, 404]
    first = lines[0]
    assert first["method"] == "GET" and first["path"] == "/viec-can-lam/" and "bi-mat" not in json.dumps(first)
    assert first["user"] == user.pk and first["unit"] == commune.pk and first["ms"] > 0 and first["htmx"] is False


def test_prometheus_metrics_only_when_asked_for(tmp_path):
    probe = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(); c.get('/dang-nhap/'); r = c.get('/metrics')\n"
        "print('STATUS', r.status_code, b'django_http_requests_total_by_method_total' in r.content)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env |= {"DJANGO_SETTINGS_MODULE": "parindex.settings", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    on = subprocess.run(
        [sys.executable, "-c", probe], env=env | {"PROMETHEUS_METRICS": "true"}, cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert "STATUS 200 True" in on.stdout, on.stderr
    off = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "STATUS 404 False" in off.stdout, off.stderr
