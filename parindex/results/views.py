"""Pages of the results app.

For the province's staff, a cycle's results board: every assessment with its self and
appraised totals, from which the council chair approves a group of appraised units, and the
Sở Nội vụ admin publishes an approval under a decision or corrects a publication. For
everyone, without logging in: the published rankings, with CSV and JSON downloads.

Every page reads a fixed number of queries whatever the number of units. The views never
change a status themselves: they call the services.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.workflow import APPRAISAL_FINAL, APPRAISAL_PROVISIONAL, Status
from parindex.core.downloads import open_stored
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import files, permissions, selectors, services
from parindex.results.files import result_rows
from parindex.results.forms import ApprovalForm, BoardFilterForm, CorrectionForm, PublishForm
from parindex.results.models import Approval, FileKind, Publication

STATUS_PARAM = "trang-thai"


# -- the cycle's board (province staff) ---------------------------------------------------------


@dataclass
class BoardRow:
    assessment: Assessment
    self_score: scoring.UnitScore
    final_score: scoring.UnitScore | None
    provisional: bool
    group: str
    approvable: bool
    checked: bool


@dataclass
class ApprovalPanel:
    approval: Approval
    unit_count: int
    publications: list[Publication]
    current: Publication | None
    publish_form: PublishForm | None = None
    correct_form: CorrectionForm | None = None
    failed: str = ""  # which of its forms a refused POST was: "publish" or "correct"

    @property
    def publish_id(self) -> str:
        return f"cong-bo-{self.approval.pk}"

    @property
    def publish_question(self) -> str:
        return f"Công bố kết quả của {self.unit_count} đơn vị nhóm “{self.approval.name}”?"

    @property
    def correct_id(self) -> str:
        return f"dinh-chinh-{self.approval.pk}"

    @property
    def correct_question(self) -> str:
        number = self.current.decision_number if self.current else ""
        return f"Đính chính kết quả nhóm “{self.approval.name}” đã công bố theo Quyết định số {number}?"


# What the confirmations of the board say will happen, and what gets locked.
APPROVE_QUESTION = "Hội đồng thẩm định thông qua kết quả của các đơn vị đã chọn?"
APPROVE_CONSEQUENCES = [
    "Điểm thẩm định của các đơn vị được chọn trở thành kết quả Hội đồng đã thông qua; các đơn vị này được xếp "
    "hạng cùng nhau trong nhóm xếp hạng vừa đặt tên.",
    "Hồ sơ chuyển sang “Hội đồng đã thông qua” và bị khóa: không tự đánh giá, thẩm định hay giải trình thêm được nữa.",
    "Không hủy được trên trang này. Sau đó Sở Nội vụ công bố nhóm theo quyết định của UBND tỉnh.",
]
PUBLISH_CONSEQUENCES = [
    "Điểm, chỉ số, xếp loại và thứ hạng của từng đơn vị trong nhóm được lưu cố định theo quyết định và công khai "
    "trên trang Kết quả công bố (ai cũng xem và tải về được).",
    "Hồ sơ của các đơn vị chuyển sang “Đã công bố”; trang tự đánh giá và thẩm định của các đơn vị chỉ còn để xem.",
    "Không sửa, không hủy được: muốn thay đổi phải đính chính bằng một quyết định mới.",
]
CORRECT_CONSEQUENCES = [
    "Kết quả của nhóm được tính lại từ điểm thẩm định hiện tại và công bố thành bản mới theo quyết định đính chính.",
    "Bản đang có hiệu lực được giữ nguyên để đối chiếu, ghi là “Đã được đính chính”; không quay lại được.",
]


@dataclass
class Failure:
    """Which form of the board a refused POST belongs to, to open it and point at it."""

    anchor: str
    title: str
    approval_pk: int | None = None
    kind: str = ""  # "publish" or "correct" for an approval's forms
    form: Any = field(default=None, repr=False)


def _cycle_for(request: HttpRequest, cycle_pk: int) -> tuple[Cycle, Principal]:
    """The cycle with what the board needs, or 404 when the user may not see its board."""
    cycle = Cycle.objects.select_related("province", "framework_version__framework").filter(pk=cycle_pk).first()
    principal = principal_for(request.user)
    if cycle is None or not permissions.can_view_board(principal, UnitRef(cycle.province_id)):
        raise Http404("Không tìm thấy kỳ đánh giá")
    return cycle, principal


def _board(
    request: HttpRequest,
    cycle: Cycle,
    principal: Principal,
    *,
    status_filter: str = "",
    approval_form: ApprovalForm | None = None,
    failure: Failure | None = None,
    http_status: int = 200,
) -> HttpResponse:
    """Render the board; a refused POST passes its bound form so nothing typed is lost."""
    province = UnitRef(cycle.province_id)
    may_approve = permissions.can_approve(principal, province)
    may_publish = permissions.can_publish(principal, province)
    assessments = list(
        Assessment.objects.filter(cycle=cycle)
        .select_related("unit", "approval_entry__approval")
        .order_by("unit__name", "pk")
    )
    counts = Counter(a.status for a in assessments)
    filter_form = BoardFilterForm({"status": status_filter}, counts=counts)
    chosen = filter_form.chosen()
    shown = [a for a in assessments if not chosen or a.status == chosen]
    shown_ids = {a.pk for a in shown}
    scores = final_scores_for(shown, framework_version_spec(cycle.framework_version))
    if may_approve and approval_form is None:
        approval_form = ApprovalForm(assessment_ids=[a.pk for a in assessments])
    ticked = approval_form.chosen_ids() if approval_form is not None else set()
    groups: Counter[int] = Counter()
    rows = []
    for a in assessments:
        entry = getattr(a, "approval_entry", None)
        if entry is not None:
            groups[entry.approval_id] += 1
        if a.pk not in shown_ids:
            continue
        s = scores[a.pk]
        has_appraisal = a.status in APPRAISAL_FINAL or a.status in APPRAISAL_PROVISIONAL
        rows.append(
            BoardRow(
                assessment=a,
                self_score=s.self,
                final_score=s.final if has_appraisal else None,
                provisional=a.status in APPRAISAL_PROVISIONAL,
                group=entry.approval.name if entry is not None else "",
                approvable=may_approve and a.status == Status.APPRAISED,
                checked=str(a.pk) in ticked,
            )
        )
    panels = []
    approvals = (
        Approval.objects.filter(cycle=cycle)
        .select_related("approved_by")
        .prefetch_related(
            Prefetch(
                "publications",
                queryset=Publication.objects.select_related("published_by").order_by("-number"),
                to_attr="all_publications",
            )
        )
        .order_by("approved_at", "pk")
    )
    for approval in approvals:
        publications = approval.all_publications
        current = next((p for p in publications if p.is_current), None)
        panel = ApprovalPanel(approval, groups[approval.pk], publications, current)
        failed = failure.kind if failure is not None and failure.approval_pk == approval.pk else ""
        if failed == "publish":
            panel.publish_form = failure.form  # shown even if someone published meanwhile, with why
        elif may_publish and not publications:
            panel.publish_form = _publish_form(approval, cycle)
        if failed == "correct":
            panel.correct_form = failure.form
        elif may_publish and current is not None:
            panel.correct_form = CorrectionForm(prefix=f"dc-{approval.pk}")
        panel.failed = failed
        panels.append(panel)
    return render(
        request,
        "results/cycle_board.html",
        {
            "cycle": cycle,
            "rows": rows,
            "total": len(assessments),
            "appraised": counts[Status.APPRAISED],
            "filter_form": filter_form,
            "status_filter": chosen,
            "status_param": STATUS_PARAM,
            "may_approve": may_approve,
            "may_publish": may_publish,
            "approval_form": approval_form,
            "panels": panels,
            "failure": failure,
            "approve_question": APPROVE_QUESTION,
            "approve_consequences": APPROVE_CONSEQUENCES,
            "publish_consequences": PUBLISH_CONSEQUENCES,
            "correct_consequences": CORRECT_CONSEQUENCES,
        },
        status=http_status,
    )


def _publish_form(approval: Approval, cycle: Cycle, data: Any = None) -> PublishForm:
    name = cycle.province.name
    issuer = f"UBND {name[:1].lower()}{name[1:]}" if name else ""
    return PublishForm(data, prefix=f"cb-{approval.pk}", initial={"issuer": issuer})


def _service_error(request: HttpRequest, headline: str, exc: ValidationError) -> None:
    """A refusal from a service as one message: the headline, then each reason."""
    messages.error(request, "\n".join([headline, *exc.messages]), extra_tags="list")


@login_required
@require_GET
def cycle_board(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle, principal = _cycle_for(request, cycle_pk)
    return _board(request, cycle, principal, status_filter=request.GET.get(STATUS_PARAM, ""))


@login_required
@require_POST
def approval_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The council chair approves the ticked appraised units as one ranking group."""
    cycle, principal = _cycle_for(request, cycle_pk)
    if not permissions.can_approve(principal, UnitRef(cycle.province_id)):
        raise PermissionDenied("Chỉ Chủ tịch Hội đồng thẩm định được thông qua kết quả.")
    form = ApprovalForm(request.POST, assessment_ids=list(cycle.assessments.values_list("pk", flat=True)))
    if form.is_valid():
        data = form.cleaned_data
        chosen = Assessment.objects.filter(cycle=cycle).select_related("unit")
        if data["all_appraised"]:
            chosen = chosen.filter(status=Status.APPRAISED)
        else:
            chosen = chosen.filter(pk__in=data["assessments"])
        chosen = list(chosen.order_by("unit__name"))
        seen = data["appraised_count"]
        if data["all_appraised"] and seen is not None and seen != len(chosen):
            form.add_error(
                "all_appraised",
                f"Số đơn vị đã thẩm định xong vừa thay đổi ({seen} → {len(chosen)}): xem lại bảng rồi thông qua lại.",
            )
            return _board(
                request, cycle, principal, status_filter=request.POST.get(STATUS_PARAM, ""), approval_form=form,
                failure=Failure("thong-qua", "Thông qua kết quả"), http_status=400,
            )  # fmt: skip
        try:
            approval = services.approval_create(
                cycle=cycle,
                assessments=chosen,
                name=data["name"],
                note=data["note"],
                tie_break=data["tie_break"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            _service_error(request, "Chưa thông qua được kết quả:", exc)
        else:
            messages.success(
                request,
                f"Hội đồng đã thông qua kết quả của {len(chosen)} đơn vị, nhóm xếp hạng "
                f"“{approval.name}”. Sở Nội vụ có thể công bố.",
            )
            return redirect(reverse("results:cycle-board", args=[cycle.pk]) + f"#nhom-{approval.pk}")
    return _board(
        request,
        cycle,
        principal,
        status_filter=request.POST.get(STATUS_PARAM, ""),
        approval_form=form,
        failure=Failure("thong-qua", "Thông qua kết quả"),
        http_status=400,
    )


def _approval_for(request: HttpRequest, approval: Approval | None) -> Principal:
    """404 when the user may not see the approval's board, 403 when they may not publish."""
    principal = principal_for(request.user)
    if approval is None or not permissions.can_view_board(principal, UnitRef(approval.cycle.province_id)):
        raise Http404("Không tìm thấy nhóm kết quả đã thông qua")
    if not permissions.can_publish(principal, UnitRef(approval.cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được công bố và đính chính kết quả.")
    return principal


@login_required
@require_POST
def publication_publish(request: HttpRequest, approval_pk: int) -> HttpResponse:
    """The Sở Nội vụ admin publishes an approved group under a decision."""
    approval = (
        Approval.objects.select_related("cycle__province", "cycle__framework_version__framework")
        .filter(pk=approval_pk)
        .first()
    )
    principal = _approval_for(request, approval)
    assert approval is not None
    form = _publish_form(approval, approval.cycle, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            publication = services.publication_publish(
                approval=approval,
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                issuer=data["issuer"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            _service_error(request, f"Chưa công bố được nhóm “{approval.name}”:", exc)
        else:
            messages.success(
                request,
                f"Đã công bố kết quả nhóm “{approval.name}” theo Quyết định số {publication.decision_number}.",
            )
            return redirect("results:publication-detail", pk=publication.pk)
    failure = Failure(f"nhom-{approval.pk}", f"Công bố nhóm “{approval.name}”", approval.pk, "publish", form)
    return _board(request, approval.cycle, principal, failure=failure, http_status=400)


@login_required
@require_POST
def publication_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The Sở Nội vụ admin publishes a corrected snapshot; the current one is kept, superseded."""
    publication = (
        Publication.objects.select_related("approval__cycle__province", "approval__cycle__framework_version__framework")
        .filter(pk=pk)
        .first()
    )
    principal = _approval_for(request, publication.approval if publication else None)
    assert publication is not None
    approval = publication.approval
    form = CorrectionForm(request.POST, prefix=f"dc-{approval.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            corrected = services.publication_correct(
                publication=publication,
                reason=data["reason"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            _service_error(request, f"Chưa đính chính được kết quả nhóm “{approval.name}”:", exc)
        else:
            messages.success(
                request,
                f"Đã đính chính theo Quyết định số {corrected.decision_number}; bản công bố theo "
                f"Quyết định số {publication.decision_number} được giữ nguyên để đối chiếu.",
            )
            return redirect("results:publication-detail", pk=corrected.pk)
    failure = Failure(f"nhom-{approval.pk}", f"Đính chính nhóm “{approval.name}”", approval.pk, "correct", form)
    return _board(request, approval.cycle, principal, failure=failure, http_status=400)


# -- published results (public) -----------------------------------------------------------------


def _publication_or_404(pk: int, *, stored: str = "") -> Publication:
    """A publication with its header, the group's publication now in force and, with ``stored``
    (a file kind), the stored file's name (one query)."""
    publication = selectors.publication_with_current(pk, stored=stored)
    if publication is None:
        raise Http404("Không tìm thấy kết quả công bố")
    return publication


@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    publications = list(selectors.current_publications().annotate(unit_count=Count("results")))
    cycles: list[Cycle] = []
    if request.user.is_authenticated:
        provinces = permissions.board_province_ids(principal_for(request.user))
        if provinces is None or provinces:
            qs = Cycle.objects.select_related("province").order_by("-year", "province__name", "name")
            cycles = list(qs if provinces is None else qs.filter(province_id__in=provinces))
    years = sorted({p.year for p in publications}, reverse=True)
    return render(
        request,
        "results/publication_list.html",
        {"publications": publications, "cycles": cycles, "open_data_years": years},
    )


@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication_or_404(pk)
    rows = result_rows(publication, selectors.publication_results(publication))
    return render(
        request,
        "results/publication_detail.html",
        {
            "publication": publication,
            "province": publication.approval.cycle.province,
            "rows": rows,
            "fields": publication.fields,
            "merged": any(row.compared_with for row in rows),
        },
    )


@require_GET
def publication_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as CSV (UTF-8 with a BOM, dot decimals), from storage (one query)."""
    publication = _publication_or_404(pk, stored=FileKind.CSV)
    return files.serve_publication_file(publication, FileKind.CSV, filename=files.download_filename(publication, "csv"))


@require_GET
def publication_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as JSON (decimals as strings), shown inline, from storage (one query)."""
    publication = _publication_or_404(pk, stored=FileKind.JSON)
    return files.serve_publication_file(
        publication, FileKind.JSON, filename=files.download_filename(publication, "json"), inline=True
    )


@login_required
@require_GET
def publication_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The Quyết định phê duyệt và công bố with its ranking annex (.docx) as built at publication,
    for those who see the province's board (404 otherwise, as the documents app's draft)."""
    publication = _publication_or_404(pk, stored=FileKind.DOCX)
    province = UnitRef(publication.approval.cycle.province_id)
    if not permissions.can_view_board(principal_for(request.user), province):
        raise Http404("Không tìm thấy kết quả công bố")
    try:
        return files.serve_publication_file(
            publication, FileKind.DOCX, filename=files.download_filename(publication, "docx", files.DECISION_FILE)
        )
    except ValidationError as exc:
        _service_error(request, "Chưa tạo được Quyết định (Word) của bản công bố này:", exc)
        board = reverse("results:cycle-board", args=[publication.approval.cycle_id])
        return redirect(f"{board}#nhom-{publication.approval_id}")


@require_GET
def open_data_csv(request: HttpRequest, year: int) -> HttpResponse:
    """Open data: every province's results of ``year`` in force, one CSV, from storage (two queries)."""
    row = files.open_data_file(year)
    if row is None:
        raise Http404(f"Chưa có kết quả nào của năm {year} được công bố.")
    return FileResponse(
        open_stored(row.file),
        as_attachment=True,
        filename=files.open_data_filename(year),
        content_type=files.CONTENT_TYPES[FileKind.CSV],
    )
