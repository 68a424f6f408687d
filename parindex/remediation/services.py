"""Writing remediation plans: draft from published lost points, edit lines and actions, move the
plan through its workflow, record progress and results, and feed the next cycle's
remediation sub-criterion.

Every write is one transaction. Lines and actions carry a revision: a save states the
revision it started from, so two officials editing the same line cannot silently overwrite
each other. The plan's state changes only in ``plan_transition`` (a conditional update and
a ``PlanEvent`` row).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.workflow import Status as AssessmentStatus
from parindex.core.numbers import vn_number
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events as notification_events
from parindex.remediation import permissions, selectors
from parindex.remediation.models import Action, ActionNote, Plan, PlanEvent, PlanItem
from parindex.remediation.workflow import PLAN_EDITABLE, TRACKED, ActionStatus, DeadlineKind, PlanStatus, rule_for

STALE = "Nội dung vừa được người khác sửa; hãy tải lại trang để xem bản mới nhất rồi sửa tiếp."


def _require_edit(principal: Principal, plan_or_unit: Any) -> None:
    unit = getattr(plan_or_unit, "unit", plan_or_unit)
    if not permissions.can_edit(principal, unit):
        raise PermissionDenied("Chỉ Văn phòng - Thống kê và lãnh đạo UBND xã được lập, sửa kế hoạch khắc phục.")


def _require_draft(plan: Plan) -> None:
    if plan.status not in PLAN_EDITABLE:
        raise ValidationError(
            "Kế hoạch đã được phê duyệt nên không sửa được nội dung; lãnh đạo có thể trả lại để sửa.", code="frozen"
        )


@transaction.atomic
def plan_draft(*, assessment: Assessment, actor: Any, principal: Principal) -> Plan:
    """Draft the plan from the published result: one line per sub-criterion with points lost,
    the cause taken from the appraisers' comment. The lines' lost points add up to the
    unit's total loss."""
    _require_edit(principal, assessment)
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError("Chỉ lập kế hoạch khắc phục khi kết quả đã được công bố.", code="unpublished")
    result = selectors.current_result(assessment)
    if result is None:
        raise ValidationError("Chưa tìm thấy kết quả đang có hiệu lực của đơn vị.", code="unpublished")
    analysis = selectors.lost_analysis(assessment, result)
    assert analysis is not None
    if not analysis.losses:
        raise ValidationError(
            "Đơn vị đạt điểm tối đa ở mọi tiêu chí, không có nội dung cần khắc phục.", code="nothing_lost"
        )
    year = assessment.cycle.year
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                assessment=assessment,
                unit=assessment.unit,
                result=result,
                assessed_year=year,
                year=year + 1,
                title=f"Kế hoạch khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm {year} "
                f"của UBND {assessment.unit.name}",
                total_lost=analysis.total_lost,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError("Đơn vị đã có kế hoạch khắc phục cho kết quả này.", code="exists") from None
    criteria = dict(
        Criterion.objects.filter(
            version_id=assessment.cycle.framework_version_id, code__in=[loss.code for loss in analysis.losses]
        ).values_list("code", "pk")
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=plan,
                criterion_id=criteria[loss.code],
                code=loss.code,
                name=loss.node.name,
                field_code=loss.field.code,
                field_name=loss.field.name,
                position=position,
                max_points=loss.applicable_max,
                score=loss.score,
                lost=loss.lost,
                cause=analysis.comments.get(loss.code, ""),
            )
            for position, loss in enumerate(analysis.losses, start=1)
        ]
    )
    PlanEvent.objects.create(
        plan=plan, from_status="", to_status=PlanStatus.DRAFT, actor=_user(actor), note="Lập dự thảo từ kết quả công bố"
    )
    return plan


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def plan_header_save(
    *, plan: Plan, title: str, document_number: str, base_revision: int, actor: Any, principal: Principal
) -> Plan:
    _require_edit(principal, plan)
    _require_draft(plan)
    if not title.strip():
        raise ValidationError("Nhập tên kế hoạch.", code="invalid")
    updated = Plan.objects.filter(pk=plan.pk, revision=base_revision, status__in=PLAN_EDITABLE).update(
        title=title.strip()[:300], document_number=document_number.strip()[:64], revision=F("revision") + 1
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_item_save(*, item: PlanItem, cause: str, base_revision: int, actor: Any, principal: Principal) -> PlanItem:
    """Save a line's cause (nguyên nhân không đạt điểm tối đa)."""
    plan = item.plan
    _require_edit(principal, plan)
    _require_draft(plan)
    updated = PlanItem.objects.filter(pk=item.pk, revision=base_revision, plan__status__in=PLAN_EDITABLE).update(
        cause=cause.strip(), revision=F("revision") + 1
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    item.refresh_from_db()
    return item


def _clean_action(
    *,
    plan: Plan,
    description: str,
    deadline_kind: str,
    due: dt.date | None,
    expected_points: Decimal | None,
    item: PlanItem,
    official: Any,
) -> dict[str, Any]:
    errors = []
    if not description.strip():
        errors.append("Ghi nội dung biện pháp khắc phục.")
    if deadline_kind not in DeadlineKind.values:
        errors.append("Chọn thời hạn: đến ngày, cả năm hoặc hàng quý.")
    if deadline_kind == DeadlineKind.DATE:
        if due is None:
            errors.append("Chọn hạn hoàn thành (dd/mm/yyyy) hoặc chọn 'Cả năm' / 'Hàng quý'.")
        elif due.year != plan.year:
            errors.append(f"Hạn hoàn thành phải trong năm {plan.year}, năm thực hiện kế hoạch.")
    expected = expected_points if expected_points is not None else Decimal(0)
    if expected < 0:
        errors.append("Điểm dự kiến khắc phục không được âm.")
    elif expected > item.lost:
        errors.append(
            f"Điểm dự kiến khắc phục không vượt quá số điểm bị mất của tiêu chí {item.code} ({vn_number(item.lost)})."
        )
    if official is not None and not _is_commune_official(official, plan):
        errors.append("Công chức phụ trách phải là công chức của xã.")
    if errors:
        raise ValidationError(errors, code="invalid")
    return {
        "description": description.strip(),
        "deadline_kind": deadline_kind,
        "due": due if deadline_kind == DeadlineKind.DATE else None,
        "expected_points": expected,
    }


def _is_commune_official(official: Any, plan: Plan) -> bool:
    from parindex.accounts.models import COMMUNE_ROLES, RoleAssignment

    return RoleAssignment.objects.filter(user=official, unit_id=plan.unit_id, role__in=COMMUNE_ROLES).exists()


@transaction.atomic
def action_add(
    *,
    item: PlanItem,
    description: str,
    office: str = "",
    official: Any = None,
    deadline_kind: str = DeadlineKind.YEAR,
    due: dt.date | None = None,
    expected_points: Decimal | None = None,
    actor: Any,
    principal: Principal,
) -> Action:
    plan = Plan.objects.select_for_update().get(pk=item.plan_id)
    _require_edit(principal, plan)
    _require_draft(plan)
    values = _clean_action(
        plan=plan,
        description=description,
        deadline_kind=deadline_kind,
        due=due,
        expected_points=expected_points,
        item=item,
        official=official,
    )
    position = (Action.objects.filter(item=item).aggregate(m=Max("position"))["m"] or 0) + 1
    action = Action.objects.create(
        item=item, plan=plan, position=position, office=office.strip()[:200], official=official,
        updated_by=_user(actor), **values,
    )  # fmt: skip
    notification_events.action_assigned(action=action, actor=actor)
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    description: str,
    office: str = "",
    official: Any = None,
    deadline_kind: str,
    due: dt.date | None = None,
    expected_points: Decimal | None = None,
    base_revision: int,
    actor: Any,
    principal: Principal,
) -> Action:
    plan = action.plan
    _require_edit(principal, plan)
    _require_draft(plan)
    values = _clean_action(
        plan=plan,
        description=description,
        deadline_kind=deadline_kind,
        due=due,
        expected_points=expected_points,
        item=action.item,
        official=official,
    )
    updated = Action.objects.filter(pk=action.pk, revision=base_revision, plan__status__in=PLAN_EDITABLE).update(
        office=office.strip()[:200], official=official, revision=F("revision") + 1, updated_by=_user(actor),
        updated_at=timezone.now(), **values,
    )  # fmt: skip
    if not updated:
        raise ValidationError(STALE, code="stale")
    official_before = action.official_id
    action.refresh_from_db()
    notification_events.action_assigned(action=action, actor=actor, official_before=official_before, created=False)
    return action


@transaction.atomic
def action_delete(*, action: Action, base_revision: int, principal: Principal) -> None:
    _require_edit(principal, action.plan)
    _require_draft(action.plan)
    deleted, _ = Action.objects.filter(pk=action.pk, revision=base_revision, plan__status__in=PLAN_EDITABLE).delete()
    if not deleted:
        raise ValidationError(STALE, code="stale")


def _preconditions(plan: Plan, to: str) -> list[str]:
    if to == PlanStatus.APPROVED and plan.status == PlanStatus.DRAFT:
        items = list(plan.items.filter(actions__isnull=True).values_list("code", flat=True))
        blank = list(plan.items.filter(cause="").values_list("code", flat=True))
        problems = []
        if items:
            problems.append(f"Còn {len(items)} tiêu chí chưa có biện pháp khắc phục: {', '.join(items)}.")
        if blank:
            problems.append(f"Còn {len(blank)} tiêu chí chưa ghi nguyên nhân: {', '.join(blank)}.")
        return problems
    if to == PlanStatus.REPORTED:
        missing = list(
            Action.objects.filter(plan=plan, result="").select_related("item").values_list("item__code", flat=True)
        )
        if missing:
            return [
                f"Còn {len(missing)} biện pháp chưa ghi kết quả thực hiện (tiêu chí {', '.join(sorted(set(missing)))})."
            ]
    return []


@transaction.atomic
def plan_transition(*, plan: Plan, to: str, actor: Any, principal: Principal, note: str = "") -> Plan:
    """Move a plan along ``workflow.TRANSITIONS``: role, preconditions, a conditional update and
    the event row. Sending the report also fills the next cycle's remediation sub-criterion
    when that cycle's self-assessment is still open to the commune."""
    from_status = plan.status
    rule = rule_for(from_status, to)
    if rule is None:
        raise ValidationError(
            f"Không thể chuyển kế hoạch từ '{PlanStatus(from_status).label}' sang '{PlanStatus(to).label}'.",
            code="transition",
        )
    if not (principal.is_superuser or principal.has_role(plan.unit, rule.roles)):
        raise PermissionDenied(f"Bạn không có quyền: {rule.label.lower()}.")
    problems = _preconditions(plan, to)
    if problems:
        raise ValidationError(problems, code="incomplete")
    changes: dict[str, Any] = {}
    now = timezone.now()
    if to == PlanStatus.APPROVED and from_status == PlanStatus.DRAFT:
        changes = {"approved_at": now, "approved_by": _user(actor)}
    elif to == PlanStatus.REPORTED:
        changes = {"reported_at": now, "reported_by": _user(actor)}
    elif from_status == PlanStatus.REPORTED:
        changes = {"reported_at": None, "reported_by": None}
    updated = Plan.objects.filter(pk=plan.pk, status=from_status).update(
        status=to, revision=F("revision") + 1, **changes
    )
    if not updated:
        raise ValidationError("Kế hoạch vừa được người khác thay đổi trạng thái; hãy tải lại trang.", code="stale")
    PlanEvent.objects.create(
        plan=plan, from_status=from_status, to_status=to, actor=_user(actor), note=note or rule.label
    )
    plan.refresh_from_db()
    if to == PlanStatus.REPORTED:
        next_assessment = (
            Assessment.objects.filter(unit_id=plan.unit_id, cycle__year=plan.year)
            .select_related("cycle__framework_version")
            .first()
        )
        if next_assessment is not None and next_assessment.status == AssessmentStatus.DRAFT:
            try:
                with transaction.atomic():
                    remediation_input_apply(assessment=next_assessment, actor=actor, principal=principal)
            except ValidationError:
                pass  # past its deadline or nothing to feed: the page offers it again
    return plan


@transaction.atomic
def plan_report_save(*, plan: Plan, summary: str, base_revision: int, actor: Any, principal: Principal) -> Plan:
    """The report's overall assessment (đánh giá chung), written while the plan is carried out."""
    _require_edit(principal, plan)
    if plan.status not in TRACKED:
        raise ValidationError("Chỉ ghi báo cáo khi kế hoạch đã được phê duyệt và chưa gửi báo cáo.", code="frozen")
    updated = Plan.objects.filter(pk=plan.pk, revision=base_revision, status__in=TRACKED).update(
        report_summary=summary.strip(), revision=F("revision") + 1
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    plan.refresh_from_db()
    return plan


@transaction.atomic
def action_progress(
    *,
    action: Action,
    text: str = "",
    status: str | None = None,
    completed_on: dt.date | None = None,
    result: str | None = None,
    upload: BinaryIO | None = None,
    filename: str = "",
    base_revision: int,
    actor: Any,
    principal: Principal,
) -> ActionNote | None:
    """Record progress on an action while the plan is carried out: a note, a new status, the
    result for the report, and an optional evidence file. The note is the action's history."""
    plan = action.plan
    if not permissions.can_record_progress(principal, plan.unit, action.official_id):
        raise PermissionDenied("Bạn không phụ trách biện pháp này.")
    if plan.status not in TRACKED:
        raise ValidationError(
            "Chỉ cập nhật tiến độ khi kế hoạch đã được phê duyệt và chưa gửi báo cáo kết quả.", code="frozen"
        )
    today = timezone.localdate()
    status = status or action.status
    if status not in ActionStatus.values:
        raise ValidationError("Tình trạng không hợp lệ.", code="invalid")
    changes: dict[str, Any] = {}
    if status != action.status:
        changes["status"] = status
    if status == ActionStatus.DONE:
        done_on = completed_on or action.completed_on or today
        if done_on > today:
            raise ValidationError("Ngày hoàn thành không được sau hôm nay.", code="invalid")
        if done_on != action.completed_on:
            changes["completed_on"] = done_on
    elif action.completed_on is not None:
        changes["completed_on"] = None
    if result is not None and result.strip() != action.result:
        changes["result"] = result.strip()
    checked = None
    if upload is not None:
        try:
            checked = check_upload(filename, upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
        except EvidenceRejected as exc:
            raise ValidationError(str(exc), code="rejected") from None
    if not changes and not text.strip() and checked is None:
        raise ValidationError("Ghi nội dung tiến độ, đổi tình trạng hoặc đính kèm tài liệu.", code="empty")
    updated = Action.objects.filter(pk=action.pk, revision=base_revision).update(
        revision=F("revision") + 1, updated_by=_user(actor), updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    note = None
    if text.strip() or "status" in changes or checked is not None:
        note = ActionNote(
            action=action,
            text=text.strip(),
            from_status=action.status if "status" in changes else "",
            to_status=status if "status" in changes else "",
            on=today,
            by=_user(actor),
        )
        if checked is not None:
            note.original_name = checked.display_name
            note.content_type = checked.content_type
            note.size = checked.size
            note.sha256 = checked.sha256
            upload.seek(0)
            note.file.save(f"upload{checked.suffix}", File(upload), save=False)
        try:
            note.save()
        except Exception:
            if note.file:
                note.file.delete(save=False)
            raise
    action.refresh_from_db()
    return note


# -- the next cycle ----------------------------------------------------------------------------


@transaction.atomic
def remediation_input_apply(*, assessment: Assessment, actor: Any, principal: Principal) -> Answer:
    """Fill the assessment's remediation sub-criterion (``source: remediation``) with the
    completion of the plan carried out in its year: actions done on time ÷ all actions."""
    from parindex.assessments.services import answer_fill

    _require_edit(principal, assessment)
    spec = framework_version_spec(assessment.cycle.framework_version)
    code = selectors.remediation_code(spec)
    if code is None:
        raise ValidationError("Bộ chỉ số của kỳ này không có tiêu chí lấy số liệu từ kế hoạch khắc phục.")
    plan = selectors.plan_feeding(assessment)
    if plan is None:
        raise ValidationError(f"Chưa có kế hoạch khắc phục được phê duyệt thực hiện trong năm {assessment.cycle.year}.")
    completion = selectors.plan_completion(plan, timezone.localdate())
    if not completion.total:
        raise ValidationError("Kế hoạch khắc phục chưa có biện pháp nào.")
    return answer_fill(
        assessment=assessment,
        code=code,
        inputs={"numerator": completion.done_on_time, "denominator": completion.total},
        explanation=source_explanation(plan, completion),
        actor=actor,
    )


def source_explanation(plan: Plan, completion: selectors.Completion) -> str:
    reported = "đã báo cáo kết quả" if plan.status == PlanStatus.REPORTED else "đang thực hiện"
    number = f" số {plan.document_number}" if plan.document_number else ""
    return (
        f"Theo Kế hoạch khắc phục{number} Chỉ số CCHC năm {plan.assessed_year} ({reported}): "
        f"hoàn thành đúng hạn {completion.done_on_time}/{completion.total} biện pháp."
    )
