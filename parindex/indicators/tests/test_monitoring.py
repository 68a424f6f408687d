"""Monitoring indicators against target: one commune's months, a province's communes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import monitoring
from parindex.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from parindex.indicators.status import TargetStatus
from parindex.indicators.tests.factories import bulk_units, make_indicator

TODAY = dt.date(2026, 11, 20)  # the fixed clock of the test suite


def figure(indicator, unit, month, numerator, denominator=None, year=2026):
    return IndicatorValue.objects.create(
        indicator=indicator,
        unit=unit,
        year=year,
        month=month,
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=Decimal(numerator) / Decimal(denominator) if denominator else Decimal(numerator),
    )


@pytest.fixture
def on_time(db):
    return make_indicator()  # ratio, at least 96 %


@pytest.fixture
def initiatives(db):
    return make_indicator(
        "sang_kien", name="Số sáng kiến cải cách hành chính", kind=Indicator.Kind.COUNT, numerator_label="Sáng kiến"
    )


class TestUnitTrends:
    def test_each_month_and_the_year_to_date_are_judged_against_the_target(self, commune, on_time):
        figure(on_time, commune, 1, 97, 100)  # met
        figure(on_time, commune, 2, 90, 100)  # below; to date 187/200 = 93,5 % below
        figure(on_time, commune, 4, 100, 100)  # met; to date 287/300 = 95,67 % below
        (trend,) = monitoring.unit_trends(commune, 2026, TODAY)
        assert [m.month for m in trend.months] == list(range(1, 12))  # up to November
        assert [m.status for m in trend.months[:4]] == [
            TargetStatus.MET,
            TargetStatus.BELOW,
            TargetStatus.NO_DATA,
            TargetStatus.MET,
        ]
        assert trend.months[1].to_date.status == TargetStatus.BELOW
        assert trend.months[0].to_date.status == TargetStatus.MET
        assert trend.months[3].to_date_text == "95,67%"
        assert trend.year.numerator == 287 and trend.year.denominator == 300
        assert trend.year.status == TargetStatus.BELOW
        assert (trend.recorded, trend.months_below) == (3, 1)
        assert trend.target_text == "96,00%"

    def test_the_province_target_of_the_year_replaces_the_default(self, commune, province, on_time):
        figure(on_time, commune, 1, 93, 100)
        IndicatorTarget.objects.create(indicator=on_time, province=province, year=2026, target=Decimal("0.92"))
        IndicatorTarget.objects.create(indicator=on_time, province=province, year=2025, target=Decimal("0.99"))
        (trend,) = monitoring.unit_trends(commune, 2026, TODAY)
        assert trend.target == Decimal("0.92")
        assert trend.year.status == TargetStatus.MET

    def test_a_past_year_has_twelve_months_and_inactive_indicators_are_left_out(self, commune, on_time, initiatives):
        make_indicator("cu", name="Chỉ số cũ", active=False)
        figure(initiatives, commune, 12, 3, year=2025)
        trends = monitoring.unit_trends(commune, 2025, TODAY)
        assert [t.indicator.code for t in trends] == ["ho_so_dung_han", "sang_kien"]
        count = trends[1]
        assert len(count.months) == 12
        assert count.months[11].text == "3 sáng kiến"
        # A monthly count's year target is twelve times the month's: 3 is below 12.
        assert count.year.target == 12 and count.year.status == TargetStatus.BELOW
        assert trends[0].year.status == TargetStatus.NO_DATA

    def test_it_costs_three_queries_whatever_the_number_of_indicators(
        self, commune, on_time, django_assert_num_queries
    ):
        for i in range(6):
            extra = make_indicator(f"chi_so_{i}", name=f"Chỉ số {i}")
            figure(extra, commune, 3, 5, 10)
        with django_assert_num_queries(3):
            trends = monitoring.unit_trends(commune, 2026, TODAY)
        assert len(trends) == 7


class TestFigureText:
    def test_ratios_in_percent_and_counts_with_their_unit(self, on_time, initiatives):
        assert monitoring.figure_text(on_time, Decimal("0.96543")) == "96,54%"
        assert monitoring.figure_text(on_time, None) == "–"
        assert monitoring.figure_text(initiatives, Decimal(1250)) == "1.250 sáng kiến"
        assert monitoring.figure_text(initiatives, Decimal("2.5")) == "2,5 sáng kiến"


class TestProvinceMatrix:
    def test_which_communes_are_below_on_which_indicators(self, province, commune, other_commune, on_time, initiatives):
        figure(on_time, commune, 1, 90, 100)  # below
        figure(on_time, other_commune, 1, 99, 100)  # met
        figure(initiatives, other_commune, 1, 1)  # 1 of a year's 12: below
        matrix = monitoring.province_matrix(province, 2026)
        by_code = {row.unit.code: row for row in matrix.rows}
        assert [c.status for c in by_code[commune.code].figures] == [TargetStatus.BELOW, TargetStatus.NO_DATA]
        assert [c.status for c in by_code[other_commune.code].figures] == [TargetStatus.MET, TargetStatus.BELOW]
        on_time_summary, count_summary = matrix.summaries
        assert (on_time_summary.met, on_time_summary.below, on_time_summary.no_data) == (1, 1, 0)
        assert (count_summary.met, count_summary.below, count_summary.no_data) == (0, 1, 1)
        assert [r.unit.code for r in matrix.communes_below] == [other_commune.code, commune.code]  # sorted by code

    def test_other_provinces_and_other_years_do_not_count(self, province, commune, on_time):
        from parindex.units.models import AdministrativeUnit

        elsewhere = AdministrativeUnit.objects.create(
            era="current", code="46", name="Thành phố Huế", kind="tp", level=1
        )
        (far,) = bulk_units(elsewhere, 1, prefix="8")
        figure(on_time, far, 1, 10, 100)
        figure(on_time, commune, 1, 10, 100, year=2025)
        matrix = monitoring.province_matrix(province, 2026)
        assert [r.unit.code for r in matrix.rows] == [commune.code]
        assert matrix.rows[0].figures[0].status == TargetStatus.NO_DATA

    @pytest.mark.parametrize("n", [3, 12])
    def test_it_costs_four_queries_for_3_or_12_communes(
        self, province, on_time, initiatives, n, django_assert_num_queries
    ):
        for unit in bulk_units(province, n):
            figure(on_time, unit, 1, 95, 100)
            figure(initiatives, unit, 2, 4)
        with django_assert_num_queries(4):
            matrix = monitoring.province_matrix(province, 2026)
        assert len(matrix.rows) == n and matrix.summaries[0].below == n


# -- pages ---------------------------------------------------------------------------------------


USERS = {
    "officer": lambda c, o, p: user_with_role("cc", Role.COMMUNE_OFFICER, c),
    "viewer": lambda c, o, p: user_with_role("xem", Role.VIEWER, p, include_descendants=True),
    "other": lambda c, o, p: user_with_role("khac", Role.COMMUNE_OFFICER, o),
    "anonymous": lambda c, o, p: None,
}


@pytest.mark.parametrize(("who", "status"), [("officer", 200), ("viewer", 200), ("other", 404), ("anonymous", 302)])
def test_who_sees_a_communes_monitoring(client, province, commune, other_commune, on_time, who, status):
    user = USERS[who](commune, other_commune, province)
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("indicators:unit-monitor", args=[commune.pk])).status_code == status


@pytest.mark.parametrize(("who", "status"), [("officer", 404), ("viewer", 200), ("other", 404), ("anonymous", 302)])
def test_who_sees_the_provinces_monitoring(client, province, commune, other_commune, on_time, who, status):
    user = USERS[who](commune, other_commune, province)
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("indicators:province-monitor", args=[province.pk])).status_code == status


def test_a_province_is_not_a_commune_and_a_commune_not_a_province(client, province, commune):
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    assert client.get(reverse("indicators:unit-monitor", args=[province.pk])).status_code == 404
    assert client.get(reverse("indicators:province-monitor", args=[commune.pk])).status_code == 404


def test_the_commune_page_shows_months_in_colour_with_their_labels_and_a_csv(client, commune, on_time):
    figure(on_time, commune, 1, 97, 100)
    figure(on_time, commune, 2, 90, 100)
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    url = reverse("indicators:unit-monitor", args=[commune.pk])
    page = client.get(url).content.decode()
    assert "Theo dõi chỉ số năm 2026" in page
    assert 'class="num st-below" title="Tháng 2/2026: Chưa đạt chỉ tiêu">90,00%' in page
    assert 'class="num st-met" title="Tháng 1/2026: Đạt chỉ tiêu">97,00%' in page
    assert "1 chỉ số chưa đạt chỉ tiêu" in page
    assert 'id="chart-ho_so_dung_han"' in page
    csv = client.get(url, {"nam": "2026", "tai": "ho_so_dung_han"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tháng,Tử số,Mẫu số")
    assert lines[2].startswith("02/2026,90,100,90")
    assert client.get(url, {"tai": "khong-co"}).status_code == 404


def test_a_year_outside_the_range_falls_back_to_this_year(client, commune, on_time):
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    url = reverse("indicators:unit-monitor", args=[commune.pk])
    assert client.get(url, {"nam": "2099"}).context["year"] == 2026
    assert client.get(url, {"nam": "abc"}).context["year"] == 2026
    assert client.get(url, {"nam": "2025"}).context["year"] == 2025


def test_the_province_page_filters_the_communes_below_target(client, province, commune, other_commune, on_time):
    figure(on_time, commune, 1, 90, 100)
    figure(on_time, other_commune, 1, 99, 100)
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    url = reverse("indicators:province-monitor", args=[province.pk])
    everyone = client.get(url)
    assert [r.unit.code for r in everyone.context["rows"]] == [other_commune.code, commune.code]
    below = client.get(url, {"chua-dat": "1"})
    assert [r.unit.code for r in below.context["rows"]] == [commune.code]
    page = below.content.decode()
    assert "Các xã có chỉ số chưa đạt (1/2)" in page
    assert reverse("indicators:unit-monitor", args=[commune.pk]) in page


# session, user with their grants, the unit, indicators, targets, figures, the years with figures,
# the header's unread notifications
UNIT_PAGE_QUERIES = 8
# session, user with their grants, the province, indicators, targets, communes, sums, notifications
PROVINCE_PAGE_QUERIES = 8


@pytest.mark.parametrize("n", [3, 12])
def test_the_pages_cost_the_same_queries_for_3_and_12(
    client, province, commune, on_time, initiatives, n, django_assert_num_queries
):
    for i in range(n):
        extra = make_indicator(f"chi_so_{i:02d}", name=f"Chỉ số {i}")
        figure(extra, commune, 1 + i % 11, 9, 10)
    for unit in bulk_units(province, n):
        figure(on_time, unit, 1, 95, 100)
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        assert client.get(reverse("indicators:unit-monitor", args=[commune.pk])).status_code == 200
    with django_assert_num_queries(PROVINCE_PAGE_QUERIES):
        response = client.get(reverse("indicators:province-monitor", args=[province.pk]))
    assert response.status_code == 200 and len(response.context["rows"]) == n + 1


def test_the_province_matrix_downloads_as_excel(client, province, commune, other_commune, on_time, initiatives):
    import io

    from openpyxl import load_workbook

    figure(on_time, commune, 1, 90, 100)
    figure(initiatives, other_commune, 1, 13)
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    response = client.get(reverse("indicators:province-monitor", args=[province.pk]), {"nam": "2026", "tai": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="chi-so-theo-doi-2026-tinh-quang-tri.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Theo dõi chỉ số"]
    assert [c.value for c in sheet[4]][:5] == [
        "Mã đơn vị",
        "Xã, phường",
        "Số chỉ số chưa đạt",
        "(1) Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "(2) Số sáng kiến cải cách hành chính",
    ]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5)}
    assert rows[commune.code][2].value == 1
    assert rows[commune.code][3].value == 0.9 and rows[commune.code][3].number_format == "0.00%"
    assert rows[commune.code][3].fill.fgColor.rgb.endswith("FEE2E2")  # below
    assert rows[other_commune.code][4].value == 13  # 13 initiatives meet a year's 12
    assert rows[other_commune.code][4].fill.fgColor.rgb.endswith("D1FAE5")
    summary = [[c.value for c in r] for r in book["Tổng hợp"].iter_rows(min_row=4)]
    assert summary == [
        ["(1)", "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", 0.96, 0, 1, 1],
        ["(2)", "Số sáng kiến cải cách hành chính", 12.0, 1, 0, 1],
    ]


def test_the_commune_office_is_offered_entry_and_import_and_a_viewer_only_the_months(
    client, province, commune, on_time
):
    url = reverse("indicators:unit-monitor", args=[commune.pk])
    entry = reverse("indicators:entry", args=[commune.pk])
    client.force_login(user_with_role("vp", Role.COMMUNE_OFFICE, commune))
    page = client.get(url).content.decode()
    assert f'href="{entry}?nam=2026">Nhập số liệu</a>' in page and "Nạp từ tệp" in page
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    page = client.get(url).content.decode()
    assert f'href="{entry}?nam=2026">Số liệu từng tháng</a>' in page and "Nạp từ tệp" not in page
    assert (
        "Nạp số liệu từ tệp"
        not in client.get(reverse("indicators:province-monitor", args=[province.pk])).content.decode()
    )
