"""The review pages: the list, filing a request, the request with its phúc tra round, and the
province's panel of a publication (period, requests, correcting decision)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.appraisals.page import Inputs
from parindex.assessments.page import Typed
from parindex.assessments.permissions import VIEW_ROLES
from parindex.core.paging import paginate
from parindex.frameworks.selectors import framework_version_spec
from parindex.results.forms import CorrectionForm
from parindex.results.models import Publication, PublishedResult
from parindex.reviews import permissions, selectors, services
from parindex.reviews.forms import PeriodForm, ReappraisalForm, TransitionForm
from parindex.reviews.models import ReviewPeriod
from parindex.reviews.workflow import APPRAISERS, ItemOutcome, ReviewStatus, allowed_transitions
from parindex.scoring import aggregates

MAX_CLAIMS = 60
PANELS = 20  # the province's publications in force listed on the page, newest first  # more items than a framework has leaves is not a request a person typed


def _messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# -- the list ---------------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests of the units one may see (50 a page, by state), and, for a commune head, the
    published results it may still ask to review; for the province, its publications' panels."""
    principal = principal_for(request.user)
    visible = selectors.requests_visible_to(principal)
    status = request.GET.get("trang-thai", "")
    if status in ReviewStatus.values:
        visible = visible.filter(status=status)
    page = paginate(request, visible)
    today = timezone.localdate()
    direct, subtree = principal.unit_ids(VIEW_ROLES | APPRAISERS)
    results = (
        PublishedResult.objects.filter(
            publication__is_current=True, publication__review_period__until__gte=today, unit_id__in=direct
        )
        .select_related("publication__review_period", "unit")
        .order_by("-publication__year", "unit_name")
    )
    fileable = [r for r in results if permissions.can_file(principal, r.unit)]
    publications = list(
        Publication.objects.filter(is_current=True)
        .filter(Q(approval__cycle__province_id__in=subtree) if not principal.is_superuser else Q())
        .select_related("approval__cycle__province", "review_period")
        .order_by("-year", "approval__name")[:PANELS]
    )
    publications = [
        p for p in publications if permissions.can_view_panel(principal, UnitRef(p.approval.cycle.province_id))
    ]
    return render(
        request,
        "reviews/request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReviewStatus.choices,
            "fileable": fileable,
            "publications": publications,
        },
    )


# -- filing a request -------------------------------------------------------------------------------


def _result_for(principal: Principal, pk: int) -> PublishedResult:
    result = (
        PublishedResult.objects.select_related(
            "publication__approval__cycle", "unit", "assessment__cycle__framework_version"
        )
        .filter(pk=pk)
        .first()
    )
    if result is None or not permissions.can_view(principal, result.unit):
        raise Http404("Không tìm thấy kết quả công bố")
    return result


def _result_rows(result: PublishedResult) -> list[dict[str, Any]]:
    """The result's sub-criteria as published, the ones that lost points first."""
    from decimal import Decimal

    spec = framework_version_spec(result.assessment.cycle.framework_version)
    rows = []
    for position, node in enumerate(spec.leaves):
        entry = result.scores.get(node.code, [None, "0"])
        rows.append({
            "node": node, "score": None if entry[0] is None else Decimal(entry[0]), "max": Decimal(entry[1]),
            "lost": aggregates.lost_points(entry) or Decimal(0), "position": position,
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["lost"] <= 0, r["position"]))


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, result_pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    result = _result_for(principal, result_pk)
    if not permissions.can_file(principal, result.unit):
        raise PermissionDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch UBND xã được gửi đề nghị phúc tra.")
    rows = _result_rows(result)
    errors: list[str] = []
    chosen: set[str] = set()
    if request.method == "POST":
        codes = request.POST.getlist("code")[:MAX_CLAIMS]
        chosen = set(codes)
        claims = [
            services.Claim(
                code=code,
                reason=request.POST.get(f"reason-{code}", ""),
                upload=request.FILES.get(f"file-{code}"),
                filename=getattr(request.FILES.get(f"file-{code}"), "name", ""),
            )
            for code in dict.fromkeys(codes)
        ]
        try:
            filed = services.review_request_file(
                result=result, claims=claims, reason=request.POST.get("reason", ""), actor=request.user,
                principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            messages.success(request, f"Đã gửi đề nghị phúc tra {len(claims)} tiêu chí tới Sở Nội vụ.")
            return redirect("reviews:request-detail", pk=filed.pk)
    for row in rows:  # what was typed, shown back after a refusal
        row["reason"] = request.POST.get(f"reason-{row['node'].code}", "") if request.method == "POST" else ""
    period = ReviewPeriod.objects.filter(publication=result.publication).first()
    return render(
        request,
        "reviews/request_new.html",
        {
            "result": result,
            "rows": rows,
            "period": period,
            "errors": errors,
            "chosen": chosen,
            "typed": request.POST if request.method == "POST" else {},
            "open_request": selectors.open_request_of(result.assessment_id),
        },
        status=400 if errors else 200,
    )


# -- one request ---------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, principal: Principal, pk: int, *, typed: dict[int, Typed] | None = None,
    errors: dict[int, str] | None = None, page_errors: list[str] | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    review = selectors.request_for(principal, pk)
    spec = framework_version_spec(review.assessment.cycle.framework_version)
    can_reappraise = permissions.can_reappraise(principal, review.unit) and review.status == ReviewStatus.FILED
    rows = []
    for item in review.item_list:
        # Once re-appraised, its phúc tra inputs; before, the inputs the published score stands on.
        shown = (typed or {}).get(item.pk) or Inputs(item.inputs if item.inputs is not None else item.found_inputs)
        rows.append(
            {"item": item, "node": spec.node(item.code), "shown": shown, "error": (errors or {}).get(item.pk, "")}
        )
    roles = principal.roles_at(review.unit)
    actions = allowed_transitions(review.status, roles, superuser=principal.is_superuser)
    changed = any(i.outcome == ItemOutcome.CHANGED for i in review.item_list)
    actions = [
        (to, rule)
        for to, rule in actions
        if not (to == ReviewStatus.APPROVED and not changed) and not (to == ReviewStatus.KEPT and changed)
    ]
    return render(
        request,
        "reviews/request_detail.html",
        {
            "review": review,
            "rows": rows,
            "can_reappraise": can_reappraise,
            "actions": actions,
            "page_errors": page_errors or [],
            "can_correct": review.status == ReviewStatus.APPROVED
            and permissions.can_manage_period(principal, UnitRef(review.publication.approval.cycle.province_id)),
        },
        status=status,
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, principal_for(request.user), pk)


@login_required
@require_POST
def item_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The phúc tra round of one item; a refusal shows the page again with what was typed."""
    principal = principal_for(request.user)
    item = selectors.item_for(principal, pk, item_pk)
    if not permissions.can_reappraise(principal, item.request.unit):
        raise PermissionDenied("Chỉ thành viên tổ thẩm định được phúc tra.")
    form = ReappraisalForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.review_item_reappraise(
                item=item, inputs=form.inputs(), comment=form.cleaned_data["comment"],
                base_revision=form.cleaned_data["revision"], actor=request.user, principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if error:
        return _detail(
            request, principal, pk, typed={item.pk: Typed(request.POST)}, errors={item.pk: error}, status=400
        )
    messages.success(request, f"Đã lưu kết quả phúc tra tiêu chí {item.code}.")
    return redirect(reverse("reviews:request-detail", args=[pk]) + f"#tieu-chi-{item.code}")


@login_required
@require_POST
def request_transition(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    review = selectors.request_for(principal, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail(request, principal, pk, page_errors=["Thao tác không hợp lệ."], status=400)
    try:
        moved = services.review_transition(
            request=review, to=form.cleaned_data["to"], note=form.cleaned_data["note"], actor=request.user,
            principal=principal,
        )  # fmt: skip
    except ValidationError as exc:
        return _detail(request, principal, pk, page_errors=_messages(exc), status=400)
    messages.success(request, f"Đề nghị phúc tra của {review.unit.name}: {moved.get_status_display().lower()}.")
    return redirect("reviews:request-detail", pk=pk)


@login_required
@require_GET
def item_file(request: HttpRequest, pk: int, item_pk: int) -> FileResponse:
    """An item's evidence, to whoever may see the unit's requests (404 otherwise)."""
    from parindex.assessments.views import evidence_response

    item = selectors.item_for(principal_for(request.user), pk, item_pk)
    if not item.file:
        raise Http404("Không có tệp này")
    return evidence_response(item)


# -- the province's panel of a publication ---------------------------------------------------------------


def _publication_for(principal: Principal, pk: int) -> Publication:
    publication = Publication.objects.select_related("approval__cycle__province").filter(pk=pk).first()
    if publication is None or not permissions.can_view_panel(
        principal, UnitRef(publication.approval.cycle.province_id)
    ):
        raise Http404("Không tìm thấy kết quả công bố")
    return publication


def _panel(
    request: HttpRequest, principal: Principal, publication: Publication, *, period_form: PeriodForm | None = None,
    correction_form: CorrectionForm | None = None, errors: list[str] | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    period = ReviewPeriod.objects.filter(publication=publication).first()
    requests = selectors.group_requests(publication)
    approved = [r for r in requests if r.status == ReviewStatus.APPROVED]
    manages = permissions.can_manage_period(principal, UnitRef(publication.approval.cycle.province_id))
    if correction_form is None and approved:
        units = "; ".join(f"{r.unit.name} ({', '.join(r.items.values_list('code', flat=True))})" for r in approved)
        correction_form = CorrectionForm(
            prefix="dc", initial={"reason": f"Điều chỉnh điểm theo kết quả phúc tra được Hội đồng thông qua: {units}."}
        )
    return render(
        request,
        "reviews/publication_panel.html",
        {
            "publication": publication,
            "period": period,
            "period_form": period_form or PeriodForm(initial={"until": period.until if period else None}),
            "requests": requests,
            "approved": approved,
            "manages": manages,
            "correction_form": correction_form,
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_GET
def publication_panel(request: HttpRequest, publication_pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    return _panel(request, principal, _publication_for(principal, publication_pk))


@login_required
@require_POST
def period_set(request: HttpRequest, publication_pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    publication = _publication_for(principal, publication_pk)
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.review_period_set(
                publication=publication, until=form.cleaned_data["until"], actor=request.user, principal=principal
            )
        except ValidationError as exc:
            return _panel(request, principal, publication, period_form=form, errors=_messages(exc), status=400)
        messages.success(request, f"Các đơn vị được đề nghị phúc tra đến hết ngày {period.until:%d/%m/%Y}.")
        return redirect("reviews:publication-panel", publication_pk=publication.pk)
    return _panel(request, principal, publication, period_form=form, status=400)


@login_required
@require_POST
def correction_issue(request: HttpRequest, publication_pk: int) -> HttpResponse:
    """The correcting decision after approved phúc tra results: a new publication superseding this one."""
    principal = principal_for(request.user)
    publication = _publication_for(principal, publication_pk)
    form = CorrectionForm(request.POST, prefix="dc")
    if form.is_valid():
        data = form.cleaned_data
        try:
            corrected = services.review_correction_issue(
                publication=publication, reason=data["reason"], decision_number=data["decision_number"],
                decision_date=data["decision_date"], actor=request.user, principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            return _panel(request, principal, publication, correction_form=form, errors=_messages(exc), status=400)
        messages.success(
            request,
            f"Đã ban hành Quyết định đính chính số {corrected.decision_number}; bản công bố theo Quyết định số "
            f"{publication.decision_number} được giữ nguyên, đánh dấu đã được đính chính.",
        )
        return redirect("results:publication-detail", pk=corrected.pk)
    return _panel(request, principal, publication, correction_form=form, status=400)
