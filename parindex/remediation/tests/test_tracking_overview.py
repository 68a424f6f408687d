"""Following plans through the year, on plans each test arranges for itself (test_tracking_views.py
shares one among its tests): progress waits for the plan's approval, overdue flags crossing with
the clock, and the province's overview of its communes' plans."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from parindex.remediation.models import Action, ActionNote
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    commune_people,
    drafted_plan,
    published_assessment,
)
from parindex.results.tests.factories import bulk_units
from tests.shared import FIXED_NOW

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HTMX = {"HX-Request": "true"}
NOW = FIXED_NOW  # the suite's clock


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def u(name, *args):
    return reverse(f"remediation:{name}", args=args)


def _flagged(html):
    return html.count(' trk-overdue">')


def test_progress_waits_for_the_plans_approval(client, published, people):
    plan = drafted_plan(published, people["office"], official=people["officer"])
    action = Action.objects.filter(plan=plan).first()
    client.force_login(people["officer"])
    board = client.get(u("action-board", plan.pk)).content.decode()
    assert "Kế hoạch đang là dự thảo" in board and 'name="revision"' not in board
    html = client.post(
        u("action-progress", plan.pk, action.pk), {"text": "Bắt đầu", "revision": 1}, headers=HTMX
    ).content.decode()
    assert "Chỉ cập nhật tiến độ khi kế hoạch đã được phê duyệt" in html
    assert not ActionNote.objects.exists()


def test_rows_are_flagged_overdue_once_the_due_day_has_passed(client, published, people, clock):
    clock.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
    plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 6, 30))
    clock.move_to(dt.datetime(2026, 6, 30, 17, 0, tzinfo=HCM))
    client.force_login(people["office"])  # sessions end after hours of idleness
    response = client.get(u("action-board", plan.pk))
    assert _flagged(response.content.decode()) == 0 and response.context["completion"].overdue == 0
    clock.move_to(dt.datetime(2026, 7, 1, 7, 30, tzinfo=HCM))
    client.force_login(people["office"])
    response = client.get(u("action-board", plan.pk))
    html = response.content.decode()
    assert _flagged(html) == 9 and response.context["completion"].overdue == 9
    assert html.count("trk-status-overdue") == 9  # a labelled badge, not colour only
    assert all(line.status_label == "Quá hạn" for line in response.context["lines"])


# -- the province's overview ---------------------------------------------------------------------


@pytest.fixture
def province_scene(version, province, commune, other_commune, staff, people, clock):
    """Four units published for 2025: A (the commune) approved, 9 actions overdue; B approved,
    2 overdue, better ranked; C a draft plan; D no plan."""
    c, d = bulk_units(province, 2)
    b_lost = {"1.1.3": SEED_001["1.1.3"], "3.12": SEED_001["3.12"]}
    a, b, c_, d_ = published_assessment(
        version, province, [commune, other_commune, c, d], staff, year=2025,
        per_unit={commune.pk: SEED_001, other_commune.pk: b_lost, c.pk: SEED_001, d.pk: SEED_001},
    )  # fmt: skip
    clock.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
    approved_plan(a, people, official=people["officer"], due=dt.date(2026, 6, 30))
    approved_plan(b, commune_people(other_commune, prefix="b."), due=dt.date(2026, 6, 30))
    drafted_plan(c_, commune_people(c, prefix="c.")["office"], due=dt.date(2026, 6, 30))
    clock.move_to(NOW)
    return {"a": a, "b": b, "c": c_, "d": d_}


def test_the_province_overview_and_its_filters(client, province, staff, province_scene):
    client.force_login(staff["chair"])
    url = u("province-overview", province.pk)
    response = client.get(url)
    rows = response.context["rows"]
    assert [r.state.result.assessment_id for r in rows][0] == province_scene["b"].pk  # by rank
    assert {r.state.result.assessment_id: r.plan_status for r in rows} == {
        province_scene["a"].pk: "approved", province_scene["b"].pk: "approved",
        province_scene["c"].pk: "draft", province_scene["d"].pk: "none",
    }  # fmt: skip
    summary = response.context["summary"]
    assert (summary.units, summary.not_approved, summary.no_plan, summary.draft, summary.approved) == (4, 2, 1, 1, 2)
    assert (summary.with_overdue, summary.actions, summary.overdue) == (2, 20, 11)
    html = response.content.decode()
    assert "Chưa lập kế hoạch" in html and u("analysis", province_scene["d"].pk) in html
    # No approved plan: the draft and the unit without one.
    rows = client.get(url, {"loc": "chua-duyet"}).context["rows"]
    assert {r.state.result.assessment_id for r in rows} == {province_scene["c"].pk, province_scene["d"].pk}
    # Overdue actions, most first whatever the rank; the threshold narrows it.
    rows = client.get(url, {"loc": "qua-han"}).context["rows"]
    assert [(r.state.result.assessment_id, r.overdue) for r in rows] == [
        (province_scene["a"].pk, 9), (province_scene["b"].pk, 2)
    ]  # fmt: skip
    response = client.get(url, {"loc": "qua-han", "nguong": "3"})
    assert [r.overdue for r in response.context["rows"]] == [9] and response.context["summary"].with_overdue == 1
    # The year defaults to the newest published; an unknown year falls back to it.
    assert response.context["year"] == 2025 and client.get(url, {"nam": "1999"}).context["year"] == 2025


def test_the_province_overview_before_anything_is_published(client, province, staff):
    client.force_login(staff["admin"])
    response = client.get(u("province-overview", province.pk))
    assert response.status_code == 200 and "Chưa có kết quả Chỉ số CCHC nào được công bố" in response.content.decode()


def test_a_commune_is_not_a_province(client, commune, staff):
    client.force_login(staff["admin"])
    assert client.get(u("province-overview", commune.pk)).status_code == 404
