"""The "Việc cần làm" landing page in a real browser, on the demo data, for every role: log
in, land on the inbox, open the first task in one click and find its unit (and its item)
there; the page fits a 360px phone without sideways scroll. Screenshots of each role's inbox
at 1366 and 360 px are inbox-<login>-<width>.png (`make screenshots`: in docs/screenshots/)."""

from __future__ import annotations

import re

import pytest

from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS
ROLES = ["vanphong", "congchuc", "chutich", "congchuc.xakhac", "chutich.xakhac", "thamdinh", "hoidong", "sonoivu"]
CODE = re.compile(r"\b(\d+(?:\.\d+)+)\b")


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def first_task(page) -> tuple[str, str, str]:
    """(link text, unit, href) of the inbox's first task."""
    task = page.locator("ol.tasks > li").first
    link = task.locator("a.task-link")
    return link.inner_text(), task.locator(".task-unit").inner_text(), link.get_attribute("href")


def test_every_role_lands_on_its_tasks_and_reaches_the_first_in_one_click(browser, live_server, demo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    phone = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 780}, is_mobile=True)
    page, small = wide.new_page(), phone.new_page()
    try:
        for who in ROLES:
            login(page, live_server, who, DEMO_PASSWORD)
            page.wait_for_url("**/viec-can-lam/")
            assert page.locator("h1").inner_text() == "Việc cần làm"
            assert page.locator("ol.tasks > li").count() >= 1, who
            page.screenshot(path=str(SHOTS / f"inbox-{who}-1366.png"), full_page=True)
            text, unit, href = first_task(page)
            if who in ("congchuc.xakhac", "chutich.xakhac"):
                asked = page.locator("ol.tasks > li", has_text="Trả lời yêu cầu giải trình lần 1")
                assert "(1.1.3, 1.6)" in asked.inner_text() and "Phường Đông Hà" in asked.inner_text()
            page.locator("ol.tasks > li").first.locator("a.task-link").click()
            page.wait_for_load_state()
            assert page.url.startswith(live_server.url + href.split("#")[0].split("?")[0]), (who, page.url, href)
            main = page.locator("main").inner_text()
            # The unit, or for a cycle-wide task its province.
            place = unit.split(" – ")[-1]
            assert place in main, (who, place)
            code = CODE.search(text)
            if code:
                assert code.group(1) in main, (who, code.group(1))
            if "#" in href:
                anchor = href.split("#", 1)[1]
                assert page.locator(f"[id='{anchor}']").count() == 1, (who, anchor)

            login(small, live_server, who, DEMO_PASSWORD)
            small.wait_for_url("**/viec-can-lam/")
            small.locator("ol.tasks").wait_for()
            no_sideways_scroll(small)
            small.screenshot(path=str(SHOTS / f"inbox-{who}-360.png"), full_page=True)
    finally:
        wide.close()
        phone.close()


def test_someone_with_nothing_to_do_gets_the_links(page, live_server, demo):
    login(page, live_server, "xem", DEMO_PASSWORD)
    page.wait_for_url("**/viec-can-lam/")
    assert "Không có việc nào cần làm" in page.locator("main").inner_text()
    page.get_by_role("link", name="Tổng quan Tỉnh Quảng Trị").click()
    page.wait_for_url("**/bang-dieu-khien/tinh/*/")
