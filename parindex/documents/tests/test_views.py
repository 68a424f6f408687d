"""Issuing documents from real data through the pages: the form, the register, the downloads, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parindex.documents import render
from parindex.documents.models import IssuedDocument
from parindex.documents.tests.factories import shared_scene
from parindex.documents.tests.reading import all_text, header_cells, open_docx, paragraphs, table_rows
from parindex.remediation.tests.factories import bulk_actions
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

# Every test here uses the scene: built once for the module (tests/shared.py), each test working
# on its own copy, with its own MEDIA_ROOT.
globals().update(
    shared_fixtures(shared_scene, "scene", "version", "province", "commune", "other_commune", "people", media=True)
)

SOURCE = {
    "decision": "publication",
    "remediation_letter": "approved",
    "remediation_plan": "approved",
    "conclusion_notice": "approved",
    "remediation_report": "approved",
    "cchc_report": "open",
    "directive": "open",
    "broadcast": "approved",
}
ISSUER = {"decision": "admin"}


def new_url(scene, kind, source=None):
    return reverse("documents:document-new", args=[kind, scene[source or SOURCE[kind]].pk])


def form_data(kind, **changes):
    data = {
        "body": "Ủy ban nhân dân tỉnh Quảng Trị" if kind == "decision" else "Ủy ban nhân dân xã Nam Cửa Việt",
        "number": "7",
        "symbol": {"decision": "QĐ-UBND", "remediation_plan": "KH-UBND", "conclusion_notice": "TB-UBND"}.get(
            kind, "BC-UBND" if "report" in kind else "UBND-VP"
        ),
        "place": "Quảng Trị" if kind == "decision" else "Nam Cửa Việt",
        "date": "05/02/2026",
        "subject": "Nội dung trích yếu",
        "addressees": "Sở Nội vụ tỉnh Quảng Trị",
        "on_behalf": "on",
        "signer_name": "Lê Văn Mẫn",
        "recipients": "Như trên\nLưu: VT, VP",
        "meeting_date": "03/02/2026",
        "participants": "lãnh đạo UBND xã, các công chức",
        "period": "half",
        "month": "7",
    }
    return data | changes


def issue(client, scene, kind, **changes):
    client.force_login(scene["users"][ISSUER.get(kind, "office")])
    return client.post(new_url(scene, kind), form_data(kind, **changes))


def downloaded(client, doc):
    response = client.get(reverse("documents:issued-download", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return open_docx(b"".join(response.streaming_content))


@pytest.mark.parametrize("kind", list(SOURCE))
def test_each_document_is_issued_from_the_data_and_entered_in_the_register(client, scene, kind):
    response = issue(client, scene, kind)
    doc = IssuedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:issued-detail", args=[doc.pk])
    numbered = kind != "broadcast"  # a Bài tuyên truyền is approved, not numbered
    assert (doc.kind, doc.number, doc.year, doc.issued_on) == (kind, 7 if numbered else None, 2026, dt.date(2026, 2, 5))
    assert len(doc.sha256) == 64 and doc.size > 10_000
    word = downloaded(client, doc)
    (body, _), (number, date) = header_cells(word)
    assert body == ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ" if kind == "decision" else "ỦY BAN NHÂN DÂN\nXÃ NAM CỬA VIỆT")
    assert number.startswith(f"Số: 07/{doc.symbol}") if numbered else number == ""
    assert date.endswith("ngày 05 tháng 02 năm 2026")
    page = client.get(reverse("documents:register", args=[doc.unit_id]))
    assert (f"07/{doc.symbol}" if numbered else doc.subject) in page.content.decode()


def test_the_decision_annex_ranks_every_published_unit(client, scene):
    issue(client, scene, "decision")
    word = downloaded(client, IssuedDocument.objects.get())
    rows = table_rows(word.tables[-1])
    published = scene["publication"].results.order_by("rank", "unit_name")
    assert [r[1] for r in rows[1:]] == [r.unit_name for r in published]
    assert all(r[12] == f"{p.rank}/2" for r, p in zip(rows[1:], published, strict=True))
    assert rows[0][2:9] == ["I (21)", "II (12)", "III (25)", "IV (7)", "V (12)", "VI (10)", "VII (13)"]
    text = paragraphs(word)
    assert any("Căn cứ Quyết định số 1325/QĐ-UBND" in t for t in text)


def test_the_remediation_letter_reproduces_the_seed_001_annex(client, scene):
    """The plan drawn from the seed's appraised values gives the seed's Phụ lục rows."""
    issue(client, scene, "remediation_letter")
    word = downloaded(client, IssuedDocument.objects.get())
    rows = table_rows(word.tables[-1])
    headings = [r[0] for r in rows if len(r) == 1]
    assert [h.split(".")[0] for h in headings] == ["I", "II", "III", "VII"]
    items = {r[0].split(". ")[0]: r for r in rows[1:-1] if len(r) == 6}
    assert list(items) == ["1.1.3", "1.2", "1.5.3", "1.6", "2.4.4", "3.12", "3.13.1", "3.13.3", "7.7"]
    assert items["1.1.3"][1:4] == ["2", "1,60", "Hoàn thành 80% nhiệm vụ CCHC theo Kế hoạch"]
    assert items["3.13.1"][1:3] == ["1", "0,34"]
    assert items["1.1.3"][4].startswith("- Khắc phục tiêu chí 1.1.3 (Văn phòng - Thống kê (Nguyễn Văn Tư))")
    assert items["1.1.3"][5] == "- Cả năm 2025"
    assert rows[-1][:3] == ["Tổng số điểm bị mất", "15,5", "8,24"]  # 15,5 − 7,26
    assert "7,26 điểm bị mất ở 9 tiêu chí thành phần" in rows[-1][3]
    assert any("Lĩnh vực I. " in t and "/21 điểm" in t for t in paragraphs(word))


def test_the_report_draws_on_the_self_assessment_and_the_indicators(client, scene, commune):
    from django.core.management import call_command

    from parindex.indicators.models import Indicator, IndicatorValue

    call_command("load_indicators", verbosity=0)
    on_time = Indicator.objects.filter(kind="ratio").order_by("code").first()
    for month in (1, 2, 3, 7):
        IndicatorValue.objects.create(
            indicator=on_time, unit=commune, year=2026, month=month, numerator=45, denominator=50
        )
    issue(client, scene, "cchc_report", field_I="Đã ban hành kế hoạch CCHC năm 2026.")
    text = all_text(downloaded(client, IssuedDocument.objects.get()))
    assert "6 tháng đầu năm 2026" in text
    # Months 1-6 only: 3 months of 45/50.
    assert f"{on_time.name}\t" in text and "90,00% (135/150)" in text
    assert "Đã ban hành kế hoạch CCHC năm 2026." in text  # the unit's own words where it wrote them
    assert "[Phần do đơn vị tự viết: kết quả thực hiện lĩnh vực II." in text  # marked where it did not
    assert "Tổng cộng\t100\t0,00\t100,00" in text  # nothing answered yet in the open cycle


def test_a_yearly_report_with_a_half_year_subject_is_refused(client, scene):
    response = issue(client, scene, "cchc_report", period="year", subject="Kết quả công tác CCHC 6 tháng đầu năm 2026")
    assert "Kỳ báo cáo là cả năm nhưng trích yếu ghi “6 tháng”" in response.content.decode()
    assert IssuedDocument.objects.count() == 0
    issue(client, scene, "cchc_report", period="year", subject="Kết quả công tác CCHC năm 2026")
    assert "năm 2026 của xã Nam Cửa Việt" in all_text(downloaded(client, IssuedDocument.objects.get()))


def test_a_taken_number_is_refused_and_what_was_typed_stays(client, scene):
    issue(client, scene, "remediation_plan")
    response = issue(client, scene, "remediation_plan", subject="Kế hoạch thứ hai")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số 07/KH-UBND năm 2026 đã được dùng" in html
    assert "Kế hoạch thứ hai" in html
    assert IssuedDocument.objects.count() == 1
    # The form proposes the next free number.
    page = client.get(new_url(scene, "remediation_plan"))
    assert page.context["form"].initial["number"] == 8


def test_bad_input_gives_vietnamese_messages_and_stores_nothing(client, scene):
    response = issue(client, scene, "conclusion_notice", date="31/02/2026", recipients="  ", meeting_date="")
    assert response.status_code == 200
    errors = response.context["form"].errors | response.context["extra"].errors
    assert "Cần ít nhất một nơi nhận" in str(errors["recipients"])
    assert {"date", "meeting_date"} <= set(errors)
    assert IssuedDocument.objects.count() == 0


def test_a_plan_in_draft_gives_no_plan_document_but_the_letter(client, scene):
    client.force_login(scene["users"]["office"])
    response = client.post(new_url(scene, "remediation_plan", "draft"), form_data("remediation_plan"))
    assert "chưa được phê duyệt" in response.content.decode()
    assert IssuedDocument.objects.count() == 0
    response = client.post(new_url(scene, "remediation_letter", "draft"), form_data("remediation_letter"))
    assert response.status_code == 302


def test_the_form_starts_from_the_unit_the_head_and_the_next_number(client, scene):
    client.force_login(scene["users"]["office"])
    form = client.get(new_url(scene, "conclusion_notice")).context["form"]
    assert form.initial["body"] == "Ủy ban nhân dân xã Nam Cửa Việt"
    assert form.initial["place"] == "Nam Cửa Việt"
    assert form.initial["signer_name"] == "Lê Văn Mẫn"
    assert form.initial["symbol"] == "TB-UBND" and form.initial["number"] == 1
    assert "năm 2024" in form.initial["subject"]
    assert form.initial["on_behalf"] is True  # "TM. ỦY BAN NHÂN DÂN" above the chairman
    client.force_login(scene["users"]["admin"])
    decision = client.get(new_url(scene, "decision")).context["form"]
    # The decision is the chairman's own ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH … QUYẾT ĐỊNH"): no "TM." line.
    assert decision.initial["on_behalf"] is False and decision.initial["body"] == "Ủy ban nhân dân tỉnh Quảng Trị"


# -- access -------------------------------------------------------------------------------------

COMMUNE_KINDS = ["remediation_letter", "remediation_plan", "conclusion_notice", "remediation_report", "cchc_report",
                 "directive", "broadcast"]  # fmt: skip
# persona -> expected status of the commune's document forms, and of the province's decision
MATRIX = {
    "office": (200, 404),
    "head": (200, 404),
    "officer": (403, 404),
    "viewer": (403, 403),
    "chair": (403, 403),
    "admin": (403, 200),
    "other_office": (404, 404),
    "appraiser": (404, 404),
}


@pytest.mark.parametrize(("persona", "expected"), list(MATRIX.items()), ids=list(MATRIX))
def test_access(client, scene, persona, expected):
    commune_status, decision_status = expected
    client.force_login(scene["users"][persona])
    for number, kind in enumerate(COMMUNE_KINDS, start=1):
        assert client.get(new_url(scene, kind)).status_code == commune_status, kind
        assert client.post(new_url(scene, kind), form_data(kind, number=str(number))).status_code in (
            (302,) if commune_status == 200 else (commune_status,)
        ), kind
    assert client.get(new_url(scene, "decision")).status_code == decision_status
    if decision_status != 200:
        assert client.post(new_url(scene, "decision"), form_data("decision")).status_code == decision_status
        assert not IssuedDocument.objects.filter(kind="decision").exists()


def test_anonymous_users_are_sent_to_login(client, scene):
    for url in (new_url(scene, "remediation_plan"), reverse("documents:home"), reverse("documents:register", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_an_unknown_kind_is_404(client, scene):
    client.force_login(scene["users"]["office"])
    assert client.get(reverse("documents:document-new", args=["bien-ban", scene["approved"].pk])).status_code == 404


def test_issued_documents_are_seen_only_where_their_unit_is(client, scene):
    issue(client, scene, "remediation_plan")
    doc = IssuedDocument.objects.get()
    urls = [
        reverse("documents:issued-detail", args=[doc.pk]),
        reverse("documents:issued-download", args=[doc.pk]),
        reverse("documents:register", args=[doc.unit_id]),
    ]
    for persona, status in (("other_office", 404), ("appraiser", 404), ("viewer", 200), ("head", 200)):
        client.force_login(scene["users"][persona])
        assert [client.get(url).status_code for url in urls] == [status] * 3, persona
    client.force_login(scene["users"]["office"])
    assert client.post(urls[0]).status_code == 405


def test_the_hub_lists_what_each_unit_can_write_from(client, scene):
    client.force_login(scene["users"]["office"])
    html = client.get(reverse("documents:home")).content.decode()
    assert "Xã Nam Cửa Việt" in html and "Phường Đông Hà" not in html
    assert new_url(scene, "remediation_letter") in html and new_url(scene, "cchc_report") in html
    client.force_login(scene["users"]["admin"])
    html = client.get(reverse("documents:home")).content.decode()
    assert (
        new_url(scene, "decision") in html
        and reverse("documents:template-list", args=[scene["a2024"].cycle.province_id]) in html
    )


@pytest.mark.skipif(render.soffice() is None, reason="LibreOffice is not installed")
def test_the_pdf_is_made_once_asked_for_and_then_downloaded(client, scene, django_capture_on_commit_callbacks):
    """Jobs run at once here (the test settings); test_pdf_jobs.py has them queued for the worker."""
    issue(client, scene, "conclusion_notice")
    doc = IssuedDocument.objects.get()
    download = reverse("documents:issued-download", args=[doc.pk]) + "?dinh-dang=pdf"
    early = client.get(download, follow=True)
    assert "Bản PDF chưa có" in early.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("documents:issued-pdf", args=[doc.pk])).status_code == 302
    assert "Tải bản PDF" in client.get(reverse("documents:issued-detail", args=[doc.pk])).content.decode()
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]


# -- bounded queries ------------------------------------------------------------------------------


def test_the_form_costs_the_same_queries_for_few_and_many_measures(client, scene, django_assert_num_queries):
    client.force_login(scene["users"]["office"])
    url = new_url(scene, "remediation_report")
    client.get(url)
    with django_assert_num_queries(QUERIES["form"]):
        assert client.get(url).status_code == 200
    bulk_actions(scene["approved"], 120, official=scene["users"]["officer"])
    with django_assert_num_queries(QUERIES["form"]):
        assert client.get(url).status_code == 200


def test_issuing_costs_the_same_queries_for_few_and_many_measures(client, scene, django_assert_num_queries):
    client.force_login(scene["users"]["office"])
    url = new_url(scene, "remediation_report")
    with django_assert_num_queries(QUERIES["issue"]):
        assert client.post(url, form_data("remediation_report", number="1")).status_code == 302
    bulk_actions(scene["approved"], 120, official=scene["users"]["officer"])
    with django_assert_num_queries(QUERIES["issue"]):
        assert client.post(url, form_data("remediation_report", number="2")).status_code == 302


def test_the_register_and_the_hub_cost_the_same_queries_for_one_and_many_documents(
    client, scene, django_assert_num_queries
):
    client.force_login(scene["users"]["office"])
    issue(client, scene, "remediation_plan", number="1")
    pages = [reverse("documents:register", args=[scene["approved"].unit_id]), reverse("documents:home")]
    for page, count in zip(pages, (QUERIES["register"], QUERIES["home"]), strict=True):
        with django_assert_num_queries(count):
            client.get(page)
    for n in range(2, 8):
        issue(client, scene, "remediation_plan", number=str(n))
    for page, count in zip(pages, (QUERIES["register"], QUERIES["home"]), strict=True):
        with django_assert_num_queries(count):
            client.get(page)


# register: one more than it was, the documents counted by year for the filter and the pager, and two
# for the register's next numbers (issue 22); form: the register's next number as the văn thư set it;
# issue: the Kế hoạch and the decision as issued (their numbers cited) and the register moved on.
QUERIES = {"form": 8, "issue": 13, "register": 8, "home": 8}
