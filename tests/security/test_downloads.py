"""Evidence downloads (security review, cases 6 and 7): a file missing from storage is a clear
Vietnamese 404, only PDFs and images checked as such are shown in the browser (sandboxed), and
the size refusal ends with its full stop."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments import services
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.assessments.models import Evidence
from parindex.assessments.tests.factories import PDF, open_cycle, user_with_role
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db

POLYGLOT = b"%PDF-1.4\n<html><body><script>fetch('/tai-khoan/')</script></body></html>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def s(province, commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    assessment = open_cycle(province, version, commune).assessments.get()
    office = user_with_role("vanphong", Role.COMMUNE_OFFICE, commune)
    criterion = Criterion.objects.get(version=version, code="1.1.1")

    def add(name: str, data: bytes) -> Evidence:
        return services.evidence_add(
            assessment=assessment, upload=io.BytesIO(data), filename=name, title=name, criteria=[criterion],
            actor=office,
        )  # fmt: skip

    return {"assessment": assessment, "office": office, "add": add}


def download(client, s, evidence):
    return client.get(reverse("assessments:evidence-download", args=[s["assessment"].pk, evidence.pk, 1]))


def test_a_real_pdf_is_shown_inline_in_a_sandbox(client, s):
    client.force_login(s["office"])
    response = download(client, s, s["add"]("ke-hoach.pdf", PDF))
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_a_pdf_that_is_also_html_is_only_downloaded(client, s):
    client.force_login(s["office"])
    response = download(client, s, s["add"]("bao-cao.pdf", POLYGLOT))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_an_image_is_shown_and_an_office_file_downloaded(client, s):
    client.force_login(s["office"])
    assert download(client, s, s["add"]("anh.png", PNG))["Content-Disposition"].startswith("inline")
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert download(client, s, s["add"]("bien-ban.docx", buffer.getvalue()))["Content-Disposition"].startswith(
        "attachment"
    )


def test_a_file_missing_from_storage_is_a_vietnamese_404(client, s):
    evidence = s["add"]("mat-tep.pdf", PDF)
    stored = evidence.files.get()
    stored.file.storage.delete(stored.file.name)
    client.force_login(s["office"])
    response = download(client, s, evidence)
    assert response.status_code == 404
    html = response.content.decode()
    assert "không còn trong kho lưu trữ" in html and '<html lang="vi">' in html
    # Nothing else about the assessment is lost: its page still opens.
    assert client.get(reverse("assessments:assessment-detail", args=[s["assessment"].pk])).status_code == 200


def test_the_size_refusal_keeps_its_full_stop():
    with pytest.raises(EvidenceRejected) as caught:
        check_upload("lon.pdf", io.BytesIO(b"%PDF-" + b"0" * (21 * 1024 * 1024)), max_bytes=20 * 1024 * 1024)
    assert str(caught.value) == "Tệp quá lớn (21 MB); tối đa 20 MB."
    with pytest.raises(EvidenceRejected) as caught:
        check_upload("lon.pdf", io.BytesIO(b"%PDF-" + b"0" * (int(20.5 * 1024 * 1024))), max_bytes=20 * 1024 * 1024)
    assert str(caught.value) == "Tệp quá lớn (20,5 MB); tối đa 20 MB."


def test_an_upload_refused_for_its_size_says_so_and_saves_nothing(client, s, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(s["office"])
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 4096 + b"\n%%EOF\n")
    response = client.post(
        reverse("assessments:evidence-upload", args=[s["assessment"].pk]),
        {"file": big, "title": "Lớn", "criteria": ["1.1.1"]},
        follow=True,
    )
    assert "tối đa 0,001 MB." in response.content.decode()
    assert "Tệp quá lớn" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_an_issued_document_missing_from_storage_is_a_vietnamese_404(client, s, settings):
    from parindex.documents.models import IssuedDocument

    doc = IssuedDocument.objects.create(
        unit=s["assessment"].unit, kind="cchc_report", year=2026, number=1, symbol="BC-UBND",
        issued_on="2026-11-20", subject="Báo cáo", signer_name="Lê Văn Mẫn", size=1, sha256="0" * 64,
        file="documents/khong-con.docx",
    )  # fmt: skip
    head = user_with_role("chutich", Role.COMMUNE_HEAD, s["assessment"].unit)
    client.force_login(head)
    response = client.get(reverse("documents:issued-download", args=[doc.pk]))
    assert response.status_code == 404 and "không còn trong kho lưu trữ" in response.content.decode()


def test_a_province_template_missing_from_storage_is_a_message_not_a_500(province, settings, tmp_path):
    from django.core.exceptions import ValidationError

    from parindex.documents import services as document_services
    from parindex.documents.models import DocumentTemplate

    settings.MEDIA_ROOT = tmp_path
    DocumentTemplate.objects.create(
        province=province, kind="cchc_report", file="templates/khong-con.docx", original_name="mau-tinh.docx",
        size=1, sha256="0" * 64,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="không còn trong kho lưu trữ"):
        document_services.template_bytes(province.pk, "cchc_report")
