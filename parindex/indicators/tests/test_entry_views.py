"""The monthly entry grid of a commune and the form of one month (views.entry, views.value_save):
who sees and who writes, the months offered, a save, a refusal that keeps what was typed, and
a concurrent change that is shown, never overwritten."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import services
from parindex.indicators.entry_views import entry_months, entry_years
from parindex.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from parindex.indicators.tests.factories import login_as, make_indicator, old_commune

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def indicator():
    return make_indicator()


@pytest.fixture
def people(province, commune, other_commune):
    return {
        "office": lambda: user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "head": lambda: user_with_role("chutich", Role.COMMUNE_HEAD, commune),
        "admin": lambda: user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "officer": lambda: user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "appraiser": lambda: user_with_role("thamdinh", Role.APPRAISER, province, include_descendants=True),
        "other": lambda: user_with_role("khac", Role.COMMUNE_OFFICE, other_commune),
        "anonymous": lambda: None,
    }


def entry_url(unit, year=None):
    url = reverse("indicators:entry", args=[unit.pk])
    return f"{url}?nam={year}" if year else url


def save_url(unit, code="ho_so_dung_han", year=2026, month=10):
    return reverse("indicators:value-save", args=[unit.pk, code, year, month])


def store(indicator, unit, month, numerator, denominator=None, user=None, base_revision=None):
    return services.indicator_value_save(
        indicator=indicator,
        unit=unit,
        year=2026,
        month=month,
        numerator=str(numerator),
        denominator=None if denominator is None else str(denominator),
        base_revision=base_revision,
        actor=user,
        principal=principal_for(user),
    )


# -- who sees, who writes -------------------------------------------------------------------------

WRITERS = ("office", "head", "admin")
READERS = ("officer", "viewer")


@pytest.mark.parametrize(
    ("who", "status", "writes"),
    [
        ("office", 200, True),
        ("head", 200, True),
        ("admin", 200, True),
        ("officer", 200, False),
        ("viewer", 200, False),
        ("appraiser", 404, False),
        ("other", 404, False),
        ("anonymous", 302, False),
    ],
)
def test_who_sees_the_entry_grid(client, people, commune, indicator, who, status, writes):
    login_as(client, people, who)
    response = client.get(entry_url(commune))
    assert response.status_code == status
    if status == 200:
        assert (save_url(commune) in response.content.decode()) is writes
        assert ("Bạn được xem số liệu" in response.content.decode()) is not writes


@pytest.mark.parametrize(
    ("who", "status"),
    [
        *((w, 200) for w in WRITERS),
        *((r, 403) for r in READERS),
        ("appraiser", 404),
        ("other", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_open_and_post_a_months_form(client, people, commune, indicator, who, status):
    login_as(client, people, who)
    assert client.get(save_url(commune), **HTMX).status_code == status
    response = client.post(save_url(commune), {"numerator": "97", "denominator": "100"}, **HTMX)
    assert response.status_code == status
    stored = IndicatorValue.objects.filter(indicator=indicator, unit=commune, year=2026, month=10)
    assert stored.exists() is (status == 200)


def test_the_grid_is_get_only(client, people, commune, indicator):
    login_as(client, people, "office")
    assert client.post(entry_url(commune)).status_code == 405


def test_an_unknown_or_inactive_indicator_is_404(client, people, commune, indicator):
    login_as(client, people, "office")
    assert client.get(save_url(commune, code="khong_co")).status_code == 404
    Indicator.objects.filter(pk=indicator.pk).update(active=False)
    assert client.get(save_url(commune)).status_code == 404


def test_a_district_or_province_is_not_a_commune(client, people, province, indicator):
    login_as(client, people, "admin")
    assert client.get(entry_url(province)).status_code == 404


# -- the months offered ---------------------------------------------------------------------------


def test_the_grid_offers_the_months_so_far_of_the_current_year(client, people, commune, indicator):
    login_as(client, people, "office")
    html = client.get(entry_url(commune)).content.decode()
    assert ">T11<" in html and ">T12<" not in html
    for month in range(1, 12):
        assert save_url(commune, month=month) in html
    assert client.get(save_url(commune, month=12)).status_code == 404


def test_a_current_unit_starts_in_july_2025_and_an_old_one_stops_in_june(client, people, commune, indicator):
    login_as(client, people, "office")
    html = client.get(entry_url(commune, 2025)).content.decode()
    assert ">T6<" not in html and ">T7<" in html and ">T12<" in html
    assert client.get(entry_url(commune, 2024)).status_code == 404
    assert client.get(entry_url(commune, 2027)).status_code == 404
    assert client.get(entry_url(commune, "abc")).status_code == 404
    assert client.get(save_url(commune, year=2025, month=6)).status_code == 404

    old = old_commune("19642", "Xã Triệu Trạch", successor=commune)
    html = client.get(entry_url(old)).content.decode()  # its last year by default
    assert "năm 2025" in html and ">T6<" in html and ">T7<" not in html
    assert save_url(old, year=2025, month=6) in html
    assert client.get(save_url(old, year=2025, month=7)).status_code == 404
    assert client.get(entry_url(old, 2026)).status_code == 404
    # The office of the commune it went into enters its old months.
    response = client.post(save_url(old, year=2025, month=6), {"numerator": "40", "denominator": "41"}, **HTMX)
    assert response.status_code == 200 and "40/41" in response.content.decode()
    assert IndicatorValue.objects.get(unit=old).month == 6


def test_the_months_offered_are_exactly_those_the_service_accepts(commune, indicator):
    old = old_commune("19642", "Xã Triệu Trạch", successor=commune)
    today = dt.date(2026, 11, 20)
    for unit in (commune, old):
        years = entry_years(unit, today)
        for year in range(2014, 2028):
            accepted = [m for m in range(1, 13) if not services._entry_problems(indicator, unit, year, m)]
            assert entry_months(unit, year, today) == (accepted if year in years else [])
            assert (year in years) is bool(accepted)


def test_a_yearly_indicator_is_entered_in_december_only(client, people, commune):
    make_indicator("cat_giam_tthc", period=Indicator.Period.YEARLY, name="Tỷ lệ TTHC được đơn giản hóa")
    make_indicator("hai_long", period=Indicator.Period.QUARTERLY, name="Tỷ lệ hài lòng")
    login_as(client, people, "office")
    html = client.get(entry_url(commune, 2025)).content.decode()
    assert save_url(commune, "cat_giam_tthc", 2025, 12) in html
    assert save_url(commune, "cat_giam_tthc", 2025, 11) not in html
    assert save_url(commune, "hai_long", 2025, 9) in html and save_url(commune, "hai_long", 2025, 8) not in html


# -- what a cell shows ----------------------------------------------------------------------------


def test_a_cell_shows_the_figure_its_percent_and_its_status_against_the_target(client, people, commune, indicator):
    office = login_as(client, people, "office")
    store(indicator, commune, 9, 96, 100, office)
    store(indicator, commune, 10, 190, 200, office)
    html = client.get(entry_url(commune)).content.decode()
    assert 'id="o-ho_so_dung_han-9" class="ind-cell ind-met"' in html
    assert "96/100" in html and "96,00%" in html
    assert 'id="o-ho_so_dung_han-10" class="ind-cell ind-below"' in html
    assert "190/200" in html and "95,00%" in html
    assert 'id="o-ho_so_dung_han-8" class="ind-cell ind-no_data"' in html
    assert "≥ 96%" in html


def test_the_provinces_own_target_of_the_year_judges_the_cells(client, people, province, commune, indicator):
    office = login_as(client, people, "office")
    store(indicator, commune, 9, 97, 100, office)
    IndicatorTarget.objects.create(indicator=indicator, province=province, year=2026, target=Decimal("0.98"))
    html = client.get(entry_url(commune)).content.decode()
    assert 'id="o-ho_so_dung_han-9" class="ind-cell ind-below"' in html and "≥ 98%" in html


def test_a_count_shows_its_number(client, people, commune):
    count = make_indicator("sang_kien", kind=Indicator.Kind.COUNT, name="Số sáng kiến CCHC")
    office = login_as(client, people, "office")
    store(count, commune, 3, 2, None, office)
    html = client.get(entry_url(commune)).content.decode()
    assert 'id="o-sang_kien-3" class="ind-cell ind-met"' in html and "<strong>2</strong>" in html


# -- saving ---------------------------------------------------------------------------------------


def test_the_htmx_form_is_the_cell_alone_and_shows_the_stored_figure(client, people, commune, indicator):
    office = login_as(client, people, "office")
    store(indicator, commune, 10, "96,5", 100, office)
    html = client.get(save_url(commune), **HTMX).content.decode()
    assert "<html" not in html and html.strip().startswith('<td id="o-ho_so_dung_han-10"')
    assert 'name="numerator" id="o-ho_so_dung_han-10-tu" value="96,5"' in html
    assert 'name="base_revision" value="1"' in html
    cancel = client.get(save_url(commune) + "?hien=1", **HTMX).content.decode()
    assert "<form" not in cancel and "96,5/100" in cancel


def test_without_htmx_the_page_opens_with_the_months_form(client, people, commune, indicator):
    login_as(client, people, "office")
    response = client.get(save_url(commune))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert f'action="{save_url(commune)}"' in html and html.count('class="ind-form"') == 1


def test_it_saves_a_month_and_rerenders_the_cell(client, people, commune, indicator):
    office = login_as(client, people, "office")
    response = client.post(
        save_url(commune), {"numerator": "96,5", "denominator": "100", "note": "Theo hệ thống"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<form" not in html
    assert "96,5/100" in html and "96,50%" in html and "Đã lưu" in html and "ind-met" in html
    value = IndicatorValue.objects.get(indicator=indicator, unit=commune, year=2026, month=10)
    assert (value.numerator, value.denominator, value.value, value.note, value.revision, value.entered_by) == (
        Decimal("96.5"), Decimal(100), Decimal("0.965"), "Theo hệ thống", 1, office,
    )  # fmt: skip
    # A change states the revision it started from.
    client.post(save_url(commune), {"numerator": "90", "denominator": "100", "base_revision": "1"}, **HTMX)
    value.refresh_from_db()
    assert (value.numerator, value.revision) == (Decimal(90), 2)


def test_without_htmx_a_save_redirects_to_the_grid_with_a_message(client, people, commune, indicator):
    login_as(client, people, "office")
    response = client.post(save_url(commune), {"numerator": "97", "denominator": "100"})
    assert response.status_code == 302
    assert response["Location"] == entry_url(commune, 2026) + "#o-ho_so_dung_han-10"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Đã lưu số liệu 'Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn' tháng 10/2026."
    ]


@pytest.mark.parametrize(
    ("numerator", "denominator", "reason"),
    [
        ("120", "100", "Tử số: tử số (120) lớn hơn mẫu số (100)."),
        ("chín mươi", "100", "Tử số: &#x27;chín mươi&#x27; không phải là số."),
        ("", "100", "Tử số: thiếu số liệu."),
        ("5", "0", "Mẫu số: mẫu số bằng 0 trong khi tử số là 5."),
    ],
)
def test_a_refused_figure_keeps_what_was_typed(client, people, commune, indicator, numerator, denominator, reason):
    login_as(client, people, "office")
    typed = {"numerator": numerator, "denominator": denominator, "note": "Số liệu quý III"}
    response = client.post(save_url(commune), typed, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<form" in html
    assert reason in html and "Chưa lưu" in html
    assert f'name="numerator" id="o-ho_so_dung_han-10-tu" value="{numerator}"' in html
    assert f'name="denominator" id="o-ho_so_dung_han-10-mau" value="{denominator}"' in html
    assert 'value="Số liệu quý III"' in html
    assert not IndicatorValue.objects.exists()


def test_without_htmx_a_refusal_shows_the_grid_with_the_form_and_what_was_typed(client, people, commune, indicator):
    login_as(client, people, "office")
    response = client.post(save_url(commune), {"numerator": "120", "denominator": "100"})
    html = response.content.decode()
    assert response.status_code == 400 and "<html" in html
    assert "lớn hơn mẫu số" in html and 'value="120"' in html


def test_a_stale_revision_shows_the_conflict_and_the_new_figure(client, people, commune, indicator):
    office = login_as(client, people, "office")
    head = people["head"]()
    store(indicator, commune, 10, 90, 100, office)
    form = client.get(save_url(commune), **HTMX).content.decode()
    assert 'name="base_revision" value="1"' in form
    store(indicator, commune, 10, 97, 100, head, base_revision=1)  # the head saves in between

    response = client.post(save_url(commune), {"numerator": "95", "denominator": "100", "base_revision": "1"}, **HTMX)
    html = response.content.decode()
    assert "vừa được người khác cập nhật" in html and "Số liệu của bạn chưa được lưu" in html
    assert "Số liệu đang lưu: <strong>97/100 (97,00%)</strong>" in html and "lần sửa 2" in html
    assert 'value="95"' in html  # what was typed is still there
    assert 'name="base_revision" value="2"' in html  # saving again replaces the head's figure knowingly
    value = IndicatorValue.objects.get()
    assert (value.numerator, value.revision, value.entered_by) == (Decimal(97), 2, head)

    client.post(save_url(commune), {"numerator": "95", "denominator": "100", "base_revision": "2"}, **HTMX)
    value.refresh_from_db()
    assert (value.numerator, value.revision, value.entered_by) == (Decimal(95), 3, office)


def test_a_first_entry_racing_another_is_a_conflict_too(client, people, commune, indicator):
    login_as(client, people, "office")
    store(indicator, commune, 10, 97, 100, people["head"]())
    response = client.post(save_url(commune), {"numerator": "95", "denominator": "100", "base_revision": ""}, **HTMX)
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert IndicatorValue.objects.get().numerator == Decimal(97)


# -- queries --------------------------------------------------------------------------------------

# session, user with their grants, the unit, the active indicators, the province's targets of the year,
# the unit's figures of the year; the header's unread notifications
ENTRY_QUERIES = 7


@pytest.mark.parametrize("n", [3, 8])
def test_the_grid_costs_the_same_queries_for_3_and_8_indicators(
    client, people, province, commune, n, django_assert_num_queries
):
    office = login_as(client, people, "office")
    indicators = [make_indicator(f"chi_so_{i}", name=f"Chỉ số {i}") for i in range(n)]
    for i, indicator in enumerate(indicators):
        IndicatorTarget.objects.create(indicator=indicator, province=province, year=2026, target=Decimal("0.9"))
        for month in range(1, 11):
            store(indicator, commune, month, 90 + i, 100, office)
    with django_assert_num_queries(ENTRY_QUERIES):
        response = client.get(entry_url(commune))
    assert response.status_code == 200
    assert response.content.decode().count('class="ind-open"') == n * 11
