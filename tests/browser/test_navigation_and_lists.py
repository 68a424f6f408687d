"""The menu and the long lists on the demo data, in a real browser.

- At 360 px the header is one line (the brand and a "Menu" button); the button opens the
  links as a list (Escape closes it) and they work; at 1366 px the links sit on one line.
  The skip link is the first thing the keyboard reaches and takes it to the content.
- The list pages (assessments, appraisals, remediation, the register of documents, late
  dossiers, an assessment's history, notifications, the results board) never scroll sideways
  at 360, 768 and 1366 px; below 768 px their rows are cards.
- A filtered list's pager keeps the filters from page to page.
- On the results board, "Thông qua" opens a panel saying what gets locked; Enter in a field
  posts nothing, and only the panel's own button approves.

Pictures: navigation-*.png and lists-*.png at 1366 and 360 px (`make screenshots`: in docs/screenshots/)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.workflow import Status
from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.results.models import Approval
from parindex.results.tests.factories import bulk_units
from parindex.units.models import AdministrativeUnit
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS
HEIGHTS = {1366: 768, 768: 1024, 360: 740}


@pytest.fixture
def demo(settings, tmp_path):
    """The demo, with 60 more communes in this year's cycle so that the lists have pages."""
    seed_demo(settings, tmp_path)
    year = timezone.localdate().year
    cycle = Cycle.objects.select_related("province").get(year=year)
    Assessment.objects.bulk_create([Assessment(cycle=cycle, unit=u) for u in bulk_units(cycle.province, 60, first=900)])
    commune = AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")
    mine = Assessment.objects.get(cycle=cycle, unit=commune)
    return {"cycle": cycle, "province": cycle.province, "commune": commune, "mine": mine}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def size(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})


def sign_in(page, live_server, username: str) -> None:
    login(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: the page is {widths[0]} px wide in a {widths[1]} px window"


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_menu_is_one_line_on_a_phone_and_opens_as_a_list(page, live_server, demo):
    size(page, 360)
    sign_in(page, live_server, "sonoivu")
    page.goto(f"{live_server.url}/danh-gia/")
    header, brand, button = box(page, "header.topbar"), box(page, ".brand"), box(page, "[data-menu-toggle]")
    assert header["height"] <= 64, header  # one line: the brand and the 44 px button
    assert abs((brand["y"] + brand["height"] / 2) - (button["y"] + button["height"] / 2)) < 6
    assert button["height"] >= 44 and button["x"] + button["width"] <= 360
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    assert not menu.is_visible()
    shot(page, "navigation-360")

    page.get_by_role("button", name="Menu").click()
    assert page.locator("[data-menu-toggle]").get_attribute("aria-expanded") == "true"
    links = menu.get_by_role("link")
    names = links.all_inner_texts()
    assert names[0].startswith("Việc cần làm") and names[1:3] == ["Hồ sơ đánh giá", "Thẩm định"]
    assert "Người dùng" in names
    assert "Lê Thị Hạnh" in names and menu.get_by_role("button", name="Đăng xuất").is_visible()
    heights = [links.nth(i).bounding_box()["height"] for i in range(links.count())]
    assert min(heights) >= 44, heights  # touch targets
    tops = [links.nth(i).bounding_box()["y"] for i in range(links.count())]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # a vertical list
    no_sideways_scroll(page, "menu open at 360")
    shot(page, "navigation-360-open")
    page.keyboard.press("Escape")
    assert not menu.is_visible() and page.evaluate("() => document.activeElement.matches('[data-menu-toggle]')")

    page.get_by_role("button", name="Menu").click()
    menu.get_by_role("link", name="Thẩm định").click()
    page.wait_for_url("**/tham-dinh/")
    assert not menu.is_visible()  # a new page starts with the menu closed
    page.get_by_role("button", name="Menu").click()
    menu.get_by_role("link", name="Kết quả công bố").click()
    page.wait_for_url("**/ket-qua/")


def test_the_menu_is_one_line_at_1366_and_the_keyboard_skips_it(page, live_server, demo):
    size(page, 1366)
    sign_in(page, live_server, "sonoivu")
    page.goto(f"{live_server.url}/danh-gia/")
    assert not page.locator("[data-menu-toggle]").is_visible()
    items = page.locator(".mainnav li")
    tops = [items.nth(i).bounding_box()["y"] for i in range(items.count())]
    assert max(tops) - min(tops) < 10, tops  # every link on one line
    assert box(page, "header.topbar")["height"] <= 56
    shot(page, "navigation-1366")

    # The first Tab reaches the skip link, shown with a visible focus ring; Enter goes to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua điều hướng")
    assert skip.evaluate("e => e === document.activeElement") and skip.bounding_box()["y"] >= 0
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "noi-dung"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.closest('main') !== null, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == [True, "solid"]


LIST_PAGES = {
    "thamdinh": [("appraisals", "/tham-dinh/")],
    "sonoivu": [
        ("assessments", "/danh-gia/"),
        ("appraisals-admin", "/tham-dinh/"),
        ("history", "/danh-gia/{mine}/lich-su/"),
        ("dossiers", "/ho-so-tre-han/xa/{commune}/"),
        ("notifications", "/thong-bao/"),
        ("board", "/ket-qua/ky/{cycle}/"),
    ],
    "vanphong": [
        ("remediation", "/khac-phuc/"),
        ("register", "/van-ban/don-vi/{commune}/"),
    ],
}


@pytest.mark.parametrize("width", [360, 768, 1366])
def test_the_lists_never_scroll_sideways(page, live_server, demo, width):
    ids = {"mine": demo["mine"].pk, "commune": demo["commune"].pk, "cycle": demo["cycle"].pk}
    size(page, width)
    for who, pages in LIST_PAGES.items():
        sign_in(page, live_server, who)
        for name, path in pages:
            response = page.goto(live_server.url + path.format(**ids))
            assert response is not None and response.ok, path
            no_sideways_scroll(page, f"{name} at {width}")
            cards = page.locator("table.cards")
            if cards.count() and width < 768:
                assert cards.first.locator("thead").is_hidden(), f"{name}: rows are cards on a phone"
            if width in (360, 1366) and name in {"assessments", "appraisals", "register", "dossiers", "history"}:
                shot(page, f"lists-{name}-{width}")


def test_a_filtered_lists_pager_keeps_the_filters(page, live_server, demo):
    size(page, 1366)
    sign_in(page, live_server, "sonoivu")
    page.goto(f"{live_server.url}/danh-gia/")
    assert page.get_by_text("108 hồ sơ, trang 1/3").is_visible()
    page.get_by_label("Tìm đơn vị").fill("thu nghiem")
    page.get_by_label("Năm", exact=True).select_option(str(demo["cycle"].year))
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**q=thu+nghiem**")
    assert page.get_by_text("60 hồ sơ khớp bộ lọc, trang 1/2").is_visible()
    page.get_by_role("navigation", name="Chuyển trang").get_by_role("link", name="Trang sau ›").click()
    page.wait_for_url("**trang=2**")
    assert "q=thu+nghiem" in page.url and f"nam={demo['cycle'].year}" in page.url
    assert page.get_by_text("60 hồ sơ khớp bộ lọc, trang 2/2").is_visible()
    assert page.locator("table.cards tbody tr").count() == 10
    assert page.get_by_label("Tìm đơn vị").input_value() == "thu nghiem"  # the form shows what is filtered
    page.get_by_role("link", name="‹ Trang trước").click()
    page.wait_for_url("**trang=1**")
    assert "q=thu+nghiem" in page.url


def test_the_results_board_confirms_before_approving(page, live_server, demo):
    cycle = demo["cycle"]
    Assessment.objects.filter(cycle=cycle, status=Status.SUBMITTED).update(status=Status.APPRAISED)
    appraised = Assessment.objects.filter(cycle=cycle, status=Status.APPRAISED).count()
    assert appraised >= 1
    for width in (360, 1366):
        size(page, width)
        sign_in(page, live_server, "hoidong")
        page.goto(f"{live_server.url}/ket-qua/ky/{cycle.pk}/")
        every = page.get_by_label(f"Thông qua cả {appraised} đơn vị đã thẩm định xong của kỳ", exact=False)
        every.check()
        boxes = page.locator("input[name=assessments]")
        assert all(boxes.nth(i).is_disabled() for i in range(boxes.count()))  # not posted one by one
        page.get_by_label("Tên nhóm xếp hạng").fill("Khối xã, phường")
        page.get_by_label("Tên nhóm xếp hạng").press("Enter")  # posts nothing
        page.wait_for_timeout(300)
        assert not Approval.objects.filter(cycle=cycle).exists()
        panel = page.get_by_role("group", name="Xác nhận: Thông qua kết quả")
        assert not panel.is_visible()
        page.locator("summary", has_text="Thông qua kết quả").click()
        assert panel.is_visible()
        assert "bị khóa" in panel.inner_text() and "Không hủy được" in panel.inner_text()
        no_sideways_scroll(page, f"board confirmation at {width}")
        panel.scroll_into_view_if_needed()
        shot(page, f"lists-board-confirm-{width}")
    panel.get_by_role("button", name="Xác nhận thông qua").click()
    page.wait_for_url("**#nhom-*")
    assert page.get_by_text(f"Hội đồng đã thông qua kết quả của {appraised} đơn vị").is_visible()
    approval = Approval.objects.get(cycle=cycle)
    assert approval.name == "Khối xã, phường" and approval.entries.count() == appraised
