"""The register at scale (search, kind and year filters, 50 a page, the same queries whatever
its size), the names documents and templates download under, and the signer's name checked
by the server with its message by the field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parindex.documents.models import IssuedDocument
from parindex.documents.tests.factories import shared_scene
from parindex.documents.tests.test_views import issue, new_url
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

# Every test here uses the scene: built once for the module (tests/shared.py), each test working
# on its own copy, with its own MEDIA_ROOT.
globals().update(
    shared_fixtures(shared_scene, "scene", "version", "province", "commune", "other_commune", "people", media=True)
)


def register(scene):
    return reverse("documents:register", args=[scene["approved"].unit_id])


def copies(n, *, start=100, **changes):
    """``n`` copies of the first document issued, numbered from ``start`` (no rendering)."""
    doc = IssuedDocument.objects.order_by("pk").first()
    rows = []
    for i in range(n):
        doc.pk = None
        doc.number = start + i
        for key, value in changes.items():
            setattr(doc, key, value)
        rows.append(
            IssuedDocument(**{f.attname: getattr(doc, f.attname) for f in IssuedDocument._meta.concrete_fields})
        )
    IssuedDocument.objects.bulk_create(rows)


def numbers(response):
    return re.findall(r'<td class="card-title"><a href="/van-ban/[^"]+">(\d+|…)/', response.content.decode())


def test_the_register_pages_fifty_and_keeps_its_filters(client, scene):
    issue(client, scene, "remediation_plan", number="1")
    copies(70)
    html = client.get(register(scene)).content.decode()
    assert "71 văn bản, trang 1/2" in html and len(numbers(client.get(register(scene)))) == 50
    html = client.get(register(scene), {"loai": "remediation_plan", "q": "KH-UBND"}).content.decode()
    assert "71 văn bản khớp bộ lọc, trang 1/2" in html
    assert 'href="?loai=remediation_plan&amp;q=KH-UBND&amp;trang=2" rel="next"' in html


def test_search_by_number_and_symbol_subject_or_signer_and_filter_by_kind_and_year(client, scene):
    issue(client, scene, "remediation_plan", number="1", subject="Kế hoạch khắc phục năm 2025")
    issue(client, scene, "conclusion_notice", number="2", signer_name="Trần Thị Bảy")
    copies(1, start=9, year=2025, subject="Văn bản năm trước")
    url = register(scene)
    assert numbers(client.get(url, {"q": "01/KH-UBND"})) == ["01"]
    assert numbers(client.get(url, {"q": "Bảy"})) == ["02"]
    assert numbers(client.get(url, {"q": "khắc phục 2025"})) == ["01"]
    assert numbers(client.get(url, {"loai": "conclusion_notice"})) == ["02"]
    assert numbers(client.get(url, {"nam": "2025"})) == ["09"]
    assert "Không có văn bản nào khớp bộ lọc" in client.get(url, {"q": "không-có"}).content.decode()


# session, user, unit, the documents counted by year, the page of them, unread notifications
# (menu), the principal, and the register's next numbers (two); a search or a kind adds the
# paginator's COUNT.
REGISTER_QUERIES = 8


@pytest.mark.parametrize("n", [3, 300])
def test_the_register_costs_the_same_queries_for_3_and_300_documents(client, scene, n, django_assert_num_queries):
    issue(client, scene, "remediation_plan", number="1")
    copies(n - 1)
    with django_assert_num_queries(REGISTER_QUERIES):
        assert len(numbers(client.get(register(scene)))) == min(n, 50)
    with django_assert_num_queries(REGISTER_QUERIES + 1):
        assert len(numbers(client.get(register(scene), {"q": "KH-UBND", "trang": "2"}))) == (n if n < 50 else 50)


NAMES = {
    "decision": "QD-cong-bo-chi-so-CCHC-2024-tinh-quang-tri-so-07.docx",
    "remediation_letter": "CV-khac-phuc-chi-so-CCHC-2024-xa-nam-cua-viet-so-07.docx",
    "remediation_plan": "KH-khac-phuc-chi-so-CCHC-2024-xa-nam-cua-viet-so-07.docx",
    "conclusion_notice": "TB-ket-luan-chi-so-CCHC-2024-xa-nam-cua-viet-so-07.docx",
    "remediation_report": "BC-ket-qua-khac-phuc-chi-so-CCHC-2024-xa-nam-cua-viet-so-07.docx",
    "cchc_report": "BC-ket-qua-CCHC-6-thang-2026-xa-nam-cua-viet-so-07.docx",
}


@pytest.mark.parametrize("kind", list(NAMES))
def test_each_document_downloads_under_a_vietnamese_name(client, scene, kind):
    issue(client, scene, kind)
    doc = IssuedDocument.objects.get()
    response = client.get(reverse("documents:issued-download", args=[doc.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{NAMES[kind]}"'


def test_a_document_without_a_number_yet_says_so_in_its_name(client, scene):
    issue(client, scene, "remediation_plan", number="")
    doc = IssuedDocument.objects.get()
    response = client.get(reverse("documents:issued-download", args=[doc.pk]))
    assert 'filename="KH-khac-phuc-chi-so-CCHC-2024-xa-nam-cua-viet-chua-so.docx"' in response["Content-Disposition"]


def test_templates_download_under_a_vietnamese_name(client, scene, province):
    client.force_login(scene["users"]["admin"])
    url = reverse("documents:template-download", args=[province.pk, "remediation_plan"])
    response = client.get(url, {"mau": "co-san"})
    assert response["Content-Disposition"] == 'attachment; filename="mau-KH-khac-phuc-chi-so-CCHC-co-san.docx"'


def test_the_signers_name_is_checked_by_the_server_with_its_message_by_the_field(client, scene):
    response = issue(client, scene, "remediation_plan", signer_name="   ")
    html = response.content.decode()
    assert IssuedDocument.objects.count() == 0
    assert response.context["form"].errors["signer_name"] == ["Nhập họ và tên người ký văn bản (ví dụ: Lê Văn Mẫn)."]
    # The browser's own bubble does not pre-empt it: the form is checked by the server.
    assert re.search(r'<form method="post" class="card evidence-form doc-form" novalidate', html)
    field = re.search(r'<input type="text" name="signer_name"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_signer_name_error"' in field
    assert '<span class="field-error" id="id_signer_name_error">Nhập họ và tên người ký văn bản' in html
    # The summary at the top links to the field.
    assert '<a href="#id_signer_name">Họ và tên người ký</a>: Nhập họ và tên người ký văn bản' in html
    # A field with help text points at it too, and valid fields are not marked.
    number = re.search(r'<input type="number" name="number"[^>]*>', html)[0]
    assert 'aria-describedby="id_number_helptext"' in number and "aria-invalid" not in number
    assert 'id="id_number_helptext"' in html


def test_the_form_marks_what_is_required(client, scene):
    client.force_login(scene["users"]["office"])
    html = client.get(new_url(scene, "remediation_plan")).content.decode()
    assert 'Họ và tên người ký <span class="req" aria-hidden="true">*</span>' in html
    assert "Các ô có dấu * là bắt buộc." in html
