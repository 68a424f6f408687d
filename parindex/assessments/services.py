"""Writing cycles and self-assessments: open a cycle, save answers (one by one or from a workbook), attach evidence, submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.assessments import excel, selectors
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Assignment,
    AuditAction,
    AuditEntry,
    Cycle,
    DeadlineExtension,
    Evidence,
    EvidenceFile,
    Stage,
)
from parindex.assessments.page import editable_codes
from parindex.assessments.rules_check import submission_problems
from parindex.assessments.signals import projections_batched, projections_stale
from parindex.assessments.workflow import EDITABLE, Status, rule_for, window_open
from parindex.core.compiled import CompiledInsert, CompiledUpdate
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.frameworks.workflow import Status as VersionStatus
from parindex.notifications import events as notification_events


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
    """Open a year's cycle for a province: one draft assessment per unit in scope.

    The framework must be the province's own or a national one (used read-only), and apply
    in ``year``: within its decision's period, or the extension recorded on its page. Every
    problem is listed at once.
    """
    errors: list[str] = []
    if framework_version.status != VersionStatus.PUBLISHED:
        errors.append("Chỉ mở kỳ đánh giá với bộ chỉ số đã ban hành.")
    framework = framework_version.framework
    if framework.owner_id is not None and framework.owner_id != province.pk:
        errors.append(
            f"Bộ chỉ số {framework.code} thuộc {framework.owner.name}; {province.name} chỉ dùng được "
            "bộ chỉ số của tỉnh mình hoặc bộ chỉ số dùng chung toàn quốc."
        )
    if not framework_version.applies_in(year):
        # The decision's period (or its extension) bounds the years; an end may be missing.
        until = framework_version.applies_until
        span = framework_version.applies_label
        span = f"cho giai đoạn {span}" if framework_version.period_from is not None and until is not None else span
        later = until is not None and year > until
        errors.append(
            f"Bộ chỉ số {framework.code} phiên bản {framework_version.number} áp dụng {span}; "
            f"năm {year} nằm ngoài giai đoạn này. "
            + (
                "Hãy dùng bộ chỉ số của giai đoạn mới, hoặc ghi quyết định kéo dài thời gian áp dụng ở trang bộ chỉ số."
                if later
                else f"Hãy dùng bộ chỉ số áp dụng cho năm {year}."
            )
        )
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
    projections_stale(sender=Assessment, assessment_ids=cycle.assessments.values_list("pk", flat=True))
    return cycle


def _require_editable(assessment: Assessment, codes: Iterable[str] = ()) -> None:
    """Refuse a change by the commune unless the assessment is open to it for ``codes``.

    A draft is open until the self-assessment deadline (or the unit's extension). Under
    clarification only the items asked about are open, until the request's deadline.
    """
    if assessment.status == Status.CLARIFICATION:
        request = selectors.latest_request(assessment)
        asked = {item.criterion.code for item in request.items.all()} if request else set()
        outside = sorted(set(codes) - asked)
        if not codes or outside:
            raise ValidationError(
                "Đang giải trình: chỉ được bổ sung cho các tiêu chí được yêu cầu giải trình"
                + (f" (không gồm {', '.join(outside)})." if outside else "."),
                code="frozen",
            )
        due = request.deadline
        if not window_open(due, selectors.extended_until(assessment, Stage.CLARIFICATION), timezone.localdate()):
            raise ValidationError(
                f"Đã quá hạn giải trình ({due:%d/%m/%Y}). Liên hệ Sở Nội vụ để được gia hạn.", code="late"
            )
        return
    if assessment.status not in EDITABLE:
        raise ValidationError("Hồ sơ đã gửi thẩm định nên chỉ xem, không sửa được.", code="frozen")
    due = assessment.cycle.self_assessment_due
    if not window_open(due, selectors.extended_until(assessment, Stage.SELF_ASSESSMENT), timezone.localdate()):
        raise ValidationError(
            f"Đã quá hạn tự đánh giá ({due:%d/%m/%Y}). Liên hệ Sở Nội vụ để được gia hạn.", code="late"
        )


def audit(
    *,
    assessment: Assessment,
    action: str,
    actor: Any,
    criterion: Criterion | None = None,
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> None:
    """Record one change (call inside the transaction that makes it): one INSERT, compiled once
    per process (audit rows are written on every save and never changed)."""
    _AUDIT.run(
        {
            "assessment": assessment.pk,
            "criterion": criterion.pk if criterion is not None else None,
            "action": action,
            "old": old,
            "new": new,
            "note": note[:500],
            "actor": getattr(actor, "pk", None) or None,
            "at": timezone.now(),
        }
    )


_AUDIT = CompiledInsert(AuditEntry, columns=("assessment", "criterion", "action", "old", "new", "note", "actor", "at"))


def answer_save(
    *,
    assessment: Assessment,
    criterion: Criterion,
    inputs: dict[str, Any],
    explanation: str = "",
    base_revision: int | None,
    actor: Any,
    held: dict[str, Answer] | None = None,
) -> Answer:
    """Save one sub-criterion's inputs, checked by its rule.

    ``base_revision`` is the revision the editor started from (None for a first answer). If
    someone saved in between, nothing is written and a ValidationError says so: no update
    is ever lost silently.

    ``held``: every answer of the assessment by code, read by a caller that holds the
    assessment's row locked in its own transaction (``selectors.assessment_to_change``, as the
    page's row save does). The save then reads nothing again and takes no savepoint: it checks
    the revision against ``held``, writes the row and its audit entry, updates ``held`` in place
    and projects from it. A ValidationError then leaves the caller's transaction to be rolled
    back: let it leave its atomic block.
    """
    if held is None:
        with transaction.atomic():
            return _answer_save(assessment, criterion, inputs, explanation, base_revision, actor, None)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("answer_save(held=...) runs inside the transaction that locked the assessment")
    return _answer_save(assessment, criterion, inputs, explanation, base_revision, actor, held)


def answer_fill(*, assessment: Assessment, code: str, inputs: dict[str, Any], explanation: str, actor: Any) -> Answer:
    """A source's figure (a plan, an indicator, the register, an index, a survey) written into
    leaf ``code``'s answer over what is stored now: the person asked for it with "Dùng số liệu
    này", so the save starts from the current revision; it is checked and audited like any save."""
    criterion = Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)
    current = Answer.objects.filter(assessment=assessment, criterion=criterion).values_list("revision", flat=True)
    return answer_save(
        assessment=assessment,
        criterion=criterion,
        inputs=inputs,
        explanation=explanation,
        base_revision=current.first(),
        actor=actor,
    )


def _answer_save(
    assessment: Assessment,
    criterion: Criterion,
    inputs: dict[str, Any],
    explanation: str,
    base_revision: int | None,
    actor: Any,
    held: dict[str, Answer] | None,
) -> Answer:
    _require_inputs_open(assessment)
    _require_editable(assessment, [criterion.code])
    if criterion.version_id != assessment.cycle.framework_version_id or not criterion.rule_kind:
        raise ValidationError("Tiêu chí này không thuộc bộ chỉ số của kỳ đánh giá hoặc không chấm điểm trực tiếp.")
    node = framework_version_spec(assessment.cycle.framework_version).node(criterion.code)
    try:
        stored = to_stored(clean_inputs(node, inputs))
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None
    explanation = explanation.strip()
    new = {"inputs": stored, "explanation": explanation}
    if held is not None:
        return _save_held(assessment, criterion, stored, explanation, base_revision, actor, held)
    if base_revision is None:
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    assessment=assessment, criterion=criterion, inputs=stored, explanation=explanation, updated_by=actor
                )
        except IntegrityError:
            raise _conflict(criterion) from None
        audit(assessment=assessment, criterion=criterion, action=AuditAction.ANSWER, actor=actor, new=new)
        projections_stale(sender=Answer, assessment_ids=[assessment.pk])
        return answer
    # No lock needed: revisions only grow, so if the conditional update below still finds the
    # revision read here, the row still holds what was read (the audit's "before").
    rows = Answer.objects.filter(assessment=assessment, criterion=criterion, revision=base_revision)
    current = rows.first()
    now = timezone.now()
    updated = rows.update(
        inputs=stored, explanation=explanation, revision=F("revision") + 1, updated_by=actor, updated_at=now
    )
    if not updated or current is None:
        raise _conflict(criterion)
    before = {"inputs": current.inputs, "explanation": current.explanation}
    if before != new:
        audit(assessment=assessment, criterion=criterion, action=AuditAction.ANSWER, actor=actor, old=before, new=new)
        if before["inputs"] != stored:
            projections_stale(sender=Answer, assessment_ids=[assessment.pk])
    current.inputs, current.explanation, current.revision = stored, explanation, base_revision + 1
    current.updated_by, current.updated_at = actor if getattr(actor, "pk", None) else None, now
    return current


def _save_held(
    assessment: Assessment,
    criterion: Criterion,
    stored: dict[str, Any],
    explanation: str,
    base_revision: int | None,
    actor: Any,
    held: dict[str, Answer],
) -> Answer:
    """The save of ``answer_save(held=...)``: the answer as read under the assessment's lock is
    the one the editor must have started from."""
    code, new = criterion.code, {"inputs": stored, "explanation": explanation}
    current = held.get(code)
    if (current.revision if current is not None else None) != base_revision:
        raise _conflict(criterion)
    now = timezone.now()
    if current is None:
        try:  # someone not holding the lock may still have written it: no savepoint, the caller rolls back
            current = Answer.objects.create(
                assessment=assessment, criterion=criterion, inputs=stored, explanation=explanation, updated_by=actor
            )
        except IntegrityError:
            raise _conflict(criterion) from None
        before = None
    else:
        written = {
            "inputs": stored,
            "explanation": explanation,
            "updated_by": getattr(actor, "pk", None),
            "updated_at": now,
        }
        if not _WRITE_HELD.run(written, {"id": current.pk, "revision": base_revision}):
            raise _conflict(criterion)
        before = {"inputs": current.inputs, "explanation": current.explanation}
        current.inputs, current.explanation, current.revision = stored, explanation, base_revision + 1
        current.updated_by, current.updated_at = actor if getattr(actor, "pk", None) else None, now
    held[code] = current
    if before != new:
        audit(assessment=assessment, criterion=criterion, action=AuditAction.ANSWER, actor=actor, old=before, new=new)
    if before is None or before["inputs"] != stored:
        answers = {c: a.inputs for c, a in held.items()}
        projections_stale(sender=Answer, assessment_ids=[assessment.pk], held={assessment.pk: (assessment, answers)})
    return current


# The row save's UPDATE (the revision read under the lock, one up), compiled once per process.
_WRITE_HELD = CompiledUpdate(
    Answer,
    columns=("inputs", "explanation", "updated_by", "updated_at"),
    where=("id", "revision"),
    increments=("revision",),
)


def _require_inputs_open(assessment: Assessment) -> None:
    """Under clarification the submitted inputs stay as they were, whether saved one by one or imported."""
    if assessment.status == Status.CLARIFICATION:
        raise ValidationError(
            "Số liệu tự đánh giá đã gửi được giữ nguyên. Khi giải trình, hãy ghi nội dung giải trình "
            "và bổ sung tài liệu kiểm chứng.",
            code="frozen",
        )


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
    criteria = list(criteria)
    _require_editable(assessment, [c.code for c in criteria] or ["?"])
    checked = _check(upload, filename)
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
    stored = _store_file(evidence, 1, upload, checked, actor)
    facts = _evidence_facts(evidence, stored)
    for criterion in criteria:
        audit(assessment=assessment, criterion=criterion, action=AuditAction.EVIDENCE, actor=actor, new=facts)
    return evidence


def _evidence_facts(evidence: Evidence, stored: EvidenceFile) -> dict[str, Any]:
    return {
        "evidence": evidence.pk,
        "title": evidence.title,
        "document_number": evidence.document_number,
        "file": stored.original_name,
        "revision": stored.revision,
        "sha256": stored.sha256,
        "size": stored.size,
    }


@transaction.atomic
def evidence_file_add(*, evidence: Evidence, upload: BinaryIO, filename: str, actor: Any) -> EvidenceFile:
    """Add a new revision of an evidence file; earlier revisions stay as they were."""
    criteria = list(evidence.criteria.all())
    _require_editable(evidence.assessment, [c.code for c in criteria])
    checked = _check(upload, filename)
    # Lock the evidence row so two uploads cannot take the same revision number.
    Evidence.objects.select_for_update().filter(pk=evidence.pk).exists()
    previous = evidence.files.order_by("-revision").first()
    stored = _store_file(evidence, (previous.revision if previous else 0) + 1, upload, checked, actor)
    old = _evidence_facts(evidence, previous) if previous else None
    for criterion in criteria:
        audit(
            assessment=evidence.assessment,
            criterion=criterion,
            action=AuditAction.EVIDENCE_FILE,
            actor=actor,
            old=old,
            new=_evidence_facts(evidence, stored),
        )
    return stored


@transaction.atomic
def evidence_link(*, evidence: Evidence, criterion: Criterion, actor: Any) -> Evidence:
    """Link a document already uploaded for the assessment to one more sub-criterion.

    The document and its files stay as they are; only the sub-criteria it proves grow by one,
    recorded in that item's history. Refused, like any evidence change, once the assessment is
    submitted (under clarification, for the items asked about only, until the deadline).
    """
    assessment = evidence.assessment
    _require_editable(assessment, [criterion.code])
    if criterion.version_id != assessment.cycle.framework_version_id or not criterion.rule_kind:
        raise ValidationError("Chỉ gắn được tài liệu cho tiêu chí thành phần của bộ chỉ số kỳ này.", code="invalid")
    # Lock the document so that two links made at once cannot both pass the check below.
    Evidence.objects.select_for_update().filter(pk=evidence.pk).exists()
    if evidence.criteria.filter(pk=criterion.pk).exists():
        raise ValidationError(
            f"Tài liệu '{evidence.title}' đã được gắn với tiêu chí {criterion.code}.", code="duplicate"
        )
    evidence.criteria.add(criterion)
    latest = evidence.files.order_by("-revision").first()
    facts = _evidence_facts(evidence, latest) if latest else {"evidence": evidence.pk, "title": evidence.title}
    audit(
        assessment=assessment,
        criterion=criterion,
        action=AuditAction.EVIDENCE,
        actor=actor,
        new=facts,
        note="Gắn tài liệu đã tải lên của hồ sơ",
    )
    return evidence


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
    *, assessment: Assessment, to: str, actor: Any, principal: Principal, note: str = "", changes: Any = None
) -> Assessment:
    """Move one assessment along the workflow table.

    Checks the table, the role, and the target's preconditions (complete answers to submit,
    answered items to return a clarification, every item appraised to finish), then moves
    with a conditional update and writes the event row (``_move``).
    """
    from_status = assessment.status
    rule = _rule(from_status, to)
    if not (principal.is_superuser or principal.has_role(assessment.unit, rule.roles)):
        raise PermissionDenied(f"Bạn không có quyền: {rule.label.lower()}.")
    problems = _preconditions(assessment, to)
    if problems:
        raise ValidationError(problems, code="incomplete")
    extra: dict[str, Any] = dict(changes or {})
    if to == Status.SUBMITTED:
        extra.update(submitted_at=timezone.now(), submitted_by=actor)
    elif to == Status.DRAFT:
        extra.update(submitted_at=None, submitted_by=None)
    _move([assessment.pk], from_status, to, actor=actor, note=note or rule.label, changes=extra)
    notification_events.assessment_moved(assessment=assessment, to=to, actor=actor)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def assessments_transition(
    *, assessments: Iterable[Assessment], to: str, actor: Any, principal: Principal, note: str = ""
) -> int:
    """Move many assessments of one state together (approval and publication of a group).

    Either every one moves or none does: if any has changed state meanwhile, nothing is
    written and a ValidationError names how many were not where they should be.
    """
    assessments = list(assessments)
    if not assessments:
        return 0
    from_states = {a.status for a in assessments}
    if len(from_states) != 1:
        raise ValidationError("Các hồ sơ không cùng một trạng thái.", code="transition")
    from_status = from_states.pop()
    rule = _rule(from_status, to)
    units = {a.unit_id: a.unit for a in assessments}
    if not principal.is_superuser and not all(principal.has_role(u, rule.roles) for u in units.values()):
        raise PermissionDenied(f"Bạn không có quyền: {rule.label.lower()}.")
    _move([a.pk for a in assessments], from_status, to, actor=actor, note=note or rule.label, changes={})
    return len(assessments)


def _rule(from_status: str, to: str) -> Any:
    rule = rule_for(from_status, to)
    if rule is None:
        raise ValidationError(
            f"Không thể chuyển hồ sơ từ '{Status(from_status).label}' sang '{Status(to).label}'.", code="transition"
        )
    return rule


def _move(ids: list[int], from_status: str, to: str, *, actor: Any, note: str, changes: dict[str, Any]) -> None:
    """The one place a status changes: a conditional update, then one event row per assessment."""
    updated = Assessment.objects.filter(pk__in=ids, status=from_status).update(status=to, **changes)
    if updated != len(ids):
        raise ValidationError(
            "Hồ sơ vừa được người khác thay đổi trạng thái; hãy tải lại trang."
            if len(ids) == 1
            else f"{len(ids) - updated} hồ sơ vừa được người khác thay đổi trạng thái; chưa có gì được lưu.",
            code="stale",
        )
    actor = actor if getattr(actor, "pk", None) else None
    AssessmentEvent.objects.bulk_create(
        [AssessmentEvent(assessment_id=pk, from_status=from_status, to_status=to, actor=actor, note=note) for pk in ids]
    )
    if Status.DRAFT in (from_status, to):  # the figures tracked all year count only while self-assessing
        projections_stale(sender=Assessment, assessment_ids=ids)


def _preconditions(assessment: Assessment, to: str) -> list[str]:
    if to == Status.SUBMITTED:
        missing = submission_problems(*selectors.submission_facts(assessment))
        if missing:
            return [f"Chưa gửi được: còn {len(missing)} tiêu chí thành phần chưa đủ."] + [
                f"{m.code} {m.name}: {m.reason}" for m in missing
            ]
    elif to == Status.CLARIFIED:
        request = selectors.latest_request(assessment)
        unanswered = [i.criterion.code for i in request.items.all() if not i.answer.strip()] if request else []
        if unanswered:
            return [f"Chưa gửi được giải trình: còn {len(unanswered)} tiêu chí chưa có nội dung giải trình."] + [
                f"{code}: chưa giải trình" for code in unanswered
            ]
    elif to == Status.APPRAISED:
        from parindex.appraisals.selectors import finish_problems

        problems = finish_problems(assessment)
        if problems:
            return ["Chưa hoàn thành thẩm định được.", *problems]
    return []


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
    names = {u.pk: str(u) for u in officials}
    changed = 0
    for code, official_id in choices.items():
        before = current.get(code)
        if before == official_id:
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
        audit(
            assessment=assessment,
            criterion=criteria[code],
            action=AuditAction.ASSIGNMENT,
            actor=actor,
            old={"official": names.get(before, before)} if before else None,
            new={"official": names[official_id]} if official_id else None,
        )
    return changed


@transaction.atomic
def deadline_extend(
    *, assessment: Assessment, stage: str, until: dt.date, reason: str, actor: Any, principal: Principal
) -> DeadlineExtension:
    """The province gives one unit more time to self-assess or to answer a clarification."""
    from parindex.accounts.permissions import is_province_admin

    if not is_province_admin(principal, assessment.unit):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được gia hạn.")
    reason = reason.strip()
    errors = []
    if not reason:
        errors.append("Ghi lý do gia hạn.")
    if until < timezone.localdate():
        errors.append("Ngày gia hạn phải từ hôm nay trở đi.")
    if stage == Stage.SELF_ASSESSMENT and assessment.status != Status.DRAFT:
        errors.append("Hồ sơ đã gửi thẩm định: không cần gia hạn tự đánh giá.")
    if stage == Stage.CLARIFICATION and assessment.status != Status.CLARIFICATION:
        errors.append("Hồ sơ không ở bước giải trình.")
    if errors:
        raise ValidationError(errors)
    previous = selectors.extended_until(assessment, stage)
    extension = DeadlineExtension.objects.create(
        assessment=assessment, stage=stage, until=until, reason=reason, granted_by=actor
    )
    audit(
        assessment=assessment,
        action=AuditAction.EXTENSION,
        actor=actor,
        old={"stage": stage, "until": previous.isoformat()} if previous else None,
        new={"stage": stage, "until": until.isoformat()},
        note=reason,
    )
    return extension


IMPORT_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    """What importing a workbook did: the codes changed and how many rows were unchanged, or,
    when anything was wrong, every problem found and nothing saved."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Any] = field(default_factory=list)  # excel.RowProblem

    @property
    def ok(self) -> bool:
        return not self.problems


@transaction.atomic
def answers_import(*, assessment: Assessment, data: bytes, actor: Any, principal: Principal) -> ImportResult:
    """Save the answers of a filled self-assessment workbook (``excel.assessment_to_xlsx``'s layout).

    All or nothing: every row is checked first (the rule check in ``excel.answers_from_xlsx``,
    then here: a change to an item the person may not edit, or to an item saved by someone
    since the workbook was downloaded). If any row is wrong nothing is written and every
    problem is returned. Otherwise each changed row goes through ``answer_save`` (revision
    check and one audit entry per changed item); a row equal to the stored answer writes
    nothing. A file that cannot be read, belongs to another assessment, or an assessment that
    is not open raises ValidationError with one Vietnamese message.
    """
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError(
            f"Tệp quá lớn (tối đa {IMPORT_MAX_BYTES // (1024 * 1024)} MB). Hãy dùng bảng tính tải từ trang hồ sơ.",
            code="too_big",
        )
    _require_inputs_open(assessment)
    _require_editable(assessment)
    spec = framework_version_spec(assessment.cycle.framework_version)
    try:
        book = excel.answers_from_xlsx(data, spec)
    except excel.WorkbookUnreadable as exc:
        raise ValidationError(str(exc), code="unreadable") from None
    if book.assessment_id != assessment.pk:
        raise ValidationError(
            "Tệp này là bảng tính của một hồ sơ khác (đơn vị hoặc năm khác), không phải của hồ sơ này. "
            "Hãy tải bảng tính từ trang hồ sơ này.",
            code="other_assessment",
        )
    problems = list(book.problems)
    answers = selectors.assessment_answers(assessment)
    allowed = editable_codes(assessment, principal)
    result = ImportResult()
    todo = []
    for row in book.rows:
        current = answers.get(row.code)
        if _same_answer(spec.node(row.code), current, row.inputs, row.explanation):
            result.unchanged += 1
            continue
        revision = current.revision if current is not None else None
        if row.revision != revision:
            reason = (
                f"đã có người sửa sau khi tải tệp (lần sửa trong tệp: {row.revision or 'chưa có'}, "
                f"hiện tại: {revision or 'chưa có'}); hãy tải bảng tính mới rồi nhập lại"
            )
            problems.append(excel.RowProblem(row.sheet, row.row, row.code, reason))
        elif row.code not in allowed:
            problems.append(
                excel.RowProblem(row.sheet, row.row, row.code, "bạn không được giao tiêu chí này nên không sửa được")
            )
        else:
            todo.append(row)
    if not problems:
        criteria = {
            c.code: c
            for c in Criterion.objects.filter(
                version_id=assessment.cycle.framework_version_id, code__in=[row.code for row in todo]
            )
        }
        with projections_batched(sender=Answer):
            for row in todo:
                current = answers.get(row.code)
                try:
                    answer_save(
                        assessment=assessment,
                        criterion=criteria[row.code],
                        inputs=to_stored(row.inputs),
                        explanation=row.explanation,
                        base_revision=current.revision if current is not None else None,
                        actor=actor,
                    )
                except ValidationError as exc:  # someone saved in between: the whole import is undone
                    problems.append(excel.RowProblem(row.sheet, row.row, row.code, " ".join(exc.messages)))
                else:
                    result.changed.append(row.code)
    if problems:
        transaction.set_rollback(True)
        return ImportResult(unchanged=result.unchanged, problems=sorted(problems, key=book.order))
    return result


def _same_answer(node: Any, current: Answer | None, inputs: dict[str, Any], explanation: str) -> bool:
    """Whether the imported inputs and explanation are what is stored (decimals compared by value)."""

    def meaning(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if not (k == "applicable" and v is True)}

    if current is None:
        return not meaning(inputs) and not explanation.strip()
    if current.explanation.strip() != explanation.strip():
        return False
    try:
        stored = clean_inputs(node, current.inputs)
    except ValueError:
        return False
    return meaning(stored) == meaning(inputs)
