"""Documents in a real browser: from the approved plan the office writes the Công văn khắc phục,
changes its heading, creates it and downloads the Word file from the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from parindex.documents import render
from parindex.documents.models import IssuedDocument
from parindex.documents.tests.reading import header_cells, open_docx, table_rows
from parindex.frameworks import services as framework_services
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    commune_people,
    province_staff,
    published_assessment,
)
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(province, commune, other_commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    staff = province_staff(province)
    (assessment, _) = published_assessment(
        version, province, [commune, other_commune], staff, year=dt.date.today().year - 1, appraised=SEED_001
    )
    people = commune_people(commune)
    return {"plan": approved_plan(assessment, people, official=people["officer"]), "people": people}


def test_the_office_writes_the_remediation_letter_and_downloads_it(page, live_server, scene, screenshot):
    plan = scene["plan"]
    login(page, live_server, "vanphong")
    page.goto(f"{live_server.url}/khac-phuc/{plan.pk}/")
    page.click("text=Công văn khắc phục kèm Phụ lục")
    page.locator("h1", has_text="Công văn khắc phục").wait_for()
    assert page.input_value("#id_body") == "Ủy ban nhân dân xã Nam Cửa Việt"
    assert page.input_value("#id_signer_name") == "Lê Văn Mẫn"
    page.fill("#id_number", "12")
    page.fill("#id_date", "14/02/2026")
    page.fill("#id_request", "Các công chức báo cáo tiến độ hằng tháng về Văn phòng - Thống kê.")
    screenshot("documents-form")
    page.click("button:has-text('Tạo văn bản')")
    page.locator("text=Đã tạo văn bản số 12/UBND-VP").wait_for()
    screenshot("documents-issued")
    with page.expect_download() as download:
        page.click("text=Tải bản Word (.docx)")
    data = Path(download.value.path()).read_bytes()
    word = open_docx(data)
    assert header_cells(word)[1] == [
        "Số: 12/UBND-VP\nV/v khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm " + str(plan.assessed_year),
        "Nam Cửa Việt, ngày 14 tháng 02 năm 2026",
    ]
    rows = table_rows(word.tables[-1])
    assert rows[2][:3] == ["1.1.3. Mức độ thực hiện kế hoạch CCHC", "2", "1,60"]
    assert IssuedDocument.objects.get().sha256
    page.click("text=Sổ văn bản")
    assert "12/UBND-VP" in page.locator("main").inner_text()


@pytest.mark.skipif(render.soffice() is None, reason="LibreOffice is not installed")
def test_the_pdf_is_made_by_the_worker_while_the_page_waits(page, live_server, scene, settings):
    """Asked for on the document's page, the PDF is queued; the page says so and polls, and
    offers the download once the worker has made it, the rest of the page unchanged."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    plan = scene["plan"]
    login(page, live_server, "vanphong")
    page.goto(f"{live_server.url}/khac-phuc/{plan.pk}/")
    page.click("text=Công văn khắc phục kèm Phụ lục")
    page.fill("#id_number", "13")
    page.fill("#id_date", "14/02/2026")
    page.click("button:has-text('Tạo văn bản')")
    page.locator("text=Đã tạo văn bản số 13/UBND-VP").wait_for()
    before = page.locator(".meta").inner_html()
    page.click("button:has-text('Tạo bản PDF')")
    page.locator("#pdf-status", has_text="Đang chờ tạo bản PDF").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker, here
    link = page.locator("#pdf-status a", has_text="Tải bản PDF")
    link.wait_for(timeout=15_000)  # the page polls every 2 s
    assert page.locator(".meta").inner_html() == before
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.endswith(".pdf")
