"""A document's PDF is made by the job worker, not the request: asked for on its page, which
then shows where it stands (polling with htmx) until it can be downloaded; made once per .docx
content; a failure is said on the page, with a way to try again."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parindex.documents import render
from parindex.documents.models import IssuedDocument, PdfRendition
from parindex.documents.tests.test_views import issue

# Transactional: the job is queued by the commit of the request that asks for it, and the
# worker, as in its own process, closes connections it finds inside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def pdf_url(doc):
    return reverse("documents:issued-pdf", args=[doc.pk])


@pytest.mark.skipif(render.soffice() is None, reason="LibreOffice is not installed")
def test_the_worker_makes_the_pdf_while_the_page_polls(client, scene, settings):
    settings.TASKS = DATABASE_QUEUE
    issue(client, scene, "conclusion_notice")
    doc = IssuedDocument.objects.get()
    detail = client.get(reverse("documents:issued-detail", args=[doc.pk])).content.decode()
    assert "Tạo bản PDF" in detail and "every 2s" not in detail
    asked = client.post(pdf_url(doc), headers={"HX-Request": "true"})
    html = asked.content.decode()
    assert asked.status_code == 200 and "<html" not in html
    assert 'id="pdf-status"' in html and 'hx-trigger="every 2s"' in html and "Đang chờ tạo bản PDF" in html
    rendition = PdfRendition.objects.get()
    assert rendition.state == "queued" and not rendition.file and DBTaskResult.objects.count() == 1
    # Asked again (another tab): the same rendition, no second job.
    client.post(pdf_url(doc), headers={"HX-Request": "true"})
    assert PdfRendition.objects.count() == 1 and DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    rendition.refresh_from_db()
    assert rendition.state == "done" and rendition.attempts == 1 and rendition.finished_at is not None
    polled = client.get(pdf_url(doc), headers={"HX-Request": "true"}).content.decode()
    assert "Tải bản PDF" in polled and "every 2s" not in polled  # the polling stops
    response = client.get(reverse("documents:issued-download", args=[doc.pk]) + "?dinh-dang=pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # Another commune's office may not see the document, nor ask for its PDF or poll it.
    client.force_login(scene["users"]["other_office"])
    assert client.post(pdf_url(doc)).status_code == 404 and client.get(pdf_url(doc)).status_code == 404


def test_a_failed_conversion_is_said_and_can_be_tried_again(client, scene, settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(render, "soffice", lambda: "/usr/bin/soffice")

    def broken(data: bytes) -> bytes:
        raise RuntimeError("LibreOffice không chuyển được tệp này sang PDF.")

    monkeypatch.setattr(render, "docx_to_pdf", broken)
    monkeypatch.setattr("parindex.core.jobs.FIRST_DELAY", __import__("datetime").timedelta(0))
    issue(client, scene, "conclusion_notice")
    doc = IssuedDocument.objects.get()
    client.post(pdf_url(doc))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    rendition = PdfRendition.objects.get()
    assert rendition.state == "failed" and rendition.attempts == 3  # tried three times
    page = client.get(reverse("documents:issued-detail", args=[doc.pk])).content.decode()
    assert "Chưa tạo được bản PDF: LibreOffice không chuyển được" in page and "Thử tạo lại bản PDF" in page
    client.post(pdf_url(doc))
    rendition.refresh_from_db()
    assert rendition.state == "queued" and rendition.error == ""


def test_without_libreoffice_the_page_says_so(client, scene, monkeypatch):
    monkeypatch.setattr(render, "soffice", lambda: None)
    issue(client, scene, "conclusion_notice")
    doc = IssuedDocument.objects.get()
    page = client.get(reverse("documents:issued-detail", args=[doc.pk])).content.decode()
    assert "chưa cài LibreOffice" in page and "Tạo bản PDF" not in page
    response = client.post(pdf_url(doc), follow=True)
    assert "chưa cài LibreOffice" in response.content.decode() and not PdfRendition.objects.exists()
