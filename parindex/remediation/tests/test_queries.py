"""Query bounds of the tracking pages: the action board costs the same for 5 actions as for
200, the province's overview the same for 3 units as for 30, the progress panel the same
whatever the notes, and the points at stake the same whatever the plan's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.remediation.models import Action, ActionNote, Plan
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    bulk_actions,
    drafted_plan,
    published_assessment,
)
from parindex.results.tests.factories import bulk_units

pytestmark = pytest.mark.django_db


def u(name, *args):
    return reverse(f"remediation:{name}", args=args)


def _plan_with(published, people, n):
    """An approved plan with exactly ``n`` actions (its own nine trimmed or topped up in bulk)."""
    plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 12, 15))
    if n < 9:
        Action.objects.filter(pk__in=list(plan.actions.order_by("-pk").values_list("pk", flat=True)[: 9 - n])).delete()
    else:
        bulk_actions(plan, n - 9, official=people["officer2"])
    assert plan.actions.count() == n
    return plan


# -- the board -----------------------------------------------------------------------------------

# session, user with their grants, plan (with its unit), the actions (with lines, owners and last
# progress date), the header's unread notifications
BOARD_QUERIES = 5
# a filter reads the filtered actions once more
FILTERED_BOARD_QUERIES = BOARD_QUERIES + 1


@pytest.mark.parametrize("n", [5, 200])
@pytest.mark.parametrize("who", ["office", "officer", "chair"])
def test_the_board_costs_the_same_queries_for_5_and_200_actions(
    client, published, people, staff, django_assert_num_queries, n, who
):
    plan = _plan_with(published, people, n)
    client.force_login({**people, **staff}[who])
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(u("action-board", plan.pk))
    assert response.status_code == 200 and len(response.context["lines"]) == n
    forms = response.content.decode().count('name="revision"')
    assert forms == {"office": n, "officer": min(n, 9), "chair": 0}[who]


@pytest.mark.parametrize("n", [5, 200])
def test_the_filtered_board_costs_one_query_more(client, published, people, django_assert_num_queries, n):
    plan = _plan_with(published, people, n)
    client.force_login(people["officer"])
    with django_assert_num_queries(FILTERED_BOARD_QUERIES):
        response = client.get(u("action-board", plan.pk), {"trang-thai": "overdue", "cua-toi": "1"})
    assert response.status_code == 200 and all(line.row.overdue for line in response.context["lines"])


# -- the progress panel and a save ---------------------------------------------------------------

# session, user with their grants, plan, the action, its notes (with their authors), notifications
PANEL_QUERIES = 6
PANEL_HTMX_QUERIES = PANEL_QUERIES - 1  # no page header


@pytest.mark.parametrize("n", [1, 40])
def test_the_progress_panel_costs_the_same_queries_whatever_the_notes(
    client, published, people, django_assert_num_queries, n
):
    plan = _plan_with(published, people, 9)
    action = plan.actions.first()
    ActionNote.objects.bulk_create(
        [ActionNote(action=action, text=f"Lần {i}", on=dt.date(2026, 5, 1), by=people["officer"]) for i in range(n)]
    )
    client.force_login(people["officer"])
    with django_assert_num_queries(PANEL_QUERIES):
        response = client.get(u("action-progress", plan.pk, action.pk))
    assert response.content.decode().count("Lần ") == n
    with django_assert_num_queries(PANEL_HTMX_QUERIES):
        client.get(u("action-progress", plan.pk, action.pk), headers={"HX-Request": "true"})


# session, user with their grants, plan, the action; the service: savepoint, update, note, reread the
# action, release; the row: the action again; the counters: the plan's actions
SAVE_HTMX_QUERIES = 11


@pytest.mark.parametrize("n", [5, 200])
def test_an_htmx_save_costs_the_same_queries_whatever_the_plans_size(
    client, published, people, django_assert_num_queries, n
):
    plan = _plan_with(published, people, n)
    action = plan.actions.filter(official=people["officer"]).first()
    client.force_login(people["officer"])
    with django_assert_num_queries(SAVE_HTMX_QUERIES):
        response = client.post(
            u("action-progress", plan.pk, action.pk),
            {"text": "Đã triển khai", "status": "in_progress", "revision": action.revision},
            headers={"HX-Request": "true"},
        )
    assert "Đã lưu tiến độ." in response.content.decode()


# -- the province's overview ---------------------------------------------------------------------

# session, user with their grants, province, published years, the results, their plans, the plans'
# actions, the header's unread notifications
PROVINCE_QUERIES = 8


@pytest.mark.parametrize("n", [3, 30])
def test_the_province_overview_costs_the_same_queries_for_3_and_30_units(
    client, version, province, staff, django_assert_num_queries, n
):
    units = bulk_units(province, n)
    assessments = published_assessment(version, province, units, staff, appraised=SEED_001, year=2025)
    # One office and one head for every commune of the province, to draft and approve quickly.
    people = {
        "office": user_with_role("vp", Role.COMMUNE_OFFICE, province, include_descendants=True),
        "head": user_with_role("ct", Role.COMMUNE_HEAD, province, include_descendants=True),
    }
    for i, assessment in enumerate(assessments):
        if i % 3 == 0:
            plan = approved_plan(assessment, people, due=dt.date(2026, 6, 30))
            bulk_actions(plan, i)
        elif i % 3 == 1:
            drafted_plan(assessment, people["office"])
    client.force_login(staff["chair"])
    with django_assert_num_queries(PROVINCE_QUERIES):
        response = client.get(u("province-overview", province.pk), {"loc": "qua-han"})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.units == n and summary.approved == len(range(0, n, 3)) == len(response.context["rows"])
    with django_assert_num_queries(PROVINCE_QUERIES):
        response = client.get(u("province-overview", province.pk), {"nam": "2025"})
    assert len(response.context["rows"]) == n


# -- points at stake -----------------------------------------------------------------------------

# session, user with their grants, assessment (with cycle, version and unit), answers, the unit's
# predecessors, last year's results, the plan feeding the year, its items, their actions,
# the header's unread notifications
AT_STAKE_QUERIES = 10
# under appraisal: the appraisers' rounds too
AT_STAKE_APPRAISED_QUERIES = AT_STAKE_QUERIES + 1


@pytest.mark.parametrize("n", [5, 200])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.APPRAISING])
def test_points_at_stake_cost_the_same_queries_whatever_the_plans_size(
    client, version, province, commune, published, people, django_assert_num_queries, n, status
):
    _plan_with(published, people, n)
    (assessment,) = open_cycle(province, version, commune, year=2026).assessments.all()
    answers_bulk(assessment)
    type(assessment).objects.filter(pk=assessment.pk).update(status=status)
    client.force_login(people["head"])
    expected = AT_STAKE_QUERIES if status == Status.DRAFT else AT_STAKE_APPRAISED_QUERIES
    with django_assert_num_queries(expected):
        response = client.get(u("at-stake", assessment.pk))
    assert response.status_code == 200 and response.context["plan"] is not None
    assert sum(len(r.actions) for r in response.context["rows"]) > 0
    assert Plan.objects.count() == 1
