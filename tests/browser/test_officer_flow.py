"""The commune officer's flow in a real browser: log in, enter values and attach evidence in an
item's row, then the head is refused (the missing items as links) and submits, after confirming."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.accounts.models import Role
from parindex.assessments.models import Answer, Assignment, Evidence
from parindex.assessments.tests.factories import answer_everything, dues_from, open_cycle, user_with_role
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(province, commune, other_commune, reference_spec, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    assessment = open_cycle(province, version, commune, other_commune, dues=dues_from(dt.date.today())).assessments.get(
        unit=commune
    )
    users = {
        "congchuc": user_with_role("congchuc", Role.COMMUNE_OFFICER, commune, full_name="Congchuc"),
        "chutich": user_with_role("chutich", Role.COMMUNE_HEAD, commune, full_name="Chutich"),
        "xakhac": user_with_role("xakhac", Role.COMMUNE_OFFICER, other_commune, full_name="Xakhac"),
    }
    Assignment.objects.create(
        assessment=assessment, criterion=Criterion.objects.get(version=version, code="I"), official=users["congchuc"]
    )
    return {"assessment": assessment, "users": users}


def test_an_officer_enters_values_attaches_evidence_and_the_head_submits(
    page, live_server, scene, screenshot, tmp_path
):
    assessment = scene["assessment"]
    login(page, live_server, "congchuc")
    page.click("text=Hồ sơ đánh giá")
    page.click(f"text={assessment.unit.name}")
    # The officer lands on the field given to them, its first item open.
    assert page.locator("#tab-I").get_attribute("aria-current") == "page"
    assert page.locator("tr.leaf.open").count() == 1
    page.locator("#leaf-1\\.1\\.3 .ws-toggle").click()
    row = page.locator("#leaf-1\\.1\\.3")
    row.locator("input[name=value_percent]").fill("80")
    row.locator("textarea[name=explanation]").fill("Hoàn thành 8/10 nhiệm vụ theo Kế hoạch CCHC")
    row.locator("button", has_text="Lưu").click()
    page.locator("#leaf-1\\.1\\.3 .ws-score", has_text="1,60").wait_for()
    assert "2 × 0,8 = 1,60" in page.locator("#leaf-1\\.1\\.3").inner_text()
    assert "1,60" in page.locator("#score-bar").inner_text()
    # An item of another field is not assigned to this officer: shown, locked, not editable.
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/?tieu-chi=3.13.1")
    assert page.locator("#leaf-3\\.13\\.1 form").count() == 0
    assert "Khóa" in page.locator("#leaf-3\\.13\\.1").inner_text()

    # The evidence is attached from the item's own row.
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/?tieu-chi=1.1.3")
    row = page.locator("#leaf-1\\.1\\.3")
    pdf = tmp_path / "ke-hoach-cchc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    row.locator("input[type=file]").set_input_files(str(pdf))
    row.locator("input[name=title]").fill("Kế hoạch CCHC năm 2026")
    row.locator("input[name=document_number]").fill("12/KH-UBND")
    row.locator("input[name=document_date]").fill("10/01/2026")
    row.locator("button", has_text="Tải lên và gắn").click()
    page.locator("#leaf-1\\.1\\.3 .ws-docs", has_text="Kế hoạch CCHC năm 2026").wait_for()
    assert "ke-hoach-cchc.pdf" in page.locator("#evidence").inner_text()
    screenshot("self-assessment-officer")
    page.locator("#leaf-1\\.1\\.3").scroll_into_view_if_needed()
    screenshot("self-assessment-officer-item", full_page=False)
    assert Answer.objects.get(criterion__code="1.1.3").inputs == {"value": "0.8"}
    assert Evidence.objects.get().document_date == dt.date(2026, 1, 10)

    # The head confirms, is refused, and sees what is missing as links to the rows.
    page.click("text=Đăng xuất")
    login(page, live_server, "chutich")
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    page.locator("summary", has_text="Gửi thẩm định").click()
    page.locator(".confirm-panel button", has_text="Xác nhận gửi thẩm định").click()
    page.locator("#chua-du h2", has_text="Chưa gửi được: còn 52 tiêu chí thành phần chưa đủ.").wait_for()
    assert page.locator("#chua-du li a").count() == 52
    screenshot("self-assessment-submit-blocked", full_page=False)

    # The other officials finish their items; the head submits and the page turns read-only.
    answer_everything(assessment, scene["users"]["chutich"])
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    page.locator("summary", has_text="Gửi thẩm định").click()
    page.locator(".confirm-panel button", has_text="Xác nhận gửi thẩm định").click()
    page.locator("text=Hồ sơ đã chuyển sang: Đã gửi thẩm định.").wait_for()
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/?tieu-chi=1.1.3")
    assert page.locator("#leaf-1\\.1\\.3 form").count() == 0
    assert page.locator("summary", has_text="Rút lại để sửa").count() == 1
    screenshot("self-assessment-submitted", full_page=False)


def test_another_communes_officer_gets_404(page, live_server, scene):
    login(page, live_server, "xakhac")
    response = page.goto(f"{live_server.url}/danh-gia/{scene['assessment'].pk}/")
    assert response.status == 404
