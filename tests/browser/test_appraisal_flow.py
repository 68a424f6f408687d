"""The appraisal in a real browser: an appraiser disputes an item (htmx), asks for
clarification, the commune answers, the head sends it back, the item is appraised again."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services
from parindex.appraisals.models import ItemAppraisal, Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.tests.factories import answer_everything, dues_from, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(province, commune, other_commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = open_cycle(province, version, commune, other_commune, dues=dues_from(dt.date.today()))
    a = cycle.assessments.get(unit=commune)
    users = {
        "noivu": appraiser("noivu", province, full_name="Ngô Thị Hoa"),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, commune, full_name="Hoàng Thị Lan"),
        "head": user_with_role("chutich", Role.COMMUNE_HEAD, commune, full_name="Lê Văn Mẫn"),
    }
    answer_everything(a, users["office"])
    assessment_services.assessment_transition(
        assessment=a, to=Status.SUBMITTED, actor=users["head"], principal=principal_for(users["head"])
    )
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=users["noivu"], criteria=list(Criterion.objects.filter(version=version, parent=None)),
        sector=Sector.NOI_VU, actor=users["admin"], principal=principal_for(users["admin"]),
    )  # fmt: skip
    return {"assessment": a, "users": users}


def open_card(page, code: str):
    """The item's card with its form opened in place."""
    card = page.locator(f'[id="item-{code}"]')
    card.locator("details.apx-edit > summary").click()
    return card


def confirm(page, label: str) -> None:
    """Open the confirmation of ``label`` (components/confirm.html) and confirm it."""
    box = page.locator("details.confirm", has=page.locator("summary", has_text=label)).first
    if not box.evaluate("d => d.open"):
        box.locator("summary").click()
    box.locator(".confirm-panel button[type=submit]").click()


def test_an_item_is_disputed_clarified_and_appraised_again(page, live_server, scene, screenshot):
    a = scene["assessment"]
    login(page, live_server, "noivu")
    page.click("text=Thẩm định")
    page.click("text=Thẩm định >> nth=-1")  # the unit's link in the list
    row = open_card(page, "1.1.3")
    row.locator("input[name=value_percent]").fill("70")
    row.locator("textarea[name=comment]").fill("Báo cáo chỉ chứng minh 7/10 nhiệm vụ; đề nghị giải trình.")
    row.locator("input[name=needs_clarification]").check()
    row.locator("button", has_text="Lưu").click()
    page.locator('[id="item-1.1.3"] .apx-appraised', has_text="1,40").wait_for()
    assert "90,06" in page.locator("#summary").inner_text()  # 90,46 self − 0,40 on 1.1.3
    assert "1.1.3" in page.locator("#request").inner_text()  # the request form, without a reload
    page.click("text=Thống nhất với tự đánh giá ở")
    page.locator("text=Đã thống nhất với điểm tự đánh giá của 52").wait_for()
    screenshot("appraisal-appraiser")
    screenshot("appraisal-appraiser-top", full_page=False)
    page.fill("#id_deadline", (dt.date.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y"))
    page.click("text=Xem lại và gửi…")
    confirm(page, "Gửi yêu cầu giải trình")
    page.locator("text=Đã gửi yêu cầu giải trình lần 1").wait_for()

    login(page, live_server, "vanphong")
    page.goto(f"{live_server.url}/danh-gia/{a.pk}/")
    panel = page.locator("#clarification")
    assert "đề nghị giải trình" in panel.inner_text()
    panel.locator("textarea[name=answer]").fill("Bổ sung báo cáo: 8/10 nhiệm vụ hoàn thành, kèm biên bản kiểm tra.")
    panel.locator("button", has_text="Lưu giải trình").click()
    page.locator("text=Đã lưu nội dung giải trình").wait_for()
    screenshot("clarification-commune")
    page.locator("#clarification").scroll_into_view_if_needed()
    screenshot("clarification-commune-panel", full_page=False)

    login(page, live_server, "chutich")
    page.goto(f"{live_server.url}/danh-gia/{a.pk}/")
    if page.locator("details.confirm summary", has_text="Gửi giải trình").count():
        confirm(page, "Gửi giải trình")  # the commune's own page confirms it first
    else:
        page.click("text=Gửi giải trình")
    page.locator("text=Đã giải trình, chờ thẩm định lại >> nth=0").wait_for()

    login(page, live_server, "noivu")
    page.goto(f"{live_server.url}/tham-dinh/{a.pk}/")
    page.wait_for_url(f"**/tham-dinh/{a.pk}/")
    assert "1 cần thẩm định lại" in page.locator("#summary").inner_text()
    assert "Bổ sung báo cáo" in page.locator('[id="item-1.1.3"]').inner_text()
    row = open_card(page, "1.1.3")
    row.locator("input[name=value_percent]").fill("80")
    row.locator("button", has_text="Lưu").click()
    page.locator('[id="item-1.1.3"] .apx-appraised', has_text="1,60").wait_for()
    confirm(page, "Hoàn thành thẩm định")
    page.locator("text=Hồ sơ đã chuyển sang: Đã thẩm định xong").wait_for()
    screenshot("appraisal-finished")
    a.refresh_from_db()
    assert a.status == Status.APPRAISED
    assert ItemAppraisal.objects.get(assessment=a, criterion__code="1.1.3", round=2).inputs == {"value": "0.8"}
