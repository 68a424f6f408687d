"""Pages of the results app.

For the province's staff, a cycle's results board: every assessment with its self and
appraised totals, from which the council chair approves a group of appraised units, and the
Sở Nội vụ admin publishes an approval under a decision or corrects a publication. For
everyone, without logging in: the published rankings, with CSV and JSON downloads.

Every page reads a fixed number of queries whatever the number of units. The views never
change a status themselves: they call the services.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.workflow import Status
from parindex.core.filenames import download_name
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import permissions, selectors, services
from parindex.results.forms import ApprovalForm, BoardFilterForm, CorrectionForm, PublishForm
from parindex.results.models import Approval, Publication, PublishedResult

# The appraised total is final from here on; before, it is a projection while appraisers work.
FINAL_STATES = frozenset({Status.APPRAISED, Status.APPROVED, Status.PUBLISHED})
UNDER_APPRAISAL = frozenset({Status.APPRAISING, Status.CLARIFICATION, Status.CLARIFIED})
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
        has_appraisal = a.status in FINAL_STATES or a.status in UNDER_APPRAISAL
        rows.append(
            BoardRow(
                assessment=a,
                self_score=s.self,
                final_score=s.final if has_appraisal else None,
                provisional=a.status in UNDER_APPRAISAL,
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


@dataclass
class ResultRow:
    """One frozen result, its decimals at the publication's places, with the words a reader needs."""

    result: PublishedResult
    total: Decimal
    self_total: Decimal
    applicable_max: Decimal
    percent: Decimal
    previous_percent: Decimal | None
    fields: list[tuple[Decimal | None, Decimal | None]]
    change: str
    compared_with: list[str]

    @property
    def change_class(self) -> str:
        delta = self.result.rank_change
        if delta is None:
            return "none"
        return "up" if delta > 0 else "down" if delta < 0 else "same"


def _fixed(value: Decimal | None, places: int) -> Decimal | None:
    """A stored decimal (four places in the database) at the places it was published with."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def _result_rows(publication: Publication, results: list[PublishedResult]) -> list[ResultRow]:
    places = publication.places
    codes = [f["code"] for f in publication.fields]
    rows = []
    for r in results:
        pairs = []
        for code in codes:
            score, applicable_max = (r.scores.get(code) or [None, None])[:2]
            pairs.append(
                (
                    Decimal(score) if score is not None else None,
                    Decimal(applicable_max) if applicable_max is not None else None,
                )
            )
        rows.append(
            ResultRow(
                result=r,
                total=_fixed(r.total, places),
                self_total=_fixed(r.self_total, places),
                applicable_max=Decimal(r.applicable_max).normalize(),
                percent=_fixed(r.percent, places),
                previous_percent=_fixed(r.previous_percent, places),
                fields=pairs,
                change=scoring.describe_change(r.rank_change),
                compared_with=list(r.previous_sources) if list(r.previous_sources) != [r.unit_name] else [],
            )
        )
    return rows


def _publication_or_404(pk: int) -> Publication:
    """A publication with its header, and the group's publication now in force (one query)."""
    current = Publication.objects.filter(approval_id=OuterRef("approval_id"), is_current=True)
    publication = (
        Publication.objects.select_related("approval__cycle__province", "supersedes")
        .annotate(
            current_pk=Subquery(current.values("pk")[:1]),
            current_decision=Subquery(current.values("decision_number")[:1]),
        )
        .filter(pk=pk)
        .first()
    )
    if publication is None:
        raise Http404("Không tìm thấy kết quả công bố")
    return publication


def _download_rows(publication: Publication) -> list[PublishedResult]:
    """The frozen rows in rank order with their units' national codes (one query)."""
    return list(
        PublishedResult.objects.filter(publication=publication).select_related("unit").order_by("rank", "unit_name")
    )


@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    publications = selectors.current_publications().annotate(unit_count=Count("results"))
    cycles: list[Cycle] = []
    if request.user.is_authenticated:
        provinces = permissions.board_province_ids(principal_for(request.user))
        if provinces is None or provinces:
            qs = Cycle.objects.select_related("province").order_by("-year", "province__name", "name")
            cycles = list(qs if provinces is None else qs.filter(province_id__in=provinces))
    return render(request, "results/publication_list.html", {"publications": publications, "cycles": cycles})


@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication_or_404(pk)
    rows = _result_rows(publication, selectors.publication_results(publication))
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


def _download_name(publication: Publication, suffix: str) -> str:
    """The download's name: "ket-qua-chi-so-CCHC-2025-tinh-quang-tri-khoi-xa-phuong.csv" (and
    "-dinh-chinh-1" for the first correction)."""
    approval = publication.approval
    correction = f"dinh-chinh-{publication.number - 1}" if publication.number > 1 else ""
    return download_name(
        "ket-qua-chi-so-CCHC", publication.year, approval.cycle.province.name, approval.name, correction, suffix=suffix
    )


def _machine(value: Decimal | None) -> str:
    """A decimal for machines: a dot, the published places, no grouping ("" when absent)."""
    return "" if value is None else scoring.decimals.fixed(value)


CSV_HEAD = ["Thứ hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị"]
CSV_TAIL = [
    "Tổng điểm",
    "Điểm tối đa áp dụng",
    "Chỉ số (%)",
    "Xếp loại",
    "Điểm tự đánh giá",
    "Chỉ số năm trước (%)",
    "Thứ hạng năm trước",
    "Trên tổng số năm trước",
    "Thay đổi thứ hạng (bậc, + tăng, - giảm)",
    "Thay đổi thứ hạng",
    "So sánh với đơn vị năm trước",
]


@require_GET
def publication_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as CSV: UTF-8 with a BOM (Excel reads the diacritics), dot decimals."""
    publication = _publication_or_404(pk)
    rows = _result_rows(publication, _download_rows(publication))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(publication, "csv")}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    fields = [f"{f['code']}. {f['name']} (tối đa {f['max']})" for f in publication.fields]
    writer.writerow([*CSV_HEAD, *fields, *CSV_TAIL])
    for row in rows:
        r = row.result
        writer.writerow(
            [
                r.rank,
                r.rank_of,
                r.unit.code,
                r.unit_name,
                *(_machine(score) for score, _ in row.fields),
                _machine(row.total),
                scoring.decimals.plain(row.applicable_max),
                _machine(row.percent),
                r.classification,
                _machine(row.self_total),
                _machine(row.previous_percent),
                "" if r.previous_rank is None else r.previous_rank,
                "" if r.previous_of is None else r.previous_of,
                "" if r.rank_change is None else r.rank_change,
                row.change,
                "; ".join(r.previous_sources),
            ]
        )
    return response


@require_GET
def publication_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as JSON; decimals are strings with a dot (no binary floating point)."""
    publication = _publication_or_404(pk)
    rows = _result_rows(publication, _download_rows(publication))
    province = publication.approval.cycle.province
    codes = [f["code"] for f in publication.fields]
    supersedes = publication.supersedes
    document = {
        "format": "parindex-results/1",
        "year": publication.year,
        "province": {"code": province.code, "name": province.name},
        "group": publication.approval.name,
        "decision": {
            "number": publication.decision_number,
            "date": publication.decision_date.isoformat(),
            "issuer": publication.issuer,
        },
        "publication": {
            "id": publication.pk,
            "number": publication.number,
            "is_current": publication.is_current,
            "current": publication.current_pk,
            "reason": publication.reason,
            "supersedes": (
                {"id": supersedes.pk, "decision_number": supersedes.decision_number} if supersedes else None
            ),
        },
        "places": publication.places,
        "compared_with": publication.previous_label,
        "fields": [{"code": f["code"], "name": f["name"], "max": f["max"]} for f in publication.fields],
        "results": [
            {
                "rank": row.result.rank,
                "of": row.result.rank_of,
                "unit": {"code": row.result.unit.code, "name": row.result.unit_name},
                "total": _machine(row.total),
                "applicable_max": scoring.decimals.plain(row.applicable_max),
                "percent": _machine(row.percent),
                "classification": row.result.classification,
                "self_total": _machine(row.self_total),
                "fields": {
                    code: {
                        "score": None if score is None else _machine(score),
                        "applicable_max": None if maximum is None else scoring.decimals.plain(maximum),
                    }
                    for code, (score, maximum) in zip(codes, row.fields, strict=True)
                },
                "previous": (
                    None
                    if row.result.previous_rank is None
                    else {
                        "percent": _machine(row.previous_percent),
                        "rank": row.result.previous_rank,
                        "of": row.result.previous_of,
                        "sources": list(row.result.previous_sources),
                    }
                ),
                "rank_change": row.result.rank_change,
                "rank_change_text": row.change,
            }
            for row in rows
        ],
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{_download_name(publication, "json")}"'
    return response
