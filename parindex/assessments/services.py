"""Writing cycles and self-assessments: open a cycle, save answers, attach evidence, submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.assessments import selectors
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Assignment,
    Cycle,
    Evidence,
    EvidenceFile,
)
from parindex.assessments.rules_check import submission_problems
from parindex.assessments.workflow import EDITABLE, Status, rule_for
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.frameworks.workflow import Status as VersionStatus


@transaction.atomic
def cycle_open(
    *,
    province: Any,
    year: int,
    framework_version: FrameworkVersion,
    units: Iterable[Any],
    self_assessment_due: dt.date,
    appraisal_due: dt.date,
    clarification_due: dt.date,
    publication_due: dt.date,
    name: str = "",
    actor: Any = None,
) -> Cycle:
    """Open a year's cycle for a province: one draft assessment per unit in scope."""
    errors: list[str] = []
    if framework_version.status != VersionStatus.PUBLISHED:
        errors.append("Chỉ mở kỳ đánh giá với bộ chỉ số đã ban hành.")
    if not self_assessment_due <= appraisal_due <= clarification_due <= publication_due:
        errors.append("Các hạn phải theo thứ tự: tự đánh giá, thẩm định, giải trình, công bố.")
    units = list(units)
    if not units:
        errors.append("Chọn ít nhất một đơn vị được đánh giá.")
    outside = [u.name for u in units if u.province_id != province.pk]
    if outside:
        errors.append(f"Đơn vị không thuộc {province.name}: {', '.join(outside[:5])}.")
    applies_to = set(framework_version.applies_to or ())
    wrong_kind = [u.name for u in units if applies_to and u.kind not in applies_to]
    if wrong_kind:
        errors.append(f"Bộ chỉ số không áp dụng cho: {', '.join(wrong_kind[:5])}.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                province=province,
                year=year,
                framework_version=framework_version,
                name=name or f"Chỉ số CCHC năm {year} – {province.name}",
                self_assessment_due=self_assessment_due,
                appraisal_due=appraisal_due,
                clarification_due=clarification_due,
                publication_due=publication_due,
                opened_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ValidationError(f"{province.name} đã có kỳ đánh giá năm {year} với bộ chỉ số này.") from None
    Assessment.objects.bulk_create([Assessment(cycle=cycle, unit=unit) for unit in units])
    return cycle


def _require_editable(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE:
        raise ValidationError("Hồ sơ đã gửi thẩm định nên chỉ xem, không sửa được.", code="frozen")


@transaction.atomic
def answer_save(
    *,
    assessment: Assessment,
    criterion: Criterion,
    inputs: dict[str, Any],
    explanation: str = "",
    base_revision: int | None,
    actor: Any,
) -> Answer:
    """Save one sub-criterion's inputs, checked by its rule.

    ``base_revision`` is the revision the editor started from (None for a first answer). If
    someone saved in between, nothing is written and a ValidationError says so: no update
    is ever lost silently.
    """
    _require_editable(assessment)
    if criterion.version_id != assessment.cycle.framework_version_id or not criterion.rule_kind:
        raise ValidationError("Tiêu chí này không thuộc bộ chỉ số của kỳ đánh giá hoặc không chấm điểm trực tiếp.")
    node = framework_version_spec(assessment.cycle.framework_version).node(criterion.code)
    try:
        stored = to_stored(clean_inputs(node, inputs))
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None
    explanation = explanation.strip()
    if base_revision is None:
        try:
            with transaction.atomic():
                return Answer.objects.create(
                    assessment=assessment, criterion=criterion, inputs=stored, explanation=explanation, updated_by=actor
                )
        except IntegrityError:
            raise _conflict(criterion) from None
    updated = Answer.objects.filter(assessment=assessment, criterion=criterion, revision=base_revision).update(
        inputs=stored, explanation=explanation, revision=F("revision") + 1, updated_by=actor, updated_at=timezone.now()
    )
    if not updated:
        raise _conflict(criterion)
    return Answer.objects.get(assessment=assessment, criterion=criterion)


def _conflict(criterion: Criterion) -> ValidationError:
    return ValidationError(
        f"Tiêu chí {criterion.code} vừa được người khác cập nhật. Số liệu của bạn chưa được lưu; "
        "hãy tải lại để xem số liệu mới rồi nhập lại.",
        code="conflict",
    )


@transaction.atomic
def evidence_add(
    *,
    assessment: Assessment,
    upload: BinaryIO,
    filename: str,
    title: str,
    criteria: Iterable[Criterion],
    document_number: str = "",
    document_date: dt.date | None = None,
    issuer: str = "",
    summary: str = "",
    actor: Any,
) -> Evidence:
    """Store a new evidence document (first file revision) linked to one or more sub-criteria."""
    _require_editable(assessment)
    checked = _check(upload, filename)
    criteria = list(criteria)
    foreign = [c.code for c in criteria if c.version_id != assessment.cycle.framework_version_id]
    if not criteria or foreign:
        raise ValidationError("Chọn ít nhất một tiêu chí của bộ chỉ số kỳ này mà tài liệu chứng minh.")
    evidence = Evidence.objects.create(
        assessment=assessment,
        title=title.strip() or checked.display_name,
        document_number=document_number.strip(),
        document_date=document_date,
        issuer=issuer.strip(),
        summary=summary.strip(),
        created_by=actor,
    )
    evidence.criteria.set(criteria)
    _store_file(evidence, 1, upload, checked, actor)
    return evidence


@transaction.atomic
def evidence_file_add(*, evidence: Evidence, upload: BinaryIO, filename: str, actor: Any) -> EvidenceFile:
    """Add a new revision of an evidence file; earlier revisions stay as they were."""
    _require_editable(evidence.assessment)
    checked = _check(upload, filename)
    # Lock the evidence row so two uploads cannot take the same revision number.
    Evidence.objects.select_for_update().filter(pk=evidence.pk).exists()
    latest = evidence.files.aggregate(n=Max("revision"))["n"] or 0
    return _store_file(evidence, latest + 1, upload, checked, actor)


def _check(upload: BinaryIO, filename: str) -> Any:
    try:
        return check_upload(filename, upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except EvidenceRejected as exc:
        raise ValidationError(str(exc), code="rejected") from None


def _store_file(evidence: Evidence, revision: int, upload: BinaryIO, checked: Any, actor: Any) -> EvidenceFile:
    row = EvidenceFile(
        evidence=evidence,
        revision=revision,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    upload.seek(0)
    row.file.save(f"upload{checked.suffix}", File(upload), save=False)
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise
    return row


@transaction.atomic
def assessment_transition(
    *, assessment: Assessment, to: str, actor: Any, principal: Principal, note: str = ""
) -> Assessment:
    """Move an assessment along the workflow table, with a conditional update and an event row."""
    from_status = assessment.status
    rule = rule_for(from_status, to)
    if rule is None:
        raise ValidationError(
            f"Không thể chuyển hồ sơ từ '{Status(from_status).label}' sang '{Status(to).label}'.", code="transition"
        )
    if not principal.has_role(assessment.unit, rule.roles):
        raise PermissionDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch UBND xã được gửi hoặc rút hồ sơ.")
    changes: dict[str, Any] = {"status": to}
    if to == Status.SUBMITTED:
        missing = submission_problems(*selectors.submission_facts(assessment))
        if missing:
            lines = [f"{m.code} {m.name}: {m.reason}" for m in missing]
            raise ValidationError(
                [f"Chưa gửi được: còn {len(missing)} tiêu chí thành phần chưa đủ."] + lines, code="incomplete"
            )
        changes.update(submitted_at=timezone.now(), submitted_by=actor)
    else:
        changes.update(submitted_at=None, submitted_by=None)
    updated = Assessment.objects.filter(pk=assessment.pk, status=from_status).update(**changes)
    if not updated:
        raise ValidationError("Hồ sơ vừa được người khác thay đổi trạng thái; hãy tải lại trang.", code="stale")
    AssessmentEvent.objects.create(
        assessment=assessment, from_status=from_status, to_status=to, actor=actor, note=note or rule.label
    )
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def assignments_set(*, assessment: Assessment, choices: dict[str, int | None], actor: Any, principal: Principal) -> int:
    """Give criteria (fields, criteria or sub-criteria, by code) to the commune's officials.

    ``choices`` maps a code to an official's id, or None to take the item back. Returns the
    number of changes. Only officials holding a commune role at the unit can be chosen.
    """
    from parindex.assessments.permissions import can_assign

    if not can_assign(principal, assessment.unit):
        raise PermissionDenied("Chỉ Văn phòng - Thống kê hoặc lãnh đạo UBND xã được phân công.")
    _require_editable(assessment)
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(version_id=assessment.cycle.framework_version_id, code__in=list(choices))
    }
    unknown = sorted(set(choices) - set(criteria))
    if unknown:
        raise ValidationError(f"Không có tiêu chí: {', '.join(unknown)}.")
    officials = selectors.commune_officials(assessment.unit)
    allowed = {u.pk for u in officials}
    strangers = sorted(code for code, uid in choices.items() if uid is not None and uid not in allowed)
    if strangers:
        raise ValidationError(f"Người được chọn cho {', '.join(strangers)} không phải công chức của đơn vị.")
    current = dict(Assignment.objects.filter(assessment=assessment).values_list("criterion__code", "official_id"))
    changed = 0
    for code, official_id in choices.items():
        if current.get(code) == official_id:
            continue
        changed += 1
        if official_id is None:
            Assignment.objects.filter(assessment=assessment, criterion=criteria[code]).delete()
        else:
            Assignment.objects.update_or_create(
                assessment=assessment,
                criterion=criteria[code],
                defaults={"official_id": official_id, "assigned_by": actor},
            )
    return changed
