"""Writing documents: issue one for signing (render and register it), and manage a province's templates."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.assessments import permissions as assessment_permissions
from parindex.core.jobs import after_commit
from parindex.documents import bounded, builtin, context, facts, render, samples, selectors
from parindex.documents.models import (
    DocumentTemplate,
    IssuedDocument,
    Kind,
    PdfRendition,
    RegisterNumber,
    pdf_upload_to,
)
from parindex.remediation.models import Plan
from parindex.remediation.workflow import PlanStatus
from parindex.results.models import PublishedResult
from parindex.results.permissions import can_publish

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
NO_ISSUE = "Chỉ Văn phòng - Thống kê và lãnh đạo UBND xã (với Quyết định: Sở Nội vụ) được tạo văn bản này."


def template_bytes(province_id: int | None, kind: str) -> tuple[bytes, DocumentTemplate | None]:
    """The province's active template for ``kind``, else the built-in one."""
    own = selectors.active_template(province_id, kind)
    if own is not None:
        try:
            with own.file.open("rb") as fh:
                return fh.read(), own
        except (FileNotFoundError, OSError):
            raise ValidationError(
                f"Tệp mẫu '{own.original_name}' của tỉnh không còn trong kho lưu trữ. Quản trị Sở Nội vụ hãy tải "
                "lại mẫu, hoặc chọn dùng lại mẫu có sẵn, ở trang Mẫu văn bản của tỉnh; chưa có gì được lưu.",
                code="template_missing",
            ) from None
    return builtin.builtin_path(kind).read_bytes(), None


def render_template(data: bytes, ctx: dict[str, Any], *, own: bool) -> bytes:
    """Render a template: a province's own (``own``) in a child with time and memory limits
    (``bounded.py``), a built-in one in-process. Raises ValidationError when it is refused."""
    try:
        if not own:
            return render.render_docx(data, ctx)
        return bounded.render_bounded(
            data, ctx, timeout_s=settings.DOCUMENT_RENDER_TIMEOUT_S, max_mb=settings.DOCUMENT_RENDER_MAX_MB
        )
    except render.TemplateRefused as exc:
        raise ValidationError(str(exc), code="template") from None


def _plan_ready(kind: str, plan: Any) -> None:
    """A plan's documents need an approved plan, except the letter and the notice (drafted alongside)."""
    if kind in (Kind.REMEDIATION_PLAN, Kind.REMEDIATION_REPORT) and plan.status == PlanStatus.DRAFT:
        raise ValidationError("Kế hoạch khắc phục chưa được phê duyệt: chưa tạo được văn bản này.", code="draft")


def document_context(source: selectors.Source, heading: facts.Heading, extra: dict[str, Any]) -> dict[str, Any]:
    """Read the source's facts and build the template context (the pure builder of the kind)."""
    kind = source.kind
    free_text = facts.FreeText({k: v for k, v in extra.items() if isinstance(v, str)})
    unit_label = context.lower_first(source.unit.name)
    if kind == Kind.DECISION:
        publication = source.publication
        assert publication is not None
        return context.decision(
            heading,
            province=context.lower_first(source.province.name),
            year=publication.year,
            group=publication.approval.name,
            framework=selectors.framework_of(publication.approval.cycle.framework_version),
            rows=selectors.publication_standings(publication),
            approval_note=publication.approval.note,
            corrects=(
                context.Corrected(publication.supersedes.decision_number, publication.supersedes.decision_date,
                                  publication.reason)
                if publication.supersedes_id else None
            ),
        )  # fmt: skip
    if kind == Kind.CCHC_REPORT:
        assessment = source.assessment
        assert assessment is not None
        year = assessment.cycle.year
        half = extra.get("period") == "half"
        if not half and "6 tháng" in heading.subject:
            raise ValidationError(
                "Kỳ báo cáo là cả năm nhưng trích yếu ghi “6 tháng”: hãy sửa trích yếu hoặc chọn kỳ 6 tháng.",
                code="period",
            )
        period = f"6 tháng đầu năm {year}" if half else f"năm {year}"
        plan = Plan.objects.filter(unit=source.unit, year=year).exclude(status=PlanStatus.DRAFT).first()
        if plan is not None:
            plan_facts, on_time, total = selectors.plan_facts(plan, timezone.localdate())
            plan_summary = (
                f"Thực hiện {plan.title}: {total} biện pháp, đã hoàn thành đúng hạn {on_time}/{total} biện pháp."
            )
        else:
            plan_summary = "Chưa có kế hoạch khắc phục được phê duyệt cho năm báo cáo."
        return context.cchc_report(
            heading,
            unit_label=unit_label,
            period=period,
            assessment=selectors.self_assessment_facts(assessment),
            indicators=selectors.indicator_figures(source.unit, year, 6 if half else 12),
            plan_summary=plan_summary,
            free_text=free_text,
        )
    if kind == Kind.DIRECTIVE:
        assessment = source.assessment
        assert assessment is not None
        year = assessment.cycle.year
        spec = selectors.spec_of(source)
        last = (
            PublishedResult.objects.filter(unit=source.unit, publication__is_current=True, publication__year__lt=year)
            .select_related("publication__approval")
            .order_by("-publication__year")
            .first()
        )
        plan = Plan.objects.filter(unit=source.unit, year=year).select_related("result__publication").first()
        return context.directive(
            heading,
            unit_label=unit_label,
            year=year,
            fields=tuple(facts.FieldScore(n.code, n.name, n.max, None) for n in spec.roots),
            targets=selectors.indicator_figures(source.unit, year, 12),
            standing=selectors.standing_of(last, last.publication) if last is not None else None,
            plan=selectors.plan_facts(plan, timezone.localdate())[0] if plan is not None else None,
            free_text=free_text,
        )
    plan = source.plan
    assert plan is not None
    _plan_ready(kind, plan)
    standing = selectors.standing_for_plan(plan)
    plan_facts, on_time, total = selectors.plan_facts(plan, timezone.localdate())
    common = {"unit_label": unit_label, "standing": standing, "plan": plan_facts, "free_text": free_text}
    if kind == Kind.REMEDIATION_LETTER:
        return context.remediation_letter(heading, **common)
    if kind == Kind.REMEDIATION_PLAN:
        return context.remediation_plan(heading, **common)
    if kind == Kind.REMEDIATION_REPORT:
        return context.remediation_report(heading, done_on_time=on_time, total=total, **common)
    if kind == Kind.BROADCAST:
        month = int(extra.get("month") or heading.date.month)
        return context.broadcast(heading, month=month, done_on_time=on_time, total=total, **common)
    if kind == Kind.CONCLUSION_NOTICE:
        meeting = extra.get("meeting_date") or heading.date
        chair = "Chủ tịch UBND " + unit_label
        return context.conclusion_notice(
            heading, chair=chair, meeting_date=meeting, participants=extra.get("participants", ""), **common
        )
    raise ValidationError("Không có loại văn bản này.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def document_issue(
    *, source: selectors.Source, heading: facts.Heading, extra: dict[str, Any], actor: Any, principal: Principal
) -> IssuedDocument:
    """Render the document from its source's current data and enter it in the body's register.

    The number (when given) must be new for the body, the year and the symbol (Nghị định
    30/2020, Điều 15); two people taking the same number at once get one document and one
    clear refusal. Nothing is stored when the template cannot be rendered.

    Rendering (up to DOCUMENT_RENDER_TIMEOUT_S for a province's own template) happens outside
    any transaction: only the register row is written in one, so a slow template never holds
    the database's write lock (SQLite takes it when a transaction begins).
    """
    if not selectors.may_issue(principal, source):
        raise PermissionDenied(NO_ISSUE)
    ctx = document_context(source, heading, extra)
    data, template = template_bytes(source.province.pk if source.province else None, source.kind)
    rendered = render_template(data, ctx, own=template is not None)
    year = heading.date.year
    if (
        heading.number is not None
        and IssuedDocument.objects.filter(
            unit=source.unit, year=year, symbol=heading.symbol, number=heading.number
        ).exists()
    ):
        raise _taken(heading, year)
    doc = IssuedDocument(
        unit=source.unit,
        kind=source.kind,
        year=year,
        number=heading.number,
        symbol=heading.symbol,
        issued_on=heading.date,
        subject=heading.subject[:500],
        signer_name=heading.signer_name,
        heading=_jsonable(asdict(heading)),
        extra=_jsonable(extra),
        assessment=source.assessment,
        plan=source.plan,
        publication=source.publication,
        template=template,
        size=len(rendered),
        sha256=hashlib.sha256(rendered).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    doc.file.save("document.docx", ContentFile(rendered), save=False)
    try:
        with transaction.atomic():
            doc.save()
            if heading.number is not None:
                # The register moves on past a number given here, as the văn thư's book does.
                RegisterNumber.objects.filter(
                    unit=source.unit, year=year, symbol=heading.symbol, next_number__lte=heading.number
                ).update(next_number=heading.number + 1)
    except IntegrityError:
        doc.file.delete(save=False)
        raise _taken(heading, year) from None
    return doc


def may_number(principal: Principal, unit: Any) -> bool:
    """Who may set a body's register: those who issue its documents (the province's Sở Nội vụ admin,
    a commune's office and head)."""
    if unit.is_province:
        return can_publish(principal, unit)
    return principal.is_superuser or assessment_permissions.can_edit_all(principal, unit)


@transaction.atomic
def register_number_set(
    *, unit: Any, year: int, symbol: str, next_number: int, actor: Any, principal: Principal
) -> RegisterNumber:
    """Set the next number of ``symbol`` in ``unit``'s register for ``year``, as the văn thư keeps it.

    A number parindex has already given cannot be given again: the next number is at least one
    more than the highest one in the register here.
    """
    if not may_number(principal, unit):
        raise PermissionDenied("Chỉ người được tạo văn bản của cơ quan được đặt số tiếp theo trong sổ văn bản.")
    top = IssuedDocument.objects.filter(unit=unit, year=year, symbol=symbol).aggregate(top=Max("number"))["top"]
    if top is not None and next_number <= top:
        raise ValidationError(
            f"Số {context.number_short(top, symbol)} năm {year} đã được cấp trong sổ: số tiếp theo phải từ {top + 1} trở lên.",
            code="behind",
        )
    row, _ = RegisterNumber.objects.update_or_create(
        unit=unit,
        year=year,
        symbol=symbol,
        defaults={"next_number": next_number, "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    return row


def _taken(heading: facts.Heading, year: int) -> ValidationError:
    return ValidationError(
        f"Số {context.number_short(heading.number, heading.symbol)} năm {year} đã được dùng cho văn bản khác "
        "của cơ quan. Hãy chọn số khác (hoặc để trống để văn thư ghi số khi ký).",
        code="taken",
    )


def template_check(data: bytes, kind: str) -> None:
    """A province's template must be a Word file that renders the sample data in the sandbox,
    within the time and memory limits (``DOCUMENT_RENDER_TIMEOUT_S``, ``DOCUMENT_RENDER_MAX_MB``)."""
    if len(data) > TEMPLATE_MAX_BYTES:
        raise ValidationError("Tệp mẫu quá lớn (tối đa 5 MB).", code="size")
    render_template(data, samples.sample_context(kind), own=True)


def _require_template_admin(principal: Principal, province: Any) -> None:
    if not can_publish(principal, province):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ của tỉnh được thay mẫu văn bản.")


def template_upload(
    *, province: Any, kind: str, upload: BinaryIO, filename: str, actor: Any, principal: Principal
) -> DocumentTemplate:
    """Use a province's own .docx for ``kind`` from now on (the previous one is kept, inactive).

    The check (seconds, in a child process) runs before the transaction opens, and nothing is
    written unless it passes.
    """
    _require_template_admin(principal, province)
    if kind not in Kind.values:
        raise ValidationError("Không có loại văn bản này.")
    data = upload.read(TEMPLATE_MAX_BYTES + 1)
    template_check(data, kind)
    with transaction.atomic():
        # Two admins uploading at once take turns on the province's row, so the second one's
        # template simply becomes the active one (never a clash on the one-active constraint).
        list(type(province).objects.select_for_update().filter(pk=province.pk).values_list("pk", flat=True))
        DocumentTemplate.objects.filter(province=province, kind=kind, is_active=True).update(is_active=False)
        own = DocumentTemplate(
            province=province,
            kind=kind,
            original_name=filename[:255],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        own.file.save("template.docx", ContentFile(data), save=False)
        own.save()
    return own


@transaction.atomic
def template_reset(*, province: Any, kind: str, principal: Principal) -> int:
    """Go back to the built-in template for ``kind``; the province's files are kept, inactive."""
    _require_template_admin(principal, province)
    return DocumentTemplate.objects.filter(province=province, kind=kind, is_active=True).update(is_active=False)


# -- PDF, made by the job worker ------------------------------------------------------------------


def pdf_request(*, doc: IssuedDocument) -> PdfRendition:
    """The PDF of an issued document: the one already made from the same .docx bytes, or a new
    one queued for the worker (``tasks.docx_pdf``); a failed one is queued again."""
    with transaction.atomic():
        rendition, created = PdfRendition.objects.get_or_create(
            docx_sha256=doc.sha256, defaults={"source": doc.file.name}
        )
        retry = not created and PdfRendition.objects.filter(pk=rendition.pk, state=PdfRendition.State.FAILED).update(
            state=PdfRendition.State.QUEUED, error="", source=doc.file.name
        )
        if created or retry:
            from parindex.documents.tasks import docx_pdf

            after_commit(docx_pdf, rendition.pk, document_id=doc.pk, province_id=doc.unit.province_id or doc.unit_id)
    rendition.refresh_from_db()
    return rendition


def pdf_build(rendition_id: int) -> str:
    """Convert a queued rendition's .docx with LibreOffice and store the PDF (the job's body).
    Raises RuntimeError (kept as the rendition's error) when LibreOffice fails."""
    State = PdfRendition.State
    started = PdfRendition.objects.filter(pk=rendition_id, state__in=[State.QUEUED, State.FAILED]).update(
        state=State.RUNNING, attempts=F("attempts") + 1
    )
    rendition = PdfRendition.objects.get(pk=rendition_id)
    if not started:  # made already, or another worker is on it
        return rendition.state
    try:
        with default_storage.open(rendition.source, "rb") as handle:
            pdf = render.docx_to_pdf(handle.read())
    except RuntimeError as exc:
        PdfRendition.objects.filter(pk=rendition_id).update(state=State.FAILED, error=str(exc)[:500])
        raise
    rendition.file.save(pdf_upload_to(rendition, ""), ContentFile(pdf), save=False)
    PdfRendition.objects.filter(pk=rendition_id).update(
        state=State.DONE, file=rendition.file.name, error="", finished_at=timezone.now()
    )
    return State.DONE
