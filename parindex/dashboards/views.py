"""Dashboard pages: the commune's, the province's (public for what is published, more for the
province's staff), and the landing page that sends each user to theirs.

Every chart's data is downloadable as CSV from the same URL with ``?tai=<chart key>``, and a
table written on demand (the heatmap's) is there with ``?bang=<chart key>``; the
ranking table re-renders alone (sort, page) for htmx requests aimed at ``#ranking``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parindex.accounts.permissions import UnitRef
from parindex.accounts.selectors import principal_for
from parindex.dashboards import boards, permissions
from parindex.dashboards.forms import ProvinceFilterForm
from parindex.units.models import AdministrativeUnit

DOWNLOAD_PARAM = "tai"
TABLE_PARAM = "bang"  # a chart's data table alone (the heatmap's, written on demand)
RANKING_TARGET = "ranking"


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _chart_csv(board: Any, key: str) -> HttpResponse:
    chart = board.chart(key)
    if chart is None:
        raise Http404("Không có biểu đồ này")
    return chart.csv_response()


def _chart_table(request: HttpRequest, board: Any, key: str, back: str) -> HttpResponse:
    """A chart's data table asked for on its own (``?bang=<key>``): its rows for htmx (the
    "Bảng số liệu" of the page, opened), else a page with the table and a link back."""
    chart = board.chart(key)
    if chart is None:
        raise Http404("Không có biểu đồ này")
    if request.htmx:
        return HttpResponse(chart.table_body)
    return render(request, "dashboards/chart_table.html", {"chart": chart, "back": back})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people land on their tasks ("Việc cần làm", which links to their dashboards),
    everyone else on the published results."""
    if request.user.is_authenticated:
        return redirect("inbox:inbox")
    return redirect("results:publication-list")


@require_GET
def province_dashboard(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = (
        AdministrativeUnit.objects.filter(pk=province_pk, level=AdministrativeUnit.Level.PROVINCE).only("pk", "code", "name", "era").first()
    )  # fmt: skip
    if province is None:
        raise Http404("Không tìm thấy tỉnh, thành phố")
    principal = principal_for(request.user)
    staff = permissions.sees_internal_figures(principal, UnitRef(province.pk))
    asked_year = _int(request.GET.get("nam"))
    board = boards.province_board(
        province,
        staff=staff,
        today=timezone.localdate(),
        year=asked_year,
        group_id=_int(request.GET.get("nhom")),
        classification=request.GET.get("loai", ""),
        sort=request.GET.get("sap-xep", "hang"),
        page_number=request.GET.get("trang") or 1,
    )
    key = request.GET.get(DOWNLOAD_PARAM)
    if key:
        return _chart_csv(board, key)
    table = request.GET.get(TABLE_PARAM)
    if table:
        back = reverse("dashboards:province", args=[province.pk]) + "?" + _query(request, drop={TABLE_PARAM})
        return _chart_table(request, board, table, back.rstrip("?&"))
    scope = board.scope
    context = {
        "board": board,
        "province": province,
        "form": ProvinceFilterForm(
            years=board.years,
            publications=board.publications,
            classifications=board.classifications,
            year=board.year,
            group_id=scope.group.pk if scope and scope.group else None,
            classification=scope.classification if scope else "",
        ),
        "notice": (
            f"Chưa có kết quả công bố năm {asked_year}; đang hiển thị năm {board.year}."
            if asked_year is not None and board.year is not None and asked_year != board.year
            else ""
        ),
        "query": _query(request, drop={"trang", "sap-xep", DOWNLOAD_PARAM, TABLE_PARAM}),
        "page_query": _query(request, drop={"trang", DOWNLOAD_PARAM, TABLE_PARAM}),
        "csv_query": _query(request, drop={DOWNLOAD_PARAM, TABLE_PARAM}),
        "self_url": reverse("dashboards:province", args=[province.pk]),
    }
    template = "dashboards/province.html"
    if request.htmx and request.htmx.target == RANKING_TARGET:
        template += "#ranking"
    return render(request, template, context)


def _query(request: HttpRequest, *, drop: set[str]) -> str:
    """The current query string without ``drop``, ending in "&" when not empty (for links)."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def commune_dashboard(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = (
        AdministrativeUnit.objects.filter(pk=unit_pk, level=AdministrativeUnit.Level.COMMUNE)
        .select_related("province", "parent")
        .first()
    )
    principal = principal_for(request.user)
    if unit is None or not permissions.can_view_commune(principal, UnitRef(unit.pk, unit.parent_id, unit.province_id)):
        raise Http404("Không tìm thấy xã, phường")
    board = boards.commune_board(unit, today=timezone.localdate())
    key = request.GET.get(DOWNLOAD_PARAM)
    if key:
        return _chart_csv(board, key)
    province_staff = permissions.sees_internal_figures(principal, UnitRef(unit.province_id))
    return render(
        request,
        "dashboards/commune.html",
        {"board": board, "unit": unit, "today": timezone.localdate(), "province_staff": province_staff},
    )
