"""Importing indicator figures from a file: the import page of a province (``import_page``: a
file read through a saved mapping, all rows or none, every bad row listed) and the column
mappings set once and reused (``mapping_new``, ``mapping_edit``).

Every write goes through ``services``, which check again what these pages check.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.accounts.selectors import principal_for
from parindex.core.downloads import attachment
from parindex.core.filenames import download_name
from parindex.indicators import import_jobs
from parindex.indicators import rows as rows_
from parindex.indicators import selectors as selectors_
from parindex.indicators import services as services_
from parindex.indicators.entry_views import int_or_none
from parindex.indicators.forms import ImportForm, MappingForm
from parindex.indicators.models import ImportBatch, ImportJob, ImportMapping, Indicator
from parindex.indicators.permissions import ENTER_ROLES, can_change_mapping
from parindex.units.models import AdministrativeUnit

IMPORT_TEMPLATE = "indicators/import.html"
MAPPING_TEMPLATE = "indicators/mapping_form.html"
RECENT_BATCHES = 20
MAPPING_FIELD = "mapping-field"
_Era = AdministrativeUnit.Era
_Level = AdministrativeUnit.Level


def import_provinces(principal: Principal) -> list[AdministrativeUnit]:
    """The current provinces where ``principal`` may import figures (one query): where they are
    a Sở Nội vụ admin, or the office or head of one of its communes (``selectors.unit_codes``)."""
    provinces = AdministrativeUnit.objects.filter(era=_Era.CURRENT, level=_Level.PROVINCE).order_by("name")
    if principal.is_superuser:
        return list(provinces)
    admin_ids = principal.unit_ids({Role.PROVINCE_ADMIN})[0]
    enter_ids = principal.unit_ids(ENTER_ROLES)[0]
    if not admin_ids and not enter_ids:
        return []
    of_communes = AdministrativeUnit.objects.filter(pk__in=enter_ids, era=_Era.CURRENT).values("province_id")
    return list(provinces.filter(Q(pk__in=admin_ids) | Q(pk__in=of_communes)))


def _import_province(
    request: HttpRequest, principal: Principal
) -> tuple[AdministrativeUnit | None, list[AdministrativeUnit]]:
    """(the province chosen by ``?tinh=`` or the only one, the user's provinces); 403 for a user
    who may import nowhere, 404 for a province not theirs."""
    provinces = import_provinces(principal)
    if not provinces:
        raise PermissionDenied(
            "Bạn không có quyền nạp số liệu chỉ số: việc này của Sở Nội vụ và của Văn phòng - Thống kê, "
            "lãnh đạo UBND xã."
        )
    raw = request.GET.get("tinh", "")
    if raw:
        chosen = next((p for p in provinces if str(p.pk) == raw), None)
        if chosen is None:
            raise Http404("Không tìm thấy tỉnh, thành phố")
        return chosen, provinces
    return (provinces[0] if len(provinces) == 1 else None), provinces


def _import_url(province: AdministrativeUnit, **params: Any) -> str:
    query = urlencode({"tinh": province.pk, **{k: v for k, v in params.items() if v}})
    return f"{reverse('indicators:import')}?{query}"


def _import_template_csv(
    province: AdministrativeUnit, principal: Principal, indicator: Indicator, mapping: ImportMapping | None
) -> HttpResponse:
    """A CSV to fill in: the mapping's header (or the default titles) on its row, one line per
    commune the user may write for this month, figures left empty (two queries)."""
    if mapping is not None:
        columns, header_row = rows_.Columns.from_json(mapping.columns), mapping.header_row
    else:
        columns, header_row = rows_.Columns.from_json(MappingForm.defaults(indicator)), 1
    codes = selectors_.unit_codes(province=province, principal=principal)
    ids = [pk for pk in codes.current.values() if codes.allowed is None or pk in codes.allowed]
    units = AdministrativeUnit.objects.filter(pk__in=ids).order_by("code").values_list("code", "name")
    today = timezone.localdate()
    used = columns.used()
    titles = [title for _key, title in used]
    name_title = "Tên đơn vị" if "Tên đơn vị" not in titles else ""
    header = []
    for key, title in used:
        header.append(title)
        if key == "unit_code" and name_title:
            header.append(name_title)
    cells = {"year": today.year, "month": today.month, "date": f"{today.month:02d}/{today.year}"}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header_row > 1:
        writer.writerow([f"Số liệu {indicator.name} – {province.name}"])
        writer.writerows([[]] * (header_row - 2))
    writer.writerow(header)
    for code, name in units:
        line = []
        for key, _title in used:
            line.append(code if key == "unit_code" else cells.get(key, ""))
            if key == "unit_code" and name_title:
                line.append(name)
        writer.writerow(line)
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    name = download_name("mau-nhap-so-lieu", indicator.code, province.name, suffix="csv")
    return attachment(body, name, "text/csv; charset=utf-8", private=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Nạp số liệu từ tệp: a CSV or Excel export read through a saved mapping, every row checked
    and all written or none (``services.indicator_import``); the province's mappings and its
    recent imports. ``?mau=1&cach-doc=<pk>`` (or ``&chi-so=<code>``) downloads a template."""
    principal = principal_for(request.user)
    province, provinces = _import_province(request, principal)
    if province is None:
        return render(request, IMPORT_TEMPLATE, {"provinces": provinces, "province": None})
    indicators = Indicator.objects.filter(active=True).order_by("code")
    mappings = (
        ImportMapping.objects.filter(province=province, indicator__active=True)
        .select_related("indicator", "owner")
        .order_by("indicator__code", "name")
    )
    chosen_code = request.GET.get("chi-so", "")
    if request.GET.get("mau"):
        mapping_pk = int_or_none(request.GET.get("cach-doc"))
        mapping = mappings.filter(pk=mapping_pk).first() if mapping_pk is not None else None
        indicator = mapping.indicator if mapping else indicators.filter(code=chosen_code).first()
        if indicator is None:
            raise Http404("Chọn cách đọc tệp hoặc chỉ số để tải tệp mẫu")
        return _import_template_csv(province, principal, indicator, mapping)
    result = filename = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, indicators=indicators, mappings=mappings)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            mapping, indicator = form.cleaned_data["mapping"], form.cleaned_data["indicator"]
            filename = upload.name
            if upload.size > services_.IMPORT_MAX_BYTES:
                form.add_error("file", f"Tệp lớn quá {services_.IMPORT_MAX_BYTES // (1024 * 1024)} MB.")
            elif upload.size > settings.IMPORT_INLINE_BYTES:  # the worker reads it; its page shows how far
                try:
                    job = import_jobs.import_job_start(
                        indicator=indicator, mapping=mapping, upload=upload, filename=upload.name, size=upload.size,
                        actor=request.user, principal=principal,
                    )  # fmt: skip
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
                else:
                    return redirect("indicators:import-job", pk=job.pk)
            else:
                try:
                    result = services_.indicator_import(
                        indicator=indicator,
                        mapping=mapping,
                        file=upload,
                        filename=upload.name,
                        actor=request.user,
                        principal=principal,
                    )
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
            if result is not None and result.ok:
                messages.success(request, f"Tệp {upload.name} – {indicator.name}: {result.summary()}")
                return redirect(_import_url(province, **{"chi-so": indicator.code, "cach-doc": mapping.pk}))
        chosen_pk = int_or_none(request.POST.get("indicator"))
    else:
        chosen_pk = int_or_none(request.GET.get("indicator"))
        if chosen_pk is None and chosen_code:
            chosen_pk = next((i.pk for i in indicators if i.code == chosen_code), None)
        form = ImportForm(
            initial={"indicator": chosen_pk, "mapping": int_or_none(request.GET.get("cach-doc"))},
            indicators=indicators,
            mappings=mappings,
        )
    mapping_list = list(mappings)
    with_mapping = {m.indicator_id for m in mapping_list}
    province_ref = UnitRef(province.pk)
    context = {
        "province": province,
        "provinces": provinces,
        "form": form,
        "mappings": [
            (
                m,
                can_change_mapping(principal, province_ref, m.owner_id),
                [(rows_.COLUMN_LABELS[k], t) for k, t in rows_.Columns.from_json(m.columns).used()],
            )
            for m in mapping_list
        ],
        "unmapped": [i for i in form.fields["indicator"].queryset if i.pk not in with_mapping],
        "batches": ImportBatch.objects.filter(province=province).select_related("indicator", "mapping", "created_by")[
            :RECENT_BATCHES
        ],
        "result": result,
        "filename": filename,
        "jobs": ImportJob.objects.filter(province=province)
        .select_related("indicator")
        .order_by("-created_at")[:RECENT_BATCHES],
        "whole_province": is_province_admin(principal, province_ref),
    }
    context["mapping_choices"] = [
        (indicator, [m for m, _, _ in context["mappings"] if m.indicator_id == indicator.pk])
        for indicator in form.fields["indicator"].queryset
        if indicator.pk in with_mapping and chosen_pk in (None, indicator.pk)
    ]
    context["chosen_mapping"] = int_or_none(str(form["mapping"].value() or ""))
    if request.htmx and request.htmx.target == MAPPING_FIELD:
        return render(request, f"{IMPORT_TEMPLATE}#mapping-field", context)
    status = 400 if result is not None and not result.ok else 200
    return render(request, IMPORT_TEMPLATE, context, status=status)


# -- mappings ------------------------------------------------------------------------------------


def _mapping_page(
    request: HttpRequest,
    *,
    province: AdministrativeUnit,
    principal: Principal,
    mapping: ImportMapping | None,
    indicators: Any,
    initial: dict[str, Any],
    can_change: bool,
) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Chỉ người tạo hoặc quản trị Sở Nội vụ được sửa cách đọc tệp này.")
        form = MappingForm(request.POST, indicators=indicators)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services_.indicator_mapping_save(
                    mapping=mapping,
                    province=province,
                    indicator=data["indicator"],
                    name=data["name"],
                    columns=form.columns(),
                    header_row=data["header_row"],
                    actor=request.user,
                    principal=principal,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                verb = "Đã lưu" if mapping is not None else "Đã tạo"
                messages.success(request, f"{verb} cách đọc tệp '{saved.name}' cho chỉ số '{saved.indicator.name}'.")
                return redirect(_import_url(province, **{"chi-so": saved.indicator.code, "cach-doc": saved.pk}))
        else:
            errors = form.error_messages()
    else:
        form = MappingForm(initial=initial, indicators=indicators)
    context = {
        "form": form,
        "mapping": mapping,
        "province": province,
        "errors": errors,
        "can_change": can_change,
        "import_url": _import_url(province),
        "batches_count": mapping.batches.count() if mapping is not None else 0,
    }
    return render(request, MAPPING_TEMPLATE, context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_new(request: HttpRequest) -> HttpResponse:
    """A new way to read a province's files for an indicator (anyone who may import there)."""
    principal = principal_for(request.user)
    province, _provinces = _import_province(request, principal)
    if province is None:
        messages.info(request, "Chọn tỉnh, thành phố trước khi tạo cách đọc tệp.")
        return redirect("indicators:import")
    indicators = Indicator.objects.filter(active=True).order_by("code")
    chosen = indicators.filter(code=request.GET.get("chi-so", "")).first() if request.GET.get("chi-so") else None
    return _mapping_page(
        request,
        province=province,
        principal=principal,
        mapping=None,
        indicators=indicators,
        initial=MappingForm.defaults(chosen),
        can_change=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved mapping: seen by whoever may import in its province, changed by its owner and the
    province's admins (``permissions.can_change_mapping``)."""
    mapping = ImportMapping.objects.select_related("province", "indicator", "owner").filter(pk=pk).first()
    principal = principal_for(request.user)
    if mapping is None or mapping.province_id not in {p.pk for p in import_provinces(principal)}:
        raise Http404("Không tìm thấy cách đọc tệp")
    indicators = Indicator.objects.filter(Q(active=True) | Q(pk=mapping.indicator_id)).order_by("code")
    return _mapping_page(
        request,
        province=mapping.province,
        principal=principal,
        mapping=mapping,
        indicators=indicators,
        initial=MappingForm.initial_for(mapping),
        can_change=can_change_mapping(principal, UnitRef(mapping.province_id), mapping.owner_id),
    )


@login_required
@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A file imported by the job worker: where it stands (the page polls while it runs), then
    what it did or every problem found (nothing written)."""
    principal = principal_for(request.user)
    job = ImportJob.objects.select_related("indicator", "province", "created_by", "batch").filter(pk=pk).first()
    codes = selectors_.unit_codes(province=job.province, principal=principal) if job is not None else None
    if job is None or not selectors_.may_import_in(codes):
        raise Http404("Không tìm thấy lượt nạp tệp")
    if request.htmx:
        return render(request, "indicators/import_job.html#job-state", {"job": job})
    return render(request, "indicators/import_job.html", {"job": job})
