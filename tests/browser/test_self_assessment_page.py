"""The self-assessment page on the demo data, in a real browser, as the people who live in it use
it: a commune office on a 1366×768 laptop, the commune head deciding to submit, officials on a
360px phone and a 768px tablet, a ward answering a clarification. The layout is measured, not
only the text: no sideways page scroll, a readable name column, every "Lưu" inside the window,
the score bar in view after scrolling, and a save that changes its row and the figures only.

Screenshots of the page (a field, a row open, the submit refusal) at 1366 and 360px go to
self-assessment-*.png (`make screenshots`: in docs/screenshots/)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from parindex.assessments.models import Answer, Assessment, AuditEntry, Evidence
from parindex.assessments.rules_check import submission_problems
from parindex.assessments.selectors import assessment_score, submission_facts
from parindex.core.templatetags.parindex import vn_score
from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS

# Recorded before any script of the page runs: what the Content-Security-Policy blocks.
WATCH = """
window.__blocked = [];
document.addEventListener('securitypolicyviolation', e => window.__blocked.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 120) : e.target) + ' ' + e.sample));
"""


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    year = timezone.localdate().year
    return {
        "mine": Assessment.objects.get(cycle__year=year, unit__name="Xã Nam Cửa Việt"),
        "asked": Assessment.objects.get(cycle__year=year, status="clarification"),
    }


def open_page(browser, width: int, height: int, *, script: bool = True):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": height}, is_mobile=width < 500, java_script_enabled=script
    )
    page = context.new_page()
    page.add_init_script(WATCH)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems  # type: ignore[attr-defined]
    return page


def sign_in(page, live_server, username: str) -> None:
    """Log in and wait for the landing page (another page: what it logs is not this page's)."""
    login(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    page.wait_for_load_state("networkidle")
    page.problems.clear()


def clean(page) -> None:
    """No CSP violation, no console error, no uncaught exception so far."""
    assert page.evaluate("() => window.__blocked") == []
    assert [p for p in page.problems if "favicon" not in p] == []


def fits(page, where: str) -> None:
    """No sideways page scroll, and every visible "Lưu" button inside the window."""
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1"), where
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('button')]
          .filter(b => b.textContent.trim() === 'Lưu' && b.offsetParent !== null)
          .map(b => { const r = b.getBoundingClientRect(); return [r.left, r.right, innerWidth]; })"""
    )
    assert all(left >= 0 and right <= width + 1 for left, right, width in boxes), (where, boxes)


def settled(page, action) -> None:
    """Run ``action`` and wait until the htmx swap it causes has settled."""
    page.evaluate(
        "() => { window.__settled = false;"
        " document.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, { once: true }); }"
    )
    action()
    page.wait_for_function("() => window.__settled === true")


def row(page, code: str):
    return page.locator(f'[id="leaf-{code}"]')


def rows_html(page) -> dict[str, str]:
    return dict(page.eval_on_selector_all(".ws-table tbody tr", "rs => rs.map(r => [r.id, r.outerHTML])"))


def shoot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret sets style="" on every field, which htmx would then copy
    # onto the fields it swaps in (setAttribute("style"), refused by the policy): a test artefact.
    page.screenshot(path=str(SHOTS / f"self-assessment-{name}.png"), full_page=full_page, caret="initial")


def bar_in_view(page) -> bool:
    return page.evaluate(
        "() => { const r = document.getElementById('score-bar').getBoundingClientRect();"
        " return getComputedStyle(document.getElementById('score-bar')).position === 'sticky'"
        " && r.top >= 0 && r.bottom <= innerHeight && r.height > 0; }"
    )


def test_the_office_works_one_field_at_a_time_on_a_laptop(browser, live_server, demo, tmp_path):
    a = demo["mine"]
    detail = f"{live_server.url}/danh-gia/{a.pk}/"
    page = open_page(browser, 1366, 768)
    sign_in(page, live_server, "vanphong")
    page.goto(detail + "?linh-vuc=I")

    # One field: its tab is current, every row is of field I; the name column is readable.
    assert page.locator("#tab-I").get_attribute("aria-current") == "page"
    codes = [i.removeprefix("leaf-") for i in page.eval_on_selector_all("tr.leaf", "rs => rs.map(r => r.id)")]
    assert codes and all(code.startswith("1.") for code in codes)
    assert page.locator('[id="leaf-1.1.1"] .ws-name').bounding_box()["width"] >= 200
    clean(page)
    assert page.locator(".ws-panel").count() <= 1  # rows are collapsed; at most the next one to do is open
    fits(page, "laptop, field I")
    shoot(page, "desktop-field")

    # A link to a row of another field ("#leaf-7.8", as after "Dùng số liệu này") opens that field at it.
    page.goto(detail + "#leaf-7.8")
    page.wait_for_url("**tieu-chi=7.8#leaf-7.8")
    assert row(page, "7.8").locator(".ws-panel").count() == 1
    assert page.locator("#tab-VII").get_attribute("aria-current") == "page"
    page.goto(detail + "?linh-vuc=I")

    # A row opens in place (htmx) to its inputs, explanation and evidence.
    settled(page, lambda: row(page, "1.1.3").locator(".ws-toggle").click())
    item = row(page, "1.1.3")
    assert item.locator("input[name=value_percent]").is_visible() and item.locator("textarea[name=explanation]").count()
    assert item.locator(".ws-toggle").get_attribute("aria-expanded") == "true"
    fits(page, "laptop, row open")
    clean(page)

    # A save changes its row and the figures, nothing else.
    before, table_rows = rows_html(page), page.locator(".ws-table tr").count()
    summary_rows = page.locator("#summary tr").all_inner_texts()
    side = item.locator(".ws-panel-side").inner_html()
    item.locator("input[name=value_percent]").fill("80")
    item.locator("input[name=numerator]").fill("")
    item.locator("input[name=denominator]").fill("")
    item.locator("textarea[name=explanation]").fill("Hoàn thành 8/10 nhiệm vụ theo Kế hoạch CCHC")
    settled(page, lambda: item.locator("button", has_text="Lưu").click())
    after = rows_html(page)
    assert list(after) == list(before) and page.locator(".ws-table tr").count() == table_rows
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"leaf-1.1.3", "node-1.1", "node-I"} and "leaf-1.1.3" in changed
    # The row's side (its documents and attachment forms) is the one shown before, kept by htmx.
    assert item.locator(".ws-panel-side").inner_html() == side and "Tài liệu kiểm chứng" in side
    assert page.locator("#--htmx-preserve-pantry--").count() == 0
    assert page.locator("#summary tr").count() == len(summary_rows)
    assert [t.split("\t")[0] for t in page.locator("#summary tr").all_inner_texts()] == [
        t.split("\t")[0] for t in summary_rows
    ]
    assert Answer.objects.get(assessment=a, criterion__code="1.1.3").inputs == {"value": "0.8"}
    total = vn_score(assessment_score(a).total)
    assert total in page.locator("#score-bar").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "save-1.1.3"
    assert "Đã lưu" in page.locator("#ws-live").inner_text()
    fits(page, "laptop, after a save")
    item.scroll_into_view_if_needed()
    shoot(page, "desktop-row")

    # The score bar stays in view while scrolling, with the new total.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(100)
    assert bar_in_view(page) and total in page.locator("#score-bar").inner_text()

    # Bad input: a Vietnamese message, what was typed kept, nothing saved.
    item.locator("input[name=value_percent]").fill("tám mươi")
    settled(page, lambda: item.locator("button", has_text="Lưu").click())
    assert "Tỷ lệ phải là một số" in item.locator(".field-error").inner_text()
    assert item.locator("input[name=value_percent]").input_value() == "tám mươi"
    assert Answer.objects.get(assessment=a, criterion__code="1.1.3").inputs == {"value": "0.8"}

    # Someone saved meanwhile (another tab): the stale save shows the stored value and says so.
    answered = Answer.objects.filter(assessment=a, criterion__code__startswith="1.").exclude(criterion__code="1.1.3")
    code = answered.order_by("criterion__position").values_list("criterion__code", flat=True).first()
    other = page.context.new_page()
    other.goto(detail + f"?linh-vuc=I&tieu-chi={code}")
    page.goto(detail + f"?linh-vuc=I&tieu-chi={code}")
    theirs = row(other, code)
    settled(other, lambda: theirs.locator("button", has_text="Lưu").click())  # saves: one revision up
    mine = row(page, code)
    mine.locator("textarea[name=explanation]").fill("Bản của tôi")
    settled(page, lambda: mine.locator("button", has_text="Lưu").click())
    assert "vừa được người khác cập nhật" in mine.locator(".field-error").inner_text()
    assert mine.locator("textarea[name=explanation]").input_value() != "Bản của tôi"
    other.close()

    # Keyboard: a field tab is a link; Enter shows field III, in the URL.
    page.focus("#tab-III")
    settled(page, lambda: page.keyboard.press("Enter"))
    assert "linh-vuc=III" in page.url and page.locator("#tab-III").get_attribute("aria-current") == "page"
    codes = [i.removeprefix("leaf-") for i in page.eval_on_selector_all("tr.leaf", "rs => rs.map(r => r.id)")]
    assert codes and all(code.startswith("3.") for code in codes)
    assert page.evaluate("() => document.activeElement.id") == "tab-III"

    # Filters are links with counts, filtered on the server.
    label = page.locator("#loc-chua-nhap").inner_text()
    count = int(re.search(r"\((\d+)\)", label)[1])
    settled(page, lambda: page.locator("#loc-chua-nhap").click())
    assert "loc=chua-nhap" in page.url and page.locator("tr.leaf").count() == count
    assert set(page.locator("tr.leaf .ws-badge").all_inner_texts()) <= {"Chưa nhập"}

    # Evidence from the row: a new file for this sub-criterion, then that document for another.
    page.goto(detail + "?linh-vuc=I&tieu-chi=1.1.3")
    item = row(page, "1.1.3")
    pdf = tmp_path / "bao-cao-cchc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    if item.locator("details.ws-upload").get_attribute("open") is None:
        item.locator("details.ws-upload summary").click()
    item.locator("input[type=file]").set_input_files(str(pdf))
    item.locator("input[name=title]").fill("Báo cáo kết quả CCHC năm")
    item.locator("input[name=document_number]").fill("45/BC-UBND")
    settled(page, lambda: item.locator("button", has_text="Tải lên và gắn").click())
    assert "Báo cáo kết quả CCHC năm" in row(page, "1.1.3").locator(".ws-docs").inner_text()
    assert "bao-cao-cchc.pdf" in page.locator("#evidence").inner_text()
    settled(page, lambda: row(page, "1.2").locator(".ws-toggle").click())
    linked = row(page, "1.2")
    document = Evidence.objects.get(assessment=a, title="Báo cáo kết quả CCHC năm")
    linked.locator("select[name=tai-lieu]").select_option(str(document.pk))
    settled(page, lambda: linked.locator("button", has_text="Gắn vào tiêu chí này").click())
    assert "Báo cáo kết quả CCHC năm" in row(page, "1.2").locator(".ws-docs").inner_text()
    assert set(document.criteria.values_list("code", flat=True)) == {"1.1.3", "1.2"}
    assert AuditEntry.objects.filter(assessment=a, criterion__code="1.2", new__evidence=document.pk).exists()
    fits(page, "laptop, evidence attached")
    clean(page)

    # Without script: the field is in the URL, a row opens by its link, a save comes back to it.
    bare = open_page(browser, 1366, 768, script=False)
    sign_in(bare, live_server, "vanphong")
    bare.goto(detail + "?linh-vuc=II")
    codes = [i.removeprefix("leaf-") for i in bare.eval_on_selector_all("tr.leaf", "rs => rs.map(r => r.id)")]
    assert codes and all(code.startswith("2.") for code in codes)
    closed = bare.locator("tr.leaf:not(.open)").first
    code = closed.get_attribute("id").removeprefix("leaf-")
    closed.locator(".ws-toggle").click()
    assert f"tieu-chi={code}" in bare.url and row(bare, code).locator(".ws-panel").count() == 1
    assert bare.locator(".ws-panel").count() == 1  # one row open at a time without script
    row(bare, code).locator("textarea[name=explanation]").fill("Theo báo cáo năm của UBND xã")
    row(bare, code).locator("button", has_text="Lưu").click()
    assert f"tieu-chi={code}" in bare.url and row(bare, code).locator(".ws-panel").count() == 1
    assert re.search(
        rf"{re.escape(code)}: |Đã lưu tiêu chí {re.escape(code)}\.", bare.locator(".messages").inner_text()
    )
    bare.context.close()


def test_the_head_confirms_is_refused_with_links_to_the_rows_and_a_ward_answers_a_clarification(
    browser, live_server, demo
):
    a = demo["mine"]
    detail = f"{live_server.url}/danh-gia/{a.pk}/"
    page = open_page(browser, 1366, 768)
    sign_in(page, live_server, "chutich")
    page.goto(detail)

    # The confirmation says what will happen and what gets locked, and nothing is sent before it.
    page.locator("summary", has_text="Gửi thẩm định").click()
    panel = page.locator(".confirm-panel")
    assert panel.is_visible() and "bị khóa" in panel.inner_text() and "Sở Nội vụ" in panel.inner_text()
    a.refresh_from_db()
    assert a.status == "draft"
    shoot(page, "desktop-confirm")

    # Refused: every missing item is a link to its row.
    panel.locator("button", has_text="Xác nhận gửi thẩm định").click()
    page.wait_for_url("**chua-du=1**")
    missing = submission_problems(*submission_facts(a))
    refusal = page.locator("#chua-du")
    assert f"còn {len(missing)} tiêu chí thành phần chưa đủ" in refusal.inner_text()
    assert refusal.locator("li a").count() == len(missing)
    fits(page, "laptop, refusal")
    shoot(page, "desktop-refusal")
    # A link far from the field shown: its field opens, its row open and in view.
    target = missing[-1].code
    refusal.locator("a", has_text=f"{target} ").first.click()
    page.wait_for_url(f"**tieu-chi={target}**")
    field = target.split(".")[0]
    roman = ["I", "II", "III", "IV", "V", "VI", "VII"][int(field) - 1]
    assert page.locator(f"#tab-{roman}").get_attribute("aria-current") == "page"
    opened = row(page, target)
    assert opened.locator(".ws-panel").count() == 1
    box, height = opened.bounding_box(), page.evaluate("innerHeight")
    assert 0 <= box["y"] < height
    assert bar_in_view(page)
    clean(page)

    # Under clarification (Phường Đông Hà): the items asked about, filtered and answered in their row.
    asked = demo["asked"]
    sign_in(page, live_server, "congchuc.xakhac")
    page.goto(f"{live_server.url}/danh-gia/{asked.pk}/?linh-vuc=tat-ca")
    assert "(2)" in page.locator("#loc-giai-trinh").inner_text()
    settled(page, lambda: page.locator("#loc-giai-trinh").click())
    assert page.locator("tr.leaf").count() == 2
    assert page.locator("tr.leaf .ws-badge-asked").all_inner_texts() == ["Có yêu cầu giải trình"] * 2
    first = page.locator("tr.leaf.open").first
    code = first.get_attribute("id").removeprefix("leaf-")
    first.locator("textarea[name=answer]").fill("Bổ sung báo cáo và biên bản kiểm tra.")
    first.locator("button", has_text="Lưu giải trình").click()
    page.wait_for_url(f"**tieu-chi={code}**")
    assert "Đã lưu nội dung giải trình" in page.locator(".messages").inner_text()
    assert row(page, code).locator("textarea[name=answer]").input_value() == "Bổ sung báo cáo và biên bản kiểm tra."
    clean(page)

    # The ward's head is told what sending the answers locks, before anything is sent.
    sign_in(page, live_server, "chutich.xakhac")
    page.goto(f"{live_server.url}/danh-gia/{asked.pk}/")
    page.locator("summary", has_text="Gửi giải trình").click()
    assert "bị khóa" in page.locator(".confirm-panel").inner_text()
    asked.refresh_from_db()
    assert asked.status == "clarification"


@pytest.mark.parametrize(("width", "height"), [(360, 740), (768, 1024)])
def test_phones_and_tablets(browser, live_server, demo, width, height):
    a = demo["mine"]
    detail = f"{live_server.url}/danh-gia/{a.pk}/"
    page = open_page(browser, width, height)
    sign_in(page, live_server, "chutich")
    page.goto(detail + "?linh-vuc=I&tieu-chi=1.1.3")
    fits(page, f"{width}px, row open")
    item = row(page, "1.1.3")
    if width < 768:
        # Cards, not squeezed columns: the header row is hidden, the name takes the card's width.
        assert page.locator(".ws-table thead").bounding_box()["width"] <= 1
        assert item.locator(".ws-name").bounding_box()["width"] >= width * 0.7
        # Touch targets: every control of the open row at least 44px high.
        heights = item.evaluate(
            """r => [...r.querySelectorAll('.ws-panel input:not([type=hidden]):not([type=checkbox]), .ws-panel select,'
                + ' .ws-panel button, .ws-panel textarea, .ws-panel label.check')]
              .filter(e => e.offsetParent !== null).map(e => [e.name || e.textContent.trim(), e.getBoundingClientRect().height])"""
        )
        assert heights and all(h >= 44 for _, h in heights), heights
        item.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")  # the row's top below the score bar
        shoot(page, "phone-row")
        page.evaluate(
            "() => window.scrollBy(0, document.getElementById('workspace').getBoundingClientRect().top - 110)"
        )
        shoot(page, "phone-field")
    else:
        assert item.locator(".ws-name").bounding_box()["width"] >= 200
        item.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -80)")
        shoot(page, "tablet-row")
    item.locator("input[name=value_percent]").fill("75")
    item.locator("input[name=numerator]").fill("")
    item.locator("input[name=denominator]").fill("")
    settled(page, lambda: item.locator("button", has_text="Lưu").click())
    assert Answer.objects.get(assessment=a, criterion__code="1.1.3").inputs == {"value": "0.75"}
    fits(page, f"{width}px, after a save")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(100)
    assert bar_in_view(page), f"{width}px: the score bar scrolled away"

    # The refusal, on the small screen too.
    page.goto(detail)
    page.locator("summary", has_text="Gửi thẩm định").click()
    page.locator(".confirm-panel button", has_text="Xác nhận gửi thẩm định").click()
    page.wait_for_url("**chua-du=1**")
    fits(page, f"{width}px, refusal")
    if width < 768:
        shoot(page, "phone-refusal")
    link = page.locator("#chua-du li a").first
    code = link.inner_text().split(" ")[0]
    link.click()
    page.wait_for_url(f"**tieu-chi={code}**")
    assert row(page, code).locator(".ws-panel").count() == 1
    fits(page, f"{width}px, row from the refusal")
    clean(page)
