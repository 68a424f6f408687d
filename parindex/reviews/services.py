"""Writing review requests: filing, the phúc tra round, the council's decision and the
correcting decision. Every write is transactional; every change of state is a conditional
update and an event row (``review_transition``); views never set a status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.appraisals.services import appraisal_correct
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import AuditAction
from parindex.assessments.services import audit
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events as notification_events
from parindex.results import services as result_services
from parindex.results.models import Publication, PublishedResult
from parindex.reviews import permissions, selectors
from parindex.reviews.models import ReviewEvent, ReviewItem, ReviewPeriod, ReviewRequest
from parindex.reviews.workflow import REAPPRAISABLE, ItemOutcome, ReviewStatus, rule_for

STALE = "Đề nghị vừa được người khác cập nhật; hãy tải lại trang để xem bản mới nhất."


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@dataclass(frozen=True)
class Claim:
    """One item a unit asks to be reviewed: its code, the reason, and an optional file."""

    code: str
    reason: str
    upload: IO[bytes] | None = None
    filename: str = ""


@transaction.atomic
def review_period_set(*, publication: Publication, until: dt.date, actor: Any, principal: Principal) -> ReviewPeriod:
    """The Sở Nội vụ sets (or moves) the last day its units may ask for a review."""
    if not permissions.can_manage_period(principal, UnitRef(publication.approval.cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được đặt thời hạn đề nghị phúc tra.")
    if not publication.is_current:
        raise ValidationError("Bản công bố này đã được đính chính; đặt thời hạn trên bản đang có hiệu lực.")
    if until < publication.decision_date:
        raise ValidationError("Thời hạn đề nghị phúc tra không được trước ngày quyết định công bố.")
    period, _ = ReviewPeriod.objects.update_or_create(
        publication=publication, defaults={"until": until, "set_by": _user(actor)}
    )
    return period


def _published_item(result: PublishedResult, code: str) -> tuple[Decimal | None, Decimal]:
    score, applicable_max = result.scores.get(code, [None, "0"])
    return (Decimal(score) if score is not None else None), Decimal(applicable_max)


@transaction.atomic
def review_request_file(
    *, result: PublishedResult, claims: Sequence[Claim], reason: str = "", actor: Any, principal: Principal
) -> ReviewRequest:
    """The commune head asks for a review of named items of its published result, each with a
    reason (and evidence), before the province's date. Nothing is saved unless all is valid."""
    publication = result.publication
    unit = result.unit
    if not permissions.can_file(principal, unit):
        raise PermissionDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch UBND xã được gửi đề nghị phúc tra.")
    errors: list[str] = []
    period = ReviewPeriod.objects.filter(publication=publication).first()
    today = timezone.localdate()
    if not publication.is_current:
        errors.append("Kết quả này đã được đính chính; hãy đề nghị trên bản công bố đang có hiệu lực.")
    elif period is None:
        errors.append("Sở Nội vụ chưa mở thời hạn đề nghị phúc tra cho kết quả này.")
    elif today > period.until:
        errors.append(f"Đã hết hạn đề nghị phúc tra ({period.until:%d/%m/%Y}).")
    spec = framework_version_spec(result.assessment.cycle.framework_version)
    leaves = {node.code for node in spec.leaves}
    seen: set[str] = set()
    checked = {}
    for claim in claims:
        if claim.code not in leaves:
            errors.append(f"Không có tiêu chí thành phần {claim.code} trong bộ chỉ số.")
            continue
        if claim.code in seen:
            errors.append(f"Tiêu chí {claim.code} được chọn hai lần.")
        seen.add(claim.code)
        if not claim.reason.strip():
            errors.append(f"{claim.code}: ghi lý do đề nghị phúc tra.")
        if claim.upload is not None:
            try:
                checked[claim.code] = check_upload(claim.filename, claim.upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
            except EvidenceRejected as exc:
                errors.append(f"{claim.code}: {exc}")
    if not claims:
        errors.append("Chọn ít nhất một tiêu chí đề nghị phúc tra.")
    if selectors.open_request_of(result.assessment_id) is not None:
        errors.append("Đơn vị đang có một đề nghị phúc tra chưa xử lý xong.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            request = ReviewRequest.objects.create(
                publication=publication, result=result, assessment_id=result.assessment_id, unit=unit,
                reason=reason.strip(), filed_by=_user(actor),
            )  # fmt: skip
    except IntegrityError:  # another head of the unit filed at the same moment
        raise ValidationError("Đơn vị đang có một đề nghị phúc tra chưa xử lý xong.") from None
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(version_id=result.assessment.cycle.framework_version_id, code__in=seen)
    }
    order = {node.code: position for position, node in enumerate(spec.leaves)}
    stored: list[ReviewItem] = []
    try:
        for claim in claims:
            published, applicable_max = _published_item(result, claim.code)
            item = ReviewItem(
                request=request, criterion=criteria[claim.code], code=claim.code, position=order[claim.code],
                reason=claim.reason.strip(), published_score=published, applicable_max=applicable_max,
            )  # fmt: skip
            if claim.code in checked and claim.upload is not None:
                found = checked[claim.code]
                item.original_name, item.content_type = found.display_name, found.content_type
                item.size, item.sha256 = found.size, found.sha256
                claim.upload.seek(0)
                item.file.save(f"upload{found.suffix}", File(claim.upload), save=False)
                stored.append(item)
            item.save()
    except Exception:
        for item in stored:
            item.file.delete(save=False)
        raise
    ReviewEvent.objects.create(request=request, to_status=ReviewStatus.FILED, actor=_user(actor), note="Gửi đề nghị")
    for claim in claims:  # in each item's history too
        audit(
            assessment=result.assessment, criterion=criteria[claim.code], action=AuditAction.REVIEW, actor=actor,
            new={"reason": claim.reason.strip(), "file": checked[claim.code].sha256 if claim.code in checked else None},
            note="Đề nghị phúc tra",
        )  # fmt: skip
    notification_events.review_filed(request=request, actor=actor)
    return request


@transaction.atomic
def review_item_reappraise(
    *, item: ReviewItem, inputs: dict[str, Any], comment: str, base_revision: int | None, actor: Any,
    principal: Principal,
) -> ReviewItem:  # fmt: skip
    """The phúc tra round of one item: the inputs the appraiser finds and a comment; the item's
    score is the engine's, and its outcome says whether it differs from what was published."""
    request = item.request
    if not permissions.can_reappraise(principal, request.unit):
        raise PermissionDenied("Chỉ thành viên tổ thẩm định được phúc tra.")
    if request.status not in REAPPRAISABLE:
        raise ValidationError("Đề nghị này không còn ở bước phúc tra.", code="state")
    if not comment.strip():
        raise ValidationError("Ghi nhận xét phúc tra (căn cứ giữ nguyên hay điều chỉnh điểm).", code="invalid")
    spec = framework_version_spec(request.assessment.cycle.framework_version)
    node = spec.node(item.code)
    try:
        response = clean_inputs(node, inputs)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None
    found = scoring.score(spec, {item.code: response}).node(item.code)
    if found.missing:
        raise ValidationError("Nhập đủ số liệu phúc tra của tiêu chí.", code="invalid")
    score = found.score if found.applicable else None
    changed = score != item.published_score or (score is None) != (item.published_score is None)
    updated = ReviewItem.objects.filter(pk=item.pk, revision=base_revision or item.revision).update(
        inputs=to_stored(response), score=score, applicable=found.applicable, comment=comment.strip(),
        outcome=ItemOutcome.CHANGED if changed else ItemOutcome.KEPT, reviewed_by=_user(actor),
        reviewed_at=timezone.now(), revision=F("revision") + 1,
    )  # fmt: skip
    if not updated:
        raise ValidationError(STALE, code="stale")
    before = item.inputs
    item.refresh_from_db()
    audit(
        assessment=request.assessment, criterion=item.criterion, action=AuditAction.REVIEW, actor=actor,
        old={"inputs": before} if before is not None else None,
        new={"inputs": item.inputs, "outcome": item.outcome}, note=f"Phúc tra: {item.comment}",
    )  # fmt: skip
    return item


@transaction.atomic
def review_transition(
    *, request: ReviewRequest, to: str, actor: Any, principal: Principal, note: str = ""
) -> ReviewRequest:
    """Move a request along ``workflow.TRANSITIONS`` (role, preconditions, a conditional update,
    the event row). Approving writes the changed items into the unit's final inputs."""
    from_status = request.status
    rule = rule_for(from_status, to)
    if rule is None:
        raise ValidationError(
            f"Không thể chuyển đề nghị từ '{ReviewStatus(from_status).label}' sang '{ReviewStatus(to).label}'.",
            code="transition",
        )
    if not (principal.is_superuser or principal.has_role(request.unit, rule.roles)):
        raise PermissionDenied(f"Bạn không có quyền: {rule.label.lower()}.")
    note = note.strip()
    if rule.needs_note and not note:
        raise ValidationError("Ghi lý do.", code="invalid")
    items = list(request.items.select_related("criterion"))
    changed = [i for i in items if i.outcome == ItemOutcome.CHANGED]
    if to == ReviewStatus.REVIEWED and any(not i.outcome for i in items):
        pending = ", ".join(i.code for i in items if not i.outcome)
        raise ValidationError(f"Còn tiêu chí chưa phúc tra: {pending}.", code="incomplete")
    if to == ReviewStatus.APPROVED and not changed:
        raise ValidationError("Không tiêu chí nào được điều chỉnh: hãy thông qua giữ nguyên kết quả.", code="state")
    if to == ReviewStatus.KEPT and changed:
        raise ValidationError("Có tiêu chí được điều chỉnh điểm: hãy thông qua kết quả phúc tra.", code="state")
    changes: dict[str, Any] = {}
    if rule.needs_note:
        changes["decision_note"] = note
    updated = ReviewRequest.objects.filter(pk=request.pk, status=from_status).update(
        status=to, revision=F("revision") + 1, **changes
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    ReviewEvent.objects.create(
        request=request, from_status=from_status, to_status=to, actor=_user(actor), note=note or rule.label
    )
    audit(
        assessment=request.assessment, action=AuditAction.REVIEW, actor=actor,
        note=f"Phúc tra – {rule.label}" + (f": {note}" if note else ""),
    )  # fmt: skip
    if to == ReviewStatus.APPROVED:
        filed = timezone.localtime(request.filed_at)
        for item in changed:
            appraisal_correct(
                assessment=request.assessment,
                criterion=item.criterion,
                inputs=item.inputs or {},
                reason=f"Phúc tra theo đề nghị ngày {filed:%d/%m/%Y}: {item.comment}",
                actor=actor,
                principal=principal,
            )
    request.refresh_from_db()
    notification_events.review_decided(request=request, actor=actor)
    return request


@transaction.atomic
def review_correction_issue(
    *, publication: Publication, reason: str, decision_number: str, decision_date: dt.date, actor: Any,
    principal: Principal,
) -> Publication:  # fmt: skip
    """The correcting decision: a new publication of the group from the final inputs now in force
    (ranks and changes of rank of every unit recomputed), superseding ``publication``; every
    approved request of the group is closed by it."""
    corrected = result_services.publication_correct(
        publication=publication, reason=reason, decision_number=decision_number, decision_date=decision_date,
        actor=actor, principal=principal,
    )  # fmt: skip
    approved = list(
        ReviewRequest.objects.filter(publication__approval_id=publication.approval_id, status=ReviewStatus.APPROVED)
    )
    for request in approved:
        if ReviewRequest.objects.filter(pk=request.pk, status=ReviewStatus.APPROVED).update(
            status=ReviewStatus.CORRECTED, corrected_by=corrected, revision=F("revision") + 1
        ):
            ReviewEvent.objects.create(
                request=request, from_status=ReviewStatus.APPROVED, to_status=ReviewStatus.CORRECTED,
                actor=_user(actor), note=f"Đính chính theo Quyết định số {corrected.decision_number}",
            )  # fmt: skip
    return corrected
