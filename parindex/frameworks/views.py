"""Framework pages: browse versions and their trees, export, import, publish, extend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.accounts.selectors import principal_for
from parindex.core.filenames import download_name
from parindex.frameworks import selectors, services
from parindex.frameworks.excel import framework_to_xlsx
from parindex.frameworks.forms import FrameworkImportForm, TransitionForm, VersionExtendForm
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.permissions import can_import_frameworks, can_manage_framework
from parindex.frameworks.presenters import tree_rows
from parindex.frameworks.workflow import Status, allowed_transitions

EXPORT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    frameworks = selectors.framework_list_for(principal)
    for fw in frameworks:
        fw.can_manage = can_manage_framework(principal, fw)
    return render(
        request,
        "frameworks/framework_list.html",
        {"frameworks": frameworks, "can_import": can_import_frameworks(principal)},
    )


@require_GET
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    principal = principal_for(request.user)
    version = selectors.framework_version_get_for(principal, code, number)
    return _render_detail(request, version, can_manage_framework(principal, version.framework))


def _render_detail(
    request: HttpRequest,
    version: FrameworkVersion,
    can_manage: bool,
    extend_form: VersionExtendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The version's page; ``extend_form``: a refused extension, shown with its errors whatever the version."""
    spec = selectors.framework_version_spec(version)
    if extend_form is None and can_manage and version.status == Status.PUBLISHED and version.period_to is not None:
        extend_form = VersionExtendForm(initial={"to_year": version.applies_until + 1})
    return render(
        request,
        "frameworks/version_detail.html",
        {
            "version": version,
            "spec": spec,
            "rows": tree_rows(spec),
            "leaf_count": len(spec.leaves),
            "events": version.events.select_related("actor") if can_manage else (),
            "can_manage": can_manage,
            "transitions": allowed_transitions(version.status) if can_manage else [],
            "extend_form": extend_form,
        },
        status=status,
    )


@require_GET
def version_export(request: HttpRequest, code: str, number: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404("Định dạng không hỗ trợ")
    version = selectors.framework_version_get_for(principal_for(request.user), code, number)
    spec = selectors.framework_version_spec(version)
    if fmt == "xlsx":
        body: bytes | str = framework_to_xlsx(spec)
    elif fmt == "json":
        body = scoring.files.dumps_json(scoring.framework_to_dict(spec))
    else:
        body = scoring.dumps(scoring.framework_to_dict(spec))
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = download_name("bo-chi-so", version.framework.code, "phien-ban", version.number, suffix=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    owners = selectors.import_owners_for(principal) if can_import_frameworks(principal) else []
    if not owners:
        raise PermissionDenied("Chỉ quản trị viên Sở Nội vụ được nạp bộ chỉ số.")
    form = FrameworkImportForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.framework_import(
                spec=form.spec,
                actor=request.user,
                publish=form.cleaned_data["publish"],
                source_name=form.cleaned_data["file"].name,
                owner=form.cleaned_data["owner"],
                principal=principal,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, result.message)
            url = _detail_url(result.version)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "frameworks/framework_import.html"
    if request.htmx:
        template += "#import-form"
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "problems": getattr(form, "problems", ())}, status=status)


@login_required
@require_POST
def version_transition(request: HttpRequest, code: str, number: int) -> HttpResponse:
    principal, version = _managed_version(request, code, number, "thay đổi trạng thái bộ chỉ số")
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.framework_version_transition(
                version=version,
                to=form.cleaned_data["to"],
                actor=request.user,
                note=form.cleaned_data["note"],
                principal=principal,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Đã chuyển phiên bản {version.number} sang '{version.get_status_display()}'.")
    return redirect(_detail_url(version))


@login_required
@require_POST
def version_extend(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The owner's admin records the decision keeping a published version in force for longer."""
    principal, version = _managed_version(request, code, number, "kéo dài thời gian áp dụng bộ chỉ số")
    form = VersionExtendForm(request.POST)
    if form.is_valid():
        try:
            services.framework_version_extend(
                version=version,
                to_year=form.cleaned_data["to_year"],
                decision_number=form.cleaned_data["decision_number"],
                decision_date=form.cleaned_data["decision_date"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            for line in exc.messages:
                form.add_error(None, line)
        else:
            messages.success(
                request,
                f"Đã ghi quyết định kéo dài thời gian áp dụng phiên bản {version.number} đến năm {version.extended_to}.",
            )
            return redirect(_detail_url(version))
    # The page again with what was typed and why it was refused; nothing saved.
    return _render_detail(request, version, True, extend_form=form, status=400)


def _managed_version(request: HttpRequest, code: str, number: int, doing: str) -> tuple[Principal, FrameworkVersion]:
    """The version (404 unless one may see it) and the principal, 403 unless it manages it."""
    principal = principal_for(request.user)
    version = selectors.framework_version_get_for(principal, code, number)
    if not can_manage_framework(principal, version.framework):
        raise PermissionDenied(f"Chỉ quản trị viên Sở Nội vụ của tỉnh sở hữu được {doing}.")
    return principal, version


def _detail_url(version: FrameworkVersion) -> str:
    return reverse("frameworks:version-detail", args=[version.framework.code, version.number])
