"""Appraisal pages: my units to appraise, one unit's items in my fields, saving an appraised
item (htmx), agreeing with the rest, sending a clarification request, finishing; and the
province admin's assignment of appraisers to fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.accounts.selectors import principal_for
from parindex.appraisals import selectors, services
from parindex.appraisals.forms import (
    AppraisalForm,
    AppraiserAssignmentForm,
    ClarificationRequestForm,
    QueueFilterForm,
)
from parindex.appraisals.page import FIELD_PARAM, AppraisalPage, Typed, appraisal_page
from parindex.assessments import services as assessment_services
from parindex.assessments.forms import TransitionForm
from parindex.assessments.models import Assessment, Cycle, EvidenceFile
from parindex.assessments.workflow import Status
from parindex.core.paging import paginate
from parindex.core.templatetags.parindex import vn_number
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.units.models import AdministrativeUnit

TEMPLATE = "appraisals/appraisal_detail.html"
APPRAISAL_ROLES = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR})


def _appraisals() -> Any:
    return Assessment.objects.select_related("cycle__framework_version__framework", "cycle__province", "unit")


def get_appraisal_for(request: HttpRequest, pk: int) -> tuple[Assessment, Principal, selectors.Scope]:
    """A submitted assessment the user appraises, with their scope; 404 otherwise."""
    assessment = _appraisals().filter(pk=pk).exclude(status=Status.DRAFT).first()
    principal = principal_for(request.user)
    if assessment is None:
        raise Http404("Không tìm thấy hồ sơ cần thẩm định")
    scope = selectors.appraisal_scope(principal, assessment.cycle)
    if not scope.covers_unit(assessment.unit_id):
        raise Http404("Không tìm thấy hồ sơ cần thẩm định")
    return assessment, principal, scope


def _page_url(pk: int, field: str | None = None, anchor: str = "") -> str:
    url = reverse("appraisals:appraisal-detail", args=[pk])
    return url + (f"?{FIELD_PARAM}={field}" if field else "") + (f"#{anchor}" if anchor else "")


def _context(page: AppraisalPage, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "request_form": ClarificationRequestForm(initial={"deadline": page.assessment.cycle.clarification_due}),
        "field_param": FIELD_PARAM,
        **extra,
    }


@login_required
@require_GET
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """The units I appraise in one cycle (the newest unless ``?ky=`` chooses), 50 a page, with
    how far the appraisal of my part is; filtered by status, field of my part and unit name."""
    principal = principal_for(request.user)
    provinces = principal.unit_ids(APPRAISAL_ROLES | {Role.PROVINCE_ADMIN})[0]
    cycles = list(
        Cycle.objects.filter(province_id__in=provinces)
        .select_related("province", "framework_version__framework")
        .order_by("-year", "pk")
    )
    admin_cycles = [c for c in cycles if is_province_admin(principal, UnitRef(c.province_id))]
    scopes = selectors.appraisal_scopes(principal, cycles)
    mine = [c for c in cycles if scopes[c.pk].everything or scopes[c.pk].codes_by_unit]
    context: dict[str, Any] = {"admin_cycles": admin_cycles, "cycle": None}
    if mine:
        asked = request.GET.get("ky", "")
        cycle = next((c for c in mine if str(c.pk) == asked), mine[0])
        scope, spec = scopes[cycle.pk], framework_version_spec(cycle.framework_version)
        fields = selectors.scope_fields(spec, scope)
        form = QueueFilterForm(request.GET or None, cycles=mine, fields=fields, initial={"ky": cycle.pk})
        filters = form.filters()
        in_field = filters.get("linh_vuc", "")
        queue = selectors.appraisal_queue(
            cycle, scope, spec, status=filters.get("trang_thai", ""), q=filters.get("q", ""), in_field=in_field
        )
        page = paginate(request, queue)
        context |= {
            "cycle": cycle,
            "everything": scope.everything,
            "fields": fields,
            "form": form,
            "filtered": bool(filters),
            "in_field": in_field,
            "field_param": FIELD_PARAM,
            "page": page,
            "rows": selectors.queue_progress(spec, scope, page.object_list, in_field=in_field),
        }
    return render(request, "appraisals/appraisal_list.html", context)


@login_required
@require_GET
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's items in my part, one field at a time (``?linh-vuc=II``)."""
    assessment, principal, scope = get_appraisal_for(request, pk)
    page = appraisal_page(assessment, principal, scope, field=request.GET.get(FIELD_PARAM))
    return render(request, TEMPLATE, _context(page))


@login_required
@require_POST
def appraisal_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Save one item's appraisal. Under htmx: the item's card, then the summary and the steps
    panel out of band (nothing else of the page changes); refused input comes back in the
    card, as typed, with the reason."""
    assessment, principal, scope = get_appraisal_for(request, pk)
    spec = framework_version_spec(assessment.cycle.framework_version)
    if code not in {leaf.code for leaf in scope.leaves(spec, assessment.unit_id)}:
        raise Http404("Không có tiêu chí này trong phần bạn thẩm định")
    criterion = Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)
    field = next(c for c in spec.lineage(code) if spec.node(c).parent is None)
    form = AppraisalForm(request.POST)
    error, conflict = "", False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.appraisal_save(
                assessment=assessment,
                criterion=criterion,
                round=2
                if assessment.status == Status.CLARIFIED and code in selectors.clarification_items(assessment)
                else 1,
                inputs=form.inputs(),
                comment=data["comment"],
                needs_clarification=data["needs_clarification"],
                base_revision=data["revision"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            conflict = getattr(exc, "code", "") == "conflict"
        else:
            # The first save starts the appraisal: read the status (and what it hangs on) again.
            assessment = _appraisals().get(pk=pk)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, f"{code}: {error}")
        else:
            messages.success(request, f"Đã lưu điểm thẩm định tiêu chí {code}.")
        return redirect(_page_url(pk, field, f"item-{code}"))
    page = appraisal_page(assessment, principal, scope, field=field)
    item = page.item(code)
    if error:
        item.typed, item.error = Typed(request.POST), error
        if conflict:
            item.error += f" Điểm đang lưu: {item.final_values or 'chưa có'}; bấm Lưu lần nữa để ghi số liệu của bạn."
    context = _context(page, item=item, saved=not error)
    html = render_to_string(f"{TEMPLATE}#item", context, request=request)
    html += render_to_string(f"{TEMPLATE}#summary", {**context, "oob": True}, request=request)
    html += render_to_string(f"{TEMPLATE}#steps", {**context, "oob": True}, request=request)
    return HttpResponse(html)


@login_required
@require_POST
def appraisal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, principal, _ = get_appraisal_for(request, pk)
    try:
        n = services.appraisal_accept_self(assessment=assessment, actor=request.user, principal=principal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã thống nhất với điểm tự đánh giá của {n} tiêu chí thành phần.")
    return redirect(_page_url(pk, request.POST.get(FIELD_PARAM)))


@login_required
@require_POST
def clarification_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the flagged items to the unit in two steps: the deadline and message are checked
    and shown back with what will happen (``components/confirm.html``), then sent once
    ``confirmed`` if the list of items is still the one shown."""
    assessment, principal, scope = get_appraisal_for(request, pk)
    form = ClarificationRequestForm(request.POST)
    field = request.POST.get(FIELD_PARAM) or None
    if form.is_valid() and form.cleaned_data["confirmed"]:
        shown = form.cleaned_data["items"]
        if shown != ",".join(row.criterion.code for row in selectors.unsent_flags(assessment)):
            form.add_error(
                None,
                "Danh sách tiêu chí cần giải trình vừa thay đổi (có tiêu chí vừa được đánh dấu hoặc bỏ đánh dấu): "
                "xem lại rồi gửi.",
            )
        else:
            try:
                sent = services.clarification_request_send(
                    assessment=assessment,
                    deadline=form.cleaned_data["deadline"],
                    message=form.cleaned_data["message"],
                    actor=request.user,
                    principal=principal,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"Đã gửi yêu cầu giải trình lần {sent.number} ({sent.items.count()} tiêu chí) cho đơn vị.",
                )
            url = _page_url(pk, field)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    page = appraisal_page(assessment, principal, scope, field=field)
    # Shown for confirmation when the deadline and message are good, even after a list that
    # changed (the confirmation then carries the new list, under the message saying so).
    checked = form.is_bound and all(name == NON_FIELD_ERRORS for name in form.errors)
    review = checked and not request.POST.get("edit") and page.can_request
    context = _context(page, request_form=form, review=review)
    if review:
        context.update(_review(page, form.cleaned_data))
    if request.htmx:
        return HttpResponse(render_to_string(f"{TEMPLATE}#steps", context, request=request))
    return render(request, TEMPLATE, context, status=200 if review or not form.errors else 400)


def _review(page: AppraisalPage, data: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation of a clarification request says and posts."""
    a, deadline = page.assessment, data["deadline"].strftime("%d/%m/%Y")
    codes = [row.criterion.code for row in page.unsent]
    return {
        "review_question": f"Gửi yêu cầu giải trình {len(codes)} tiêu chí cho {a.unit.name}, hạn {deadline}?",
        "review_consequences": [
            f"Đơn vị nhận yêu cầu giải trình các tiêu chí {', '.join(codes)}, với nội dung đã ghi ở từng tiêu chí"
            + (" và nội dung chung." if data["message"].strip() else "."),
            f"Hồ sơ chuyển sang bước “Đang giải trình” đến hết ngày {deadline}.",
            "Các tiêu chí này bị khóa ở lần 1: không sửa, không bỏ yêu cầu được nữa; chấm lại ở lần 2 "
            "sau khi đơn vị gửi giải trình. Các tiêu chí khác vẫn thẩm định tiếp.",
        ],
        "review_fields": [
            ("deadline", deadline),
            ("message", data["message"]),
            ("items", ",".join(codes)),
            ("confirmed", "on"),
            *([(FIELD_PARAM, page.active.code)] if page.active else []),
        ],
    }


@login_required
@require_POST
def appraisal_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Finish the appraisal (appraisers, council chair) or reopen it (council chair)."""
    assessment, principal, _ = get_appraisal_for(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["to"] not in (Status.APPRAISED, Status.APPRAISING):
        raise PermissionDenied("Thao tác không hợp lệ ở trang thẩm định.")
    to = form.cleaned_data["to"]
    try:
        if to == Status.APPRAISED:
            services.appraisal_finish(assessment=assessment, actor=request.user, principal=principal)
        else:
            assessment_services.assessment_transition(
                assessment=assessment, to=to, actor=request.user, principal=principal
            )
    except ValidationError as exc:
        messages.error(request, "\n".join(exc.messages), extra_tags="list" if len(exc.messages) > 1 else "")
    else:
        messages.success(request, f"Hồ sơ đã chuyển sang: {Status(to).label}.")
    return redirect(_page_url(pk, request.POST.get(FIELD_PARAM)))


@login_required
@require_GET
def appraisal_evidence(request: HttpRequest, pk: int, evidence_pk: int, revision: int) -> FileResponse:
    """An evidence file of an item in my scope, shown in the browser where it can be (PDF, images)."""
    assessment, _, scope = get_appraisal_for(request, pk)
    spec = framework_version_spec(assessment.cycle.framework_version)
    leaves = [leaf.code for leaf in scope.leaves(spec, assessment.unit_id)]
    stored = (
        EvidenceFile.objects.filter(
            evidence_id=evidence_pk,
            evidence__assessment=assessment,
            revision=revision,
            evidence__criteria__code__in=leaves,
        )
        .distinct()
        .first()
    )
    if stored is None:
        raise Http404("Không có tệp này")
    from parindex.assessments.views import evidence_response

    return evidence_response(stored)


@login_required
@require_http_methods(["GET", "POST"])
def appraiser_assignment(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The province admin gives appraisers fields of a cycle, for every unit or chosen units."""
    cycle = Cycle.objects.select_related("province", "framework_version__framework").filter(pk=cycle_pk).first()
    principal = principal_for(request.user)
    if cycle is None or not (principal.is_superuser or principal.has_role(UnitRef(cycle.province_id), _STAFF)):
        raise Http404("Không tìm thấy kỳ đánh giá")
    if not is_province_admin(principal, UnitRef(cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được phân công thẩm định.")
    spec = framework_version_spec(cycle.framework_version)
    people = _appraisers(cycle)
    units = list(cycle.assessments.select_related("unit").order_by("unit__name").values_list("unit_id", "unit__name"))
    form = AppraiserAssignmentForm(
        request.POST or None,
        appraisers=[(str(u.pk), f"{u} ({u.position})" if u.position else str(u)) for u in people],
        fields=[(n.code, f"{n.code}. {n.name} ({vn_number(n.max)} điểm)") for n in spec.roots],
        units=[(str(pk), name) for pk, name in units],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        appraiser = next(u for u in people if str(u.pk) == data["appraiser"])
        try:
            if data["remove"]:
                removed = services.appraiser_assignments_clear(
                    cycle=cycle, appraiser=appraiser, actor=request.user, principal=principal
                )
                messages.success(request, f"Đã bỏ {removed} phân công của {appraiser}.")
            else:
                criteria = Criterion.objects.filter(version=cycle.framework_version, code__in=data["fields"])
                chosen = {int(pk) for pk in data["units"]}
                rows = services.appraiser_assignments_set(
                    cycle=cycle,
                    appraiser=appraiser,
                    criteria=list(criteria),
                    sector=data["sector"],
                    units=list(AdministrativeUnit.objects.filter(pk__in=chosen)),
                    actor=request.user,
                    principal=principal,
                )
                messages.success(request, f"Đã phân công {appraiser}: {len(rows)} dòng.")
        except ValidationError as exc:
            for line in exc.messages:
                form.add_error(None, line)
        else:
            return redirect("appraisals:appraiser-assignment", cycle_pk=cycle.pk)
    assignments = selectors.appraiser_assignments(cycle)
    covered = {a.criterion.code for a in assignments}
    return render(
        request,
        "appraisals/appraiser_assignment.html",
        {
            "cycle": cycle,
            "form": form,
            "assignments": assignments,
            "uncovered": [n for n in spec.roots if n.code not in covered],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


_STAFF = frozenset({Role.PROVINCE_ADMIN, Role.COUNCIL_CHAIR, Role.APPRAISER, Role.VIEWER})


def _appraisers(cycle: Cycle) -> list[Any]:
    from django.contrib.auth import get_user_model

    ids = RoleAssignment.objects.filter(
        Q(role=Role.APPRAISER) | Q(role=Role.COUNCIL_CHAIR), unit_id=cycle.province_id
    ).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username"))
