"""The body's own register (issue 22): the number a form proposes follows the register as the
văn thư keeps it (numbers given outside parindex move it on), a plan or a publication that
already has its number proposes it, and a document citing another cites the number that one
was issued with."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parindex.documents.models import IssuedDocument, RegisterNumber
from parindex.documents.tests.factories import shared_scene
from parindex.documents.tests.reading import all_text
from parindex.documents.tests.test_views import downloaded, issue, new_url
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

# Every test here uses the scene: built once for the module (tests/shared.py), each test working
# on its own copy, with its own MEDIA_ROOT.
globals().update(
    shared_fixtures(shared_scene, "scene", "version", "province", "commune", "other_commune", "people", media=True)
)


def set_next(client, scene, symbol, number, year="2026", persona="office"):
    client.force_login(scene["users"][persona])
    url = reverse("documents:register-number", args=[scene["approved"].unit_id])
    return client.post(url, {"symbol": symbol, "year": year, "next_number": str(number)})


def proposed(client, scene, kind):
    client.force_login(scene["users"]["office"])
    return client.get(new_url(scene, kind)).context["form"].initial["number"]


def test_the_form_proposes_the_registers_next_number_and_issuing_moves_it_on(client, scene):
    assert proposed(client, scene, "conclusion_notice") == 1
    response = set_next(client, scene, "tb-ubnd", 46)
    assert response.status_code == 302
    assert RegisterNumber.objects.get().next_number == 46 and RegisterNumber.objects.get().symbol == "TB-UBND"
    assert proposed(client, scene, "conclusion_notice") == 46
    page = client.get(reverse("documents:register", args=[scene["approved"].unit_id])).content.decode()
    assert "TB-UBND: số tiếp theo <strong>46</strong>" in page
    issue(client, scene, "conclusion_notice", number="46")
    assert RegisterNumber.objects.get().next_number == 47
    assert proposed(client, scene, "conclusion_notice") == 47
    # A number typed from the document-management system, further on, moves the register past it.
    issue(client, scene, "conclusion_notice", number="60")
    assert proposed(client, scene, "conclusion_notice") == 61


def test_the_register_cannot_go_back_below_a_number_given(client, scene):
    issue(client, scene, "conclusion_notice", number="9")
    response = set_next(client, scene, "TB-UBND", 5)
    assert response.status_code == 400
    assert "Số 09/TB-UBND năm 2026 đã được cấp trong sổ: số tiếp theo phải từ 10 trở lên." in response.content.decode()
    assert not RegisterNumber.objects.exists()
    response = set_next(client, scene, "TB-UBND", 0)
    assert response.status_code == 400 and "Số tiếp theo từ 1 trở lên." in response.content.decode()


def test_a_plan_that_has_its_number_proposes_it_for_its_ke_hoach(client, scene):
    plan = scene["approved"]
    plan.document_number = "45/KH-UBND"
    plan.save(update_fields=["document_number"])
    assert proposed(client, scene, "remediation_plan") == 45
    issue(client, scene, "remediation_plan", number="45")
    assert proposed(client, scene, "remediation_plan") == 46  # 45 is taken now


def test_documents_cite_the_number_the_cited_document_was_issued_with(client, scene):
    plan = scene["approved"]
    plan.document_number = "45/KH-UBND"  # what the app holds
    plan.save(update_fields=["document_number"])
    issue(client, scene, "remediation_plan", number="12", date="10/03/2026")  # what the register gave
    issue(client, scene, "decision", number="3", date="20/01/2026")
    issue(client, scene, "remediation_report", number="30")
    report = all_text(downloaded(client, IssuedDocument.objects.get(kind="remediation_report")))
    assert "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/03/2026" in report and "45/KH-UBND" not in report
    issue(client, scene, "remediation_letter", number="31")
    letter = all_text(downloaded(client, IssuedDocument.objects.get(kind="remediation_letter")))
    assert "Căn cứ Quyết định số 03/QĐ-UBND ngày 20/01/2026" in letter


def test_only_who_issues_may_set_the_next_number(client, scene):
    url = reverse("documents:register-number", args=[scene["approved"].unit_id])
    for persona, status in (("other_office", 404), ("appraiser", 404), ("viewer", 403), ("officer", 403)):
        assert set_next(client, scene, "TB-UBND", 5, persona=persona).status_code == status, persona
    assert not RegisterNumber.objects.exists()
    client.force_login(scene["users"]["head"])
    assert client.get(url).status_code == 405
    assert set_next(client, scene, "TB-UBND", 5, persona="head").status_code == 302
    client.logout()
    assert client.post(url, {"symbol": "X", "year": "2026", "next_number": "1"}).status_code == 302  # to login
