"""Pages of the indicators app: the open cycle's forecast with its what-if panel, and the
monitoring of indicators against targets (one commune's months; a province's communes).

The forecast page is a GET: the what-if's figures travel in the query string (``tc-<code>``),
are scored and shown, and never touch the assessment. htmx re-renders the panel alone.
The monitoring pages read ``monitoring``; each chart's figures download as CSV with
``?tai=<indicator code>``, as on the dashboards.
Entering figures is ``entry_views``, importing them ``import_views``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.accounts.selectors import principal_for
from parindex.assessments.inputs import describe_inputs
from parindex.assessments.views import get_assessment_for
from parindex.assessments.workflow import Status
from parindex.core.downloads import XLSX, attachment
from parindex.core.filenames import download_name, file_stem
from parindex.dashboards.permissions import can_view_commune, sees_internal_figures
from parindex.dashboards.views import DOWNLOAD_PARAM
from parindex.dashboards.widgets import BRAND, MEAN, OK, Chart, by_key, num
from parindex.indicators import excel, monitoring, services
from parindex.indicators import forecast as forecasting
from parindex.indicators import rows as rows_
from parindex.indicators.models import Indicator
from parindex.indicators.permissions import can_enter
from parindex.indicators.rows import MIN_YEAR
from parindex.indicators.status import TargetStatus
from parindex.units.models import AdministrativeUnit

FIELD_PREFIX = "tc-"
PANEL_TARGET = "what-if"


@login_required
@require_GET
def forecast(request: HttpRequest, pk: int) -> HttpResponse:
    """Dự báo điểm: the open cycle's projected score, percent, classification and rank, and
    what a changed figure would gain."""
    assessment, _principal = get_assessment_for(request, pk)
    if assessment.status == Status.PUBLISHED:
        messages.info(request, "Kết quả đã công bố: xem điểm bị mất và kế hoạch khắc phục của đơn vị.")
        return redirect("remediation:analysis", pk=assessment.pk)
    raw = {key[len(FIELD_PREFIX) :]: value for key, value in request.GET.items() if key.startswith(FIELD_PREFIX)}
    result = forecasting.forecast(assessment, raw)
    base, what_if = result.base.score, result.what_if.score if result.what_if else None
    rows = []
    for leaf in result.spec.leaves:
        key = forecasting.WHAT_IF_INPUT.get(leaf.rule.kind) if leaf.rule else None
        if key is None:
            continue
        now = base.node(leaf.code)
        typed = raw.get(leaf.code, "")
        rows.append(
            {
                "node": leaf,
                "key": key,
                "current": describe_inputs(result.base.inputs[leaf.code]) if leaf.code in result.base.inputs else "",
                "score": now.score if now.applicable else None,
                "typed": typed,
                "met": typed in ("1", "true", "on", "dat"),
                "changed": leaf.code in result.changes,
                "what_if": what_if.node(leaf.code).score
                if what_if is not None and leaf.code in result.changes
                else None,
                "indicator": result.from_indicators.get(leaf.code, ""),
            }
        )
    context = {
        "assessment": assessment,
        "result": result,
        "rows": rows,
        "prefix": FIELD_PREFIX,
    }
    template = "indicators/forecast.html"
    if request.htmx and request.htmx.target == PANEL_TARGET:
        template += "#what-if"
    return render(request, template, context)


# -- monitoring ------------------------------------------------------------------------------------


def _year(request: HttpRequest, today: dt.date, *, latest: int | None = None) -> int:
    """``?nam=`` if it is a year from MIN_YEAR to ``latest`` (this year by default), else this year."""
    raw = request.GET.get("nam", "")
    year = int(raw) if raw.isdigit() else today.year
    return year if MIN_YEAR <= year <= (latest or today.year) else today.year


def _staff_province(request: HttpRequest, province_pk: int) -> tuple[AdministrativeUnit, Principal]:
    """The province and who asks, or 404 for anyone but its staff (the figures are not published)."""
    province = AdministrativeUnit.objects.filter(pk=province_pk, level=AdministrativeUnit.Level.PROVINCE).first()
    principal = principal_for(request.user)
    if province is None or not sees_internal_figures(principal, UnitRef(province.pk)):
        raise Http404("Không tìm thấy tỉnh, thành phố")
    return province, principal


def _trend_chart(trend: monitoring.Trend, unit: AdministrativeUnit, year: int) -> Chart:
    """One indicator's months of the year: the month's figure, the year to date and the target."""
    indicator = trend.indicator
    percent = indicator.is_ratio
    label = indicator.unit_label if not percent else "%"
    categories = [f"T{m.month}" for m in trend.months]
    monthly = [num(monitoring.shown_value(indicator, m.value.value if m.value else None)) for m in trend.months]
    to_date = [
        num(monitoring.shown_value(indicator, m.to_date.value)) if m.to_date.months else None for m in trend.months
    ]
    series = [
        {"name": "Số liệu tháng", "data": monthly, "color": BRAND},
        {"name": "Lũy kế từ đầu năm", "data": to_date, "color": MEAN},
    ]
    if indicator.kind != Indicator.Kind.COUNT:  # a count's target is for the year, not a month
        target = num(monitoring.shown_value(indicator, trend.target))
        series.append({"name": "Chỉ tiêu", "data": [target] * len(categories), "dashed": True, "color": OK})
    rows = [
        [
            f"{m.month:02d}/{year}",
            rows_.shown(m.value.numerator) if m.value else "",
            rows_.shown(m.value.denominator) if m.value and m.value.denominator is not None else "",
            monitoring.shown_value(indicator, m.value.value) if m.value else None,
            monitoring.shown_value(indicator, m.to_date.value) if m.to_date.months else None,
            m.status.label,
        ]
        for m in trend.months
    ]
    if not trend.recorded:
        rows = []  # the chart says "no figures yet" rather than drawing the target alone
    spec: dict[str, Any] = {"categories": categories, "series": series, "unit": label, "height": 280}
    if percent:
        spec["value_max"] = 100
    return Chart(
        key=indicator.code,
        title=indicator.name,
        kind="line",
        spec=spec,
        columns=["Tháng", "Tử số", "Mẫu số", f"Số liệu tháng ({label})", f"Lũy kế ({label})", "Đánh giá tháng"],
        rows=rows,
        label=f"{indicator.name} của {unit.name} theo tháng năm {year}",
        filename=file_stem("chi-so-theo-doi", year, unit.name),
    )


@login_required
@require_GET
def unit_monitor(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Theo dõi chỉ số: each followed indicator's months of the year for one commune, against
    its target, with the year so far."""
    unit = (
        AdministrativeUnit.objects.filter(pk=unit_pk, level=AdministrativeUnit.Level.COMMUNE)
        .select_related("province")
        .first()
    )
    principal = principal_for(request.user)
    if unit is None or not can_view_commune(principal, UnitRef(unit.pk, unit.parent_id, unit.province_id)):
        raise Http404("Không tìm thấy xã, phường")
    today = timezone.localdate()
    year = _year(request, today)
    trends = monitoring.unit_trends(unit, year, today)
    charts = [_trend_chart(t, unit, year) for t in trends]
    key = request.GET.get(DOWNLOAD_PARAM)
    if key:
        chart = by_key(charts, key)
        if chart is None:
            raise Http404("Không có biểu đồ này")
        return chart.csv_response()
    return render(
        request,
        "indicators/unit_monitor.html",
        {
            "unit": unit,
            "year": year,
            "years": monitoring.unit_years(unit, today),
            "rows": list(zip(trends, charts, strict=True)),
            "below": sum(1 for t in trends if t.year.status == TargetStatus.BELOW),
            "province_staff": sees_internal_figures(principal, UnitRef(unit.province_id)),
            "can_enter": can_enter(principal, UnitRef(unit.pk, unit.parent_id, unit.province_id)),
            "csv_base": f"nam={year}&",
        },
    )


@login_required
@require_GET
def province_monitor(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Theo dõi chỉ số toàn tỉnh: which communes are below target on which indicators (the
    province's staff only: the figures are not published)."""
    province, principal = _staff_province(request, province_pk)
    today = timezone.localdate()
    year = _year(request, today)
    matrix = monitoring.province_matrix(province, year)
    if request.GET.get(DOWNLOAD_PARAM) == "xlsx":
        body = excel.matrix_to_xlsx(matrix, province_name=province.name, today=today)
        return attachment(
            body, download_name("chi-so-theo-doi", year, province.name, suffix="xlsx"), XLSX, private=True
        )
    only_below = request.GET.get("chua-dat") == "1"
    return render(
        request,
        "indicators/province_monitor.html",
        {
            "province": province,
            "year": year,
            "years": list(range(today.year, MIN_YEAR - 1, -1))[:6],
            "matrix": matrix,
            "rows": matrix.communes_below if only_below else matrix.rows,
            "only_below": only_below,
            "can_import": is_province_admin(principal, UnitRef(province.pk)),
        },
    )


# -- a province's targets --------------------------------------------------------------------------

TARGET_FIELD, BASE_FIELD = "ct-", "truoc-"


@login_required
@require_http_methods(["GET", "POST"])
def targets_edit(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Chỉ tiêu năm: the province's own targets of a year beside the indicators' defaults; the
    province's Sở Nội vụ sets them (all or none), the rest of its staff reads them."""
    province, principal = _staff_province(request, province_pk)
    today = timezone.localdate()
    year = _year(request, today, latest=today.year + 1)
    can_edit = is_province_admin(principal, UnitRef(province.pk))
    indicators = monitoring.followed()
    own = monitoring.own_targets(indicators, province.pk, year)
    errors: list[str] = []
    typed: dict[str, str] | None = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(f"Chỉ Sở Nội vụ đặt chỉ tiêu chỉ số của {province.name}.")
        typed = {i.code: request.POST.get(TARGET_FIELD + i.code, "").strip() for i in indicators}
        base = {i.code: request.POST.get(BASE_FIELD + i.code, "") for i in indicators}
        try:
            changed = services.indicator_targets_save(
                province=province, year=year, typed=typed, base=base, actor=request.user, principal=principal
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                f"Đã lưu chỉ tiêu năm {year}: {changed} chỉ tiêu thay đổi."
                if changed
                else "Không có chỉ tiêu nào thay đổi.",
            )
            return redirect(f"{request.path}?nam={year}")
    rows = [
        {
            "indicator": i,
            "default": services.target_text(i, i.target),
            "stored": services.target_text(i, own.get(i.pk)),
            "typed": typed[i.code] if typed is not None else services.target_text(i, own.get(i.pk)),
            "field": TARGET_FIELD + i.code,
            "base_field": BASE_FIELD + i.code,
        }
        for i in indicators
    ]
    return render(
        request,
        "indicators/targets.html",
        {
            "province": province,
            "year": year,
            "years": list(range(today.year + 1, MIN_YEAR - 1, -1))[:7],
            "rows": rows,
            "can_edit": can_edit,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
