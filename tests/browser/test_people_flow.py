"""People and roles in a real browser, on the demo data: the Sở Nội vụ admin creates an
official from the menu (refused first, with what was typed kept), hands over the temporary
password, grants a second role; the official logs in with it, is held on the password page,
is refused a guessable password in Vietnamese and sets a good one. The pages are checked at
1366 and 360 px wide. Screenshots in artifacts/screenshots/people-*.png."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from parindex.accounts.models import AccountEvent, Role
from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    return AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")


def fits(page) -> bool:
    """No sideways scroll of the page, and every button inside the window."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth + 1 &&
           [...document.querySelectorAll('main button, main .button')].every(b => {
             const r = b.getBoundingClientRect(); return r.width === 0 || (r.left >= 0 && r.right <= window.innerWidth + 1);
           })"""
    )


def test_the_province_admin_creates_an_official_who_then_sets_a_password(page, live_server, demo, screenshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "sonoivu", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Người dùng").click()
    page.wait_for_url("**/tai-khoan/nguoi-dung/")
    assert page.get_by_role("cell", name="congchuc.xakhac").is_visible()
    assert fits(page)
    screenshot("people-list")
    page.get_by_role("link", name="Thêm người dùng").click()
    page.get_by_label("Tên đăng nhập").fill("Nguyễn Văn Bình")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Bình")
    page.get_by_label("Chức vụ").fill("Công chức Tư pháp - Hộ tịch")
    page.get_by_label("Đơn vị công tác").select_option(label="Xã Nam Cửa Việt")
    page.get_by_label("Vai trò đầu tiên").select_option(value=Role.COMMUNE_OFFICER)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_selector("text=Tên đăng nhập chỉ gồm chữ không dấu")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Văn Bình"
    assert page.get_by_label("Đơn vị công tác").locator("option:checked").inner_text() == "Xã Nam Cửa Việt"
    assert not get_user_model().objects.filter(full_name="Nguyễn Văn Bình").exists()
    screenshot("people-new-refused")
    page.get_by_label("Tên đăng nhập").fill("binh.namcuaviet")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_selector("text=Mật khẩu tạm thời của")
    password = page.locator(".temp-password code").inner_text()
    assert len(password) == 14
    assert fits(page)
    screenshot("people-temporary-password")

    page.get_by_role("link", name="Xong, về trang người dùng").click()
    page.get_by_label("Vai trò", exact=True).select_option(value=Role.VIEWER)
    page.get_by_label("Tại đơn vị").select_option(label="Tỉnh Quảng Trị")
    page.get_by_role("button", name="Giao vai trò").click()
    page.wait_for_selector("text=Đã giao vai trò 'Người xem' tại Tỉnh Quảng Trị")
    assert page.get_by_role("cell", name="Người xem", exact=True).is_visible()
    assert page.locator("table.history").get_by_text("Giao vai trò").count() == 2
    assert fits(page)
    screenshot("people-person")
    page.set_viewport_size({"width": 360, "height": 740})
    assert fits(page), "person page at 360 px"
    screenshot("people-person-phone")
    page.goto(f"{live_server.url}/tai-khoan/nguoi-dung/")
    assert fits(page), "people list at 360 px"
    screenshot("people-list-phone")

    user = get_user_model().objects.get(username="binh.namcuaviet")
    assert user.must_change_password and not user.is_staff
    assert list(AccountEvent.objects.filter(user=user).order_by("at", "pk").values_list("action", flat=True)) == [
        "created", "role_granted", "role_granted",
    ]  # fmt: skip

    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "binh.namcuaviet", password)
    page.wait_for_url("**/tai-khoan/doi-mat-khau/")
    assert page.get_by_text("Bạn đang dùng mật khẩu tạm thời").is_visible()
    page.goto(f"{live_server.url}/danh-gia/")
    page.wait_for_url("**/tai-khoan/doi-mat-khau/")
    page.get_by_label("Mật khẩu cũ").fill(password)
    page.get_by_label("Mật khẩu mới", exact=True).fill("Quangtri2026")
    page.get_by_label("Xác nhận mật khẩu mới").fill("Quangtri2026")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.wait_for_selector("text=Mật khẩu này quá dễ đoán")
    screenshot("people-password-refused")
    page.get_by_label("Mật khẩu cũ").fill(password)
    page.get_by_label("Mật khẩu mới", exact=True).fill("Song Thach Han chay qua 7 xa")
    page.get_by_label("Xác nhận mật khẩu mới").fill("Song Thach Han chay qua 7 xa")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.wait_for_url("**/tai-khoan/doi-mat-khau/xong/")
    page.goto(f"{live_server.url}/danh-gia/")
    assert "/danh-gia/" in page.url
    user.refresh_from_db()
    assert not user.must_change_password
