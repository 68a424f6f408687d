"""Self-assessment pages: the list of my assessments, the workspace (one field at a time, each
sub-criterion opened in place to its inputs and evidence), saving one item (htmx: its row and the
figures around it), evidence upload, linking and download, submission."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, is_province_admin
from parindex.accounts.selectors import principal_for
from parindex.assessments import permissions, selectors, services, sources
from parindex.assessments.forms import (
    AnswerForm,
    AssessmentFilterForm,
    ClarificationAnswerForm,
    CycleOpenForm,
    EvidenceForm,
    EvidenceLinkForm,
    EvidenceRevisionForm,
    ExtensionForm,
    TransitionForm,
)
from parindex.assessments.inputs import describe_change_value
from parindex.assessments.models import Answer, Assessment, Assignment, AuditEntry, Evidence, EvidenceFile
from parindex.assessments.page import Page, Typed, View, editable_codes, row_page, self_assessment_page
from parindex.assessments.rules_check import submission_problems
from parindex.assessments.selectors import answers_to_change, assessment_to_change
from parindex.assessments.workflow import Status
from parindex.core.downloads import stored_file_response
from parindex.core.flash import flash_form_errors
from parindex.core.paging import paginate
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import criterion_ref, framework_version_spec, versions_usable_by
from parindex.units.models import AdministrativeUnit
from parindex.units.selectors import communes_of_province

TEMPLATE = "assessments/assessment_detail.html"


def get_assessment_for(request: HttpRequest, pk: int, *, to_change: bool = False) -> tuple[Assessment, Principal]:
    """The assessment with what its pages need, or 404 when the user may not see it. ``to_change``:
    locked for the caller's transaction and read with what its row needs
    (``selectors.assessment_to_change``)."""
    if to_change:
        assessment = assessment_to_change(pk)
    else:
        assessment = (
            Assessment.objects.select_related("cycle__framework_version__framework", "cycle__province", "unit")
            .filter(pk=pk)
            .first()
        )
    principal = principal_for(request.user)
    if assessment is None or not permissions.can_view(principal, assessment.unit):
        raise Http404("Không tìm thấy hồ sơ đánh giá")
    return assessment, principal


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The assessments of my units, 50 a page, searched by unit name or code and filtered by
    year, status and old district; the filters are kept in the pager's links."""
    principal = principal_for(request.user)
    visible = selectors.assessments_visible_to(principal)
    per_year = selectors.assessment_years(visible)
    form = AssessmentFilterForm(
        request.GET or None, years=list(per_year), districts=selectors.assessment_districts(visible)
    )
    filters = form.filters()
    # Counted by year already: no COUNT query of the paginator's unless filtered by more than the year.
    count = per_year.get(filters["nam"], 0) if "nam" in filters else sum(per_year.values())
    page = paginate(
        request, selectors.assessment_search(visible, **filters), count=None if set(filters) - {"nam"} else count
    )
    can_open_cycle = bool(principal.unit_ids({Role.PROVINCE_ADMIN})[0])
    return render(
        request,
        "assessments/assessment_list.html",
        {"page": page, "form": form, "filtered": bool(filters), "can_open_cycle": can_open_cycle},
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The self-assessment: one field at a time (``?linh-vuc=II``), filtered (``?loc=chua-nhap``),
    a row open (``?tieu-chi=2.1.3``). htmx asks for one row (opening or closing it) or for the
    field's table (a tab or filter) by naming its target; everything else gets the page."""
    assessment, principal = get_assessment_for(request, pk)
    page = self_assessment_page(assessment, principal, View.from_query(request.GET))
    target = request.htmx.target if request.htmx else None
    if target and target.startswith("leaf-") and any(r.code == target[5:] and r.node.is_leaf for r in page.rows):
        return render(request, f"{TEMPLATE}#leaf-row", {"page": page, "row": page.row(target[5:])})
    if target == "workspace":
        return render(request, f"{TEMPLATE}#workspace", {"page": page})
    return _page_response(request, page)


def _page_response(request: HttpRequest, page: Page, status: int = 200) -> HttpResponse:
    return render(request, TEMPLATE, {"page": page, **_evidence_context(page)}, status=status)


def _evidence_context(page: Page) -> dict[str, Any]:
    """The evidence section's forms: new documents for the items this person may attach to now,
    new file versions for those they may edit."""
    leaves = [(r.code, f"{r.code} {r.node.name}") for r in page.rows if r.node.is_leaf and r.can_attach]
    return {
        "evidence_form": EvidenceForm(leaf_choices=leaves),
        "can_add_evidence": bool(leaves),
        "can_upload": any(r.can_edit for r in page.rows),
    }


def _row_url(pk: int, view: View, code: str) -> str:
    """The page with the row ``code`` open, in the field and filter it was changed from."""
    return reverse("assessments:assessment-detail", args=[pk]) + replace(view, open=code).query() + f"#leaf-{code}"


def _row_response(
    request: HttpRequest, assessment: Assessment, principal: Principal, code: str, view: View, **shown: Any
) -> HttpResponse:
    """The one answer to a change made from a row with htmx: the row (its target), then what
    the change moves around it, swapped out of band (score bar, its field's tab, the all-fields
    tab and the filters, its field's and official's progress rows, the rows of its criterion and
    field, the refusal list and sources when shown, the evidence list after an attachment). Those go in a <template>, where tables and table
    rows parse as they are, wherever they land (never bare <tr> outside a table). ``shown``:
    ``_row_html``'s error, typed, saved, evidence_error and evidence_changed."""
    # Only this row's source is read again: the others' offers have not changed with it.
    page = self_assessment_page(assessment, principal, replace(view, open=code), sources_for={code})
    return _row_html(request, page, code, **shown)


def _row_html(
    request: HttpRequest,
    page: Page,
    code: str,
    *,
    error: str = "",
    typed: Typed | None = None,
    saved: str = "",
    evidence_error: str = "",
    evidence_changed: bool = False,
) -> HttpResponse:
    row = page.row(code)
    row.error, row.typed, row.saved, row.evidence_error = error, typed, saved, evidence_error
    row_field, row_officials = page.progress_of(row)
    context = {
        "page": page,
        "row": row,
        "oob": True,
        "ancestors": page.ancestors(code),
        "row_field": row_field,
        "row_officials": row_officials,
        "evidence_changed": evidence_changed,
        "live": f"{code}: {error or evidence_error}" if error or evidence_error else f"{code}: {saved}",
    }
    if evidence_changed:
        context.update(_evidence_context(page))
    return render(request, f"{TEMPLATE}#row-answer", context)


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One row's answer. The assessment is read locked, with what its row needs, and the save
    writes in the same transaction (``services.answer_save(held=...)``); a draft's row is then
    answered from what was read (``page.row_page``): seven queries in all."""
    form = AnswerForm(request.POST)
    view = View.from_query(request.POST)
    error, conflict, bad_input = "", False, False
    answers: dict[str, Answer] = {}
    try:
        with transaction.atomic():
            assessment, principal = get_assessment_for(request, pk, to_change=True)
            criterion = criterion_ref(assessment.cycle.framework_version, code)
            if criterion is None or not criterion.rule_kind:
                raise Http404("Không có tiêu chí này trong bộ chỉ số")
            if code not in editable_codes(assessment, principal, among=[code]):
                raise PermissionDenied("Bạn không được giao tiêu chí này hoặc hồ sơ đã gửi.")
            answers = answers_to_change(assessment)
            if form.is_valid():
                services.answer_save(
                    assessment=assessment,
                    criterion=criterion,
                    inputs=form.inputs(),
                    explanation=form.cleaned_data["explanation"],
                    base_revision=form.cleaned_data["revision"],
                    actor=request.user,
                    held=answers,
                )
            else:
                bad_input = True
                error = " ".join(e for errors in form.errors.values() for e in errors)
    except ValidationError as exc:  # nothing was written
        # "invalid": what was typed; "conflict": saved meanwhile; "frozen"/"late": not open now.
        conflict = getattr(exc, "code", None) == "conflict"
        bad_input = getattr(exc, "code", None) == "invalid"
        error = " ".join(exc.messages)
    if conflict:
        # Someone saved in between: the row shows what is stored now, and what this person typed.
        error = (
            f"Tiêu chí {code} vừa được người khác cập nhật nên số liệu bạn nhập chưa được lưu. "
            f"Ô nhập đang hiện số liệu mới nhất; hãy kiểm tra rồi nhập lại nếu cần. {form.typed_summary()}"
        ).strip()
    typed = Typed(request.POST) if bad_input else None
    if not request.htmx:
        if typed is not None:
            # Without script: the page again, the row open with what was typed and why it was refused.
            page = self_assessment_page(assessment, principal, replace(view, open=code))
            page.row(code).error, page.row(code).typed = error, typed
            return _page_response(request, page, status=400)
        if error:
            messages.error(request, f"{code}: {error}")
        else:
            messages.success(request, f"Đã lưu tiêu chí {code}.")
        return redirect(_row_url(pk, view, code))
    saved = "" if error else f"Đã lưu lúc {timezone.localtime():%H:%M}."
    if assessment.status != Status.DRAFT:
        return _row_response(request, assessment, principal, code, view, error=error, typed=typed, saved=saved)
    page = row_page(assessment, principal, replace(view, open=code), answers)
    return _row_html(request, page, code, error=error, typed=typed, saved=saved)


@login_required
@require_POST
def source_apply(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Write the figure a sub-criterion's source offers (1.5.3: last year's remediation plan; 3.5:
    the on-time dossiers indicator ...) into its answer."""
    assessment, principal = get_assessment_for(request, pk)
    kind = sources.source_kind(framework_version_spec(assessment.cycle.framework_version), code)
    if kind is None:
        raise Http404("Tiêu chí này không lấy số liệu từ nguồn nào")
    if code not in editable_codes(assessment, principal) or not kind.may_apply(principal, assessment.unit):
        raise PermissionDenied("Bạn không được cập nhật số liệu tiêu chí này hoặc hồ sơ đã gửi.")
    try:
        answer = kind.apply(assessment=assessment, code=code, actor=request.user, principal=principal)
    except ValidationError as exc:
        messages.error(request, f"{code}: {' '.join(exc.messages)}")
    else:
        messages.success(request, f"Đã cập nhật tiêu chí {code}. {answer.explanation}")
    return redirect(reverse("assessments:assessment-detail", args=[pk]) + f"?tieu-chi={code}#leaf-{code}")


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A new document for one or more sub-criteria (from the evidence section or from a row), or,
    with ``tai-lieu``, a document already uploaded linked to one more (from a row)."""
    assessment, principal = get_assessment_for(request, pk)
    editable = editable_codes(assessment, principal)
    if not editable:
        raise PermissionDenied("Bạn không được thêm tài liệu cho hồ sơ này.")
    outside = sorted(set(request.POST.getlist("criteria")) - editable)
    if outside:
        raise PermissionDenied(f"Bạn không được thêm tài liệu cho tiêu chí {', '.join(outside)}.")
    if "tai-lieu" in request.POST:
        return _evidence_link(request, assessment, principal, editable)
    form = EvidenceForm(request.POST, request.FILES, leaf_choices=[(c, c) for c in sorted(editable)])
    error = done = ""
    if form.is_valid():
        data = form.cleaned_data
        criteria = Criterion.objects.filter(version_id=assessment.cycle.framework_version_id, code__in=data["criteria"])
        upload = data["file"]
        try:
            services.evidence_add(
                assessment=assessment,
                upload=upload,
                filename=upload.name,
                title=data["title"],
                document_number=data["document_number"],
                document_date=data["document_date"],
                issuer=data["issuer"],
                summary=data["summary"],
                criteria=list(criteria),
                actor=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = f"Đã lưu tài liệu '{data['title']}'."
    else:
        error = " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items()
        )
    return _evidence_response(request, assessment, principal, done, error)


def _evidence_link(
    request: HttpRequest, assessment: Assessment, principal: Principal, editable: set[str]
) -> HttpResponse:
    form = EvidenceLinkForm(request.POST, documents=assessment.evidence.all(), leaf_choices=sorted(editable))
    error = done = ""
    if form.is_valid():
        evidence, code = form.cleaned_data["tai_lieu"], form.cleaned_data["criteria"]
        evidence.assessment = assessment
        criterion = Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)
        try:
            services.evidence_link(evidence=evidence, criterion=criterion, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = f"Đã gắn tài liệu '{evidence.title}' cho tiêu chí {code}."
    else:
        error = "Chọn một tài liệu đã tải lên của hồ sơ này."
    return _evidence_response(request, assessment, principal, done, error)


def _evidence_response(
    request: HttpRequest, assessment: Assessment, principal: Principal, done: str, error: str
) -> HttpResponse:
    """From a row (it posts ``tieu-chi``): that row again (htmx) or the page with it open; from
    the evidence section: the page at that section, with the outcome as a message."""
    view = View.from_query(request.POST)
    code = view.open if view.open and view.open in request.POST.getlist("criteria") else ""
    if code and request.htmx:
        return _row_response(
            request, assessment, principal, code, view, saved=done, evidence_error=error, evidence_changed=not error
        )
    if error:
        messages.error(request, f"{code}: {error}" if code else error)
    else:
        messages.success(request, done)
    if code:
        return redirect(_row_url(assessment.pk, view, code))
    return redirect(reverse("assessments:assessment-detail", args=[assessment.pk]) + "#evidence")


@login_required
@require_POST
def evidence_revision(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    assessment, principal = get_assessment_for(request, pk)
    evidence = Evidence.objects.filter(pk=evidence_pk, assessment=assessment).first()
    if evidence is None:
        raise Http404("Không có tài liệu này")
    editable = editable_codes(assessment, principal)
    if not editable or not {c.code for c in evidence.criteria.all()} <= editable:
        raise PermissionDenied("Bạn không được thay tệp của tài liệu này.")
    form = EvidenceRevisionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = services.evidence_file_add(
                evidence=evidence, upload=upload, filename=upload.name, actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Đã lưu phiên bản {stored.revision} của '{evidence.title}'.")
    else:
        messages.error(request, "Chọn tệp cần tải lên.")
    return redirect(reverse("assessments:assessment-detail", args=[pk]) + "#evidence")


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int, revision: int) -> FileResponse:
    assessment, _ = get_assessment_for(request, pk)
    stored = EvidenceFile.objects.filter(
        evidence_id=evidence_pk, evidence__assessment=assessment, revision=revision
    ).first()
    if stored is None:
        raise Http404("Không có tệp này")
    return evidence_response(stored)


def evidence_response(stored: Any) -> FileResponse:
    """A stored evidence file (or a progress note's): see ``core.downloads.stored_file_response``."""
    return stored_file_response(stored.file, filename=stored.original_name, content_type=stored.content_type)


@login_required
@require_POST
def assessment_transition(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, principal = get_assessment_for(request, pk)
    if not permissions.can_submit(principal, assessment.unit):
        raise PermissionDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch UBND xã được gửi hoặc rút hồ sơ.")
    form = TransitionForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            if to == Status.CLARIFIED:
                from parindex.appraisals.services import clarification_answers_send

                clarification_answers_send(assessment=assessment, actor=request.user, principal=principal)
            else:
                services.assessment_transition(assessment=assessment, to=to, actor=request.user, principal=principal)
        except ValidationError as exc:
            if to == Status.SUBMITTED and submission_problems(*selectors.submission_facts(assessment)):
                # What is missing is listed on the page, each item a link that opens its row.
                messages.error(
                    request, "Hồ sơ chưa được gửi thẩm định: còn tiêu chí thành phần chưa đủ (danh sách dưới đây)."
                )
                return redirect(
                    reverse("assessments:assessment-detail", args=[pk]) + View(refusal=True).query() + "#chua-du"
                )
            # One message: the headline, then the items (shown as a list under it).
            messages.error(request, "\n".join(exc.messages), extra_tags="list" if len(exc.messages) > 1 else "")
        else:
            messages.success(request, f"Hồ sơ đã chuyển sang: {assessment.get_status_display()}.")
    return redirect("assessments:assessment-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune office gives fields, criteria or sub-criteria to the commune's officials."""
    assessment, principal = get_assessment_for(request, pk)
    if not permissions.can_assign(principal, assessment.unit):
        raise PermissionDenied("Chỉ Văn phòng - Thống kê hoặc lãnh đạo UBND xã được phân công.")
    spec = framework_version_spec(assessment.cycle.framework_version)
    officials = selectors.commune_officials(assessment.unit)
    current = dict(Assignment.objects.filter(assessment=assessment).values_list("criterion__code", "official_id"))
    if request.method == "POST":
        by_id = {str(u.pk): u.pk for u in officials}
        choices = {}
        for node in spec.nodes:
            raw = request.POST.get(f"giao-{node.code}", "")
            if raw and raw not in by_id:
                messages.error(request, f"{node.code}: người được chọn không phải công chức của đơn vị.")
                return redirect("assessments:assignment-edit", pk=pk)
            choices[node.code] = by_id.get(raw)
        try:
            changed = services.assignments_set(
                assessment=assessment, choices=choices, actor=request.user, principal=principal
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:assignment-edit", pk=pk)
        messages.success(request, f"Đã lưu phân công ({changed} thay đổi).")
        return redirect("assessments:assessment-detail", pk=pk)
    rows = [(node, current.get(node.code)) for node in spec.nodes]
    return render(
        request,
        "assessments/assignment_edit.html",
        {"assessment": assessment, "rows": rows, "officials": officials},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_open(request: HttpRequest) -> HttpResponse:
    """A province admin opens a year's cycle: framework version, units in scope, deadlines."""
    principal = principal_for(request.user)
    provinces = list(
        AdministrativeUnit.objects.filter(
            pk__in=principal.unit_ids({Role.PROVINCE_ADMIN})[0], level=AdministrativeUnit.Level.PROVINCE
        ).order_by("name")
    )
    if not provinces:
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được mở kỳ đánh giá.")
    chosen = request.POST.get("tinh") or request.GET.get("tinh")
    province = next((p for p in provinces if str(p.pk) == chosen), provinces[0])
    # The province's own frameworks and the national ones (read-only); cycle_open checks again.
    versions = versions_usable_by(province).select_related("framework")
    communes = list(communes_of_province(province))
    form = CycleOpenForm(
        request.POST or None,
        versions=versions,
        unit_choices=[(str(u.pk), u.name) for u in communes],
        # Pre-check the units the newest published framework applies to (not, say, a special zone).
        initial={"year": timezone.localdate().year, "units": [str(u.pk) for u in communes if _applies(versions, u)]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_ids = set(data["units"])
        try:
            cycle = services.cycle_open(
                province=province,
                year=data["year"],
                framework_version=data["framework_version"],
                units=[u for u in communes if str(u.pk) in chosen_ids],
                self_assessment_due=data["self_assessment_due"],
                appraisal_due=data["appraisal_due"],
                clarification_due=data["clarification_due"],
                publication_due=data["publication_due"],
                name=data["name"],
                actor=request.user,
            )
        except ValidationError as exc:
            for line in exc.messages:
                form.add_error(None, line)
        else:
            messages.success(request, f"Đã mở {cycle.name} cho {cycle.assessments.count()} đơn vị.")
            return redirect("assessments:assessment-list")
    return render(
        request,
        "assessments/cycle_open.html",
        {"form": form, "provinces": provinces, "province": province},
        status=400 if form.is_bound and form.errors else 200,
    )


def _applies(versions: Any, unit: AdministrativeUnit) -> bool:
    newest = versions.order_by("-published_at").first()
    return newest is None or not newest.applies_to or unit.kind in newest.applies_to


@login_required
@require_GET
def item_history(request: HttpRequest, pk: int, code: str | None = None) -> HttpResponse:
    """Who changed what and when: one item's history (or the whole assessment's), old → new."""
    assessment = (
        Assessment.objects.select_related("cycle__framework_version", "cycle__province", "unit").filter(pk=pk).first()
    )
    principal = principal_for(request.user)
    if assessment is None or not _may_see_history(principal, assessment, code):
        raise Http404("Không tìm thấy hồ sơ đánh giá")
    entries = AuditEntry.objects.filter(assessment=assessment).select_related("actor", "criterion")
    events = assessment.events.none()
    if code is not None:
        entries = entries.filter(criterion__code=code)
    else:
        events = assessment.events.select_related("actor")
    page = paginate(request, _History(entries, events))
    template = "assessments/history.html" + ("#history" if request.htmx else "")
    return render(request, template, {"assessment": assessment, "code": code, "page": page, "rows": page.object_list})


class _History:
    """An assessment's audit entries and status events as one list, newest first, that the
    paginator reads a page at a time: two COUNT queries, then the newest rows of each table
    down to the page's end (two queries whatever the page), merged. Changes made in the same
    instant show the status event first, then the entries, the last made first."""

    def __init__(self, entries: Any, events: Any) -> None:
        self.entries, self.events = entries, events

    def count(self) -> int:
        return self.entries.count() + self.events.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        stop = window.stop
        entries = list(self.entries.order_by("-at", "-pk")[:stop])
        events = list(self.events.order_by("-at", "-pk")[:stop])
        merged = sorted(
            [(e.at, 1, e) for e in events] + [(e.at, 0, e) for e in entries],
            key=lambda row: (row[0], row[1]),
            reverse=True,
        )
        return [_history_row(e) if kind == 0 else _event_row(e) for _, kind, e in merged[window]]


def _history_row(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor,
        "what": e.get_action_display(),
        "code": e.criterion.code if e.criterion else "",
        "old": _for_people(describe_change_value(e.old)),
        "new": _for_people(describe_change_value(e.new)),
        "note": e.note,
    }


def _event_row(e: Any) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor,
        "what": "Trạng thái hồ sơ",
        "code": "",
        "old": [("", e.get_from_status_display())],
        "new": [("", e.get_to_status_display())],
        "note": e.note,
    }


ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _for_people(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An audit value's lines with its dates as people write them (12/02/2027, not 2027-02-12)
    and a deadline's stage by its name."""
    from parindex.assessments.models import Stage

    stages = dict(Stage.choices)
    out = []
    for label, text in lines:
        if ISO_DATE.fullmatch(text):
            text = ISO_DATE.sub(r"\3/\2/\1", text)
        elif text in stages:
            text = stages[text]
        out.append((label, text))
    return out


def _may_see_history(principal: Principal, assessment: Assessment, code: str | None) -> bool:
    if permissions.can_view(principal, assessment.unit):
        return True
    if code is None:
        return False
    from parindex.appraisals.selectors import appraisal_scope

    scope = appraisal_scope(principal, assessment.cycle)
    spec = framework_version_spec(assessment.cycle.framework_version)
    return assessment.status != Status.DRAFT and code in {leaf.code for leaf in scope.leaves(spec, assessment.unit_id)}


@login_required
@require_POST
def clarification_answer(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The commune's explanation of one item asked about."""
    from parindex.appraisals.models import ClarificationItem
    from parindex.appraisals.services import clarification_answer_save

    assessment, principal = get_assessment_for(request, pk)
    item = (
        ClarificationItem.objects.select_related("request__assessment", "criterion")
        .filter(pk=item_pk, request__assessment=assessment)
        .first()
    )
    if item is None:
        raise Http404("Không có nội dung giải trình này")
    item.request.assessment = assessment
    form = ClarificationAnswerForm(request.POST)
    if form.is_valid():
        try:
            clarification_answer_save(
                item=item,
                answer=form.cleaned_data["answer"],
                base_revision=form.cleaned_data["revision"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            messages.error(request, f"{item.criterion.code}: {' '.join(exc.messages)}")
        else:
            messages.success(request, f"Đã lưu nội dung giải trình tiêu chí {item.criterion.code}.")
    else:
        messages.error(request, f"{item.criterion.code}: hãy ghi nội dung giải trình.")
    view = View.from_query(request.POST)
    if view.open == item.criterion.code:  # answered from the item's row: back to it
        return redirect(_row_url(pk, view, view.open))
    return redirect(reverse("assessments:assessment-detail", args=[pk]) + "#clarification")


@login_required
@require_POST
def deadline_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """The province admin gives the unit more time to self-assess or to answer a clarification."""
    assessment, principal = get_assessment_for(request, pk)
    if not is_province_admin(principal, assessment.unit):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được gia hạn.")
    form = ExtensionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.deadline_extend(
                assessment=assessment,
                stage=data["stage"],
                until=data["until"],
                reason=data["reason"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Đã gia hạn đến hết ngày {data['until']:%d/%m/%Y}.")
    else:
        flash_form_errors(request, form)
    return redirect(reverse("assessments:assessment-detail", args=[pk]) + "#deadline")
