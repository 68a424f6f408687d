"""The self-assessment as an Excel workbook: download it (anyone who may see the assessment)
and import a filled one back (the commune's officials, each for the items they may edit).

The views read through the selectors, score with the engine and hand plain data to the
pure ``excel`` module; the import goes through ``services.answers_import`` (all or nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parindex import scoring
from parindex.accounts.models import Role
from parindex.assessments import excel, permissions, services
from parindex.assessments.models import Answer, Assessment, Evidence
from parindex.assessments.selectors import assessment_answers, assessment_responses, evidence_with_files
from parindex.assessments.views import get_assessment_for
from parindex.core.downloads import XLSX, attachment
from parindex.core.filenames import download_name
from parindex.frameworks.selectors import framework_version_spec


def heading_for(assessment: Assessment) -> excel.Heading:
    """The info-sheet facts of an assessment fetched with its cycle, version and unit."""
    version = assessment.cycle.framework_version
    return excel.Heading(
        assessment_id=assessment.pk,
        unit_name=assessment.unit.name,
        unit_code=assessment.unit.code,
        year=assessment.cycle.year,
        framework_code=version.framework.code,
        framework_name=version.name,
        version_number=version.number,
        status_label=assessment.get_status_display(),
        exported_at=timezone.now(),
    )


def answer_cells(answers: dict[str, Answer]) -> dict[str, excel.AnswerCells]:
    return {code: excel.AnswerCells(a.inputs, a.explanation, a.revision) for code, a in answers.items()}


def evidence_lines(evidence: Iterable[Evidence]) -> list[excel.EvidenceLine]:
    """Evidence read by ``evidence_with_files`` (criteria and revisions prefetched) as sheet rows."""
    lines = []
    for item in evidence:
        latest = item.revisions[0] if item.revisions else None
        lines.append(
            excel.EvidenceLine(
                title=item.title,
                document_number=item.document_number,
                document_date=item.document_date,
                issuer=item.issuer,
                codes=tuple(c.code for c in item.criteria.all()),
                file_name=latest.original_name if latest else "",
                revision=latest.revision if latest else None,
                sha256=latest.sha256 if latest else "",
                size=latest.size if latest else None,
            )
        )
    return lines


def xlsx_response(body: bytes, filename: str) -> HttpResponse:
    """A unit's workbook: private to the people who may see it."""
    return attachment(body, filename, XLSX, private=True)


@login_required
@require_GET
def workbook_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The self-assessment workbook (info, one sheet per field, evidence), in a fixed number of queries."""
    assessment, _ = get_assessment_for(request, pk)
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    evidence = evidence_with_files(assessment)
    body = excel.assessment_to_xlsx(
        heading=heading_for(assessment),
        result=scoring.score(spec, assessment_responses(answers)),
        answers=answer_cells(answers),
        evidence=evidence_lines(evidence),
    )
    return xlsx_response(
        body, download_name("tu-danh-gia-chi-so-CCHC", assessment.cycle.year, assessment.unit.name, suffix="xlsx")
    )


@login_required
@require_POST
def workbook_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a filled workbook: all rows saved, or none and the page lists every problem."""
    assessment, principal = get_assessment_for(request, pk)
    unit = assessment.unit
    if not (permissions.can_edit_all(principal, unit) or principal.has_role(unit, {Role.COMMUNE_OFFICER})):
        raise PermissionDenied("Chỉ công chức của đơn vị được nhập số liệu tự đánh giá.")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chọn tệp bảng tính (.xlsx) cần nhập.")
        return redirect("assessments:assessment-detail", pk=pk)
    if upload.size > services.IMPORT_MAX_BYTES:
        limit = services.IMPORT_MAX_BYTES // (1024 * 1024)
        messages.error(request, f"Tệp quá lớn (tối đa {limit} MB). Hãy dùng bảng tính tải từ trang hồ sơ.")
        return redirect("assessments:assessment-detail", pk=pk)
    try:
        result = services.answers_import(
            assessment=assessment, data=upload.read(), actor=request.user, principal=principal
        )
    except ValidationError as exc:
        messages.error(request, f"Không nhập được tệp {upload.name}: {' '.join(exc.messages)}")
        return redirect("assessments:assessment-detail", pk=pk)
    if not result.ok:
        return render(
            request,
            "assessments/answers_import.html",
            {"assessment": assessment, "result": result, "filename": upload.name},
            status=400,
        )
    if result.changed:
        messages.success(
            request,
            f"Đã nhập bảng tính {upload.name}: cập nhật {len(result.changed)} tiêu chí "
            f"({', '.join(result.changed[:12])}{' …' if len(result.changed) > 12 else ''}), "
            f"{result.unchanged} tiêu chí không đổi.",
        )
    else:
        messages.info(request, f"Bảng tính {upload.name} không có thay đổi nào so với số liệu hiện tại.")
    return redirect("assessments:assessment-detail", pk=pk)
