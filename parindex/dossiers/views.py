"""Pages of the late dossier register: a commune's year (figures, list), recording and correcting a
dossier with its apology letter, deleting one (with a confirmation), and the province's overview
of the communes missing apology letters.

Access: a commune's pages answer 404 to whoever may not see the commune and 403 to those who may
see but not record; the province's page is the province's board roles' (404 for others). The
views never write: they call the services, and a refused save shows the form again with what was
typed and the service's Vietnamese message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.core.paging import paginate
from parindex.dossiers import permissions, selectors, services
from parindex.dossiers.forms import RELOAD, DeleteForm, DossierFilterForm, LateDossierForm
from parindex.dossiers.models import LateDossier
from parindex.units.models import AdministrativeUnit

YEAR_PARAM = "nam"
FIRST_YEAR = 2020
LIST = "dossiers/unit_list.html"
FORM = "dossiers/dossier_form.html"
NO_RECORD = "Chỉ Văn phòng - Thống kê, lãnh đạo UBND xã và Sở Nội vụ được ghi, sửa, xóa hồ sơ trễ hạn."
FIX_FIELDS = "Có ô nhập chưa đúng: xem thông báo dưới từng ô, sửa rồi lưu lại."
Level = AdministrativeUnit.Level


# -- access --------------------------------------------------------------------------------------


def _commune_for(request: HttpRequest, unit_pk: int) -> tuple[AdministrativeUnit, Principal, list[UnitRef]]:
    """The commune, the request's principal and the units whose roles count for it, or 404 when
    the user may not see the commune."""
    unit = AdministrativeUnit.objects.filter(pk=unit_pk, level=Level.COMMUNE).select_related("province").first()
    principal = principal_for(request.user)
    refs = selectors.unit_refs(unit) if unit is not None else []
    if unit is None or not permissions.can_view_any(principal, refs):
        raise Http404("Không tìm thấy xã, phường")
    return unit, principal, refs


def _dossier_for(request: HttpRequest, pk: int) -> tuple[LateDossier, Principal]:
    """The dossier with its unit, or 404 when the user may not see its commune; 403 when they may
    see but not record (every dossier page but the list changes something)."""
    dossier = LateDossier.objects.select_related("unit__province").filter(pk=pk).first()
    principal = principal_for(request.user)
    refs = selectors.unit_refs(dossier.unit) if dossier is not None else []
    if dossier is None or not permissions.can_view_any(principal, refs):
        raise Http404("Không tìm thấy hồ sơ trễ hạn")
    if not permissions.can_record_any(principal, refs):
        raise PermissionDenied(NO_RECORD)
    return dossier, principal


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    raw = request.GET.get(YEAR_PARAM, "")
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= today.year + 1:
        return int(raw)
    return today.year


def _list_url(unit_pk: int, year: int) -> str:
    return reverse("dossiers:unit-list", args=[unit_pk]) + f"?{YEAR_PARAM}={year}"


# -- a commune's register ------------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Sổ theo dõi hồ sơ trễ hạn: a commune's late dossiers due in the year, 50 a page, searched
    and filtered by apology letter, with the figures of 3.6 (late, with an apology letter,
    missing one, still pending)."""
    unit, principal, refs = _commune_for(request, unit_pk)
    year = _year(request)
    form = DossierFilterForm(request.GET)
    filters = form.filters()
    figures = selectors.year_figures([unit.pk], year).get(unit.pk, selectors.YearFigures())
    # The year's figures already count the rows (but a search's): no COUNT query of their own.
    counted = {None: figures.late, True: figures.with_apology, False: figures.without_apology}
    count = None if "q" in filters else counted[filters.get("apology")]
    page = paginate(request, selectors.late_dossiers(unit, year, **filters), count=count)
    frozen = bool(selectors.frozen_years([r.id for r in refs] + [unit.pk], {year}))
    context = {
        "unit": unit,
        "year": year,
        "years": list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)),
        "rows": page.object_list,
        "page": page,
        "form": form,
        "filtered": bool(filters),
        "figures": figures,
        "frozen": frozen,
        "can_record": permissions.can_record_any(principal, refs) and not frozen,
        "param": YEAR_PARAM,
    }
    template = LIST + "#dossier-list" if request.htmx and request.htmx.target == "dossier-list" else LIST
    return render(request, template, context)


def _save(request: HttpRequest, form: LateDossierForm, **kwargs: Any) -> tuple[LateDossier | None, list[str]]:
    """Save a bound form through the service: the dossier, or the reasons it was not saved."""
    if not form.is_valid():
        return None, [FIX_FIELDS]
    try:
        dossier = services.late_dossier_save(
            **form.service_values(), actor=request.user, principal=principal_for(request.user), **kwargs
        )
    except ValidationError as exc:
        return None, exc.messages
    return dossier, []


def _form_page(
    request: HttpRequest, unit: AdministrativeUnit, form: LateDossierForm, errors: list[str], dossier: Any = None
) -> HttpResponse:
    year = dossier.year if dossier is not None else _year(request)
    return render(
        request,
        FORM,
        {"unit": unit, "form": form, "errors": errors, "dossier": dossier, "back": _list_url(unit.pk, year)},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Ghi hồ sơ trễ hạn: a new dossier of the commune, with its apology letter if one was sent."""
    unit, principal, refs = _commune_for(request, unit_pk)
    if not permissions.can_record_any(principal, refs):
        raise PermissionDenied(NO_RECORD)
    if request.method == "GET":
        return _form_page(request, unit, LateDossierForm(), [])
    form = LateDossierForm(request.POST)
    dossier, errors = _save(request, form, unit=unit, base_revision=None)
    if dossier is None:
        return _form_page(request, unit, form, errors)
    messages.success(request, f"Đã ghi hồ sơ trễ hạn {dossier.code}.")
    return redirect(_list_url(unit.pk, dossier.year))


@login_required
@require_http_methods(["GET", "POST"])
def dossier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Sửa hồ sơ trễ hạn: correct it, mark the apology letter sent (number, date, new return date)."""
    dossier, _principal = _dossier_for(request, pk)
    if request.method == "GET":
        return _form_page(request, dossier.unit, LateDossierForm.for_dossier(dossier), [], dossier)
    form = LateDossierForm(request.POST, editing=True)
    revision = form.data.get("revision", "")
    saved, errors = _save(
        request,
        form,
        dossier=dossier,
        unit=dossier.unit,
        base_revision=int(revision) if str(revision).isdigit() else None,
    )
    if saved is None:
        return _form_page(request, dossier.unit, form, errors, dossier)
    messages.success(request, f"Đã cập nhật hồ sơ trễ hạn {saved.code}.")
    return redirect(_list_url(saved.unit_id, saved.year))


@login_required
@require_http_methods(["GET", "POST"])
def dossier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Xóa hồ sơ trễ hạn: a confirmation page (GET), then the deletion (POST)."""
    dossier, principal = _dossier_for(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        form = DeleteForm(request.POST)
        if not form.is_valid():
            errors = [RELOAD]
        else:
            try:
                services.late_dossier_delete(
                    dossier=dossier,
                    base_revision=form.cleaned_data["revision"],
                    actor=request.user,
                    principal=principal,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"Đã xóa hồ sơ trễ hạn {dossier.code}.")
                return redirect(_list_url(dossier.unit_id, dossier.year))
    return render(
        request,
        "dossiers/dossier_delete.html",
        {"dossier": dossier, "errors": errors, "back": _list_url(dossier.unit_id, dossier.year)},
        status=400 if errors else 200,
    )


# -- the province --------------------------------------------------------------------------------


@login_required
@require_GET
def province_list(request: HttpRequest, province_pk: int) -> HttpResponse:
    """The province's communes with late dossiers due in the year, those missing apology letters
    first and highlighted."""
    province = AdministrativeUnit.objects.filter(pk=province_pk, level=Level.PROVINCE).first()
    principal = principal_for(request.user)
    if province is None or not permissions.can_view_province(principal, UnitRef(province.pk)):
        raise Http404("Không tìm thấy tỉnh, thành phố")
    year = _year(request)
    rows = selectors.province_overview(province, year)
    missing = [r for r in rows if r.figures.without_apology]
    context = {
        "province": province,
        "year": year,
        "years": list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)),
        "rows": rows,
        "missing": len(missing),
        "late": sum(r.figures.late for r in rows),
        "with_apology": sum(r.figures.with_apology for r in rows),
        "without_apology": sum(r.figures.without_apology for r in missing),
        "param": YEAR_PARAM,
    }
    return render(request, "dossiers/province_list.html", context)
