"""A publication's files are built by a background job on the database queue: queued when the
publication commits, run by the worker (``db_worker``), retried a bounded number of times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.core import jobs
from parindex.results import files
from parindex.results.models import Publication, PublicationFile
from parindex.results.tasks import publication_files
from parindex.results.tests.factories import bulk_units
from parindex.results.tests.test_files import KINDS, approve_and_publish
from parindex.units.models import AdministrativeUnit

# Transactional: the worker, as in its own process, closes connections it finds inside a
# transaction (PostgreSQL), and the jobs are queued by the commit of the publication.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_worker_builds_a_publications_files_after_the_commit(
    settings,
    province,
    version,
    staff,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.TASKS = DATABASE_QUEUE
    publication = approve_and_publish(province, version, staff, bulk_units(province, 3))
    # Queued, not built in the request.
    job = DBTaskResult.objects.get()
    assert job.task_path == "parindex.results.tasks.publication_files" and job.args_kwargs["args"] == [publication.pk]
    assert not PublicationFile.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL" and sorted(job.return_value) == sorted(KINDS)
    assert {f.kind for f in PublicationFile.objects.filter(publication=publication)} == KINDS


def test_a_failing_job_is_tried_three_times_then_shown_to_the_province_admin(
    client, settings, province, version, staff, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(jobs, "FIRST_DELAY", dt.timedelta(0))  # retried at once in the test

    def broken(**kwargs):
        raise OSError("storage unreachable")

    monkeypatch.setattr(files, "publication_files_build", broken)
    approve_and_publish(province, version, staff, bulk_units(province, 2))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    runs = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.args_kwargs["kwargs"].get("attempt", 1) for r in runs] == [1, 2, 3]
    assert {r.status for r in runs} == {"FAILED"} and all("storage unreachable" in r.traceback for r in runs)
    assert not PublicationFile.objects.exists()
    assert all(r.args_kwargs["kwargs"]["province_id"] == province.pk for r in runs)

    # Given up: the province's admin sees it on "Việc cần làm", with the error and the publication.
    publication = Publication.objects.get()
    client.force_login(staff["admin"])
    html = client.get(reverse("inbox:inbox")).content.decode()
    assert "Việc chạy nền" in html and "Tạo tệp kết quả công bố" in html
    assert "Không chạy được sau 3 lần thử" in html and "OSError: storage unreachable" in html
    assert reverse("results:publication-detail", args=[publication.pk]) in html
    # Another province's admin does not.
    elsewhere = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE).exclude(pk=province.pk)
    other = user_with_role("sonoivu-khac", Role.PROVINCE_ADMIN, elsewhere.first() or province_elsewhere())
    client.force_login(other)
    assert "Tạo tệp kết quả công bố" not in client.get(reverse("inbox:inbox")).content.decode()
    # Run again and done: no longer on the list.
    monkeypatch.undo()
    publication_files.enqueue(publication.pk, province_id=province.pk)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert jobs.failures({province.pk}) == []


def province_elsewhere():
    return AdministrativeUnit.objects.create(code="99", name="Tỉnh Thử", level=AdministrativeUnit.Level.PROVINCE)
