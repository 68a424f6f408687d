"""Writing appraisals: assign appraisers, record appraised inputs, run clarification rounds.

Every write checks who may do it (scope from ``selectors.appraisal_scope``), is one
transaction, refuses stale saves, and records an audit entry. States change only through
``assessments.services.assessment_transition``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.appraisals import selectors
from parindex.appraisals.models import AppraiserAssignment, ClarificationItem, ClarificationRequest, ItemAppraisal
from parindex.assessments import selectors as assessment_selectors
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer, Assessment, AuditAction, AuditEntry, Cycle
from parindex.assessments.services import _require_editable, assessment_transition, audit
from parindex.assessments.signals import projections_stale
from parindex.assessments.workflow import AWAITING_APPRAISAL_RESULT, Status
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events as notification_events

# States in which first-round scores may be recorded (for items not under clarification).
# The first round of an item may be written from the submission until the appraisal is finished.
FIRST_ROUND = AWAITING_APPRAISAL_RESULT


@transaction.atomic
def appraiser_assignments_set(
    *,
    cycle: Cycle,
    appraiser: Any,
    criteria: Iterable[Criterion],
    sector: str,
    units: Iterable[Any] = (),
    actor: Any,
    principal: Principal,
) -> list[AppraiserAssignment]:
    """Give ``appraiser`` the ``criteria`` (fields) of the cycle, for ``units`` or every unit.

    Replaces what the appraiser had in this cycle. The appraiser must hold the appraiser
    role (or chair the council) in the cycle's province.
    """
    if not is_province_admin(principal, UnitRef(cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được phân công thẩm định.")
    criteria = list(criteria)
    units = list(units)
    errors = []
    if not appraiser.role_assignments.filter(
        role__in=[Role.APPRAISER, Role.COUNCIL_CHAIR], unit_id=cycle.province_id
    ).exists():
        errors.append(f"{appraiser} chưa được phân quyền thành viên tổ thẩm định của tỉnh.")
    if not criteria:
        errors.append("Chọn ít nhất một lĩnh vực hoặc tiêu chí.")
    if any(c.version_id != cycle.framework_version_id for c in criteria):
        errors.append("Tiêu chí không thuộc bộ chỉ số của kỳ đánh giá.")
    in_cycle = set(cycle.assessments.values_list("unit_id", flat=True))
    strangers = [u.name for u in units if u.pk not in in_cycle]
    if strangers:
        errors.append(f"Không thuộc kỳ đánh giá: {', '.join(strangers[:5])}.")
    if errors:
        raise ValidationError(errors)
    AppraiserAssignment.objects.filter(cycle=cycle, appraiser=appraiser).delete()
    rows = [
        AppraiserAssignment(cycle=cycle, appraiser=appraiser, criterion=c, unit=u, sector=sector, assigned_by=actor)
        for c in criteria
        for u in (units or [None])
    ]
    return AppraiserAssignment.objects.bulk_create(rows)


@transaction.atomic
def appraiser_assignments_clear(*, cycle: Cycle, appraiser: Any, actor: Any, principal: Principal) -> int:
    """Take every field of the cycle back from ``appraiser``; their recorded scores stay."""
    if not is_province_admin(principal, UnitRef(cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được phân công thẩm định.")
    removed, _ = AppraiserAssignment.objects.filter(cycle=cycle, appraiser=appraiser).delete()
    return removed


def _require_scope(principal: Principal, assessment: Assessment, code: str | None = None) -> selectors.Scope:
    scope = selectors.appraisal_scope(principal, assessment.cycle)
    if not scope.covers_unit(assessment.unit_id):
        raise PermissionDenied("Bạn không được phân công thẩm định đơn vị này.")
    if code is not None and not scope.everything:
        spec = framework_version_spec(assessment.cycle.framework_version)
        if code not in {leaf.code for leaf in scope.leaves(spec, assessment.unit_id)}:
            raise PermissionDenied(f"Bạn không được phân công thẩm định tiêu chí {code}.")
    return scope


@transaction.atomic
def appraisal_save(
    *,
    assessment: Assessment,
    criterion: Criterion,
    round: int,
    inputs: dict[str, Any],
    comment: str = "",
    needs_clarification: bool = False,
    base_revision: int | None,
    actor: Any,
    principal: Principal,
) -> ItemAppraisal:
    """Record the appraised inputs of one sub-criterion in round 1 or 2, scored by its rule.

    Round 1 is open while the assessment is submitted or under appraisal (the first save
    starts the appraisal); round 2 only for the items of a returned clarification. A save
    names the revision it started from; a stale save is refused, never lost.
    """
    _require_scope(principal, assessment, criterion.code)
    if criterion.version_id != assessment.cycle.framework_version_id or not criterion.rule_kind:
        raise ValidationError("Tiêu chí này không chấm điểm trực tiếp.")
    comment = comment.strip()
    asked = set(selectors.clarification_items(assessment))
    if round == 1:
        # Other fields' appraisers go on with their first round while some items are being clarified.
        if assessment.status not in FIRST_ROUND:
            raise ValidationError(
                f"Hồ sơ đang ở bước '{assessment.get_status_display()}': không ghi điểm thẩm định lần 1.", code="state"
            )
        if criterion.code in asked:
            raise ValidationError(
                f"Tiêu chí {criterion.code} đã được yêu cầu giải trình: thẩm định lại ở lần 2.", code="state"
            )
        if needs_clarification and not comment:
            raise ValidationError("Ghi rõ nội dung cần giải trình vào ô nhận xét.")
    elif round == 2:
        if assessment.status != Status.CLARIFIED:
            raise ValidationError("Chỉ thẩm định lần 2 khi đơn vị đã gửi giải trình.", code="state")
        if criterion.code not in asked:
            raise ValidationError(f"Tiêu chí {criterion.code} không có trong yêu cầu giải trình.")
        needs_clarification = False
    else:
        raise ValidationError("Lần thẩm định không hợp lệ.")
    node = framework_version_spec(assessment.cycle.framework_version).node(criterion.code)
    try:
        stored = to_stored(clean_inputs(node, inputs))
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None
    if not stored:
        raise ValidationError("Nhập số liệu thẩm định (hoặc chọn 'không áp dụng').", code="invalid")
    if assessment.status == Status.SUBMITTED:
        assessment_transition(assessment=assessment, to=Status.APPRAISING, actor=actor, principal=principal)
    values = {"inputs": stored, "comment": comment, "needs_clarification": needs_clarification}
    action = AuditAction.APPRAISAL if round == 1 else AuditAction.REAPPRAISAL
    if base_revision is None:
        try:
            with transaction.atomic():
                row = ItemAppraisal.objects.create(
                    assessment=assessment, criterion=criterion, round=round, updated_by=actor, **values
                )
        except IntegrityError:
            raise _conflict(criterion) from None
        audit(assessment=assessment, criterion=criterion, action=action, actor=actor, new=values)
        projections_stale(sender=ItemAppraisal, assessment_ids=[assessment.pk])
        return row
    rows = ItemAppraisal.objects.filter(assessment=assessment, criterion=criterion, round=round, revision=base_revision)
    before = rows.select_for_update().values("inputs", "comment", "needs_clarification").first()
    if before is None or not rows.update(
        **values, revision=F("revision") + 1, updated_by=actor, updated_at=timezone.now()
    ):
        raise _conflict(criterion)
    if before != values:
        audit(assessment=assessment, criterion=criterion, action=action, actor=actor, old=before, new=values)
        if before["inputs"] != stored:
            projections_stale(sender=ItemAppraisal, assessment_ids=[assessment.pk])
    return ItemAppraisal.objects.get(assessment=assessment, criterion=criterion, round=round)


def _conflict(criterion: Criterion) -> ValidationError:
    return ValidationError(
        f"Điểm thẩm định tiêu chí {criterion.code} vừa được người khác cập nhật. Số liệu của bạn chưa được lưu; "
        "hãy tải lại để xem rồi nhập lại.",
        code="conflict",
    )


@transaction.atomic
@transaction.atomic
def appraisal_accept_self(*, assessment: Assessment, actor: Any, principal: Principal) -> int:
    """Agree with the self-assessment for every item in scope not yet appraised (round 1).

    Items the commune left without inputs are skipped: they need an explicit appraisal.
    Returns the number of items accepted.
    """
    scope = _require_scope(principal, assessment)
    if assessment.status not in FIRST_ROUND:
        raise ValidationError("Chỉ chấp nhận điểm tự đánh giá khi đang thẩm định lần 1.", code="state")
    spec = framework_version_spec(assessment.cycle.framework_version)
    codes = [leaf.code for leaf in scope.leaves(spec, assessment.unit_id)]
    done = set(ItemAppraisal.objects.filter(assessment=assessment, round=1).values_list("criterion__code", flat=True))
    answers = {
        a.criterion.code: a
        for a in Answer.objects.filter(assessment=assessment, criterion__code__in=codes).select_related("criterion")
    }
    todo = [answers[c] for c in codes if c not in done and c in answers and answers[c].inputs]
    if not todo:
        return 0
    if assessment.status == Status.SUBMITTED:
        assessment_transition(assessment=assessment, to=Status.APPRAISING, actor=actor, principal=principal)
    comment = "Thống nhất với điểm tự đánh giá"
    ItemAppraisal.objects.bulk_create(
        [
            ItemAppraisal(
                assessment=assessment,
                criterion=a.criterion,
                round=1,
                inputs=a.inputs,
                comment=comment,
                updated_by=actor,
            )
            for a in todo
        ]
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                assessment=assessment,
                criterion=a.criterion,
                action=AuditAction.APPRAISAL,
                new={"inputs": a.inputs, "comment": comment, "needs_clarification": False},
                actor=actor,
            )
            for a in todo
        ]
    )
    projections_stale(sender=ItemAppraisal, assessment_ids=[assessment.pk])
    return len(todo)


@transaction.atomic
def clarification_request_send(
    *, assessment: Assessment, deadline: dt.date, message: str = "", actor: Any, principal: Principal
) -> ClarificationRequest:
    """Send the items flagged for clarification to the unit, with a deadline."""
    _require_scope(principal, assessment)
    flagged = selectors.unsent_flags(assessment)
    errors = []
    if not flagged:
        errors.append("Chưa có tiêu chí nào được đánh dấu cần giải trình.")
    if deadline < timezone.localdate():
        errors.append("Hạn giải trình phải từ hôm nay trở đi.")
    if errors:
        raise ValidationError(errors)
    number = (
        ClarificationRequest.objects.filter(assessment=assessment).order_by("-number").values_list("number", flat=True)
    ).first() or 0
    assessment_transition(assessment=assessment, to=Status.CLARIFICATION, actor=actor, principal=principal)
    request = ClarificationRequest.objects.create(
        assessment=assessment, number=number + 1, deadline=deadline, message=message.strip(), sent_by=actor
    )
    items = ClarificationItem.objects.bulk_create(
        [ClarificationItem(request=request, criterion=row.criterion, question=row.comment) for row in flagged]
    )
    audit(
        assessment=assessment,
        action=AuditAction.CLARIFICATION_REQUEST,
        actor=actor,
        new={
            "number": request.number,
            "deadline": deadline.isoformat(),
            "items": [row.criterion.code for row in flagged],
        },
        note=message,
    )
    notification_events.clarification_requested(request=request, items=items, actor=actor)
    return request


@transaction.atomic
def clarification_answer_save(
    *, item: ClarificationItem, answer: str, base_revision: int, actor: Any, principal: Principal
) -> ClarificationItem:
    """The commune's explanation for one item asked about (editable until the answers are sent)."""
    from parindex.assessments.page import editable_codes

    assessment = item.request.assessment
    code = item.criterion.code
    if code not in editable_codes(assessment, principal):
        raise PermissionDenied("Bạn không được giao tiêu chí này hoặc hồ sơ không ở bước giải trình.")
    _require_editable(assessment, [code])
    latest = assessment_selectors.latest_request(assessment)
    if latest is None or latest.pk != item.request_id:
        raise ValidationError("Yêu cầu giải trình này đã kết thúc.", code="state")
    answer = answer.strip()
    if not answer:
        raise ValidationError("Ghi nội dung giải trình.")
    before = item.answer
    updated = ClarificationItem.objects.filter(pk=item.pk, revision=base_revision).update(
        answer=answer, revision=F("revision") + 1, answered_by=actor, answered_at=timezone.now()
    )
    if not updated:
        raise ValidationError(
            f"Nội dung giải trình tiêu chí {code} vừa được người khác cập nhật; hãy tải lại trang.", code="conflict"
        )
    if before != answer:
        audit(
            assessment=assessment,
            criterion=item.criterion,
            action=AuditAction.CLARIFICATION_ANSWER,
            actor=actor,
            old={"answer": before} if before else None,
            new={"answer": answer},
        )
    item.refresh_from_db()
    return item


@transaction.atomic
def clarification_answers_send(*, assessment: Assessment, actor: Any, principal: Principal) -> Assessment:
    """The commune head returns the answers: the items go back to the appraisers (round 2)."""
    request = assessment_selectors.latest_request(assessment)
    cycle, unit = assessment.cycle, assessment.unit
    assessment = assessment_transition(assessment=assessment, to=Status.CLARIFIED, actor=actor, principal=principal)
    ClarificationRequest.objects.filter(pk=request.pk).update(answered_by=actor, answered_at=timezone.now())
    notification_events.clarification_answered(request=request, cycle=cycle, unit=unit, actor=actor)
    return assessment


@transaction.atomic
def appraisal_finish(*, assessment: Assessment, actor: Any, principal: Principal) -> Assessment:
    """Close the appraisal: every item appraised, every clarified item appraised again."""
    _require_scope(principal, assessment)
    return assessment_transition(assessment=assessment, to=Status.APPRAISED, actor=actor, principal=principal)


@transaction.atomic
def appraisal_correct(
    *,
    assessment: Assessment,
    criterion: Criterion,
    inputs: dict[str, Any],
    reason: str,
    actor: Any,
    principal: Principal,
) -> ItemAppraisal:
    """Correct a published item's final inputs, with a reason (the council chair).

    The published snapshot does not change: the correction reaches the public only through
    a new publication (``results.services.publication_correct``).
    """
    if not (principal.is_superuser or principal.has_role(assessment.unit, {Role.COUNCIL_CHAIR})):
        raise PermissionDenied("Chỉ Chủ tịch Hội đồng thẩm định được đính chính điểm đã công bố.")
    if assessment.status != Status.PUBLISHED:
        raise ValidationError("Chỉ đính chính kết quả đã công bố; trước đó hãy thẩm định lại.", code="state")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Ghi lý do đính chính.")
    node = framework_version_spec(assessment.cycle.framework_version).node(criterion.code)
    try:
        stored = to_stored(clean_inputs(node, inputs))
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None
    rows = selectors.appraisal_rounds(assessment).get(criterion.code, selectors.ItemRounds())
    current = rows.second or rows.first
    row, _ = ItemAppraisal.objects.update_or_create(
        assessment=assessment,
        criterion=criterion,
        round=2,
        defaults={"inputs": stored, "comment": f"Đính chính: {reason}", "updated_by": actor},
    )
    ItemAppraisal.objects.filter(pk=row.pk).update(revision=F("revision") + 1)
    audit(
        assessment=assessment,
        criterion=criterion,
        action=AuditAction.CORRECTION,
        actor=actor,
        old={"inputs": current.inputs} if current else None,
        new={"inputs": stored},
        note=reason,
    )
    projections_stale(sender=ItemAppraisal, assessment_ids=[assessment.pk])
    return row
