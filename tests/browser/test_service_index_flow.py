"""The 766 service index in a real browser, on the demo (eight weeks imported by the Sở Nội vụ):
the commune office reaches its trend from its dashboard, the province admin its weekly
leaderboard from the province's; both pages fit 1366 and 360 px and draw their charts."""

from __future__ import annotations

import pytest

from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    return AdministrativeUnit.objects.get(era="current", code="44")


def fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .button, main select, main input')]
            .filter(b => b.offsetParent !== null)
            .filter(b => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth + 1; })
            .map(b => b.outerHTML.slice(0, 80))"""
    )
    assert outside == [], outside


def charts_drawn(page) -> None:
    if page.locator("[data-chart]").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart]')]"
            ".every(e => e.dataset.chartReady === '1' || e.classList.contains('chart-failed'))"
        )
        assert page.locator(".chart-failed").count() == 0


def at_both_widths(page, screenshot, name: str) -> None:
    for width, height in ((1366, 900), (360, 780)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        charts_drawn(page)
        fits(page)
        screenshot(f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_commune_and_the_province_reach_their_766_pages(page, live_server, demo, screenshot):
    commune = AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")
    login(page, live_server, "vanphong", DEMO_PASSWORD)
    page.wait_for_url("**/viec-can-lam/")
    page.goto(f"{live_server.url}/bang-dieu-khien/xa/{commune.pk}/")
    page.click("text=Chỉ số phục vụ (766)")
    page.wait_for_url(f"**/chi-so-ngoai/xa/{commune.pk}/")
    text = page.locator("main").inner_text()
    assert "766" in text and commune.name in text
    at_both_widths(page, screenshot, "service-index-trend")

    login(page, live_server, "sonoivu", DEMO_PASSWORD)
    page.wait_for_url("**/viec-can-lam/")
    page.goto(f"{live_server.url}/bang-dieu-khien/tinh/{demo.pk}/")
    page.click("text=Chỉ số phục vụ (766)")
    page.wait_for_url(f"**/chi-so-ngoai/tinh/{demo.pk}/")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 10
    assert "Nam Cửa Việt" in page.locator("main").inner_text()
    at_both_widths(page, screenshot, "service-index-leaderboard")
