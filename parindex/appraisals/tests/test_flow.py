"""End to end through the services: self-assessment → submission → appraisal with two items
disputed → clarification answered → second appraisal → approval → publication (and a
correction), asserting scores, ranks and events at each step."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import selectors, services
from parindex.appraisals.models import ClarificationItem, ItemAppraisal, Sector
from parindex.appraisals.tests.factories import appraiser, old_commune, old_province, published_year
from parindex.assessments import services as assessment_services
from parindex.assessments.models import AssessmentEvent, AuditEntry
from parindex.assessments.tests.factories import PDF, answer_everything, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK, load_framework_path
from parindex.frameworks.models import Criterion
from parindex.results import services as result_services
from parindex.results.models import Publication, PublishedResult
from parindex.scoring import describe_change
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def who(user):
    """A fresh principal (principal_for caches on the user object)."""
    return principal_for(type(user).objects.get(pk=user.pk))


@pytest.fixture
def scene(province, commune, other_commune):
    version = framework_services.framework_import(spec=load_framework_path(REFERENCE_FRAMEWORK), publish=True).version
    third = AdministrativeUnit.objects.create(
        era="current", code="19501", name="Xã Cửa Tùng", kind="xa", level=3, parent=province, province=province
    )
    cycle = open_cycle(province, version, commune, other_commune, third)
    people = {
        "officer": user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "head": user_with_role("chutich", Role.COMMUNE_HEAD, commune),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "head_b": user_with_role("chutich.b", Role.COMMUNE_HEAD, other_commune),
        "head_c": user_with_role("chutich.c", Role.COMMUNE_HEAD, third),
        "noivu": appraiser("thamdinh.noivu", province),
        "tuphap": appraiser("thamdinh.tuphap", province),
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
    }
    return {"version": version, "cycle": cycle, "units": (commune, other_commune, third), **people}


def crit(scene, code):
    return Criterion.objects.get(version=scene["version"], code=code)


def codes(version, *fields):
    return [c for c in Criterion.objects.filter(version=version, code__in=fields)]


def test_the_whole_cycle_from_self_assessment_to_publication(scene):
    s = scene
    cycle, (a_unit, b_unit, c_unit) = s["cycle"], s["units"]
    a, b, c = (cycle.assessments.get(unit=u) for u in (a_unit, b_unit, c_unit))

    # -- self-assessment and submission -------------------------------------------------------
    for assessment, head in ((a, s["head"]), (b, s["head_b"]), (c, s["head_c"])):
        answer_everything(assessment, s["officer"] if assessment is a else head)
        assessment_services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=head, principal=who(head)
        )
    assert selectors.assessment_scores(a).self.node("1.1.3").score == D("1.80")  # 2 × 0,9

    # -- appraisers by field: Nội vụ fields 1–3 everywhere; Tư pháp fields 4–7 of A only ------
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=s["noivu"], criteria=codes(s["version"], "I", "II", "III"), sector=Sector.NOI_VU,
        actor=s["admin"], principal=who(s["admin"]),
    )  # fmt: skip
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=s["tuphap"], criteria=codes(s["version"], "IV", "V", "VI", "VII"), sector=Sector.TU_PHAP,
        units=[a_unit], actor=s["admin"], principal=who(s["admin"]),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="tiêu chí 5.1"):
        services.appraisal_save(
            assessment=a, criterion=crit(s, "5.1"), round=1, inputs={"met": True}, base_revision=None,
            actor=s["noivu"], principal=who(s["noivu"]),
        )  # fmt: skip
    with pytest.raises(PermissionDenied, match="đơn vị này"):
        services.appraisal_accept_self(assessment=b, actor=s["tuphap"], principal=who(s["tuphap"]))

    # Two items disputed on A: the plan was 70 % done, not 90 %; the initiative is not recognised.
    disputed = {"1.1.3": {"value": "0.7"}, "1.6": {"count": "0"}}
    for code, inputs in disputed.items():
        services.appraisal_save(
            assessment=a, criterion=crit(s, code), round=1, inputs=inputs, needs_clarification=True,
            comment=f"Đề nghị giải trình số liệu tiêu chí {code}", base_revision=None,
            actor=s["noivu"], principal=who(s["noivu"]),
        )  # fmt: skip
    a.refresh_from_db()
    assert a.status == Status.APPRAISING  # the first appraisal started it
    accepted = services.appraisal_accept_self(assessment=a, actor=s["noivu"], principal=who(s["noivu"]))
    accepted += services.appraisal_accept_self(assessment=a, actor=s["tuphap"], principal=who(s["tuphap"]))
    assert accepted == 53 - 2
    scores = selectors.assessment_scores(a)
    assert scores.first.node("1.1.3").score == D("1.40") and scores.first.node("1.6").score == D(0)
    assert scores.self.total - scores.first.total == D("1.40")  # 0,40 + 1,00

    # Finishing now is refused: two items are flagged but not sent.
    with pytest.raises(ValidationError, match="chưa gửi yêu cầu"):
        services.appraisal_finish(assessment=a, actor=s["noivu"], principal=who(s["noivu"]))

    # -- clarification -----------------------------------------------------------------------
    request = services.clarification_request_send(
        assessment=a, deadline=dt.date(2027, 1, 20), message="Giải trình 2 tiêu chí", actor=s["noivu"],
        principal=who(s["noivu"]),
    )  # fmt: skip
    a.refresh_from_db()
    assert a.status == Status.CLARIFICATION and request.number == 1
    assert sorted(request.items.values_list("criterion__code", flat=True)) == ["1.1.3", "1.6"]
    officer, head = s["officer"], s["head"]
    # Only the items asked about are open: not another item's answer, nor its evidence.
    with pytest.raises(ValidationError):
        assessment_services.answer_save(
            assessment=a, criterion=crit(s, "3.12"), inputs={"met": False}, base_revision=1, actor=officer
        )
    with pytest.raises(ValidationError, match="yêu cầu giải trình"):
        assessment_services.evidence_add(
            assessment=a, upload=io.BytesIO(PDF), filename="x.pdf", title="X", criteria=[crit(s, "3.12")],
            actor=officer,
        )  # fmt: skip
    assessment_services.evidence_add(
        assessment=a, upload=io.BytesIO(PDF), filename="sang-kien.pdf", title="QĐ công nhận sáng kiến",
        criteria=[crit(s, "1.6")], actor=officer,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Chưa gửi được giải trình"):
        services.clarification_answers_send(assessment=a, actor=head, principal=who(head))
    for item in ClarificationItem.objects.filter(request=request):
        services.clarification_answer_save(
            item=item, answer=f"Bổ sung tài liệu cho {item.criterion.code}", base_revision=0, actor=s["office"],
            principal=who(s["office"]),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.clarification_answers_send(assessment=a, actor=officer, principal=who(officer))
    services.clarification_answers_send(assessment=a, actor=head, principal=who(head))
    a.refresh_from_db()
    assert a.status == Status.CLARIFIED

    # -- second appraisal: 1.1.3 restored to 80 %, 1.6 stays at 0 -----------------------------
    with pytest.raises(ValidationError, match="không có trong yêu cầu"):
        services.appraisal_save(
            assessment=a, criterion=crit(s, "3.12"), round=2, inputs={"met": False}, base_revision=None,
            actor=s["noivu"], principal=who(s["noivu"]),
        )  # fmt: skip
    for code, inputs in {"1.1.3": {"value": "0.8"}, "1.6": {"count": "0"}}.items():
        services.appraisal_save(
            assessment=a, criterion=crit(s, code), round=2, inputs=inputs, comment="Đã xem giải trình",
            base_revision=None, actor=s["noivu"], principal=who(s["noivu"]),
        )  # fmt: skip
    services.appraisal_finish(assessment=a, actor=s["noivu"], principal=who(s["noivu"]))
    a.refresh_from_db()
    assert a.status == Status.APPRAISED
    scores = selectors.assessment_scores(a)
    item = [(x.node("1.1.3").score, x.node("1.6").score) for x in (scores.self, scores.first, scores.final)]
    assert item == [(D("1.80"), D("1.00")), (D("1.40"), D(0)), (D("1.60"), D(0))]  # self, first, final

    # B and C: the council chair agrees with their self-assessment (identical, so they tie).
    for assessment in (b, c):
        services.appraisal_accept_self(assessment=assessment, actor=s["chair"], principal=who(s["chair"]))
        services.appraisal_finish(assessment=assessment, actor=s["chair"], principal=who(s["chair"]))

    # -- approval and publication, ranked against 2024 (old units, before the merger) ---------
    # A (Nam Cửa Việt) was formed from Triệu Trạch (85) and Triệu Tân (80): mean 82,50.
    # B (Đông Hà) took over old Phường 1 (70). C had no predecessor ranked.
    old = old_province()
    previous = published_year(
        s["version"], old, 2024,
        {old_commune("19639", "Xã Triệu Trạch", a_unit): "85", old_commune("19651", "Xã Triệu Tân", a_unit): "80",
         old_commune("19333", "Phường 1", b_unit): "70"},
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        result_services.approval_create(
            cycle=cycle, assessments=[a, b, c], name="Khối xã, phường", actor=s["noivu"], principal=who(s["noivu"])
        )
    approval = result_services.approval_create(
        cycle=cycle, assessments=[a, b, c], name="Khối xã, phường", note="Biên bản họp Hội đồng ngày 25/01/2027",
        actor=s["chair"], principal=who(s["chair"]),
    )  # fmt: skip
    assert set(cycle.assessments.values_list("status", flat=True)) == {Status.APPROVED}
    publication = result_services.publication_publish(
        approval=approval, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20),
        issuer="UBND tỉnh Quảng Trị", actor=s["admin"], principal=who(s["admin"]),
    )  # fmt: skip
    assert set(cycle.assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
    rows = {r.unit_id: r for r in publication.results.all()}
    ra, rb, rc = rows[a_unit.pk], rows[b_unit.pk], rows[c_unit.pk]
    assert rb.total == rc.total > ra.total
    assert ra.total == scores.final.total and ra.self_total == scores.self.total
    assert (rb.rank, rc.rank, ra.rank) == (1, 1, 3) and {ra.rank_of, rb.rank_of, rc.rank_of} == {3}  # ties share
    # Last year, in this year's group: A 82,50 (mean of its two communes) 1st, B 70 2nd; C not comparable.
    assert (ra.previous_percent, ra.previous_rank, ra.previous_of) == (D("82.50"), 1, 2)
    assert sorted(ra.previous_sources) == ["Xã Triệu Trạch", "Xã Triệu Tân"]
    assert describe_change(ra.rank_change) == "giảm 2 bậc"
    assert (rb.previous_rank, describe_change(rb.rank_change)) == (2, "tăng 1 bậc")
    assert (rc.previous_rank, describe_change(rc.rank_change)) == (None, "chưa có so sánh")
    assert publication.previous_label.startswith("Năm 2024") and previous.decision_number in publication.previous_label
    assert ra.classification == "Tốt" and ra.scores["1.1.3"] == ["1.60", "2"]

    # -- events: every change of state is a row, in order ------------------------------------
    path = list(AssessmentEvent.objects.filter(assessment=a).values_list("to_status", flat=True))
    assert path == [
        Status.SUBMITTED, Status.APPRAISING, Status.CLARIFICATION, Status.CLARIFIED, Status.APPRAISED,
        Status.APPROVED, Status.PUBLISHED,
    ]  # fmt: skip
    trail = AuditEntry.objects.filter(assessment=a, criterion__code="1.1.3")
    assert list(trail.values_list("action", flat=True)) == [
        "answer", "appraisal", "clarification_answer", "reappraisal",
    ]  # fmt: skip
    assert trail.get(action="reappraisal").new["inputs"] == {"value": "0.8"}

    # -- a correction is a new snapshot; the published one never changes ---------------------
    a.refresh_from_db()
    services.appraisal_correct(
        assessment=a, criterion=crit(s, "1.6"), inputs={"count": "2"}, reason="Sáng kiến được công nhận bổ sung",
        actor=s["chair"], principal=who(s["chair"]),
    )  # fmt: skip
    ra.refresh_from_db()
    assert ra.scores["1.6"] == ["0.00", "2"] and ra.rank == 3  # untouched
    corrected = result_services.publication_correct(
        publication=publication, reason="Đính chính điểm tiêu chí 1.6 của Xã Nam Cửa Việt",
        decision_number="170/QĐ-UBND", decision_date=dt.date(2027, 3, 1), actor=s["admin"],
        principal=who(s["admin"]),
    )  # fmt: skip
    publication.refresh_from_db()
    assert not publication.is_current and corrected.is_current and corrected.supersedes == publication
    new_a = corrected.results.get(unit=a_unit)
    assert new_a.total == ra.total + 2 and new_a.rank == 1
    assert PublishedResult.objects.filter(publication=publication, unit=a_unit).get().total == ra.total
    with pytest.raises(ValidationError, match="đang có hiệu lực"):
        result_services.publication_correct(
            publication=publication, reason="x", decision_number="1", decision_date=dt.date(2027, 3, 2),
            actor=s["admin"], principal=who(s["admin"]),
        )  # fmt: skip
    assert Publication.objects.filter(approval=approval).count() == 2
    assert ItemAppraisal.objects.filter(assessment=a, round=2).count() == 2


def test_other_fields_go_on_during_a_clarification_and_a_second_request_can_follow(scene):
    s = scene
    cycle, a_unit = s["cycle"], s["units"][0]
    a = cycle.assessments.get(unit=a_unit)
    answer_everything(a, s["officer"])
    assessment_services.assessment_transition(
        assessment=a, to=Status.SUBMITTED, actor=s["head"], principal=who(s["head"])
    )
    chair = s["chair"]

    def appraise(code, inputs, flag=False, round=1):
        services.appraisal_save(
            assessment=a, criterion=crit(s, code), round=round, inputs=inputs, needs_clarification=flag,
            comment=f"Về {code}", base_revision=None, actor=chair, principal=who(chair),
        )  # fmt: skip
        a.refresh_from_db()

    appraise("1.1.3", {"value": "0.7"}, flag=True)
    services.clarification_request_send(assessment=a, deadline=dt.date(2026, 12, 1), actor=chair, principal=who(chair))
    a.refresh_from_db()
    # Field V is appraised meanwhile, and flagged too; 1.1.3 itself waits for round 2.
    appraise("5.1", {"met": False}, flag=True)
    with pytest.raises(ValidationError, match="thẩm định lại ở lần 2"):
        appraise("1.1.3", {"value": "0.8"})
    office = s["office"]
    item = ClarificationItem.objects.get()
    services.clarification_answer_save(
        item=item, answer="Bổ sung", base_revision=0, actor=office, principal=who(office)
    )
    services.clarification_answers_send(assessment=a, actor=s["head"], principal=who(s["head"]))
    a.refresh_from_db()
    second = services.clarification_request_send(
        assessment=a, deadline=dt.date(2026, 12, 10), actor=chair, principal=who(chair)
    )
    assert second.number == 2 and [i.criterion.code for i in second.items.all()] == ["5.1"]
    a.refresh_from_db()
    assert a.status == Status.CLARIFICATION
    # The commune may now touch only 5.1; 1.1.3's request is closed.
    with pytest.raises(ValidationError, match="không gồm 1.1.3"):
        assessment_services.evidence_add(
            assessment=a, upload=io.BytesIO(PDF), filename="x.pdf", title="X", criteria=[crit(s, "1.1.3")],
            actor=office,
        )  # fmt: skip
    item = second.items.get()
    services.clarification_answer_save(
        item=item, answer="Đã có QĐ", base_revision=0, actor=office, principal=who(office)
    )
    services.clarification_answers_send(assessment=a, actor=s["head"], principal=who(s["head"]))
    a.refresh_from_db()
    appraise("1.1.3", {"value": "0.8"}, round=2)
    services.appraisal_accept_self(assessment=a, actor=chair, principal=who(chair))
    with pytest.raises(ValidationError, match="Chưa thẩm định lại sau giải trình: 5.1"):
        services.appraisal_finish(assessment=a, actor=chair, principal=who(chair))
    appraise("5.1", {"met": True}, round=2)
    services.appraisal_finish(assessment=a, actor=chair, principal=who(chair))
    a.refresh_from_db()
    assert a.status == Status.APPRAISED
