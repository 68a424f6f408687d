"""A large indicator file is imported by the job worker: the request stores it and sends the
person to its page, which shows each phase while it runs (htmx polling) and then what it did,
or every problem and nothing written; the command line imports a file showing the same phases."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parindex.indicators.models import ImportBatch, ImportJob, IndicatorValue
from parindex.indicators.tests.factories import csv_bytes
from parindex.indicators.tests.test_import_views import good_rows, post_file

# Transactional: the job is queued by the request's commit; the worker, as in its own process,
# closes connections it finds inside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def large(client, settings, people):
    """Every real file counts as large, the jobs wait for the worker, the province admin signs in."""
    settings.TASKS = DATABASE_QUEUE
    settings.IMPORT_INLINE_BYTES = 100
    client.force_login(people["admin"]())


def test_a_large_file_is_imported_by_the_worker_while_its_page_polls(
    client, large, people, province, commune, indicator, mapping
):
    data = csv_bytes(good_rows(commune))
    response = post_file(client, province, indicator, mapping, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("indicators:import-job", args=[job.pk])
    assert job.state == "queued" and job.size == len(data) and not IndicatorValue.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ" in page and 'hx-trigger="every 2s"' in page and "có thể rời trang" in page
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["province_id"] == province.pk

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.state == "done" and job.rows_total == 10 and job.batch == ImportBatch.objects.get()
    assert IndicatorValue.objects.count() == 10 and not job.file  # the stored upload is removed
    polled = client.get(reverse("indicators:import-job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Đã nạp" in polled and "every 2s" not in polled and "<html" not in polled
    listed = client.get(f"{reverse('indicators:import')}?tinh={province.pk}").content.decode()
    assert "Tệp lớn nạp chạy nền" in listed and "so-lieu.csv" in listed
    # Someone of another province does not see the job.
    client.force_login(people["elsewhere"]())
    assert client.get(reverse("indicators:import-job", args=[job.pk])).status_code == 404


def test_a_large_file_with_bad_rows_lists_them_and_writes_nothing(client, large, province, commune, indicator, mapping):
    rows = good_rows(commune) + [["99999", "Xã Không Có", 2026, 1, 5, 10], [commune.code, commune.name, 2026, 13, 1, 2]]
    response = post_file(client, province, indicator, mapping, csv_bytes(rows))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job = ImportJob.objects.get()
    assert job.state == "refused" and len(job.problems) >= 2 and not IndicatorValue.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Chưa nạp: tệp có lỗi" in page and "chưa có số liệu nào được ghi" in page and "99999" in page


def test_the_command_line_imports_a_file_saying_each_phase(
    tmp_path,
    people,
    province,
    commune,
    indicator,
    mapping,
):
    admin = people["admin"]()
    path = tmp_path / "so-lieu.csv"
    path.write_bytes(csv_bytes(good_rows(commune)))
    out = io.StringIO()
    call_command("import_indicator", str(path), "--mapping", str(mapping.pk), "--user", admin.username, stdout=out)
    text = out.getvalue()
    assert "Đang đọc và kiểm tra từng dòng" in text and "Đang ghi số liệu (10 dòng)" in text
    assert IndicatorValue.objects.count() == 10 and "10" in text.splitlines()[-1]
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("import_indicator", str(path), "--mapping", str(mapping.pk), "--user", people["viewer"]().username)
