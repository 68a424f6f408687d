"""/healthz/: 200 with each part's state when the database, the storage and the queue are fine;
503 when one is not, with no detail that could be a secret."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_everything_fine(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DATABASE_QUEUE
    response = client.get("/healthz/")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["database"]["ok"] and body["storage"] == {"ok": True}
    assert body["queue"] == {"ok": True, "waiting": 0, "oldest_waiting_s": 0.0}
    assert "no-store" in response["Cache-Control"]
    assert not any(tmp_path.rglob("*.txt"))  # the storage probe cleans up after itself


def test_a_job_waiting_too_long_means_no_worker(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DATABASE_QUEUE
    settings.HEALTHZ_QUEUE_MAX_AGE = 60
    from parindex.results.tasks import publication_files

    result = publication_files.enqueue(999_999)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/healthz/")
    body = response.json()
    assert response.status_code == 503 and body["ok"] is False
    assert body["queue"]["ok"] is False and body["queue"]["waiting"] == 1 and body["queue"]["oldest_waiting_s"] >= 300
    assert body["database"]["ok"] and body["storage"]["ok"]


def test_a_broken_storage_is_reported_without_its_error(client, settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def refuse(*args, **kwargs):
        raise PermissionError("/srv/secret/path: permission denied for user parindex")

    monkeypatch.setattr(default_storage, "save", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["storage"] == {"ok": False, "reason": "error (see the server's log)"}
    assert "secret" not in response.content.decode()


def test_it_answers_over_plain_http_in_production(client, settings, tmp_path):
    """A load balancer probes it over http: not redirected to https like every other page."""
    settings.MEDIA_ROOT = tmp_path
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/dang-nhap/").status_code == 301
