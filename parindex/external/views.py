"""Pages of the external indices: a province's weekly leaderboard (its staff), a commune's trend
week by week against the province's median and target (the commune's people and the province's
staff), the import of a file, and the forms of contests, adjustments and the target.

Access: 404 for what one may not see (another province, another commune), 403 for what one may
see but not do (a viewer posting an adjustment). Each page reads a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.core.downloads import XLSX, attachment
from parindex.core.filenames import download_name, file_stem
from parindex.core.numbers import vn_number, vn_score
from parindex.dashboards.permissions import can_view_commune, sees_internal_figures
from parindex.dashboards.widgets import BRAND, MEAN, OK, Chart, by_key, num
from parindex.external import excel, selectors, services, surveys
from parindex.external.forms import (
    AdjustmentForm,
    ContestForm,
    DecideForm,
    EntryForm,
    ImportForm,
    ReverseForm,
    SurveyForm,
    SurveyImportForm,
    TargetForm,
)
from parindex.external.models import ExternalIndex, ExternalResult, ExternalValue, ResultAdjustment, ValueContest
from parindex.external.permissions import can_contest, can_manage
from parindex.units.models import AdministrativeUnit

Level = AdministrativeUnit.Level
DOWNLOAD = "tai"
FORMER = ["#6b7280", "#b7791f", "#1c7c54", "#7c3aed", "#0e7490", "#be185d"]


def _index(request: HttpRequest) -> ExternalIndex:
    index = selectors.index_by_code(request.GET.get("chi-so") or request.POST.get("chi-so") or "766")
    if index is None:
        raise Http404("Không có chỉ số này")
    return index


def _staff_province(request: HttpRequest, province_pk: int) -> tuple[AdministrativeUnit, Principal]:
    province = AdministrativeUnit.objects.filter(pk=province_pk, level=Level.PROVINCE).first()
    principal = principal_for(request.user)
    if province is None or not sees_internal_figures(principal, UnitRef(province.pk)):
        raise Http404("Không tìm thấy tỉnh, thành phố")
    return province, principal


def _ref(unit: AdministrativeUnit) -> UnitRef:
    return UnitRef(unit.pk, unit.parent_id, unit.province_id)


def _seen_unit(principal: Principal, unit: AdministrativeUnit) -> None:
    if not can_view_commune(principal, _ref(unit)):
        raise Http404("Không tìm thấy xã, phường")


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


# -- the leaderboard -----------------------------------------------------------------------------


@login_required
@require_GET
def leaderboard(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Xếp hạng tuần: the province's communes ranked by their total of a period, with the change
    of rank from the period before; filters (period, name or code, below target); CSV and Excel."""
    province, principal = _staff_province(request, province_pk)
    index = _index(request)
    board = selectors.leaderboard(index, province, _date(request.GET.get("ky", "")))
    q = request.GET.get("q", "").strip()
    below = request.GET.get("duoi-muc-tieu") == "1"
    rows = [
        r
        for r in board.rows
        if (not q or q.casefold() in r.name.casefold() or q == r.code) and (not below or r.below_target)
    ]
    title = f"Chỉ số {index.code} – {province.name}" + (f" – kỳ từ {board.period:%d/%m/%Y}" if board.period else "")
    stem = file_stem("chi-so", index.code, province.name, board.period.isoformat() if board.period else "")
    chart = Chart(
        key="xep-hang", title="Xếp hạng", kind="bar", spec={}, columns=excel.COLUMNS,
        rows=excel.board_rows(selectors.Board(**{**board.__dict__, "rows": rows})),
        filename=stem,
    )  # fmt: skip
    fmt = request.GET.get(DOWNLOAD)
    if fmt == "xlsx":
        body = excel.board_to_xlsx(selectors.Board(**{**board.__dict__, "rows": rows}), title=title)
        return attachment(body, download_name(stem, suffix="xlsx"), XLSX, private=True)
    if fmt == "csv":
        return chart.csv_response()
    manage = can_manage(principal, UnitRef(province.pk))
    return render(
        request,
        "external/leaderboard.html",
        {
            "province": province,
            "index": index,
            "board": board,
            "rows": [(r, scoring.describe_change(r.change)) for r in rows],
            "periods": board.periods[:60],
            "q": q,
            "below": below,
            "manage": manage,
            "contests": selectors.open_contests(index, province) if manage else [],
            "median": vn_number(board.median, 2) if board.median is not None else "–",
            "target": vn_number(board.target, 2) if board.target is not None else "",
            "components": list(board.version.components.all()) if board.version else [],
            "query": request.GET.urlencode(),
            "target_form": TargetForm(initial={"year": (board.period or timezone.localdate()).year}),
        },
    )


# -- a commune's trend ---------------------------------------------------------------------------


def _trend_charts(trend: selectors.Trend, unit: AdministrativeUnit, index: ExternalIndex) -> list[Chart]:
    weeks = trend.weeks
    categories = [f"{w.result.period_start:%d/%m}" for w in weeks]
    target = num(trend.target) if trend.target is not None else None
    series = [
        {"name": "Tổng điểm của xã", "data": [num(w.result.total) for w in weeks], "color": BRAND},
        {"name": "Trung vị của tỉnh", "data": [num(w.median) for w in weeks], "dashed": True, "color": MEAN},
    ]
    if target is not None:
        series.append({"name": "Mục tiêu của tỉnh", "data": [target] * len(weeks), "dashed": True, "color": OK})
    stem = file_stem("chi-so", index.code, trend.year, unit.name)
    total = Chart(
        key="tong", title=f"Tổng điểm Chỉ số {index.code} từng kỳ năm {trend.year}", kind="line",
        spec={"categories": categories, "series": series, "unit": "điểm", "value_max": 100, "height": 280},
        columns=["Từ ngày", "Đến ngày", "Phiên bản", "Điểm đánh giá", "Điều chỉnh", "Tổng điểm", "Trung vị của tỉnh", "Mục tiêu của tỉnh"],
        rows=[
            [f"{w.result.period_start:%d/%m/%Y}", f"{w.result.period_end:%d/%m/%Y}", w.result.version.number,
             w.result.score, w.result.adjustment, w.result.total, w.median, trend.target]
            for w in weeks
        ],
        label=f"Tổng điểm của {unit.name} từng kỳ so với trung vị và mục tiêu của tỉnh", wide=True, filename=stem,
    )  # fmt: skip
    by_week = [{v.component.code: v for v in w.values} for w in weeks]
    comp_series = [
        {"name": name, "data": [num(b[code].value) if code in b else None for b in by_week], "color": FORMER[i % len(FORMER)]}
        for i, (code, name) in enumerate(trend.components)
    ]  # fmt: skip
    parts = Chart(
        key="nhom", title="Điểm từng nhóm chỉ số", kind="line",
        spec={"categories": categories, "series": comp_series, "unit": "điểm", "height": 280},
        columns=["Từ ngày", "Nhóm", "Điểm", "Điểm tối đa", "Nguồn"],
        rows=[
            [f"{w.result.period_start:%d/%m/%Y}", v.component.name, v.value, v.component.max, v.get_source_display()]
            for w in weeks for v in w.values
        ],
        label=f"Điểm từng nhóm của {unit.name} từng kỳ", wide=True, filename=stem,
    )  # fmt: skip
    return [total, parts]


@login_required
@require_GET
def unit_trend(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Chỉ số 766 của xã: total and components week by week against the province's median and
    target; each value's provenance; contests (the commune) and adjustments (the province)."""
    unit = AdministrativeUnit.objects.filter(pk=unit_pk, level=Level.COMMUNE).select_related("province").first()
    principal = principal_for(request.user)
    if unit is None:
        raise Http404("Không tìm thấy xã, phường")
    _seen_unit(principal, unit)
    index = _index(request)
    today = timezone.localdate()
    years = selectors.result_years(index, unit)
    raw = request.GET.get("nam", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else today.year)
    trend = selectors.trend(index, unit, year)
    charts = _trend_charts(trend, unit, index)
    key = request.GET.get(DOWNLOAD)
    if key:
        chart = by_key(charts, key)
        if chart is None:
            raise Http404("Không có biểu đồ này")
        return chart.csv_response()
    may_contest = can_contest(principal, _ref(unit))
    manage = unit.province_id is not None and can_manage(principal, UnitRef(unit.province_id))
    weeks = []
    for w in reversed(trend.weeks):
        open_ids = {c.value_id for c in w.contests if c.state == ValueContest.State.OPEN}
        weeks.append(
            {
                "week": w,
                "values": [
                    {
                        "value": v,
                        "contestable": may_contest
                        and v.pk not in open_ids
                        and v.batch is not None
                        and v.batch.contest_until is not None
                        and today <= v.batch.contest_until,
                    }
                    for v in w.values
                ],
            }
        )
    return render(
        request,
        "external/trend.html",
        {
            "unit": unit,
            "index": index,
            "year": year,
            "years": years,
            "trend": trend,
            "weeks": weeks,
            "charts": charts,
            "manage": manage,
            "staff": unit.province_id is not None and sees_internal_figures(principal, UnitRef(unit.province_id)),
            "csv_base": f"nam={year}&chi-so={index.code}&",
            "contest_form": ContestForm(),
            "entry_form": EntryForm(),
            # The hand-entry form's fields, for the Sở Nội vụ only (one query).
            "entry_components": selectors.components_in_force(index, today) if manage else [],
            "decide_form": DecideForm(),
            "adjust_form": AdjustmentForm(),
            "reverse_form": ReverseForm(),
        },
    )


def _back(unit_id: int, index_code: str, year: int) -> HttpResponse:
    return redirect(reverse("external:unit-trend", args=[unit_id]) + f"?chi-so={index_code}&nam={year}")


def _errors(request: HttpRequest, form: Any = None, exc: ValidationError | None = None) -> None:
    if exc is not None:
        messages.error(request, " ".join(exc.messages))
    elif form is not None:
        messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()))


def _run(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: str) -> None:
    """Validate ``form`` and run ``action`` with its data; the outcome becomes the page's message
    (the form's or the service's refusal, or ``done``). The caller redirects back."""
    if not form.is_valid():
        _errors(request, form)
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc=exc)
    else:
        messages.success(request, done)


# -- forms ---------------------------------------------------------------------------------------


@login_required
@require_POST
def contest_new(request: HttpRequest, pk: int) -> HttpResponse:
    value = ExternalValue.objects.select_related("result__unit", "result__index").filter(pk=pk).first()
    principal = principal_for(request.user)
    if value is None:
        raise Http404("Không có điểm này")
    unit = value.result.unit
    _seen_unit(principal, unit)
    upload = request.FILES.get("file")
    _run(
        request, ContestForm(request.POST),
        lambda data: services.value_contest_open(
            value=value, actor=request.user, principal=principal, upload=upload,
            filename=getattr(upload, "name", ""), **data,
        ),
        "Đã gửi đề nghị xem xét điểm; Sở Nội vụ sẽ trả lời.",
    )  # fmt: skip
    return _back(unit.pk, value.result.index.code, value.result.period_start.year)


@login_required
@require_GET
def contest_file(request: HttpRequest, pk: int) -> FileResponse:
    """A contest's attached file, to whoever may see the commune's results (404 otherwise)."""
    from parindex.assessments.views import evidence_response

    contest = ValueContest.objects.select_related("value__result__unit").filter(pk=pk).first()
    if contest is None or not contest.file:
        raise Http404("Không có tệp này")
    _seen_unit(principal_for(request.user), contest.value.result.unit)
    return evidence_response(contest)


@login_required
@require_POST
def result_enter(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A period's result typed in by the province (a week the import missed, a figure read off a
    report): every component of the version in force on the period's first day."""
    unit = AdministrativeUnit.objects.filter(pk=unit_pk, level=Level.COMMUNE).select_related("province").first()
    principal = principal_for(request.user)
    if unit is None:
        raise Http404("Không tìm thấy xã, phường")
    _province_staff_or_404(principal, unit)
    index = _index(request)
    form = EntryForm(request.POST)
    if form.is_valid():
        values = {
            key[len(EntryForm.PREFIX) :]: v for key, v in request.POST.items() if key.startswith(EntryForm.PREFIX)
        }
        try:
            result = services.external_result_save(
                index=index, unit=unit, period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"], values=values, actor=request.user, principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            _errors(request, exc=exc)
        else:
            messages.success(
                request, f"Đã lưu kết quả kỳ từ {result.period_start:%d/%m/%Y}: {vn_score(result.total)} điểm."
            )
            return _back(unit.pk, index.code, result.period_start.year)
    else:
        _errors(request, form)
    return _back(unit.pk, index.code, timezone.localdate().year)


def _province_staff_or_404(principal: Principal, unit: AdministrativeUnit) -> None:
    if unit.province_id is None or not sees_internal_figures(principal, UnitRef(unit.province_id)):
        raise Http404("Không tìm thấy")


@login_required
@require_POST
def contest_decide(request: HttpRequest, pk: int) -> HttpResponse:
    contest = ValueContest.objects.select_related("value__result__unit", "value__result__index").filter(pk=pk).first()
    principal = principal_for(request.user)
    if contest is None:
        raise Http404("Không có đề nghị này")
    result = contest.value.result
    _province_staff_or_404(principal, result.unit)
    _run(
        request, DecideForm(request.POST),
        lambda data: services.value_contest_decide(contest=contest, actor=request.user, principal=principal, **data),
        "Đã xử lý đề nghị xem xét điểm.",
    )  # fmt: skip
    return _back(result.unit_id, result.index.code, result.period_start.year)


@login_required
@require_POST
def adjustment_new(request: HttpRequest, pk: int) -> HttpResponse:
    result = ExternalResult.objects.select_related("unit", "index", "version").filter(pk=pk).first()
    principal = principal_for(request.user)
    if result is None:
        raise Http404("Không có kết quả này")
    _province_staff_or_404(principal, result.unit)
    _run(
        request, AdjustmentForm(request.POST),
        lambda data: services.result_adjust(result=result, actor=request.user, principal=principal, **data),
        "Đã ghi điều chỉnh điểm.",
    )  # fmt: skip
    return _back(result.unit_id, result.index.code, result.period_start.year)


@login_required
@require_POST
def adjustment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = ResultAdjustment.objects.select_related("result__unit", "result__index").filter(pk=pk).first()
    principal = principal_for(request.user)
    if adjustment is None:
        raise Http404("Không có điều chỉnh này")
    result = adjustment.result
    _province_staff_or_404(principal, result.unit)
    _run(
        request, ReverseForm(request.POST),
        lambda data: services.adjustment_reverse(adjustment=adjustment, actor=request.user, principal=principal, **data),
        "Đã hủy điều chỉnh điểm.",
    )  # fmt: skip
    return _back(result.unit_id, result.index.code, result.period_start.year)


@login_required
@require_POST
def target_set(request: HttpRequest, province_pk: int) -> HttpResponse:
    province, principal = _staff_province(request, province_pk)
    index = _index(request)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.index_target_set(
                index=index, province=province, year=form.cleaned_data["year"], target=form.cleaned_data["target"],
                principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            _errors(request, exc=exc)
        else:
            messages.success(request, f"Đã lưu mục tiêu năm {form.cleaned_data['year']}.")
    else:
        _errors(request, form)
    return redirect(reverse("external:leaderboard", args=[province.pk]) + f"?chi-so={index.code}")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Nạp kết quả: a CSV/XLSX file of the province's communes, all rows or none, every problem listed."""
    province, principal = _staff_province(request, province_pk)
    index = _index(request)
    if not can_manage(principal, UnitRef(province.pk)):
        raise PermissionDenied(f"Chỉ Sở Nội vụ nạp kết quả chỉ số của {province.name}.")
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.external_results_import(
                index=index, province=province, file=upload, filename=upload.name,
                source_system=form.cleaned_data["source_system"], extracted_on=form.cleaned_data["extracted_on"],
                contest_until=form.cleaned_data["contest_until"], actor=request.user, principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.ok:
                messages.success(request, result.summary())
                return redirect(reverse("external:leaderboard", args=[province.pk]) + f"?chi-so={index.code}")
    components = [(v, v.components) for v in selectors.versions(index)]
    return render(
        request,
        "external/import.html",
        {"province": province, "index": index, "form": form, "result": result, "versions": components},
        status=400 if (result is not None and not result.ok) or form.errors else 200,
    )


# -- survey results ------------------------------------------------------------------------------


def _chosen_survey(request: HttpRequest, every: list[Any]) -> Any:
    code = request.GET.get("khao-sat") or request.POST.get("khao-sat") or ""
    return next((s for s in every if s.code == code), every[0] if every else None)


@login_required
@require_GET
def survey_results(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Kết quả khảo sát: a survey's results of a year for the province's communes, each with its
    provenance; the survey's settings and the import for the province's admins."""
    province, principal = _staff_province(request, province_pk)
    every = surveys.province_surveys(province.pk)
    survey = _chosen_survey(request, every)
    years = surveys.survey_years(survey) if survey else []
    raw = request.GET.get("nam", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    results = surveys.year_results(survey, year) if survey and year else []
    initial = (
        {"code": survey.code, "name": survey.name, "field_code": survey.field_code,
         "threshold": vn_number(survey.threshold, 2)}
        if survey else {"code": "sipas", "threshold": "20"}
    )  # fmt: skip
    return render(
        request,
        "external/surveys.html",
        {
            "province": province,
            "surveys": every,
            "survey": survey,
            "years": years,
            "year": year,
            "results": [(r, surveys.shown_rate(r.rate)) for r in results],
            "manage": can_manage(principal, UnitRef(province.pk)),
            "form": SurveyForm(initial=initial),
        },
    )


@login_required
@require_POST
def survey_settings(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Khai báo khảo sát: create a survey or change its name, linked field and threshold."""
    province, principal = _staff_province(request, province_pk)
    form = SurveyForm(request.POST)
    code = ""
    if form.is_valid():
        try:
            survey = surveys.survey_save(province=province, principal=principal, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc=exc)
        else:
            code = survey.code
            messages.success(request, f"Đã lưu khảo sát {survey.name}.")
    else:
        _errors(request, form)
    return redirect(reverse("external:survey-results", args=[province.pk]) + (f"?khao-sat={code}" if code else ""))


@login_required
@require_http_methods(["GET", "POST"])
def survey_import(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Nạp kết quả khảo sát: a CSV/XLSX file, all rows or none, every problem listed."""
    province, principal = _staff_province(request, province_pk)
    if not can_manage(principal, UnitRef(province.pk)):
        raise PermissionDenied(f"Chỉ Sở Nội vụ nạp kết quả khảo sát của {province.name}.")
    every = surveys.province_surveys(province.pk)
    if not every:
        messages.error(request, "Khai báo khảo sát (mã, tên) trước khi nạp kết quả.")
        return redirect("external:survey-results", province.pk)
    chosen = _chosen_survey(request, every)
    form = SurveyImportForm(
        request.POST or None, request.FILES or None, surveys=[(s.code, s.name) for s in every],
        initial={"survey": chosen.code},
    )  # fmt: skip
    result = None
    if request.method == "POST" and form.is_valid():
        survey = next(s for s in every if s.code == form.cleaned_data["survey"])
        upload = form.cleaned_data["file"]
        try:
            result = surveys.survey_results_import(
                survey=survey, file=upload, filename=upload.name, source=form.cleaned_data["source"],
                actor=request.user, principal=principal,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.ok:
                messages.success(request, result.summary())
                return redirect(reverse("external:survey-results", args=[province.pk]) + f"?khao-sat={survey.code}")
    return render(
        request,
        "external/survey_import.html",
        {"province": province, "form": form, "result": result},
        status=400 if (result is not None and not result.ok) or form.errors else 200,
    )


@login_required
@require_GET
def unit_surveys(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Kết quả khảo sát của xã: every year's satisfaction rate with its provenance."""
    unit = AdministrativeUnit.objects.filter(pk=unit_pk, level=Level.COMMUNE).select_related("province").first()
    if unit is None:
        raise Http404("Không tìm thấy xã, phường")
    principal = principal_for(request.user)
    _seen_unit(principal, unit)
    return render(
        request,
        "external/unit_surveys.html",
        {
            "unit": unit,
            "results": [(r, surveys.shown_rate(r.rate)) for r in surveys.unit_results(unit)],
            "staff": unit.province_id is not None and sees_internal_figures(principal, UnitRef(unit.province_id)),
        },
    )
