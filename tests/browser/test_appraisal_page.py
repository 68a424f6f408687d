"""The appraisal page on the demo data, in a real browser at 1366×768 and 360×740: no sideways
scroll, names readable, every form's "Lưu" inside the window and its controls 44 px high;
a save changes its own card and the figures, nothing else (the other cards' HTML is
compared), and ticking "Yêu cầu giải trình" brings the request form without a reload;
tử số / mẫu số typed over a percent are taken, a half ratio refused in words; the
clarification request and the finish are confirmed first; the assignment page at both
widths. Pictures of each: appraisal-*.png (`make screenshots` puts them in docs/screenshots/)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parindex.appraisals.models import ClarificationRequest, ItemAppraisal
from parindex.assessments.models import Answer, Assessment, Cycle
from parindex.assessments.workflow import Status
from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS
SIZES = {1366: 768, 360: 740}
# The fields thamdinh.nv appraises in the demo (thamdinh has II, IV, VII).
NV_FIELDS = ("I", "III", "V", "VI")


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    year = timezone.localdate().year
    return {
        "appraising": Assessment.objects.get(cycle__year=year, status=Status.APPRAISING),
        "asked": Assessment.objects.get(cycle__year=year, status=Status.CLARIFICATION),
        "cycle": Cycle.objects.get(year=year),
    }


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"appraisal-{name}.png"), full_page=full_page)


def size(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})


def no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: the page is {widths[0]} px wide in a {widths[1]} px window"


def settled(page, action) -> None:
    """Run ``action`` and wait until the htmx swap it causes has settled."""
    page.evaluate(
        "() => { window.__settled = false;"
        " document.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, { once: true }); }"
    )
    action()
    page.wait_for_function("() => window.__settled === true")


def sign_in(page, live_server, username: str) -> None:
    login(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def card(page, code: str):
    return page.locator(f'[id="item-{code}"]')


def open_forms(page) -> None:
    page.eval_on_selector_all("details.apx-edit", "els => els.forEach(d => { d.open = true; })")


def test_the_page_reads_at_1366_and_at_360(page, live_server, demo):
    a = demo["appraising"]
    sign_in(page, live_server, "thamdinh.nv")
    for width in SIZES:
        size(page, width)
        page.goto(f"{live_server.url}/tham-dinh/{a.pk}/")
        no_sideways_scroll(page, f"{width} px")
        tabs = page.locator(".apx-fields a.apx-tab").all_inner_texts()
        assert [t.split(".")[0].strip() for t in tabs] == list(NV_FIELDS)
        names = page.locator(".apx-name").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
        assert names and min(names) >= (200 if width == 1366 else 280), names
        shot(page, f"field-{width}", full_page=True)
        # Every form of the field open at once: still no sideways scroll, every "Lưu" inside the
        # window, every control at least 44 px high.
        open_forms(page)
        no_sideways_scroll(page, f"{width} px, every form open")
        saves = page.locator(".apx-form button", has_text="Lưu").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
        )
        assert saves and all(left >= 0 and right <= width for left, right in saves), saves
        heights = page.locator(
            ".apx-form input:not([type=hidden]):not([type=checkbox]), .apx-form select, .apx-form textarea,"
            " .apx-form button, .apx-edit > summary, .apx-form label.apx-check"
        ).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        assert min(heights) >= 44, heights
        # One form opened from the keyboard, as an appraiser would.
        page.goto(f"{live_server.url}/tham-dinh/{a.pk}/?linh-vuc=I")
        summary = card(page, "1.1.3").locator("details.apx-edit > summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert card(page, "1.1.3").locator("details.apx-edit").evaluate("d => d.open")
        assert summary.evaluate("e => getComputedStyle(e).outlineStyle") != "none"  # focus visible
        card(page, "1.1.3").scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('item-1.1.3').scrollIntoView({block: 'start'})")
        shot(page, f"open-row-{width}")


def test_a_save_updates_its_card_and_the_figures_and_brings_the_request_form(page, live_server, demo):
    a = demo["appraising"]
    sign_in(page, live_server, "thamdinh.nv")
    size(page, 1366)
    page.goto(f"{live_server.url}/tham-dinh/{a.pk}/")
    page.evaluate("() => { window.__notReloaded = true; }")
    assert page.locator("#request").count() == 0
    others = "els => els.filter(e => e.id !== 'item-1.1.2').map(e => e.outerHTML)"
    before = page.locator("article.apx-item").evaluate_all(others)
    figures = page.locator("#summary .apx-figures").inner_text()
    item = card(page, "1.1.2")
    item.locator("details.apx-edit > summary").click()
    item.locator("select[name=met]").select_option("false")
    item.locator("input[name=needs_clarification]").check()
    item.locator("textarea[name=comment]").fill("Đề nghị gửi quyết định ban hành kế hoạch CCHC năm.")
    settled(page, lambda: item.locator("button", has_text="Lưu").click())
    assert page.evaluate("() => window.__notReloaded === true")
    assert item.locator(".apx-state").inner_text() == "Chờ gửi yêu cầu giải trình"
    assert "0,00" in item.locator(".apx-appraised .apx-score").inner_text()
    assert item.locator("details.apx-edit").evaluate("d => !d.open")
    # The rest of the page is as it was, but for the figures.
    assert page.locator("article.apx-item").evaluate_all(others) == before
    assert page.locator("#summary .apx-figures").inner_text() != figures
    request = page.locator("#request")
    assert request.is_visible() and "1.1.2" in request.inner_text()
    assert request.locator("input[name=deadline]").is_visible()
    request.scroll_into_view_if_needed()
    shot(page, "flagged-1366")

    # Sending it: shown back first with what will happen, then sent.
    deadline = (timezone.localdate() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    page.fill("#id_deadline", deadline)
    page.fill("#id_message", "Đề nghị UBND xã giải trình trước hạn.")
    settled(page, lambda: page.click("text=Xem lại và gửi…"))
    panel = page.locator("#request .confirm-panel")
    assert panel.is_visible()  # opened by itself
    text = panel.inner_text()
    assert f"hạn {deadline}" in text and "1.1.2" in text and "bị khóa" in text
    assert not ClarificationRequest.objects.filter(assessment=a).exists()
    shot(page, "request-confirm-1366")
    size(page, 360)
    no_sideways_scroll(page, "360 px, the request confirmed")
    page.locator("#request").scroll_into_view_if_needed()
    shot(page, "request-confirm-360")
    panel.locator("button", has_text="Gửi yêu cầu giải trình").click()
    page.locator("text=Đã gửi yêu cầu giải trình lần 1").wait_for()
    a.refresh_from_db()
    assert a.status == Status.CLARIFICATION
    assert list(ClarificationRequest.objects.get(assessment=a).items.values_list("criterion__code", flat=True)) == [
        "1.1.2"
    ]
    item = card(page, "1.1.2")
    assert "Chờ đơn vị giải trình" in item.inner_text() and "quyết định ban hành" in item.inner_text()
    for width in SIZES:
        size(page, width)
        item.scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('item-1.1.2').scrollIntoView({block: 'start'})")
        shot(page, f"asked-row-{width}")


def test_a_ratio_over_a_percent_shown_is_taken_and_half_a_ratio_refused_in_words(page, live_server, demo):
    a = demo["appraising"]
    done = set(ItemAppraisal.objects.filter(assessment=a).values_list("criterion__code", flat=True))
    answer = next(
        x
        for x in Answer.objects.filter(assessment=a, criterion__rule_kind="proportional")
        .select_related("criterion")
        .order_by("criterion__position")
        if "value" in x.inputs
        and x.criterion.code not in done
        and x.criterion.code.split(".")[0] in ("1", "3", "5", "6")
    )
    code = answer.criterion.code
    field = {"1": "I", "3": "III", "5": "V", "6": "VI"}[code.split(".")[0]]
    sign_in(page, live_server, "thamdinh.nv")
    for width in SIZES:
        size(page, width)
        page.goto(f"{live_server.url}/tham-dinh/{a.pk}/?linh-vuc={field}")
        item = card(page, code)
        item.locator("details.apx-edit > summary").click()
        if width == 1366:
            assert item.locator("input[name=value_percent]").input_value() != ""  # the unit's percent
        item.locator("input[name=numerator]").fill("7")
        item.locator("input[name=denominator]").fill("10" if width == 1366 else "")
        settled(page, lambda item=item: item.locator("button", has_text="Lưu").click())
        item = card(page, code)
        if width == 1366:
            assert "7/10 (70%)" in item.locator(".apx-appraised").inner_text()
            assert ItemAppraisal.objects.get(assessment=a, criterion__code=code).inputs == {
                "numerator": "7",
                "denominator": "10",
            }
        else:
            error = item.locator(".field-error")
            assert error.is_visible()
            message = error.inner_text()
            assert "Mẫu số: cần ghi cả tử số và mẫu số." in message
            assert not any(word in message for word in ("numerator", "denominator", "value"))
            assert item.locator("input[name=numerator]").input_value() == "7"  # kept as typed
            no_sideways_scroll(page, "360 px, a refused ratio")
            page.evaluate(f"() => document.getElementById('err-{code}').scrollIntoView({{block: 'center'}})")
            shot(page, "ratio-refused-360")


def test_finishing_is_confirmed_first(page, live_server, demo):
    a = demo["appraising"]
    sign_in(page, live_server, "hoidong")
    size(page, 1366)
    page.goto(f"{live_server.url}/tham-dinh/{a.pk}/")
    assert page.locator("text=Chưa hoàn thành thẩm định được").is_visible()
    page.click("text=Thống nhất với tự đánh giá ở")
    page.locator("text=Đã thống nhất với điểm tự đánh giá").wait_for()
    finish = page.locator("#steps details.confirm")
    finish.locator("summary").click()
    panel = finish.locator(".confirm-panel")
    assert panel.is_visible() and "bị khóa" in panel.inner_text() and "Điểm thẩm định cuối" in panel.inner_text()
    a.refresh_from_db()
    assert a.status == Status.APPRAISING  # nothing happened yet
    page.locator("#steps").scroll_into_view_if_needed()
    shot(page, "finish-confirm-1366")
    size(page, 360)
    no_sideways_scroll(page, "360 px, the finish confirmed")
    page.locator("#steps").scroll_into_view_if_needed()
    shot(page, "finish-confirm-360")
    panel.locator("button", has_text="Hoàn thành thẩm định").click()
    page.locator("text=Hồ sơ đã chuyển sang: Đã thẩm định xong").wait_for()
    a.refresh_from_db()
    assert a.status == Status.APPRAISED
    assert page.locator("details.apx-edit").count() == 0  # every score locked


def test_the_assignment_page_at_1366_and_360(page, live_server, demo):
    sign_in(page, live_server, "sonoivu")
    for width in SIZES:
        size(page, width)
        page.goto(f"{live_server.url}/tham-dinh/ky/{demo['cycle'].pk}/phan-cong/")
        no_sideways_scroll(page, f"assignment, {width} px")
        text = page.locator("main").inner_text()
        assert "(21 điểm)" in text and "21.000000" not in text
        boxes = page.locator(".apx-assign-form button, .apx-assign-form select").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.height]; })"
        )
        assert all(left >= 0 and right <= width and height >= 44 for left, right, height in boxes), boxes
        shot(page, f"assignment-{width}", full_page=True)
