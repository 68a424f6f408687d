"""The self-assessment page as a workspace: one field at a time, filters, a row opened in place,
a save that answers with its row and the figures around it, evidence attached from the row,
the submit refusal as links to the rows, and a confirmation before irreversible steps."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.accounts.selectors import principal_for
from parindex.assessments import services
from parindex.assessments.models import Answer, Assessment, Assignment, AuditEntry, Evidence
from parindex.assessments.page import View, self_assessment_page
from parindex.assessments.tests import test_views
from parindex.assessments.tests.factories import PDF, answer_everything
from parindex.assessments.workflow import Status
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db
setup = test_views.setup  # the same assessment, people and document as the view tests
url = test_views.url

HX = {"HX-Request": "true"}


def get(client, setup, query="", **headers):
    return client.get(url("assessment-detail", setup["assessment"]) + query, headers=headers or None)


def leaf_ids(html: str) -> list[str]:
    return re.findall(r'<tr role="row" id="leaf-([^"]+)"', html)


def open_rows(html: str) -> list[str]:
    return re.findall(r'<tr role="row" id="leaf-([^"]+)" class="leaf[^"]* open', html)


def criterion(setup, code):
    return Criterion.objects.get(version=setup["version"], code=code)


class TestView:
    def test_the_query_string_round_trips(self):
        view = View.from_query({"linh-vuc": "II", "loc": "chua-nhap", "tieu-chi": "2.1", "chua-du": "1"})
        assert view == View(field="II", filter="chua-nhap", open="2.1", refusal=True)
        assert View.from_query({"linh-vuc": "II", "loc": "chua-nhap", "tieu-chi": "2.1", "chua-du": "1"}).query() == (
            "?linh-vuc=II&loc=chua-nhap&chua-du=1&tieu-chi=2.1"
        )
        assert View.from_query({"loc": "bogus"}).filter == "" and View.from_query({"cua-toi": "1"}).filter == "cua-toi"
        assert View().query() == "" and View(open="").query() == "?tieu-chi="


class TestOneFieldAtATime:
    def test_the_office_lands_on_the_first_field_with_work_its_first_item_open(self, client, setup):
        client.force_login(setup["users"]["office"])
        html = get(client, setup).content.decode()
        assert set(code.split(".")[0] for code in leaf_ids(html)) == {"1"}
        assert open_rows(html) == ["1.1.1"]  # nothing entered yet: the first item is open
        assert 'id="tab-I" href=' in html and re.search(r'id="tab-I"[^>]*aria-current="page"', html)
        # The field's own progress on each tab: entered x/y and the points lost.
        assert re.search(r'id="tab-III".*?0/\d+<span class="ws-words"> đã nhập', html, re.S)

    def test_a_field_is_chosen_in_the_url(self, client, setup):
        client.force_login(setup["users"]["office"])
        html = get(client, setup, "?linh-vuc=III").content.decode()
        assert leaf_ids(html) and all(code.startswith("3.") for code in leaf_ids(html))
        assert re.search(r'id="tab-III"[^>]*aria-current="page"', html)
        every = get(client, setup, "?linh-vuc=tat-ca").content.decode()
        assert len(leaf_ids(every)) == 53

    def test_a_row_in_the_url_opens_its_field_and_the_row(self, client, setup):
        client.force_login(setup["users"]["office"])
        html = get(client, setup, "?tieu-chi=3.6").content.decode()
        assert open_rows(html) == ["3.6"] and all(code.startswith("3.") for code in leaf_ids(html))
        assert 'name="explanation" id="expl-3.6"' in html
        closed = get(client, setup, "?linh-vuc=III&tieu-chi=").content.decode()
        assert open_rows(closed) == [] and "<form" not in closed.split('id="workspace"')[1].split("</section>")[0]

    def test_htmx_gets_one_row_or_the_fields_table(self, client, setup):
        client.force_login(setup["users"]["office"])
        row = get(client, setup, "?linh-vuc=I&tieu-chi=1.1.3", HX_Request="true", HX_Target="leaf-1.1.3")
        html = row.content.decode()
        assert "<html" not in html and html.strip().startswith('<tr role="row" id="leaf-1.1.3"')
        assert open_rows(html) == ["1.1.3"] and "HX-Request" in row["Vary"]
        closed = get(client, setup, "?linh-vuc=I&tieu-chi=", HX_Request="true", HX_Target="leaf-1.1.3")
        assert open_rows(closed.content.decode()) == [] and "<form" not in closed.content.decode()
        table = get(client, setup, "?linh-vuc=II", HX_Request="true", HX_Target="workspace").content.decode()
        assert table.strip().startswith('<section class="card ws" id="workspace"') and "<html" not in table
        assert all(code.startswith("2.") for code in leaf_ids(table))

    def test_officers_see_their_own_field_and_the_others_locked(self, client, setup):
        a, officer = setup["assessment"], setup["users"]["officer"]
        Assignment.objects.create(assessment=a, criterion=criterion(setup, "II"), official=officer)
        client.force_login(officer)
        html = get(client, setup).content.decode()
        assert all(code.startswith("2.") for code in leaf_ids(html))  # where their work is
        assert "Giao cho: officer" in html
        other = get(client, setup, "?linh-vuc=I&tieu-chi=1.1.3").content.decode()
        assert 'name="explanation"' not in other and "Khóa: Không được giao cho bạn." in other


class TestFilters:
    def test_filters_are_links_with_counts_and_filter_on_the_server(self, client, setup):
        a, office = setup["assessment"], setup["users"]["office"]
        for code in ("1.1.1", "1.1.2"):  # 1.1.1 has a document; 1.1.2 neither a document nor a word
            services.answer_save(
                assessment=a, criterion=criterion(setup, code), inputs={"days_late": "0"} if code == "1.1.1" else {"met": True},
                base_revision=None, actor=office,
            )  # fmt: skip
        Assignment.objects.create(assessment=a, criterion=criterion(setup, "1.2"), official=office)
        client.force_login(office)
        html = get(client, setup, "?linh-vuc=I").content.decode()
        counts = dict(re.findall(r'id="loc-([a-z-]+)"[^>]*>[^<]*<span class="ws-count">\((\d+)\)', html))
        assert counts == {"tat-ca": "11", "cua-toi": "1", "chua-nhap": "9", "thieu": "1", "giai-trinh": "0"}
        missing = get(client, setup, "?linh-vuc=I&loc=chua-nhap&tieu-chi=").content.decode()
        assert len(leaf_ids(missing)) == 9 and "1.1.1" not in leaf_ids(missing)
        assert leaf_ids(get(client, setup, "?linh-vuc=I&loc=thieu").content.decode()) == ["1.1.2"]
        assert leaf_ids(get(client, setup, "?linh-vuc=I&loc=cua-toi").content.decode()) == ["1.2"]
        assert "Không có tiêu chí thành phần nào khớp bộ lọc" in get(client, setup, "?loc=giai-trinh").content.decode()


class TestSave:
    def test_a_bad_value_without_script_comes_back_typed_with_the_reason(self, client, setup):
        client.force_login(setup["users"]["office"])
        response = client.post(
            url("answer-save", setup["assessment"], "1.1.3"),
            {"value_percent": "-5", "linh-vuc": "I", "explanation": "thử"},
        )
        html = response.content.decode()
        assert response.status_code == 400 and open_rows(html) == ["1.1.3"]
        assert 'name="value_percent" id="pct-1.1.3" value="-5"' in html and ">thử</textarea>" in html
        assert "tỷ lệ không được âm" in html
        assert not Answer.objects.exists()

    def test_with_htmx_the_typed_value_is_kept_too(self, client, setup):
        client.force_login(setup["users"]["office"])
        response = client.post(
            url("answer-save", setup["assessment"], "1.1.3"), {"value_percent": "tám mươi"}, headers=HX
        )
        html = response.content.decode()
        assert 'value="tám mươi"' in html and "Tỷ lệ phải là một số" in html and 'role="alert"' in html

    def test_a_stale_save_shows_the_stored_value_and_what_was_typed(self, client, setup):
        a = setup["assessment"]
        client.force_login(setup["users"]["office"])
        client.post(url("answer-save", a, "1.1.3"), {"value_percent": "50"})
        client.post(url("answer-save", a, "1.1.3"), {"value_percent": "60", "revision": "1"})
        response = client.post(url("answer-save", a, "1.1.3"), {"value_percent": "90", "revision": "1"}, headers=HX)
        html = response.content.decode()
        assert "vừa được người khác cập nhật" in html and "Bạn đã nhập: Tỷ lệ (%) 90." in html
        assert 'name="value_percent" id="pct-1.1.3" value="60"' in html  # the stored value, not the typed one
        assert Answer.objects.get().inputs == {"value": "0.6"}

    def test_without_script_a_save_comes_back_to_the_row_in_its_field_and_filter(self, client, setup):
        client.force_login(setup["users"]["office"])
        response = client.post(
            url("answer-save", setup["assessment"], "1.1.3"),
            {"value_percent": "80", "linh-vuc": "I", "loc": "chua-nhap"},
        )
        assert (
            response["Location"]
            == url("assessment-detail", setup["assessment"]) + "?linh-vuc=I&loc=chua-nhap&tieu-chi=1.1.3#leaf-1.1.3"
        )
        html = client.get(response["Location"]).content.decode()
        assert open_rows(html) == ["1.1.3"]  # shown, though the filter no longer matches it


class TestEvidenceFromTheRow:
    def test_a_new_file_uploaded_from_a_row_comes_back_in_the_row(self, client, setup):
        client.force_login(setup["users"]["office"])
        data = {
            "file": SimpleUploadedFile("bc.pdf", PDF),
            "title": "Báo cáo CCHC",
            "criteria": "1.1.3",
            "tieu-chi": "1.1.3",
            "linh-vuc": "I",
        }
        html = client.post(url("evidence-upload", setup["assessment"]), data, headers=HX).content.decode()
        assert html.strip().startswith('<tr role="row" id="leaf-1.1.3"') and "Báo cáo CCHC</a>" in html
        assert re.search(r'<section class="card" id="evidence"[^>]*hx-swap-oob="true"', html)
        assert list(Evidence.objects.get(title="Báo cáo CCHC").criteria.values_list("code", flat=True)) == ["1.1.3"]
        # Without script: back to the row.
        data["file"] = SimpleUploadedFile("bc2.pdf", PDF)
        response = client.post(url("evidence-upload", setup["assessment"]), data)
        assert response["Location"].endswith("?linh-vuc=I&tieu-chi=1.1.3#leaf-1.1.3")

    def test_a_refused_file_says_why_in_the_row(self, client, setup):
        client.force_login(setup["users"]["office"])
        data = {
            "file": SimpleUploadedFile("bc.pdf", b"MZ\x90 exe"),
            "title": "X",
            "criteria": "1.1.3",
            "tieu-chi": "1.1.3",
        }
        html = client.post(url("evidence-upload", setup["assessment"]), data, headers=HX).content.decode()
        assert "không phải là PDF" in html and 'class="ws-upload" open' in html
        assert Evidence.objects.count() == 1

    def test_a_document_already_uploaded_is_linked_to_another_item_and_audited(self, client, setup):
        a, evidence = setup["assessment"], setup["evidence"]
        client.force_login(setup["users"]["office"])
        data = {"tai-lieu": str(evidence.pk), "criteria": "1.1.3", "tieu-chi": "1.1.3", "linh-vuc": "I"}
        html = client.post(url("evidence-upload", a), data, headers=HX).content.decode()
        assert "Kế hoạch CCHC</a>" in html and "Đã gắn tài liệu" in html
        assert set(evidence.criteria.values_list("code", flat=True)) == {"1.1.1", "1.1.3"}
        entry = AuditEntry.objects.get(criterion__code="1.1.3")
        assert entry.new["evidence"] == evidence.pk and entry.new["file"] == "kh.pdf" and entry.note
        # Twice is refused, and said in the row.
        again = client.post(url("evidence-upload", a), data, headers=HX).content.decode()
        assert (
            "đã được gắn với tiêu chí 1.1.3" in again
            and AuditEntry.objects.filter(criterion__code="1.1.3").count() == 1
        )

    def test_linking_follows_the_upload_rules(self, client, setup):
        a, evidence, users = setup["assessment"], setup["evidence"], setup["users"]
        data = {"tai-lieu": str(evidence.pk), "criteria": "1.1.3", "tieu-chi": "1.1.3"}
        expected = {"office": 302, "head": 302, "officer": 403, "viewer": 403, "council": 403, "outsider": 404}
        got = {}
        for persona in expected:
            client.force_login(users[persona])
            got[persona] = client.post(url("evidence-upload", a), data).status_code
            evidence.criteria.remove(criterion(setup, "1.1.3"))
        assert got == expected
        # A document of another assessment is not offered, nor accepted.
        other = Assessment.objects.exclude(pk=a.pk).get()
        theirs = services.evidence_add(
            assessment=other, upload=io.BytesIO(PDF), filename="x.pdf", title="Của xã khác",
            criteria=[criterion(setup, "1.1.1")], actor=None,
        )  # fmt: skip
        client.force_login(users["office"])
        client.post(url("evidence-upload", a), {**data, "tai-lieu": str(theirs.pk)})
        assert not theirs.criteria.filter(code="1.1.3").exists()

    def test_evidence_frozen_once_submitted_stays_frozen(self, setup):
        a, head = setup["assessment"], setup["users"]["head"]
        answer_everything(a, head)
        services.assessment_transition(assessment=a, to=Status.SUBMITTED, actor=head, principal=principal_for(head))
        a.refresh_from_db()
        evidence = Evidence.objects.get(pk=setup["evidence"].pk)
        with pytest.raises(Exception, match="chỉ xem"):
            services.evidence_link(evidence=evidence, criterion=criterion(setup, "1.1.3"), actor=head)
        assert list(evidence.criteria.values_list("code", flat=True)) == ["1.1.1"]


class TestSubmit:
    def test_the_head_confirms_what_will_be_locked_before_submitting(self, client, setup):
        client.force_login(setup["users"]["head"])
        html = get(client, setup).content.decode()
        assert '<summary class="button primary">Gửi thẩm định…</summary>' in html
        panel = html.split('aria-label="Xác nhận: Gửi thẩm định"')[1].split("</details>")[0]
        assert "bị khóa" in panel and 'name="to" value="submitted"' in panel and "Xác nhận gửi thẩm định" in panel

    def test_once_submitted_the_rows_are_locked_and_withdrawing_is_confirmed_too(self, client, setup):
        a, head = setup["assessment"], setup["users"]["head"]
        answer_everything(a, head)
        client.force_login(head)
        response = client.post(url("assessment-transition", a), {"to": Status.SUBMITTED}, follow=True)
        html = response.content.decode()
        assert "Hồ sơ đã chuyển sang: Đã gửi thẩm định." in html
        assert "Rút lại để sửa…</summary>" in html and "Xác nhận rút lại" in html
        every = get(client, setup, "?linh-vuc=tat-ca&tieu-chi=1.1.3").content.decode()
        assert 'name="explanation"' not in every and "Khóa: Hồ sơ đã gửi thẩm định." in every

    def test_the_refusal_list_follows_the_saves(self, client, setup):
        a, office = setup["assessment"], setup["users"]["office"]
        client.force_login(office)
        response = client.post(
            url("answer-save", a, "1.1.3"), {"value_percent": "80", "chua-du": "1", "linh-vuc": "I"}, headers=HX
        )
        html = response.content.decode()
        refusal = re.search(
            r'<section class="card ws-refusal" id="chua-du"[^>]*hx-swap-oob="true".*?</section>', html, re.S
        )[0]
        assert (
            "còn 53 tiêu chí" in refusal
            and "1.1.3 Mức độ thực hiện kế hoạch CCHC</a>: chưa có tài liệu kiểm chứng hoặc giải thích" in refusal
        )


def test_the_page_data_is_the_same_the_save_uses(setup):
    """The save answers with the row the page would show: one place builds rows."""
    a, office = setup["assessment"], setup["users"]["office"]
    page = self_assessment_page(a, principal_for(office), View(field="I", open="1.1.3"))
    row = page.row("1.1.3")
    assert row.is_open and row.state == "empty" and row.to_do and row.url.endswith("?linh-vuc=I&tieu-chi=1.1.3")
    assert [r.code for r in page.ancestors("1.1.3")] == ["1.1", "I"]
    assert page.current_field.code == "I" and page.view.open == "1.1.3"
