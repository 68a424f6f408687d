"""Remediation in a real browser: the office drafts the plan from the lost points, the head
approves it, the board shows the overdue actions, the province sees every commune's plan."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.frameworks import services as framework_services
from parindex.remediation import services
from parindex.remediation.models import Action, PlanItem
from parindex.remediation.tests.factories import SEED_001, commune_people, province_staff, published_assessment
from parindex.remediation.workflow import DeadlineKind
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(province, commune, other_commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    year = dt.date.today().year - 1  # last year's results, remedied this year
    staff = province_staff(province)
    assessment, _ = published_assessment(
        version, province, [commune, other_commune], staff, year=year,
        per_unit={commune.pk: SEED_001, other_commune.pk: {"1.1.3": ({"value": "0.9"}, "")}},
    )  # fmt: skip
    people = commune_people(commune)
    user_with_role("xem", Role.VIEWER, province, include_descendants=True)
    return {"assessment": assessment, "people": people}


def test_a_plan_is_drafted_approved_and_followed(page, live_server, scene, screenshot, province):
    a, people = scene["assessment"], scene["people"]
    login(page, live_server, "vanphong")
    page.goto(f"{live_server.url}/khac-phuc/ho-so/{a.pk}/phan-tich/")
    text = page.locator("main").inner_text()
    assert "1,60" in text and "0,34" in text and "7,26" in text  # the seed 001 lines and the total loss
    screenshot("remediation-analysis")
    page.click("text=Lập kế hoạch khắc phục")
    page.locator("text=Đã lập dự thảo kế hoạch khắc phục với 9 tiêu chí").wait_for()

    # The rest of the lines are filled in through the services (the page's forms are tested in test_views).
    office = principal_for(people["office"])
    last_week = dt.date.today() - dt.timedelta(days=7)
    for n, item in enumerate(PlanItem.objects.filter(plan__assessment=a).order_by("position")):
        if not item.cause:
            PlanItem.objects.filter(pk=item.pk).update(cause="Chưa quan tâm đúng mức")
        services.action_add(
            item=item, description=f"Biện pháp khắc phục tiêu chí {item.code}", office="Văn phòng - Thống kê",
            official=people["officer"], deadline_kind=DeadlineKind.DATE if n % 3 == 0 else DeadlineKind.YEAR,
            due=last_week if n % 3 == 0 else None, expected_points=item.lost, actor=people["office"], principal=office,
        )  # fmt: skip
    page.reload()
    screenshot("remediation-plan-draft")

    login(page, live_server, "chutich")
    page.goto(f"{live_server.url}/khac-phuc/")
    page.click("text=Xem kế hoạch >> nth=0")
    plan_url = page.url
    page.click("button:has-text('Phê duyệt kế hoạch')")
    page.locator("text=Đã phê duyệt, đang thực hiện >> nth=0").wait_for()

    login(page, live_server, "congchuc")
    page.goto(plan_url.rstrip("/") + "/theo-doi/")
    board = page.locator("main").inner_text()
    assert "Quá hạn" in board  # the actions due last week
    assert Action.objects.filter(plan__assessment=a).count() == 9
    screenshot("remediation-board")

    login(page, live_server, "xem")
    page.goto(f"{live_server.url}/khac-phuc/tinh/{province.pk}/")
    overview = page.locator("main").inner_text()
    assert "Xã Nam Cửa Việt" in overview and "Phường Đông Hà" in overview
    screenshot("remediation-province")
