"""Indicator figures in a real browser, on the demo data: the commune office types a month's
figure into the grid (htmx), is refused with its input kept, corrects it and sees it saved;
the Sở Nội vụ admin imports a file through the demo's saved mapping, is shown every bad
row with nothing saved, then imports the corrected file. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.indicators.models import ImportBatch, IndicatorValue
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo, to_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLAINTS = "Tỷ lệ phản ánh, kiến nghị được giải quyết"
# Browser tests run on the real clock: last month is always one a figure may be entered for.
LAST = dt.date.today().replace(day=1) - dt.timedelta(days=1)
ON_TIME = "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn"


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    return AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")


def test_the_office_enters_a_month_in_the_grid(page, live_server, demo, screenshot):
    login(page, live_server, "vanphong", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url("**/bang-dieu-khien/xa/*/")
    page.get_by_role("link", name="Theo dõi chỉ số").click()
    page.wait_for_url("**/chi-so/xa/*/")
    page.get_by_role("link", name="Nhập số liệu").click()
    page.wait_for_url("**/chi-so/xa/*/nhap/**")
    page.goto(page.url.split("?")[0] + f"?nam={LAST.year}")
    page.get_by_label(f"Nhập số liệu {COMPLAINTS} tháng {LAST.month}").click()
    form = page.locator("form.ind-form")
    form.wait_for()
    # More resolved than received: refused, the figures typed stay in the form.
    form.locator("input[name=numerator]").fill("12")
    form.locator("input[name=denominator]").fill("10")
    form.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("text=tử số (12) lớn hơn mẫu số (10)")
    assert page.locator("form.ind-form input[name=numerator]").input_value() == "12"
    assert not IndicatorValue.objects.filter(unit=demo, indicator__code="phan_anh_kien_nghi").exists()
    screenshot("indicators-entry-refused")
    page.locator("form.ind-form input[name=denominator]").fill("15")
    page.locator("form.ind-form").get_by_role("button", name="Lưu").click()
    page.wait_for_selector("text=Đã lưu")
    assert "80,00%" in page.locator("td.ind-saved").inner_text()
    saved = IndicatorValue.objects.get(unit=demo, indicator__code="phan_anh_kien_nghi", month=LAST.month)
    assert (saved.numerator, saved.denominator, saved.entered_by.username) == (12, 15, "vanphong")
    screenshot("indicators-entry-saved")


def test_the_province_imports_a_file_all_or_nothing(page, live_server, demo, screenshot, tmp_path):
    province = demo.province
    login(page, live_server, "sonoivu", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/chi-so/tinh/{province.pk}/")
    page.get_by_role("link", name="Nạp số liệu từ tệp").click()
    page.wait_for_url("**/chi-so/nap-tep/**")
    header = "Mã đơn vị,Tên đơn vị,Năm,Tháng,Số hồ sơ đúng hạn,Tổng số hồ sơ\r\n"
    bad = (
        header
        + f"{demo.code},{demo.name},{LAST.year},{LAST.month},50,52\r\n99999,Xã không có,{LAST.year},{LAST.month},5,5\r\n{demo.code},,{LAST.year},13,1,1\r\n"
    )
    before = IndicatorValue.objects.count()

    def send(name: str, body: str) -> None:
        # Choosing the indicator re-renders the mapping field (htmx): let it land before choosing.
        page.get_by_label("Chỉ số").select_option(label=ON_TIME)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#id_mapping option:not([value=''])", state="attached")
        page.locator("#id_mapping").select_option(index=1)
        path = tmp_path / name
        path.write_bytes(body.encode("utf-8"))
        page.get_by_label("Tệp số liệu").set_input_files(str(path))
        page.get_by_role("button", name="Kiểm tra và nạp").click()

    send("mot-cua-loi.csv", bad)
    page.wait_for_selector("text=Chưa nạp tệp mot-cua-loi.csv")
    problems = page.locator(".ind-problems tbody tr")
    assert problems.count() == 2
    assert IndicatorValue.objects.count() == before and not ImportBatch.objects.exists()
    screenshot("indicators-import-refused")
    good = header + f"{demo.code},{demo.name},{LAST.year},{LAST.month},50,52\r\n"
    send("mot-cua.csv", good)
    page.wait_for_selector("text=Đã nạp 1 dòng")
    assert ImportBatch.objects.get().file_name == "mot-cua.csv"
    value = IndicatorValue.objects.get(unit=demo, indicator__code="ho_so_dung_han", year=LAST.year, month=LAST.month)
    assert (value.numerator, value.denominator, value.source) == (50, 52, "import")
    screenshot("indicators-import-done")


def test_the_office_records_a_late_dossier_and_3_6_takes_the_register(page, live_server, demo, screenshot):
    from parindex.assessments.models import Answer, Assessment
    from parindex.dossiers.models import LateDossier

    today = dt.date.today()
    received, due, returned = (today - dt.timedelta(days=d) for d in (9, 6, 2))
    login(page, live_server, "vanphong", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url("**/bang-dieu-khien/xa/*/")
    page.get_by_role("link", name="Hồ sơ trễ hạn").click()
    page.wait_for_url("**/ho-so-tre-han/xa/*/**")
    screenshot("dossiers-register")
    before = LateDossier.objects.filter(unit=demo).count()
    page.get_by_role("link", name="Ghi hồ sơ trễ hạn").click()
    page.fill("input[name=code]", "000.00.19639.H45-TEST-0001")
    page.fill("input[name=procedure]", "Đăng ký kết hôn")
    page.fill("input[name=received_on]", f"{received:%d/%m/%Y}")
    page.fill("input[name=due_on]", f"{due:%d/%m/%Y}")
    page.fill("input[name=resolved_on]", f"{returned:%d/%m/%Y}")
    page.fill("textarea[name=delay_reason]", "Chờ xác minh tình trạng hôn nhân")
    # The letter ticked without its number and date: refused, nothing typed is lost.
    page.check("input[name=apology_issued]")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("[role=alert]")
    assert page.locator("input[name=code]").input_value() == "000.00.19639.H45-TEST-0001"
    assert LateDossier.objects.filter(unit=demo).count() == before
    screenshot("dossiers-form-refused")
    page.fill("input[name=letter_number]", "07/PXL-UBND")
    page.fill("input[name=letter_date]", f"{due:%d/%m/%Y}")
    page.fill("input[name=new_due_on]", f"{returned:%d/%m/%Y}")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("text=000.00.19639.H45-TEST-0001")
    assert LateDossier.objects.filter(unit=demo, apology_issued=True, letter_number="07/PXL-UBND").exists()
    # 3.6 of this year's self-assessment offers the register's share, and takes it on request.
    assessment = Assessment.objects.get(unit=demo, cycle__year=due.year)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    source = page.locator("#source-3\\.6")
    assert "Sổ theo dõi hồ sơ trễ hạn" in source.inner_text()
    source.locator("xpath=following-sibling::form[1]").get_by_role("button", name="Dùng số liệu này").click()
    page.wait_for_selector("#source-3\\.6 >> text=đã dùng cho số liệu tự đánh giá")
    answer = Answer.objects.get(assessment=assessment, criterion__code="3.6")
    register = LateDossier.objects.filter(unit=demo, due_on__year=due.year)
    assert answer.inputs["denominator"] == str(register.count())
    assert answer.inputs["numerator"] == str(register.filter(apology_issued=True).count())


def test_the_pages_fit_a_phone(browser, live_server, demo):
    """Wide tables scroll inside their card, never the page (360px, as on a commune officer's phone)."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    try:
        login(page, live_server, "sonoivu", DEMO_PASSWORD)
        to_dashboard(page)  # the landing page is the inbox, which links the dashboard
        page.wait_for_url("**/bang-dieu-khien/**")
        province = demo.province_id
        for path in (
            f"/chi-so/xa/{demo.pk}/",
            f"/chi-so/xa/{demo.pk}/nhap/",
            f"/chi-so/tinh/{province}/",
            f"/chi-so/tinh/{province}/chi-tieu/",
            f"/chi-so/nap-tep/?tinh={province}",
            f"/ho-so-tre-han/xa/{demo.pk}/",
            f"/ho-so-tre-han/tinh/{province}/",
        ):
            page.goto(live_server.url + path)
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width == [360, 360], path
    finally:
        context.close()
