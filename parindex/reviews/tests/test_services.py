"""The review request workflow through its services: filing, the phúc tra round, the council,
the correcting decision, and every refusal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parindex.appraisals.models import ItemAppraisal
from parindex.notifications.models import Kind, Notification
from parindex.results.models import Publication, PublishedResult
from parindex.reviews import services
from parindex.reviews.models import ReviewEvent, ReviewRequest
from parindex.reviews.workflow import ItemOutcome, ReviewStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_period(scene, days=10):
    return services.review_period_set(
        publication=scene.publication, until=timezone.localdate() + dt.timedelta(days=days),
        actor=scene.people["admin"], principal=scene.principal("admin"),
    )  # fmt: skip


def file_request(scene, claims=None):
    claims = claims or [
        services.Claim(scene.contested.code, "Đơn vị đã đạt 100 %, có báo cáo kèm theo",
                       io.BytesIO(PDF), "bao-cao.pdf"),
        services.Claim(scene.other.code, "Đề nghị xem lại cách tính"),
    ]  # fmt: skip
    return services.review_request_file(
        result=scene.result(0), claims=claims, reason="Đề nghị phúc tra hai tiêu chí", actor=scene.people["head"],
        principal=scene.principal("head"),
    )  # fmt: skip


def reappraise(scene, request, code, inputs, comment="Đã kiểm tra hồ sơ gốc"):
    item = request.items.get(code=code)
    return services.review_item_reappraise(
        item=item, inputs=inputs, comment=comment, base_revision=item.revision, actor=scene.people["appraiser"],
        principal=scene.principal("appraiser"),
    )  # fmt: skip


def move(scene, request, to, who, note=""):
    return services.review_transition(
        request=request, to=to, note=note, actor=scene.people[who], principal=scene.principal(who)
    )


def test_a_raised_item_goes_through_the_council_into_a_correcting_decision(scene):
    open_period(scene)
    old_rows = {
        r.unit_id: (r.total, r.percent, r.rank, r.rank_of, r.rank_change, r.scores)
        for r in PublishedResult.objects.filter(publication=scene.publication)
    }
    assert [scene.result(i).rank for i in range(3)] == [3, 2, 1]
    request = file_request(scene)
    assert request.status == ReviewStatus.FILED
    item = request.items.get(code=scene.contested.code)
    assert (
        item.published_score == 0 and item.sha256 and item.size == len(PDF) and item.content_type == "application/pdf"
    )
    assert Notification.objects.filter(user=scene.people["appraiser"], kind=Kind.REVIEW).exists()

    raised = reappraise(scene, request, scene.contested.code, {"value": "1"})
    assert raised.outcome == ItemOutcome.CHANGED and raised.score == raised.applicable_max
    kept = reappraise(scene, request, scene.other.code, _same_inputs(scene, scene.other), "Giữ nguyên")
    assert kept.outcome == ItemOutcome.KEPT

    move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    with pytest.raises(ValidationError):  # a score changed: "keep" is not the council's choice here
        move(scene, request, ReviewStatus.KEPT, "chair")
    request = move(scene, request, ReviewStatus.APPROVED, "chair")
    second = ItemAppraisal.objects.get(assessment=scene.assessments[0], criterion=scene.contested, round=2)
    assert second.inputs == {"value": "1"}
    assert not ItemAppraisal.objects.filter(assessment=scene.assessments[0], criterion=scene.other, round=2).exists()

    corrected = services.review_correction_issue(
        publication=scene.publication, reason="Điều chỉnh theo phúc tra", decision_number="170/QĐ-UBND",
        decision_date=timezone.localdate(), actor=scene.people["admin"], principal=scene.principal("admin"),
    )  # fmt: skip
    old = Publication.objects.get(pk=scene.publication.pk)
    assert not old.is_current and corrected.is_current and corrected.supersedes_id == old.pk
    # The superseded publication's rows are kept exactly as published.
    assert {
        r.unit_id: (r.total, r.percent, r.rank, r.rank_of, r.rank_change, r.scores)
        for r in PublishedResult.objects.filter(publication=old)
    } == old_rows
    new_ranks = {r.unit_id: r.rank for r in corrected.results.all()}
    assert [new_ranks[u.pk] for u in scene.units] == [1, 3, 2]
    request.refresh_from_db()
    assert request.status == ReviewStatus.CORRECTED and request.corrected_by_id == corrected.pk
    assert list(ReviewEvent.objects.filter(request=request).values_list("to_status", flat=True)) == [
        ReviewStatus.FILED, ReviewStatus.REVIEWED, ReviewStatus.APPROVED, ReviewStatus.CORRECTED,
    ]  # fmt: skip
    # The units that moved down are told where they were and where they are.
    (down,) = Notification.objects.filter(user=scene.people["head_1"], kind=Kind.CORRECTED)
    assert "Thứ hạng thay đổi từ 2/3 xuống 3/3 sau đính chính." in down.body
    assert down.title.endswith("xếp hạng 3/3 (trước đính chính: 2/3)")
    (up,) = Notification.objects.filter(user=scene.people["head"], kind=Kind.CORRECTED)
    assert "Thứ hạng thay đổi từ 3/3 lên 1/3" in up.body


def _same_inputs(scene, criterion):
    row = ItemAppraisal.objects.get(assessment=scene.assessments[0], criterion=criterion, round=1)
    return dict(row.inputs)


def test_a_rejected_request_keeps_its_reason_and_tells_the_commune(scene):
    open_period(scene)
    request = file_request(scene)
    with pytest.raises(ValidationError):  # a reason is required
        move(scene, request, ReviewStatus.REJECTED, "appraiser")
    request = move(scene, request, ReviewStatus.REJECTED, "appraiser", "Tài liệu gửi kèm không thuộc năm đánh giá")
    assert request.status == ReviewStatus.REJECTED
    assert request.decision_note == "Tài liệu gửi kèm không thuộc năm đánh giá"
    note = Notification.objects.get(user=scene.people["office"], kind=Kind.REVIEW)
    assert "Lý do: Tài liệu gửi kèm không thuộc năm đánh giá." in note.body
    # Closed: the unit may file again within the period.
    assert file_request(scene).status == ReviewStatus.FILED


def test_the_council_keeps_the_result_when_nothing_changed_and_returns_it_with_a_note(scene):
    open_period(scene)
    request = file_request(scene, [services.Claim(scene.other.code, "Xem lại")])
    with pytest.raises(ValidationError, match="Còn tiêu chí chưa phúc tra"):
        move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    reappraise(scene, request, scene.other.code, _same_inputs(scene, scene.other))
    request = move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    request = move(scene, request, ReviewStatus.FILED, "chair", "Kiểm tra lại biên bản")
    assert request.decision_note == "Kiểm tra lại biên bản"
    request = move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    with pytest.raises(ValidationError):
        move(scene, request, ReviewStatus.APPROVED, "chair")
    assert move(scene, request, ReviewStatus.KEPT, "chair").status == ReviewStatus.KEPT
    assert not ItemAppraisal.objects.filter(assessment=scene.assessments[0], round=2).exists()


def test_filing_refuses_what_is_wrong_and_saves_nothing(scene):
    with pytest.raises(ValidationError, match="chưa mở thời hạn"):
        file_request(scene)
    open_period(scene)
    cases = [
        ([], "Chọn ít nhất một tiêu chí"),
        ([services.Claim(scene.other.code, "  ")], "ghi lý do"),
        ([services.Claim("9.9.9", "x")], "Không có tiêu chí thành phần 9.9.9"),
        ([services.Claim(scene.other.code, "a"), services.Claim(scene.other.code, "b")], "chọn hai lần"),
        ([services.Claim(scene.other.code, "a", io.BytesIO(b"MZ\x90\x00"), "bao-cao.pdf")], "không phải là PDF"),
    ]
    for claims, message in cases:
        with pytest.raises(ValidationError) as caught:
            services.review_request_file(
                result=scene.result(0), claims=claims, actor=scene.people["head"], principal=scene.principal("head")
            )
        assert any(message in m for m in caught.value.messages), (message, caught.value.messages)
    assert not ReviewRequest.objects.exists()
    with pytest.raises(PermissionDenied):
        services.review_request_file(
            result=scene.result(0), claims=[services.Claim(scene.other.code, "x")], actor=scene.people["office"],
            principal=scene.principal("office"),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # another commune's head
        services.review_request_file(
            result=scene.result(0), claims=[services.Claim(scene.other.code, "x")], actor=scene.people["head_1"],
            principal=scene.principal("head_1"),
        )  # fmt: skip
    file_request(scene)
    with pytest.raises(ValidationError, match="chưa xử lý xong"):
        file_request(scene)


def test_the_period_closes_filing(scene, clock):
    open_period(scene, days=2)
    clock.shift(dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="Đã hết hạn đề nghị phúc tra"):
        file_request(scene)


def test_who_may_do_what(scene):
    open_period(scene)
    with pytest.raises(PermissionDenied):
        services.review_period_set(
            publication=scene.publication, until=timezone.localdate(), actor=scene.people["chair"],
            principal=scene.principal("chair"),
        )  # fmt: skip
    request = file_request(scene)
    with pytest.raises(PermissionDenied):
        reappraise_as(scene, request, "head")
    with pytest.raises(PermissionDenied):
        move(scene, request, ReviewStatus.REVIEWED, "head")
    reappraise(scene, request, scene.contested.code, {"value": "1"})
    reappraise(scene, request, scene.other.code, _same_inputs(scene, scene.other))
    move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    with pytest.raises(PermissionDenied):
        move(scene, request, ReviewStatus.APPROVED, "appraiser")
    with pytest.raises(ValidationError):  # no such transition
        move(scene, request, ReviewStatus.CORRECTED, "admin")


def reappraise_as(scene, request, who):
    item = request.items.get(code=scene.contested.code)
    return services.review_item_reappraise(
        item=item, inputs={"value": "1"}, comment="x", base_revision=item.revision, actor=scene.people[who],
        principal=scene.principal(who),
    )  # fmt: skip


def test_a_stale_phuc_tra_save_is_refused(scene):
    open_period(scene)
    request = file_request(scene)
    item = request.items.get(code=scene.contested.code)
    services.review_item_reappraise(
        item=item, inputs={"value": "1"}, comment="Lần 1", base_revision=item.revision,
        actor=scene.people["appraiser"], principal=scene.principal("appraiser"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
        services.review_item_reappraise(
            item=item, inputs={"value": "0.9"}, comment="Lần 2", base_revision=1,
            actor=scene.people["appraiser"], principal=scene.principal("appraiser"),
        )  # fmt: skip
    item.refresh_from_db()
    assert item.comment == "Lần 1"


def test_the_inbox_lists_each_request_for_whoever_must_act_on_it(scene):
    from parindex.inbox.selectors import REVIEW, inbox_for

    def reviews(who):
        return [
            (t.verb, t.url) for t in inbox_for(scene.principal(who), timezone.localdate()).tasks if t.kind == REVIEW
        ]

    open_period(scene)
    request = file_request(scene)
    detail = f"/phuc-tra/{request.pk}/"
    assert reviews("appraiser") == [("Phúc tra", detail)]
    assert reviews("admin") == [] and reviews("head") == []
    reappraise(scene, request, scene.contested.code, {"value": "1"})
    reappraise(scene, request, scene.other.code, _same_inputs(scene, scene.other))
    move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    assert reviews("appraiser") == [] and reviews("chair") == [("Thông qua kết quả phúc tra", detail)]
    move(scene, request, ReviewStatus.APPROVED, "chair")
    assert reviews("chair") == []
    assert reviews("admin") == [("Ban hành quyết định đính chính", f"/phuc-tra/cong-bo/{scene.publication.pk}/")]


def test_the_correcting_decision_document_says_what_it_corrects(scene, province):
    from parindex.documents import defaults
    from parindex.documents import selectors as document_selectors
    from parindex.documents.models import Kind

    open_period(scene)
    corrected = services.review_correction_issue(
        publication=scene.publication, reason="Điều chỉnh theo phúc tra", decision_number="170/QĐ-UBND",
        decision_date=timezone.localdate(), actor=scene.people["admin"], principal=scene.principal("admin"),
    )  # fmt: skip
    source = document_selectors.Source(Kind.DECISION, province, province, publication=corrected)
    subject = defaults.heading_initial(source, Kind.DECISION)["subject"]
    assert subject.startswith("Về việc đính chính kết quả Chỉ số cải cách hành chính năm 2026")
    assert f"Quyết định số 165/QĐ-UBND ngày {scene.publication.decision_date:%d/%m/%Y}" in subject
    first = defaults.heading_initial(
        document_selectors.Source(Kind.DECISION, province, province, publication=scene.publication), Kind.DECISION
    )["subject"]
    assert first.startswith("Về việc phê duyệt và công bố")


def test_every_step_is_in_the_items_history(scene):
    from parindex.assessments.models import AuditAction, AuditEntry

    open_period(scene)
    request = file_request(scene)
    reappraise(scene, request, scene.contested.code, {"value": "1"}, "Có báo cáo gốc")
    entries = AuditEntry.objects.filter(assessment=scene.assessments[0], action=AuditAction.REVIEW).order_by("pk")
    filed, contested_filed, raised = (
        entries.get(criterion=scene.other, note="Đề nghị phúc tra"),
        entries.get(criterion=scene.contested, note="Đề nghị phúc tra"),
        entries.get(criterion=scene.contested, note="Phúc tra: Có báo cáo gốc"),
    )
    assert filed.new["reason"] == "Đề nghị xem lại cách tính" and filed.new["file"] is None
    assert contested_filed.new["file"] == request.items.get(code=scene.contested.code).sha256
    assert raised.old is None and raised.new == {"inputs": {"value": "1"}, "outcome": ItemOutcome.CHANGED}
    reappraise(scene, request, scene.other.code, _same_inputs(scene, scene.other))
    move(scene, request, ReviewStatus.REVIEWED, "appraiser")
    assert entries.filter(criterion=None, note="Phúc tra – Hoàn thành phúc tra, trình Hội đồng").count() == 1
