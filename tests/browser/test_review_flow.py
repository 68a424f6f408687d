"""A review of published results (phúc tra) in a real browser, every step by its own role: the
Sở Nội vụ opens the period, the commune head asks for two items with a file, the appraiser
raises one and keeps the other, the council approves, the Sở Nội vụ issues the correcting
decision; the public page shows the new ranks and the old publication marked as corrected,
and the commune that moved down finds it in its notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parindex.core.templatetags.parindex import css_id
from parindex.results.models import Publication
from parindex.reviews.models import ReviewRequest
from parindex.reviews.tests.factories import review_scene
from parindex.reviews.workflow import ReviewStatus
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def scene(province, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return review_scene(province, reference_spec)


def fits(page) -> None:
    """No sideways scroll, and every button inside the window."""
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)"""
    )
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), wide
    outside = page.evaluate(
        """() => [...document.querySelectorAll('main button, main summary')]
            .filter(b => b.offsetParent !== null)
            .filter(b => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth + 1; })
            .map(b => b.textContent.trim())"""
    )
    assert outside == [], outside


def at_both_widths(page, screenshot, name: str) -> None:
    for width, height in ((1366, 900), (360, 780)):
        page.set_viewport_size({"width": width, "height": height})
        fits(page)
        screenshot(f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_review_moves_the_ranks_through_a_correcting_decision(page, live_server, scene, screenshot):
    contested, other = scene.contested.code, scene.other.code
    base = live_server.url

    # The Sở Nội vụ opens the period from the review page.
    login(page, live_server, "sonoivu")
    page.goto(f"{base}/phuc-tra/")
    page.click("text=Khối xã")
    until = timezone.localdate() + dt.timedelta(days=10)
    page.fill("#id_until", until.isoformat())
    page.click("text=Mở nhận đề nghị")
    page.locator(f"text=được đề nghị phúc tra đến hết ngày {until:%d/%m/%Y}").first.wait_for()

    # The commune head asks for two items, one with a report attached; a missing reason is refused first.
    login(page, live_server, "chutich")
    page.goto(f"{base}/phuc-tra/")
    page.click("text=kết quả năm 2026")
    page.check(f"input[name=code][value='{contested}']")
    page.check(f"input[name=code][value='{other}']")
    page.fill(f"textarea[name='reason-{contested}']", "Đơn vị đạt 100 %, có báo cáo kèm theo")
    page.set_input_files(
        f"input[name='file-{contested}']", files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("text=Gửi đề nghị phúc tra")
    page.locator(f"text={other}: ghi lý do đề nghị phúc tra.").wait_for()
    assert page.input_value(f"textarea[name='reason-{contested}']") == "Đơn vị đạt 100 %, có báo cáo kèm theo"
    assert not ReviewRequest.objects.exists()
    page.fill(f"textarea[name='reason-{other}']", "Đề nghị xem lại cách tính")
    page.set_input_files(
        f"input[name='file-{contested}']", files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("text=Gửi đề nghị phúc tra")
    page.locator("text=Đã gửi đề nghị phúc tra 2 tiêu chí").wait_for()
    at_both_widths(page, screenshot, "review-filed")
    review = ReviewRequest.objects.get()

    # The appraiser raises the contested item to 100 % and keeps the other as published.
    login(page, live_server, "thamdinh")  # the request waits in the appraiser's inbox
    page.wait_for_url("**/viec-can-lam/")
    page.click(f"text=đề nghị phúc tra của {scene.units[0].name}")
    page.wait_for_url(f"**/phuc-tra/{review.pk}/")
    items = {i.code: i for i in review.items.all()}
    page.click(f"#tieu-chi-{css_id(contested)} summary")
    page.fill(f"#pct-{items[contested].pk}", "100")
    page.fill(f"#nhan-xet-{items[contested].pk}", "Báo cáo gốc xác nhận đạt 100 %")
    page.locator(f"#tieu-chi-{css_id(contested)} button[type=submit]").click()
    page.locator(f"text=Đã lưu kết quả phúc tra tiêu chí {contested}").wait_for()
    page.click(f"#tieu-chi-{css_id(other)} summary")
    page.fill(f"#nhan-xet-{items[other].pk}", "Giữ nguyên: đã tính đúng")
    page.locator(f"#tieu-chi-{css_id(other)} button[type=submit]").click()
    page.locator(f"text=Đã lưu kết quả phúc tra tiêu chí {other}").wait_for()
    at_both_widths(page, screenshot, "review-reappraised")
    page.click("text=Hoàn thành phúc tra, trình Hội đồng")
    page.locator("text=đã phúc tra, chờ hội đồng").first.wait_for()

    # The council approves.
    login(page, live_server, "hoidong")
    page.goto(f"{base}/phuc-tra/{review.pk}/")
    page.click("text=Thông qua kết quả phúc tra")
    page.locator("text=hội đồng đã thông qua, chờ quyết định đính chính").first.wait_for()

    # The Sở Nội vụ issues the correcting decision from the panel.
    login(page, live_server, "sonoivu")
    page.goto(f"{base}/phuc-tra/cong-bo/{scene.publication.pk}/")
    assert "Điều chỉnh điểm theo kết quả phúc tra" in page.input_value("#id_dc-reason")
    at_both_widths(page, screenshot, "review-correction-form")
    page.fill("#id_dc-decision_number", "170/QĐ-UBND")
    page.fill("#id_dc-decision_date", f"{timezone.localdate():%d/%m/%Y}")
    page.click("text=Ban hành quyết định đính chính")
    page.locator("text=Đã ban hành Quyết định đính chính số 170/QĐ-UBND").wait_for()

    # The public page: the new ranks; the old publication kept and marked.
    corrected = Publication.objects.get(is_current=True)
    page.context.clear_cookies()
    page.goto(f"{base}/ket-qua/{corrected.pk}/")
    ranks = {r.unit_name: (r.rank, r.rank_of) for r in corrected.results.all()}
    assert ranks[scene.units[0].name] == (1, 3) and ranks[scene.units[1].name] == (3, 3)
    first_row = page.locator("table tbody tr").first.inner_text()
    assert scene.units[0].name in first_row
    at_both_widths(page, screenshot, "review-corrected-publication")
    page.goto(f"{base}/ket-qua/{scene.publication.pk}/")
    page.locator("text=Bản công bố này đã được đính chính.").wait_for()
    assert "170/QĐ-UBND" in page.locator(".superseded").inner_text()
    review.refresh_from_db()
    assert review.status == ReviewStatus.CORRECTED

    # The commune that moved down is told.
    login(page, live_server, "chutich1")
    page.goto(f"{base}/thong-bao/")
    page.locator("text=Thứ hạng thay đổi từ 2/3 xuống 3/3 sau đính chính.").first.wait_for()
