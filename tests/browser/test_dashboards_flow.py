"""The dashboards in a real browser, on the demo data: the province's staff land on the
province dashboard and page the ranking (htmx, the heatmap redrawn), the public sees the
published figures, a commune officer lands on the commune's dashboard, and both dashboards
fit a 360px phone. Every chart must be drawn (none falls back to its failure message);
the screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo, to_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    return AdministrativeUnit.objects.get(era="current", code="44")


def charts_drawn(page) -> int:
    """Wait until every chart on the page is drawn; their number."""
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart]').length > 0 &&"
        " [...document.querySelectorAll('[data-chart]')].every(e => e.dataset.chartReady === '1' || e.classList.contains('chart-failed'))"
    )
    assert page.locator(".chart-failed").count() == 0
    return page.locator("[data-chart-ready='1']").count()


def no_page_overflow(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_province_dashboard(page, live_server, demo, screenshot):
    login(page, live_server, "hoidong", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url(f"**/bang-dieu-khien/tinh/{demo.pk}/")
    assert page.locator("h1").inner_text().startswith("Tổng quan Chỉ số CCHC cấp xã – Tỉnh Quảng Trị")
    assert page.get_by_role("heading", name="Tiến độ kỳ đánh giá").count() == 1
    drawn = charts_drawn(page)
    assert drawn >= 7
    screenshot("dashboard-province")
    # Sort the ranking by name: htmx swaps the table and the heatmap, which is drawn again.
    page.locator("#ranking th a.sort", has_text="Đơn vị").click()
    page.wait_for_url("**sap-xep=ten**")
    page.wait_for_selector("#ranking [data-chart-ready='1']")
    first = page.locator("#ranking tbody tr th").first.inner_text()
    names = page.locator("#ranking tbody tr th").all_inner_texts()
    assert names == sorted(names) and first == names[0]
    assert charts_drawn(page) == drawn
    # A chart's table opens under it.
    page.locator("#chart-linh-vuc-card summary").click()
    assert page.locator("#chart-linh-vuc-card table tbody tr").count() == 7
    screenshot("dashboard-province-table")
    # The heatmap's table is fetched when opened (htmx), sorted as the ranking, inside the window.
    heat = page.locator("#chart-ban-do-nhiet-card")
    heat.locator("summary").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#chart-ban-do-nhiet-card tbody tr').length > 1"
        " || !document.querySelector('#chart-ban-do-nhiet-card tbody a')"
    )
    heat_rows = heat.locator("tbody tr")
    assert heat_rows.count() >= 1 and heat.locator("tbody a", has_text="Xem bảng").count() == 0
    assert heat_rows.first.locator("td").first.inner_text() in names
    no_page_overflow(page)
    assert charts_drawn(page) == drawn  # nothing else was redrawn or lost
    # The public: published figures only.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/bang-dieu-khien/tinh/{demo.pk}/")
    charts_drawn(page)
    assert page.get_by_role("heading", name="Tiến độ kỳ đánh giá").count() == 0
    screenshot("dashboard-province-public")


def test_the_commune_dashboard(page, live_server, demo, screenshot):
    login(page, live_server, "congchuc", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url("**/bang-dieu-khien/xa/*/")
    assert "Xã Nam Cửa Việt" in page.locator("h1").inner_text()
    assert charts_drawn(page) >= 4
    assert page.get_by_role("heading", name="Biện pháp khắc phục đang thực hiện").count() == 1
    screenshot("dashboard-commune")


@pytest.mark.parametrize("who", ["hoidong", "congchuc"])
def test_the_dashboards_fit_a_phone(browser, live_server, demo, who):
    from tests.browser.conftest import SCREENSHOTS

    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    try:
        login(page, live_server, who, DEMO_PASSWORD)
        to_dashboard(page)  # the landing page is the inbox, which links the dashboard
        page.wait_for_url("**/bang-dieu-khien/**")
        charts_drawn(page)
        no_page_overflow(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"dashboard-{'province' if who == 'hoidong' else 'commune'}-phone.png"),
            full_page=True,
        )
    finally:
        context.close()


def test_the_forecast_and_its_what_if(page, live_server, demo, screenshot):
    login(page, live_server, "congchuc", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url("**/bang-dieu-khien/xa/*/")
    page.get_by_role("link", name="Dự báo và mô phỏng điểm").click()
    page.wait_for_url("**/chi-so/du-bao/*/")
    assert "Tổng điểm dự kiến" in page.locator("#what-if").inner_text()
    page.fill("#tc-3\\.10", "35")
    page.get_by_role("button", name="Tính lại").click()
    page.wait_for_url("**tc-3.10=35**")
    page.wait_for_selector("text=Nếu thay đổi như mô phỏng")
    screenshot("forecast-what-if")


def test_indicator_monitoring(page, live_server, demo, screenshot):
    # A commune officer follows the commune's indicators month by month against target.
    login(page, live_server, "congchuc", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url("**/bang-dieu-khien/xa/*/")
    page.get_by_role("link", name="Theo dõi chỉ số").click()
    page.wait_for_url("**/chi-so/xa/*/")
    assert page.locator("h1").inner_text().startswith("Theo dõi chỉ số năm")
    assert page.locator("table.months td.st-met, table.months td.st-below").count() > 0
    assert charts_drawn(page) >= 5
    screenshot("indicators-commune")
    # The province's staff see which communes are below target on which indicators.
    page.context.clear_cookies()
    login(page, live_server, "hoidong", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url(f"**/bang-dieu-khien/tinh/{demo.pk}/")
    page.get_by_role("link", name="Chỉ số theo dõi").click()
    page.wait_for_url(f"**/chi-so/tinh/{demo.pk}/")
    everyone = page.locator("table.months tbody tr").count()
    page.get_by_label("Chỉ các xã có chỉ số chưa đạt").check()
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url("**chua-dat=1**")
    below = page.locator("table.months tbody tr").count()
    assert 0 < below <= everyone
    assert page.locator("table.months tbody tr").first.locator("td.st-below").count() > 0
    screenshot("indicators-province")
