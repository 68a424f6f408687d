"""Remediation plan pages: my units' published results and their plans, the lost-point
analysis, drafting the plan, editing its lines and actions (htmx), moving it through its
workflow, and the year-end report (báo cáo kết quả khắc phục).

Access: a unit's pages answer 404 to whoever may not see its self-assessment, and 403 to
those who may see but not do. The views never set a status: they call the services, and a
refused save re-renders the form with what was typed and the service's Vietnamese message.
Every page reads a fixed number of queries whatever the number of lines or actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal
from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Assessment
from parindex.assessments.permissions import VIEW_ROLES
from parindex.assessments.selectors import commune_officials
from parindex.core.paging import paginate
from parindex.remediation import permissions, schedule, selectors, services, tracking_views
from parindex.remediation.forms import (
    NO_PLAN,
    RELOAD,
    ActionForm,
    ItemCauseForm,
    PlanHeaderForm,
    PlanTransitionForm,
    ProgressForm,
    ReportSummaryForm,
    ResultFilterForm,
)
from parindex.remediation.models import Action, Plan, PlanItem
from parindex.remediation.page import Failure, action_form, at_places, field_groups, line_views, plan_totals
from parindex.remediation.workflow import (
    SHOWN_STATUS_LABELS,
    TRACKED,
    ActionStatus,
    PlanStatus,
    allowed_transitions,
    rule_for,
)
from parindex.results.models import PublishedResult
from parindex.results.permissions import board_province_ids
from parindex.units.models import AdministrativeUnit
from parindex.units.selectors import unit_match

DETAIL = "remediation/plan_detail.html"
REPORT = "remediation/plan_report.html"
NO_EDIT = "Chỉ Văn phòng - Thống kê và lãnh đạo UBND xã được lập, sửa kế hoạch khắc phục."


# -- access --------------------------------------------------------------------------------------


def _roles(principal: Principal, unit: Any) -> frozenset[str]:
    return frozenset(Role.values) if principal.is_superuser else principal.roles_at(unit)


def _assessment_for(request: HttpRequest, pk: int) -> tuple[Assessment, Principal]:
    """The assessment and the request's principal, or 404 when the user may not see the unit."""
    assessment = Assessment.objects.select_related("cycle__framework_version", "unit").filter(pk=pk).first()
    principal = principal_for(request.user)
    if assessment is None or not permissions.can_view(principal, assessment.unit):
        raise Http404("Không tìm thấy hồ sơ đánh giá")
    return assessment, principal


def _plan_for(request: HttpRequest, pk: int) -> tuple[Plan, Principal]:
    """The plan with what its pages need (one query), or 404 when the user may not see its unit."""
    plan = (
        Plan.objects.select_related(
            "unit", "result__publication", "assessment__cycle__framework_version", "approved_by", "reported_by"
        )
        .filter(pk=pk)
        .first()
    )
    principal = principal_for(request.user)
    if plan is None or not permissions.can_view(principal, plan.unit):
        raise Http404("Không tìm thấy kế hoạch khắc phục")
    return plan, principal


def _require_edit(principal: Principal, plan: Plan) -> None:
    if not permissions.can_edit(principal, plan.unit):
        raise PermissionDenied(NO_EDIT)


def _form_errors(form: Any) -> list[str]:
    return [error for errors in form.errors.values() for error in errors]


def _saved(form: Any, save: Callable[[dict[str, Any]], Any]) -> list[str]:
    """Save a valid form through ``save`` (a service call on its cleaned data): the form's
    errors, or the service's refusal, or none."""
    if not form.is_valid():
        return _form_errors(form)
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        return exc.messages
    return []


# -- my units' results and plans -----------------------------------------------------------------


@dataclass
class ResultRow:
    result: PublishedResult
    percent: Decimal
    lost: Decimal
    plan: Plan | None
    can_draft: bool


@dataclass
class ProvinceLink:
    province: AdministrativeUnit
    year: int | None
    years: list[int]


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Each published result in force of the user's communes with its plan, 50 a page, filtered
    by unit, year and the plan's state; for the province's staff, a link to each province's
    overview of every commune's plan."""
    principal = principal_for(request.user)
    units = principal.unit_ids(VIEW_ROLES)[0]  # the units granted directly: communes (a province has no result)
    results = PublishedResult.objects.filter(unit_id__in=units, publication__is_current=True)
    per_year = dict(results.order_by().values_list("publication__year").annotate(n=Count("pk")))
    form = ResultFilterForm(request.GET or None, years=sorted(per_year, reverse=True))
    filters = form.filters()
    # Counted by year already: no COUNT query of the paginator's, unless searched or filtered by plan.
    count = per_year.get(filters["nam"], 0) if "nam" in filters else sum(per_year.values())
    if {"q", "ke_hoach"} & set(filters):
        count = None
    if filters.get("nam"):
        results = results.filter(publication__year=filters["nam"])
    match = unit_match(filters.get("q", ""), "unit__")
    if match is not None:
        results = results.filter(match)
    if state := filters.get("ke_hoach"):
        planned = Plan.objects.filter(assessment_id=OuterRef("assessment_id"))
        results = results.filter(~Exists(planned) if state == NO_PLAN else Exists(planned.filter(status=state)))
    page = paginate(
        request,
        results.select_related("publication", "unit").order_by("unit_name", "-publication__year", "pk"),
        count=count,
    )
    plans = {
        p.assessment_id: p
        for p in Plan.objects.filter(assessment_id__in=[r.assessment_id for r in page.object_list]).only(
            "pk", "assessment_id", "status", "title", "year", "document_number"
        )
    }
    rows = []
    for r in page.object_list:
        places = r.publication.places
        plan = plans.get(r.assessment_id)
        rows.append(
            ResultRow(
                result=r,
                percent=at_places(r.percent, places),
                lost=at_places(scoring.aggregates.lost(r.total, r.applicable_max), places),
                plan=plan,
                can_draft=plan is None and r.total < r.applicable_max and permissions.can_edit(principal, r.unit),
            )
        )
    return render(
        request,
        "remediation/plan_list.html",
        {
            "rows": rows,
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "many": page.paginator.count > 1 or bool(filters),
            "provinces": _province_links(principal),
            "year_param": tracking_views.YEAR_PARAM,
        },
    )


def _province_links(principal: Principal) -> list[ProvinceLink]:
    """The provinces whose overview the user may open, each with its published years (two queries)."""
    ids = board_province_ids(principal)
    if ids is not None and not ids:
        return []
    provinces = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE).order_by("name")
    years = PublishedResult.objects.filter(publication__is_current=True)
    if ids is not None:
        provinces = provinces.filter(pk__in=ids)
        years = years.filter(publication__approval__cycle__province_id__in=ids)
    by_province: dict[int, set[int]] = {}
    pairs = years.values_list("publication__approval__cycle__province_id", "publication__year").distinct()
    for province_id, year in pairs:
        by_province.setdefault(province_id, set()).add(year)
    links = []
    for province in provinces:
        held = sorted(by_province.get(province.pk, ()), reverse=True)
        # The newest published year: the one whose plans are being carried out now.
        links.append(ProvinceLink(province, held[0] if held else None, held))
    if ids is None:
        links = [link for link in links if link.years]
    return links


# -- lost-point analysis ---------------------------------------------------------------------------


@dataclass
class LossRow:
    loss: Any
    max_points: Decimal
    score: Decimal
    lost: Decimal
    previous: selectors.PreviousLoss | None
    previous_lost: Decimal | None
    compared: list[str]
    comment: str
    owner: Any


@dataclass
class FieldBlock:
    node: Any
    score: Decimal | None
    max_points: Decimal | None
    lost: Decimal
    rows: list[LossRow]


@dataclass
class OfficialRow:
    official: Any
    lost: Decimal
    codes: list[str]


@login_required
@require_GET
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the unit lost points in its published result: by field, against last year, by official."""
    assessment, principal = _assessment_for(request, pk)
    found = selectors.lost_analysis(assessment)
    if found is None:
        raise Http404("Đơn vị chưa có kết quả công bố đang có hiệu lực")
    result = found.result
    places = result.publication.places
    fields = []
    for block in found.fields:
        rows = []
        for loss in block.losses:
            previous = found.previous.get(loss.code)
            names = [name for name, _ in previous.sources] if previous else []
            rows.append(
                LossRow(
                    loss=loss,
                    max_points=loss.applicable_max,
                    score=at_places(loss.score, places),
                    lost=at_places(loss.lost, places),
                    previous=previous,
                    previous_lost=at_places(previous.lost, places) if previous else None,
                    # Names only when the comparison is not the unit's own last result (a merger).
                    compared=names if names and names != [result.unit_name] else [],
                    comment=found.comments.get(loss.code, ""),
                    owner=found.owners.get(loss.code),
                )
            )
        fields.append(
            FieldBlock(
                block.field, at_places(block.score, places), block.applicable_max, at_places(block.lost, places), rows
            )
        )
    officials = [
        OfficialRow(g.official, at_places(g.lost, places), [loss.code for loss in g.losses]) for g in found.by_official
    ]
    plan = selectors.plan_for(assessment)
    return render(
        request,
        "remediation/analysis.html",
        {
            "assessment": assessment,
            "result": result,
            "analysis": found,
            "fields": fields,
            "officials": officials,
            "percent": at_places(result.percent, places),
            "total": at_places(result.total, places),
            "total_lost": at_places(found.total_lost, places),
            "count": len(found.losses),
            "plan": plan,
            "can_draft": plan is None and bool(found.losses) and permissions.can_edit(principal, assessment.unit),
        },
    )


@login_required
@require_POST
def plan_draft(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, principal = _assessment_for(request, pk)
    if not permissions.can_edit(principal, assessment.unit):
        raise PermissionDenied(NO_EDIT)
    try:
        plan = services.plan_draft(assessment=assessment, actor=request.user, principal=principal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if selectors.current_result(assessment) is None:  # nothing published to analyse
            return redirect("remediation:plan-list")
        return redirect("remediation:analysis", pk=pk)
    messages.success(
        request,
        f"Đã lập dự thảo kế hoạch khắc phục với {plan.items.count()} tiêu chí bị mất điểm. "
        "Ghi nguyên nhân và biện pháp khắc phục cho từng tiêu chí.",
    )
    return redirect("remediation:plan-detail", pk=plan.pk)


# -- the plan --------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    plan: Plan,
    principal: Principal,
    *,
    failure: Failure | None = None,
    http_status: int = 200,
) -> HttpResponse:
    items = selectors.plan_items(plan)
    lines, editable = line_views(plan, principal, items, failure)
    editor = permissions.can_edit(principal, plan.unit)
    header_form = None
    if editable:
        header_form = (
            failure.form
            if failure is not None and failure.kind == "header"
            else PlanHeaderForm(
                initial={"title": plan.title, "document_number": plan.document_number, "revision": plan.revision}
            )
        )
    transitions = [
        (to, label)
        for to, label in allowed_transitions(plan.status, _roles(principal, plan.unit))
        if to != PlanStatus.REPORTED and plan.status != PlanStatus.REPORTED
    ]
    return render(
        request,
        DETAIL,
        {
            "plan": plan,
            "groups": field_groups(lines, plan.result.publication.places),
            "totals": plan_totals(plan, items),
            "editable": editable,
            "may_edit": editor,
            "header_form": header_form,
            "transitions": transitions,
            "events": list(plan.events.select_related("actor")),
            "failure": failure,
            "failed_line": next((line for line in lines if line.failed), None),
        },
        status=http_status,
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan, principal = _plan_for(request, pk)
    return _detail(request, plan, principal)


@login_required
@require_POST
def plan_header(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's title and document number (số, ký hiệu)."""
    plan, principal = _plan_for(request, pk)
    _require_edit(principal, plan)
    form = PlanHeaderForm(request.POST)
    errors = _saved(
        form,
        lambda data: services.plan_header_save(
            plan=plan,
            title=data["title"],
            document_number=data["document_number"],
            base_revision=data["revision"],
            actor=request.user,
            principal=principal,
        ),
    )
    if not errors:
        messages.success(request, "Đã lưu tên và số, ký hiệu của kế hoạch.")
        return redirect("remediation:plan-detail", pk=pk)
    return _detail(request, plan, principal, failure=Failure(None, "header", form, errors), http_status=400)


def _line_response(
    request: HttpRequest, plan: Plan, principal: Principal, item: PlanItem, failure: Failure | None, success: str
) -> HttpResponse:
    """After a save on one line: the line re-rendered (htmx), else the page (a redirect when
    saved, the page with the typed values and the reasons when refused)."""
    if not request.htmx:
        if failure is None:
            messages.success(request, success)
            return redirect(reverse("remediation:plan-detail", args=[plan.pk]) + f"#line-{item.pk}")
        return _detail(request, plan, principal, failure=failure, http_status=400)
    items = selectors.plan_items(plan)
    line_items = [i for i in items if i.pk == item.pk]
    if not line_items:  # deleted meanwhile
        raise Http404("Không có nội dung này trong kế hoạch")
    lines, editable = line_views(plan, principal, line_items, failure)
    context = {"plan": plan, "line": lines[0], "editable": editable, "saved": success if failure is None else ""}
    html = render_to_string(f"{DETAIL}#plan-line", context, request=request)
    html += render_to_string(
        f"{DETAIL}#plan-totals", {"plan": plan, "totals": plan_totals(plan, items), "oob": True}, request=request
    )
    return HttpResponse(html)


def _item_of(plan: Plan, item_pk: int) -> PlanItem:
    item = PlanItem.objects.filter(pk=item_pk, plan=plan).first()
    if item is None:
        raise Http404("Không có nội dung này trong kế hoạch")
    item.plan = plan
    return item


def _action_of(plan: Plan, action_pk: int) -> Action:
    action = Action.objects.select_related("item").filter(pk=action_pk, plan=plan).first()
    if action is None:
        raise Http404("Không có biện pháp này trong kế hoạch")
    action.plan = action.item.plan = plan
    return action


@login_required
@require_POST
def item_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A line's cause (nguyên nhân không đạt điểm tối đa)."""
    plan, principal = _plan_for(request, pk)
    _require_edit(principal, plan)
    item = _item_of(plan, item_pk)
    form = ItemCauseForm(request.POST, auto_id=f"c{item.pk}-%s")
    errors = _saved(
        form,
        lambda data: services.plan_item_save(
            item=item, cause=data["cause"], base_revision=data["revision"], actor=request.user, principal=principal
        ),
    )
    failure = Failure(item.pk, "cause", form, errors) if errors else None
    return _line_response(request, plan, principal, item, failure, f"Đã lưu nguyên nhân tiêu chí {item.code}.")


def _action_values(form: ActionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "description": data["description"],
        "office": data["office"],
        "official": form.chosen_official(),
        "deadline_kind": data["deadline_kind"],
        "due": data["due"],
        "expected_points": data["expected_points"],
    }


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan, principal = _plan_for(request, pk)
    _require_edit(principal, plan)
    item = _item_of(plan, item_pk)
    form = ActionForm(request.POST, officials=commune_officials(plan.unit), auto_id=f"n{item.pk}-%s")
    errors = _saved(
        form, lambda _: services.action_add(item=item, **_action_values(form), actor=request.user, principal=principal)
    )
    failure = Failure(item.pk, "add", form, errors) if errors else None
    return _line_response(request, plan, principal, item, failure, f"Đã thêm biện pháp cho tiêu chí {item.code}.")


@login_required
@require_POST
def action_update(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    plan, principal = _plan_for(request, pk)
    _require_edit(principal, plan)
    action = _action_of(plan, action_pk)
    form = action_form(action, commune_officials(plan.unit), request.POST)
    errors = _saved(
        form,
        lambda data: services.action_update(
            action=action,
            **_action_values(form),
            base_revision=data["revision"],
            actor=request.user,
            principal=principal,
        ),
    )
    failure = Failure(action.item_id, "action", form, errors, action.pk) if errors else None
    return _line_response(
        request, plan, principal, action.item, failure, f"Đã lưu biện pháp của tiêu chí {action.item.code}."
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    plan, principal = _plan_for(request, pk)
    _require_edit(principal, plan)
    action = _action_of(plan, action_pk)
    errors: list[str] = []
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        errors = [RELOAD]
    else:
        try:
            services.action_delete(action=action, base_revision=revision, principal=principal)
        except ValidationError as exc:
            errors = exc.messages
    # What was typed in the edit form is not posted with a delete: the form shows the stored action.
    failure = (
        Failure(action.item_id, "action", action_form(action, commune_officials(plan.unit)), errors, action.pk)
        if errors
        else None
    )
    return _line_response(
        request, plan, principal, action.item, failure, f"Đã xoá một biện pháp của tiêu chí {action.item.code}."
    )


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, return, send the report or reopen it: the commune head, through the service."""
    plan, principal = _plan_for(request, pk)
    from_status = plan.status
    form = PlanTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Thao tác không hợp lệ; hãy tải lại trang.")
        return redirect("remediation:plan-detail", pk=pk)
    to = form.cleaned_data["to"]
    try:
        services.plan_transition(plan=plan, to=to, actor=request.user, principal=principal)
    except ValidationError as exc:
        problems = exc.messages
        headline = f"Chưa thể {_rule_label(from_status, to).lower()}:"
        messages.error(request, "\n".join([headline, *problems]), extra_tags="list")
    else:
        messages.success(request, f"Kế hoạch đã chuyển sang: {PlanStatus(to).label}.")
    if PlanStatus.REPORTED in (from_status, to):
        return redirect("remediation:plan-report", pk=pk)
    return redirect("remediation:plan-detail", pk=pk)


def _rule_label(from_status: str, to: str) -> str:
    rule = rule_for(from_status, to)
    return rule.label if rule else f"chuyển sang '{PlanStatus(to).label}'"


# -- the year-end report ---------------------------------------------------------------------------


@dataclass
class ReportAction:
    action: Action
    row: selectors.ActionRow
    deadline: str
    on_time: bool
    form: ProgressForm | None

    @property
    def status_label(self) -> str:
        return SHOWN_STATUS_LABELS[self.row.shown_status]


@login_required
@require_http_methods(["GET", "POST"])
def plan_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Báo cáo kết quả khắc phục: every action's result and an overall assessment, written
    while the plan is carried out and sent by the head; read-only once sent."""
    plan, principal = _plan_for(request, pk)
    editor = permissions.can_edit(principal, plan.unit)
    summary_form = None
    errors: list[str] = []
    if request.method == "POST":
        _require_edit(principal, plan)
        summary_form = ReportSummaryForm(request.POST)
        errors = _saved(
            summary_form,
            lambda data: services.plan_report_save(
                plan=plan, summary=data["summary"], base_revision=data["revision"], actor=request.user,
                principal=principal,
            ),
        )  # fmt: skip
        if not errors:
            messages.success(request, "Đã lưu đánh giá chung kết quả khắc phục.")
            return redirect("remediation:plan-report", pk=pk)
    tracked = plan.status in TRACKED
    if summary_form is None and tracked and editor:
        summary_form = ReportSummaryForm(initial={"summary": plan.report_summary, "revision": plan.revision})
    today = timezone.localdate()
    items = selectors.plan_items(plan)
    lines = []
    for item in items:
        rows = []
        for action in item.actions.all():
            may_record = tracking_views.may_record(principal, plan, action)
            rows.append(
                ReportAction(
                    action=action,
                    row=selectors.action_row(action, plan, today),
                    deadline=schedule.describe_deadline(action.deadline_kind, action.due, plan.year),
                    on_time=schedule.done_on_time(
                        action.deadline_kind, action.due, plan.year, action.status, action.completed_on
                    ),
                    form=ProgressForm(
                        auto_id=f"p{action.pk}-%s",
                        initial={
                            "status": action.status,
                            "completed_on": action.completed_on,
                            "result": action.result,
                        },
                    )
                    if may_record
                    else None,
                )
            )
        lines.append((item, rows))
    completion = selectors.completion_of([r.row for _, rows in lines for r in rows], plan.year)
    transitions = [
        (to, label)
        for to, label in allowed_transitions(plan.status, _roles(principal, plan.unit))
        if PlanStatus.REPORTED in (to, plan.status)
    ]
    return render(
        request,
        REPORT,
        {
            "plan": plan,
            "lines": lines,
            "completion": completion,
            "without_result": sum(1 for _, rows in lines for r in rows if not r.action.result),
            "summary_form": summary_form,
            "errors": errors,
            "transitions": transitions,
            "tracked": tracked,
            "done_status": ActionStatus.DONE,
        },
        status=400 if errors else 200,
    )
