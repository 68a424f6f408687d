from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from parindex import scoring
from parindex.accounts.models import Role
from parindex.assessments import services
from parindex.assessments.models import Answer, Assessment, Assignment, Evidence
from parindex.assessments.tests.factories import PDF, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.core.templatetags.parindex import css_id
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.frameworks.tests.factories import framework_document
from parindex.indicators import projections

pytestmark = pytest.mark.django_db

# (role, held at "commune" A or "province", include_descendants)
PERSONAS = {
    "officer": (Role.COMMUNE_OFFICER, "commune", False),
    "office": (Role.COMMUNE_OFFICE, "commune", False),
    "head": (Role.COMMUNE_HEAD, "commune", False),
    "appraiser": (Role.APPRAISER, "province", True),
    "council": (Role.COUNCIL_CHAIR, "province", True),
    "admin": (Role.PROVINCE_ADMIN, "province", True),
    "viewer": (Role.VIEWER, "province", True),
    "outsider": (Role.COMMUNE_OFFICER, "other", False),
}


@pytest.fixture
def setup(province, commune, other_commune, reference_spec, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    assessment = open_cycle(province, version, commune, other_commune).assessments.get(unit=commune)
    units = {"commune": commune, "province": province, "other": other_commune}
    users = {
        name: user_with_role(name, role, units[where], include_descendants=descendants)
        for name, (role, where, descendants) in PERSONAS.items()
    }
    office = users["office"]
    evidence = services.evidence_add(
        assessment=assessment, upload=io.BytesIO(PDF), filename="kh.pdf", title="Kế hoạch CCHC",
        criteria=[Criterion.objects.get(version=version, code="1.1.1")], actor=office,
    )  # fmt: skip
    return {"assessment": assessment, "users": users, "version": version, "evidence": evidence}


def url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.pk, *args])


def answer(client, assessment, code="1.1.3", **data):
    return client.post(url("answer-save", assessment, code), data or {"value_percent": "80"})


# view -> persona -> expected status
MATRIX = {
    "detail": {"officer": 200, "office": 200, "head": 200, "appraiser": 404, "council": 200, "admin": 200, "viewer": 200, "outsider": 404},
    "answer": {"officer": 403, "office": 302, "head": 302, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
    "upload": {"officer": 403, "office": 302, "head": 302, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
    "revision": {"officer": 403, "office": 302, "head": 302, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
    "download": {"officer": 200, "office": 200, "head": 200, "appraiser": 404, "council": 200, "admin": 200, "viewer": 200, "outsider": 404},
    "transition": {"officer": 403, "office": 403, "head": 302, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
    "assign": {"officer": 403, "office": 200, "head": 200, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
    "assign-save": {"officer": 403, "office": 302, "head": 302, "appraiser": 404, "council": 403, "admin": 403, "viewer": 403, "outsider": 404},
}  # fmt: skip


def call(view, client, s):
    a, e = s["assessment"], s["evidence"]
    if view == "detail":
        return client.get(url("assessment-detail", a))
    if view == "answer":
        return answer(client, a)
    if view == "upload":
        f = SimpleUploadedFile("bc.pdf", PDF)
        return client.post(url("evidence-upload", a), {"file": f, "title": "Báo cáo", "criteria": ["1.1.3"]})
    if view == "revision":
        return client.post(url("evidence-revision", a, e.pk), {"file": SimpleUploadedFile("kh2.pdf", PDF)})
    if view == "download":
        return client.get(url("evidence-download", a, e.pk, 1))
    if view == "assign":
        return client.get(url("assignment-edit", a))
    if view == "assign-save":
        return client.post(url("assignment-edit", a), {"giao-II": str(s["users"]["officer"].pk)})
    return client.post(url("assessment-transition", a), {"to": Status.SUBMITTED})


@pytest.mark.parametrize("view", list(MATRIX))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_permission_matrix(client, setup, view, persona):
    client.force_login(setup["users"][persona])
    assert call(view, client, setup).status_code == MATRIX[view][persona]


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, setup, view):
    response = call(view, client, setup)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("view", "name"),
    [("answer", "answer-save"), ("upload", "evidence-upload"), ("transition", "assessment-transition")],
)
def test_post_only_views_reject_get(client, setup, view, name):
    client.force_login(setup["users"]["head"])
    args = ["1.1.3"] if view == "answer" else []
    assert client.get(url(name, setup["assessment"], *args)).status_code == 405


def test_an_officer_edits_only_what_is_assigned(client, setup):
    a, officer = setup["assessment"], setup["users"]["officer"]
    field_one = Criterion.objects.get(version=setup["version"], code="I")
    Assignment.objects.create(assessment=a, criterion=field_one, official=officer)
    client.force_login(officer)
    assert answer(client, a, "1.1.3").status_code == 302
    assert answer(client, a, "3.13.1").status_code == 403
    assert Answer.objects.get().inputs == {"value": "0.8"}


def test_saving_with_htmx_returns_the_row_and_the_new_totals(client, setup):
    client.force_login(setup["users"]["office"])
    response = client.post(
        url("answer-save", setup["assessment"], "1.1.3"), {"value_percent": "80"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="leaf-1.1.3"' in html and "1,60" in html and "2 × 0,8 = 1,60" in html
    # The row first (its target), then only out-of-band figures, each inside a <template>: the
    # score bar, its field's tab, the all-fields tab, the filters, its field's progress row; not
    # the other fields' tabs, nor the whole progress section (which would close if open).
    row, _, rest = html.strip().partition("</tr>")
    assert row.startswith('<tr role="row" id="leaf-1.1.3"') and rest.lstrip().startswith("<template>")
    for oob in ("score-bar", "tab-I", "tab-tat-ca", "ws-filters", "summary-I", "node-1.1", "node-I"):
        assert re.search(rf'id="{oob}"[^>]*hx-swap-oob="true"', rest), oob
    assert 'id="tab-II"' not in rest and 'id="field-nav"' not in rest and 'id="summary"' not in rest


def out_of_band(html: str) -> dict[str, str]:
    """The text of each element sent out of band (by id), spaces collapsed."""
    fragment = lxml_html.fromstring(
        f"<div>{html.replace('<template>', '<table>').replace('</template>', '</table>')}</div>"
    )
    return {e.get("id"): " ".join(e.text_content().split()) for e in fragment.xpath("//*[@hx-swap-oob]")}


def shown(html: bytes, ids) -> dict[str, str]:
    page = lxml_html.fromstring(html)
    return {i: " ".join(page.get_element_by_id(i).text_content().split()) for i in ids}


@pytest.mark.parametrize(("view", "code", "inputs"), [
    ("I", "1.1.3", {"value_percent": "80"}),
    ("tat-ca", "1.1.3", {"value_percent": "0"}),
    ("I", "1.1.3", {"value_percent": "80", "loc": "chua-nhap"}),
])  # fmt: skip
def test_a_row_save_sends_every_figure_it_moves_as_the_page_then_shows_it(client, setup, view, code, inputs):
    """What a save sends out of band equals the page read afterwards, figure for figure (score
    bar, tabs, filters, the progress rows of its field and official, its criterion's and field's
    rows), and the figures did move: an answer changes only its own field's and official's."""
    a, office, officer = setup["assessment"], setup["users"]["office"], setup["users"]["officer"]
    # The officer holds items of field I and all of field II: a save in field I's view builds
    # field I's rows only and counts the rest, the officer's field II items among them.
    for node in ("1.1", "II"):
        criterion = Criterion.objects.get(version=setup["version"], code=node)
        Assignment.objects.create(assessment=a, criterion=criterion, official=officer)
    client.force_login(office)
    data = {"linh-vuc": view, **inputs}
    query = {k: v for k, v in data.items() if k in ("linh-vuc", "loc")}
    before = client.get(url("assessment-detail", a), query).content
    response = client.post(url("answer-save", a, code), data, headers={"HX-Request": "true"})
    sent = out_of_band(response.content.decode().partition("</tr>")[2])
    after = client.get(url("assessment-detail", a), query).content
    expected = {
        "score-bar",
        "tab-I",
        "tab-tat-ca",
        "ws-filters",
        "summary-I",
        f"summary-official-{officer.pk}",
        "node-1.1",
        "node-I",
    }
    assert expected <= set(sent)
    figures = sent.keys() - {"ws-live"}
    assert sent == {**shown(after, figures), "ws-live": sent["ws-live"]}
    moved = {i for i in figures if shown(before, [i]) != shown(after, [i])}
    assert {"score-bar", "tab-I", "tab-tat-ca", "summary-I", f"summary-official-{officer.pk}"} <= moved
    others = [f"tab-{f}" for f in ("II", "III")] + [f"summary-{f}" for f in ("II", "III")]
    assert shown(before, others) == shown(after, others)


def test_a_bad_value_keeps_the_saved_one_and_says_why(client, setup):
    a = setup["assessment"]
    client.force_login(setup["users"]["office"])
    answer(client, a, value_percent="80")
    response = client.post(
        url("answer-save", a, "1.1.3"), {"value_percent": "-5", "revision": "1"}, headers={"HX-Request": "true"}
    )
    assert "tỷ lệ không được âm" in response.content.decode()
    assert Answer.objects.get().inputs == {"value": "0.8"}


def test_a_stale_form_is_refused_not_applied(client, setup):
    a = setup["assessment"]
    client.force_login(setup["users"]["office"])
    answer(client, a, value_percent="50")
    answer(client, a, value_percent="60", revision="1")
    response = client.post(
        url("answer-save", a, "1.1.3"), {"value_percent": "90", "revision": "1"}, headers={"HX-Request": "true"}
    )
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert Answer.objects.get().inputs == {"value": "0.6"}


def test_submit_is_blocked_with_the_list_of_missing_items(client, setup):
    client.force_login(setup["users"]["head"])
    response = client.post(url("assessment-transition", setup["assessment"]), {"to": Status.SUBMITTED})
    assert response["Location"] == url("assessment-detail", setup["assessment"]) + "?chua-du=1#chua-du"
    html = client.get(response["Location"]).content.decode()
    assert "Chưa gửi được: còn 53 tiêu chí thành phần chưa đủ." in html
    # Each missing item is a link that opens its field and its row.
    link = url("assessment-detail", setup["assessment"]) + "?chua-du=1&amp;tieu-chi=1.1.1#leaf-1.1.1"
    assert f'<a href="{link}">1.1.1 Ban hành kế hoạch CCHC năm kịp thời</a>: chưa nhập số liệu' in html
    assert html.count("?chua-du=1&amp;tieu-chi=") == 53
    assert Assessment.objects.get(pk=setup["assessment"].pk).status == Status.DRAFT


def test_an_upload_refused_by_content_says_so_in_vietnamese(client, setup):
    client.force_login(setup["users"]["office"])
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 executable")
    response = client.post(
        url("evidence-upload", setup["assessment"]), {"file": fake, "title": "X", "criteria": ["1.1.3"]}, follow=True
    )
    assert "không phải là PDF" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_evidence_is_served_only_through_the_checked_view(client, setup):
    stored = setup["evidence"].files.get()
    client.force_login(setup["users"]["viewer"])
    response = client.get(url("evidence-download", setup["assessment"], setup["evidence"].pk, 1))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    assert client.get("/media/" + stored.file.name).status_code == 404


def big_version(leaves):
    doc = framework_document("BIG-FW", fields=7, criteria=3, leaves=leaves)
    return framework_services.framework_import(spec=scoring.parse_framework(doc), publish=True).version


def fill(assessment, user, criteria, *, documents):
    """Answers and assignments to ``user`` for the first 3 × ``documents`` criteria, and
    ``documents`` evidence documents each serving three of them."""
    for criterion in criteria[: documents * 3]:
        services.answer_save(
            assessment=assessment, criterion=criterion, inputs={"value": "0.5"}, base_revision=None, actor=user
        )
        Assignment.objects.create(assessment=assessment, criterion=criterion, official=user)
    for i in range(documents):
        services.evidence_add(
            assessment=assessment,
            upload=io.BytesIO(PDF),
            filename=f"{i}.pdf",
            title=f"TL {i}",
            criteria=criteria[i : i + 3],
            actor=user,
        )


@pytest.mark.parametrize("leaves", [2, 12])
def test_the_page_makes_a_fixed_number_of_queries(
    client, province, commune, django_user_model, django_assert_num_queries, settings, tmp_path, leaves
):
    settings.MEDIA_ROOT = tmp_path
    version = big_version(leaves)
    assessment = open_cycle(province, version, commune).assessments.get()
    user = user_with_role("vp", Role.COMMUNE_OFFICE, commune)
    criteria = list(Criterion.objects.filter(version=version).exclude(rule_kind=""))
    fill(assessment, user, criteria, documents=leaves)
    client.force_login(user)
    detail = reverse("assessments:assessment-detail", args=[assessment.pk])
    spec = framework_selectors.framework_version_spec(version)
    # session, user with their grants (the principal), assessment, criteria tree, answers,
    # evidence, its criteria, its files, assignments, deadline extensions, unread notifications
    # (menu). A framework with
    # a `source: remediation` leaf (1.5.3 of the reference one) adds one: see test_sources.py.
    # The same whether one field, every field or a filtered view is shown (12 before the
    # workspace redesign, when every row was shown open; 12 before the grants were read with
    # the user).
    for query, shown in (("", spec.leaves[: 3 * leaves]), ("?linh-vuc=tat-ca", spec.leaves), ("?loc=chua-nhap", [])):
        framework_selectors._CACHE.clear()
        with django_assert_num_queries(11):
            response = client.get(detail + query)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('class="leaf') == len(shown) or not shown


@pytest.mark.django_db(transaction=True)  # the view's transaction is then the outermost, as in production
@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICE, Role.COMMUNE_OFFICER])
def test_a_row_save_makes_seven_queries_whatever_the_size(client, province, commune, settings, tmp_path, role):
    """Saving a row with htmx: session, user with their grants (the principal), the assessment
    locked with its deadline extension, assignments and evidenced codes, the answers, the
    update, the audit row, the stored projection (issue 19: at most 8). The answer is the row and the figures around it, from what was read."""
    settings.MEDIA_ROOT = tmp_path
    version = big_version(12)
    assessment = open_cycle(province, version, commune).assessments.get()
    user = user_with_role("cb", role, commune)
    criteria = list(Criterion.objects.filter(version=version).exclude(rule_kind=""))
    fill(assessment, user, criteria, documents=12)
    client.force_login(user)
    save = reverse("assessments:answer-save", args=[assessment.pk, criteria[0].code])
    first = {"value_percent": "60", "revision": "1", "linh-vuc": "I"}
    assert client.post(save, first, headers={"HX-Request": "true"}).status_code == 200  # caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.post(save, {**first, "value_percent": "70", "revision": "2"}, headers={"HX-Request": "true"})
    # Statements that read or write, not the transaction's own BEGIN and COMMIT (which SQLite's
    # driver shows and PostgreSQL's does not).
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 7, "\n".join(sql[:120] for sql in statements)
    html = response.content.decode()
    # The row, then the rows of its criterion and of its field: no other row of the table; its
    # side (documents, attachment forms) kept as the browser shows it.
    assert response.status_code == 200 and html.count('<tr role="row"') == 1 + 2
    assert f'id="side-{css_id(criteria[0].code)}" hx-preserve="true"></div>' in html and "Tải tài liệu mới" not in html
    assert 'id="score-bar" hx-swap-oob="true"' in html and 'id="tab-tat-ca"' in html and 'id="field-nav"' not in html
    assert "(bắt buộc khi chưa có tài liệu kiểm chứng)" not in html.split('id="side-')[0]  # it has a document
    stored = Answer.objects.get(assessment=assessment, criterion=criteria[0])
    assert stored.inputs == {"value": "0.7"} and stored.revision == 3
    assert projections.check(cycle_ids=[assessment.cycle_id]) == []


def test_the_office_assigns_a_field_and_the_officer_may_then_edit_its_items(client, setup):
    a, officer = setup["assessment"], setup["users"]["officer"]
    client.force_login(setup["users"]["office"])
    page = client.get(url("assignment-edit", a)).content.decode()
    assert 'name="giao-II"' in page and 'name="giao-2.4.4"' in page and "officer" in page
    response = client.post(url("assignment-edit", a), {"giao-II": str(officer.pk)}, follow=True)
    assert "Đã lưu phân công (1 thay đổi)." in response.content.decode()
    assert list(Assignment.objects.values_list("criterion__code", "official")) == [("II", officer.pk)]
    client.force_login(officer)
    assert answer(client, a, "2.4.4", score="1,8").status_code == 302
    assert answer(client, a, "1.1.3").status_code == 403
    html = client.get(url("assessment-detail", a)).content.decode()
    assert "Giao cho: officer" in html


def test_only_the_communes_own_officials_can_be_chosen(client, setup):
    a = setup["assessment"]
    client.force_login(setup["users"]["office"])
    for stranger in ("outsider", "appraiser"):
        response = client.post(url("assignment-edit", a), {"giao-II": str(setup["users"][stranger].pk)}, follow=True)
        assert "không phải công chức của đơn vị" in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_assignment_page_makes_a_fixed_number_of_queries(client, setup, django_assert_num_queries):
    client.force_login(setup["users"]["office"])
    framework_selectors._CACHE.clear()
    # session, user with their grants, assessment, criteria tree, officials, assignments, unread notifications
    with django_assert_num_queries(7):
        assert client.get(url("assignment-edit", setup["assessment"])).status_code == 200


class TestCycleOpen:
    def data(self, s, units, **extra):
        return {
            "year": "2027", "framework_version": str(s["version"].pk), "self_assessment_due": "15/12/2027",
            "appraisal_due": "15/01/2028", "clarification_due": "31/01/2028", "publication_due": "28/02/2028",
            "units": [str(u.pk) for u in units], **extra,
        }  # fmt: skip

    def test_a_province_admin_opens_a_cycle_for_chosen_units(self, client, setup, commune):
        client.force_login(setup["users"]["admin"])
        page = client.get(reverse("assessments:cycle-open")).content.decode()
        assert "Mở kỳ đánh giá Chỉ số CCHC – Tỉnh Quảng Trị" in page and commune.name in page
        # The reference framework (2023–2025) was extended to 2026 by open_cycle; 2027 needs a decision.
        refused = client.post(reverse("assessments:cycle-open"), self.data(setup, [commune]))
        html = refused.content.decode()
        assert refused.status_code == 400 and 'class="problems"' in html
        assert "áp dụng cho giai đoạn 2023–2026; năm 2027 nằm ngoài giai đoạn này" in html
        assert "ghi quyết định kéo dài thời gian áp dụng ở trang bộ chỉ số" in html
        assert not Assessment.objects.filter(cycle__year=2027).exists()
        framework_services.framework_version_extend(
            version=setup["version"], to_year=2027, decision_number="88/QĐ-UBND", decision_date=dt.date(2026, 11, 2),
            actor=None,
        )  # fmt: skip
        response = client.post(reverse("assessments:cycle-open"), self.data(setup, [commune]), follow=True)
        assert "Đã mở Chỉ số CCHC năm 2027 – Tỉnh Quảng Trị cho 1 đơn vị." in response.content.decode()
        assert Assessment.objects.filter(cycle__year=2027).count() == 1

    def test_it_pre_checks_only_units_the_framework_applies_to(self, client, setup, province, commune):
        from parindex.units.models import AdministrativeUnit

        zone = AdministrativeUnit.objects.create(
            era="current",
            code="19700",
            name="Đặc khu Cồn Cỏ",
            kind="dac_khu",
            level=3,
            parent=province,
            province=province,
        )
        client.force_login(setup["users"]["admin"])
        html = client.get(reverse("assessments:cycle-open")).content.decode()
        boxes = {
            int(m[1]): "checked" in m[0]
            for m in re.finditer(r'<input type="checkbox" name="units" value="(\d+)"[^>]*>', html)
        }
        assert boxes[commune.pk] is True and boxes[zone.pk] is False

    def test_it_explains_deadlines_out_of_order_and_saves_nothing(self, client, setup, commune):
        client.force_login(setup["users"]["admin"])
        response = client.post(
            reverse("assessments:cycle-open"), self.data(setup, [commune], appraisal_due="01/12/2027")
        )
        assert response.status_code == 400 and "theo thứ tự" in response.content.decode()
        assert not Assessment.objects.filter(cycle__year=2027).exists()

    def test_it_offers_only_the_provinces_own_and_national_frameworks(self, client, setup, province, commune):
        from parindex.frameworks.tests.factories import province_unit, stored_version

        own = stored_version("QT-RIENG", owner=province)
        theirs = stored_version("HN-RIENG", owner=province_unit())
        client.force_login(setup["users"]["admin"])
        html = client.get(reverse("assessments:cycle-open")).content.decode()
        choices = re.search(r'<select name="framework_version".*?</select>', html, re.S)[0]
        offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', choices)}
        assert {setup["version"].pk, own.pk} <= offered and theirs.pk not in offered
        response = client.post(
            reverse("assessments:cycle-open"), self.data(setup, [commune], framework_version=str(theirs.pk))
        )
        assert response.status_code == 400 and not Assessment.objects.filter(cycle__year=2027).exists()

    @pytest.mark.parametrize("persona", ["officer", "office", "head", "appraiser", "council", "viewer", "outsider"])
    def test_only_province_admins_open_cycles(self, client, setup, persona, commune):
        client.force_login(setup["users"][persona])
        assert client.get(reverse("assessments:cycle-open")).status_code == 403
        assert client.post(reverse("assessments:cycle-open"), self.data(setup, [commune])).status_code == 403


def test_the_list_shows_each_role_only_its_units(client, setup):
    other = Assessment.objects.exclude(pk=setup["assessment"].pk).get()
    expected = {
        "officer": {"commune"}, "head": {"commune"}, "viewer": {"commune", "other"}, "outsider": {"other"},
        "appraiser": set(),  # appraisers work from the appraisal pages, on what they are assigned
    }  # fmt: skip
    names = {"commune": setup["assessment"].unit.name, "other": other.unit.name}
    for persona, visible in expected.items():
        client.force_login(setup["users"][persona])
        html = client.get(reverse("assessments:assessment-list")).content.decode()
        for key, name in names.items():
            assert (name in html) == (key in visible), (persona, name)


def test_giving_and_taking_back_an_item_is_in_its_history(client, setup):
    a, officer = setup["assessment"], setup["users"]["officer"]
    client.force_login(setup["users"]["office"])
    client.post(url("assignment-edit", a), {"giao-II": str(officer.pk)})
    client.post(url("assignment-edit", a), {"giao-II": ""})
    html = client.get(reverse("assessments:item-history", args=[a.pk, "II"])).content.decode()
    assert html.count("Phân công") == 2 and "Người được giao: officer" in html


def test_a_draft_closes_at_the_self_assessment_deadline(client, province, commune, reference_spec, clock):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    a = open_cycle(province, version, commune).assessments.get()
    office = user_with_role("office", Role.COMMUNE_OFFICE, commune)
    url = reverse("assessments:answer-save", args=[a.pk, "1.6"])
    clock.move_to(dt.datetime(2026, 12, 15, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))  # last evening
    client.force_login(office)
    assert client.post(url, {"count": "1"}).status_code == 302 and a.answers.count() == 1
    clock.move_to(dt.datetime(2026, 12, 16, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    response = client.post(url, {"count": "2"}, follow=True)
    assert "Đã quá hạn tự đánh giá (15/12/2026)" in response.content.decode()
    assert a.answers.get().inputs == {"count": 1}
    page = client.get(reverse("assessments:assessment-detail", args=[a.pk])).content.decode()
    assert "hồ sơ chỉ xem" in page and 'name="count"' not in page
