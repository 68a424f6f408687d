"""Appraisal pages: who sees which unit and field (404), who may act (403), clarification
limits on the commune's side, extensions, item history, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services
from parindex.appraisals.models import ClarificationItem, ItemAppraisal, Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.models import Assessment, AuditEntry, DeadlineExtension
from parindex.assessments.tests.factories import PDF, answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db


def who(user):
    return principal_for(type(user).objects.get(pk=user.pk))


def _scene(reference_spec):
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = open_cycle(province, version, commune, other_commune)
    users = {
        "noivu": appraiser("noivu", province),  # fields I–III of A only
        "tuphap": appraiser("tuphap", province),  # fields IV–VII of every unit
        "idle": appraiser("idle", province),  # an appraiser with nothing assigned
        "council": user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("admin", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "viewer": user_with_role("viewer", Role.VIEWER, province, include_descendants=True),
        "head": user_with_role("head", Role.COMMUNE_HEAD, commune),
        "office": user_with_role("office", Role.COMMUNE_OFFICE, commune),
        "officer": user_with_role("officer", Role.COMMUNE_OFFICER, commune),
        "outsider": user_with_role("outsider", Role.COMMUNE_HEAD, other_commune),
    }
    a, b = cycle.assessments.get(unit=commune), cycle.assessments.get(unit=other_commune)
    evidence = assessment_services.evidence_add(
        assessment=a, upload=io.BytesIO(PDF), filename="kh.pdf", title="Kế hoạch CCHC",
        criteria=[Criterion.objects.get(version=version, code="1.1.1")], actor=users["office"],
    )  # fmt: skip
    for assessment, head in ((a, users["head"]), (b, users["outsider"])):
        answers_bulk(assessment)
        assessment_services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=head, principal=who(head)
        )
    fields = lambda *codes: list(Criterion.objects.filter(version=version, code__in=codes))  # noqa: E731
    admin = users["admin"]
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=users["noivu"], criteria=fields("I", "II", "III"), sector=Sector.NOI_VU, units=[commune],
        actor=admin, principal=who(admin),
    )  # fmt: skip
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=users["tuphap"], criteria=fields("IV", "V", "VI", "VII"), sector=Sector.TU_PHAP,
        actor=admin, principal=who(admin),
    )  # fmt: skip
    return {"version": version, "cycle": cycle, "a": a, "b": b, "users": users, "evidence": evidence}


# Built once for the module's tests, with its evidence file (tests/shared.py); each test works
# on its own copy.
SHARED = shared_fixtures(lambda spec: {"scene": _scene(spec)}, "scene", media=True)
globals().update(SHARED)


def u(name, *args):
    return reverse(f"appraisals:{name}", args=args)


def request(client, scene, view):
    a, b, e = scene["a"], scene["b"], scene["evidence"]
    calls = {
        "list": lambda: client.get(u("appraisal-list")),
        "detail-a": lambda: client.get(u("appraisal-detail", a.pk)),
        "detail-b": lambda: client.get(u("appraisal-detail", b.pk)),
        "save-1.1.3": lambda: client.post(u("appraisal-save", a.pk, "1.1.3"), {"value_percent": "70"}),
        "save-5.1": lambda: client.post(u("appraisal-save", a.pk, "5.1"), {"met": "true"}),
        "evidence": lambda: client.get(u("appraisal-evidence", a.pk, e.pk, 1)),
        "accept": lambda: client.post(u("appraisal-accept", a.pk)),
        "request": lambda: client.post(u("clarification-send", a.pk), {"deadline": "20/01/2027", "confirmed": "on"}),
        "finish": lambda: client.post(u("appraisal-transition", a.pk), {"to": Status.APPRAISED}),
        "assign": lambda: client.get(u("appraiser-assignment", scene["cycle"].pk)),
        "history": lambda: client.get(reverse("assessments:history", args=[a.pk])),
        "item-history": lambda: client.get(reverse("assessments:item-history", args=[a.pk, "1.1.3"])),
        "extend": lambda: client.post(
            reverse("assessments:deadline-extend", args=[a.pk]),
            {"stage": "clarification", "until": "10/02/2027", "reason": "Lũ lụt"},
        ),
    }
    return calls[view]()


# view -> persona -> expected status (404: may not see; 403: may see but not do)
MATRIX = {
    "list": {"noivu": 200, "tuphap": 200, "idle": 200, "council": 200, "admin": 200, "head": 200, "outsider": 200},
    "detail-a": {"noivu": 200, "tuphap": 200, "idle": 404, "council": 200, "admin": 404, "viewer": 404, "head": 404, "outsider": 404},
    "detail-b": {"noivu": 404, "tuphap": 200, "idle": 404, "council": 200, "head": 404},
    "save-1.1.3": {"noivu": 302, "tuphap": 404, "idle": 404, "council": 302, "admin": 404, "head": 404, "outsider": 404},
    "save-5.1": {"noivu": 404, "tuphap": 302, "idle": 404, "head": 404},
    "evidence": {"noivu": 200, "tuphap": 404, "idle": 404, "council": 200, "head": 404, "outsider": 404},
    "accept": {"noivu": 302, "tuphap": 302, "idle": 404, "council": 302, "head": 404, "outsider": 404},
    "request": {"noivu": 302, "idle": 404, "admin": 404, "head": 404},
    "finish": {"noivu": 302, "idle": 404, "head": 404, "outsider": 404},
    "assign": {"admin": 200, "council": 403, "noivu": 403, "viewer": 403, "head": 404, "outsider": 404},
    "history": {"head": 200, "officer": 200, "council": 200, "admin": 200, "viewer": 200, "noivu": 404, "outsider": 404},
    "item-history": {"noivu": 200, "tuphap": 404, "idle": 404, "head": 200, "outsider": 404},
    "extend": {"admin": 302, "council": 403, "head": 403, "viewer": 403, "noivu": 404, "outsider": 404},
}  # fmt: skip
CASES = [(view, persona, status) for view, row in MATRIX.items() for persona, status in row.items()]


@pytest.mark.parametrize(("view", "persona", "status"), CASES, ids=[f"{v}-{p}" for v, p, _ in CASES])
def test_access(client, scene, view, persona, status):
    client.force_login(scene["users"][persona])
    assert request(client, scene, view).status_code == status


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, scene, view):
    response = request(client, scene, view)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_an_appraiser_sees_only_the_fields_assigned(client, scene):
    client.force_login(scene["users"]["tuphap"])
    html = client.get(u("appraisal-detail", scene["a"].pk) + "?linh-vuc=V").content.decode()
    assert 'id="item-5.1"' in html and 'id="item-1.1.3"' not in html
    assert "?linh-vuc=IV" in html and '?linh-vuc=I"' not in html  # the navigator lists their fields only
    # Another field by its URL shows their first field instead.
    html = client.get(u("appraisal-detail", scene["a"].pk) + "?linh-vuc=I").content.decode()
    assert 'id="item-1.1.3"' not in html and 'id="item-4.1"' in html
    assert scene["evidence"].title not in html  # evidence of field I is not theirs


def test_an_htmx_save_returns_the_row_and_the_summary(client, scene):
    client.force_login(scene["users"]["noivu"])
    response = client.post(
        u("appraisal-save", scene["a"].pk, "1.1.3"), {"value_percent": "70", "comment": "Thiếu báo cáo"}, HTTP_HX_REQUEST="true"
    )  # fmt: skip
    html = response.content.decode()
    assert 'id="item-1.1.3"' in html and "1,40" in html and 'hx-swap-oob="true"' in html
    scene["a"].refresh_from_db()
    assert scene["a"].status == Status.APPRAISING
    stale = client.post(
        u("appraisal-save", scene["a"].pk, "1.1.3"), {"value_percent": "60"}, HTTP_HX_REQUEST="true"
    )  # no revision: someone saved first
    assert "vừa được người khác cập nhật" in stale.content.decode()
    assert ItemAppraisal.objects.get().inputs == {"value": "0.7"}


def test_a_bad_input_is_refused_with_a_message_and_nothing_saved(client, scene):
    client.force_login(scene["users"]["noivu"])
    response = client.post(
        u("appraisal-save", scene["a"].pk, "1.1.3"), {"value_percent": "abc"}, HTTP_HX_REQUEST="true"
    )
    assert "Tỷ lệ phải là một số" in response.content.decode()
    assert not ItemAppraisal.objects.exists()


@pytest.fixture
def under_clarification(scene):
    a, noivu = scene["a"], scene["users"]["noivu"]
    for code, inputs in (("1.1.3", {"value": "0.7"}), ("1.6", {"count": "0"})):  # two items disputed
        services.appraisal_save(
            assessment=a, criterion=Criterion.objects.get(version=scene["version"], code=code), round=1,
            inputs=inputs, comment=f"Giải trình {code}", needs_clarification=True, base_revision=None,
            actor=noivu, principal=who(noivu),
        )  # fmt: skip
    a.refresh_from_db()
    services.clarification_request_send(assessment=a, deadline=dt.date(2026, 12, 5), actor=noivu, principal=who(noivu))
    a.refresh_from_db()
    return a


def test_under_clarification_the_commune_may_change_only_the_items_asked_about(client, scene, under_clarification):
    a = under_clarification
    client.force_login(scene["users"]["office"])
    detail = reverse("assessments:assessment-detail", args=[a.pk])
    html = client.get(detail).content.decode()
    assert "Yêu cầu giải trình lần 1" in html and "Giải trình 1.1.3" in html
    # Outside the request: 403 for inputs, evidence and new file revisions.
    assert client.post(reverse("assessments:answer-save", args=[a.pk, "3.12"]), {"met": "true"}).status_code == 403
    upload = {"file": SimpleUploadedFile("x.pdf", PDF), "title": "X", "criteria": ["3.12"]}
    assert client.post(reverse("assessments:evidence-upload", args=[a.pk]), upload).status_code == 403
    revision = {"file": SimpleUploadedFile("kh2.pdf", PDF)}
    evidence = scene["evidence"]
    assert client.post(reverse("assessments:evidence-revision", args=[a.pk, evidence.pk]), revision).status_code == 403
    # The self-assessment inputs of an asked item stay as submitted, too.
    # (refused with a message: a redirect, or the page again with 400 on the self-assessment page's side)
    assert client.post(reverse("assessments:answer-save", args=[a.pk, "1.6"]), {"count": "2"}).status_code in (302, 400)
    assert a.answers.get(criterion__code="1.6").inputs == {"count": 1}
    # Inside: evidence for 1.6 and the answers.
    upload = {"file": SimpleUploadedFile("sk.pdf", PDF), "title": "QĐ công nhận sáng kiến", "criteria": ["1.6"]}
    assert client.post(reverse("assessments:evidence-upload", args=[a.pk]), upload).status_code == 302
    assert a.evidence.filter(title="QĐ công nhận sáng kiến").exists()
    for item in ClarificationItem.objects.all():
        response = client.post(
            reverse("assessments:clarification-answer", args=[a.pk, item.pk]),
            {"answer": f"Bổ sung {item.criterion.code}", "revision": "0"},
        )
        assert response.status_code == 302
    # Only the head sends the answers back.
    transition = reverse("assessments:assessment-transition", args=[a.pk])
    assert client.post(transition, {"to": Status.CLARIFIED}).status_code == 403
    client.force_login(scene["users"]["head"])
    client.post(transition, {"to": Status.CLARIFIED})
    a.refresh_from_db()
    assert a.status == Status.CLARIFIED and a.clarification_requests.get().answered_at is not None


def test_another_commune_cannot_answer_a_clarification(client, scene, under_clarification):
    client.force_login(scene["users"]["outsider"])
    item = ClarificationItem.objects.first()
    url = reverse("assessments:clarification-answer", args=[under_clarification.pk, item.pk])
    assert client.post(url, {"answer": "x", "revision": "0"}).status_code == 404


def test_after_the_deadline_the_commune_waits_for_an_extension(client, scene, under_clarification, clock):
    a = under_clarification
    item = ClarificationItem.objects.get(criterion__code="1.1.3")
    answer_url = reverse("assessments:clarification-answer", args=[a.pk, item.pk])
    clock.move_to(dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC))
    client.force_login(scene["users"]["office"])
    response = client.post(answer_url, {"answer": "Muộn", "revision": "0"}, follow=True)
    assert "Đã quá hạn giải trình (05/12/2026)" in response.content.decode()
    item.refresh_from_db()
    assert item.answer == ""
    client.force_login(scene["users"]["admin"])
    extend = reverse("assessments:deadline-extend", args=[a.pk])
    client.post(extend, {"stage": "clarification", "until": "10/12/2026", "reason": "Mất điện kéo dài"})
    assert DeadlineExtension.objects.get().until == dt.date(2026, 12, 10)
    assert AuditEntry.objects.filter(action="extension").exists()
    client.force_login(scene["users"]["office"])
    client.post(answer_url, {"answer": "Đã bổ sung", "revision": "0"})
    item.refresh_from_db()
    assert item.answer == "Đã bổ sung"


def test_the_item_history_shows_who_changed_what(client, scene):
    client.force_login(scene["users"]["noivu"])
    client.post(u("appraisal-save", scene["a"].pk, "1.1.3"), {"value_percent": "70", "comment": "Thiếu"})
    client.post(u("appraisal-save", scene["a"].pk, "1.1.3"), {"value_percent": "75", "revision": "1"})
    client.force_login(scene["users"]["head"])
    html = client.get(reverse("assessments:item-history", args=[scene["a"].pk, "1.1.3"])).content.decode()
    assert "Điểm thẩm định lần 1" in html and "noivu" in html and "Thiếu" in html
    # Newest first; the second change shows the old value beside the new.
    assert html.index("Tỷ lệ 70%") < html.index("Tỷ lệ 75%") < html.rindex("Tỷ lệ 70%")


def test_the_assignment_page_saves_and_reports_errors(client, scene):
    client.force_login(scene["users"]["admin"])
    url = u("appraiser-assignment", scene["cycle"].pk)
    bad = client.post(url, {"appraiser": str(scene["users"]["idle"].pk)})
    assert bad.status_code == 400 and "Chọn ít nhất một lĩnh vực" in bad.content.decode()
    ok = client.post(url, {"appraiser": str(scene["users"]["idle"].pk), "sector": "van_phong", "fields": ["VI"]})
    assert ok.status_code == 302
    client.force_login(scene["users"]["idle"])
    assert client.get(u("appraisal-detail", scene["a"].pk)).status_code == 200


def test_the_appraisal_page_makes_a_fixed_number_of_queries(client, scene, django_assert_num_queries):
    client.force_login(scene["users"]["council"])
    framework_selectors._CACHE.clear()
    a = Assessment.objects.get(pk=scene["a"].pk)
    # session, user with their grants, assessment, criteria tree, answers, rounds, clarification
    # items, evidence, its criteria, its files, unread notifications (menu); added with the
    # survey results: the unit's survey results of the year linked to the field shown (the
    # divergence notice, external.surveys.unit_divergences)
    with django_assert_num_queries(12):
        assert client.get(u("appraisal-detail", a.pk)).status_code == 200
    # Every item appraised (53 rounds) and the appraisal under way: the flags not sent yet and
    # why it cannot be finished come from the rows already read; the criteria tree is cached.
    services.appraisal_accept_self(
        assessment=a, actor=scene["users"]["council"], principal=who(scene["users"]["council"])
    )
    with django_assert_num_queries(11):  # with the survey results, as above
        assert client.get(u("appraisal-detail", a.pk)).status_code == 200


def test_once_published_the_commune_sees_each_items_appraised_score(client, scene):
    from parindex.results import services as result_services

    a, council, admin = scene["a"], scene["users"]["council"], scene["users"]["admin"]
    services.appraisal_save(
        assessment=a, criterion=Criterion.objects.get(version=scene["version"], code="1.1.3"), round=1,
        inputs={"value": "0.7"}, comment="Báo cáo chỉ có 7/10 nhiệm vụ", base_revision=None, actor=council,
        principal=who(council),
    )  # fmt: skip
    a.refresh_from_db()
    services.appraisal_accept_self(assessment=a, actor=council, principal=who(council))
    services.appraisal_finish(assessment=a, actor=council, principal=who(council))
    a.refresh_from_db()
    page_url = reverse("assessments:assessment-detail", args=[a.pk])
    client.force_login(scene["users"]["head"])
    assert "Báo cáo chỉ có 7/10" not in client.get(page_url).content.decode()  # not before publication
    approval = result_services.approval_create(
        cycle=scene["cycle"], assessments=[a], name="Khối xã", actor=council, principal=who(council)
    )
    result_services.publication_publish(
        approval=approval, decision_number="1/QĐ-UBND", decision_date=dt.date(2027, 2, 1), actor=admin,
        principal=who(admin),
    )  # fmt: skip
    html = client.get(page_url).content.decode()
    assert "Điểm thẩm định (đã công bố)" in html and "Báo cáo chỉ có 7/10 nhiệm vụ" in html
    assert "1,40" in html and "1,80" in html  # appraised and self score of 1.1.3


@pytest.mark.parametrize("more", [False, True])
def test_the_list_assignment_and_history_pages_make_a_fixed_number_of_queries(
    client, scene, django_assert_num_queries, more
):
    """Whatever the number of units, assignments and recorded changes."""
    a, admin, noivu = scene["a"], scene["users"]["admin"], scene["users"]["noivu"]
    if more:  # one more unit to appraise, more assignments, more history
        services.appraiser_assignments_set(
            cycle=scene["cycle"], appraiser=noivu, sector=Sector.NOI_VU, actor=admin, principal=who(admin),
            criteria=list(Criterion.objects.filter(version=scene["version"], parent=None)),
        )  # fmt: skip
        services.appraisal_accept_self(assessment=a, actor=noivu, principal=who(noivu))
    framework_selectors._CACHE.clear()
    client.force_login(noivu)
    # session, user with their grants, cycles, scopes, criteria tree, count, the page's assessments,
    # their appraised items, badge
    with django_assert_num_queries(9):
        assert client.get(u("appraisal-list")).status_code == 200
    client.force_login(scene["users"]["head"])
    # session, user with their grants, assessment, entries and events counted, then read to the page's end, badge
    with django_assert_num_queries(8):
        assert client.get(reverse("assessments:history", args=[a.pk])).status_code == 200
    client.force_login(admin)
    framework_selectors._CACHE.clear()
    # session, user with their grants, cycle, criteria tree, appraisers, units, assignments, badge
    with django_assert_num_queries(8):
        assert client.get(u("appraiser-assignment", scene["cycle"].pk)).status_code == 200
