"""Plan pages on one published year, with nothing else arranged (test_views.py shares three
years of results among its tests): the analysis after a merger, an assessment with no result in
force, the official the add form proposes, and the pages' pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.accounts.selectors import principal_for
from parindex.frameworks.models import Criterion
from parindex.remediation import selectors, services
from parindex.remediation.models import Plan
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    bulk_actions,
    commune_people,
    drafted_plan,
    merged_last_year,
    published_assessment,
)

pytestmark = pytest.mark.django_db


def u(name, *args):
    return reverse(f"remediation:{name}", args=args)


def html_of(response):
    return response.content.decode()


def test_the_analysis_names_the_units_compared_after_a_merger(client, version, province, commune, staff, people):
    merged_last_year(version, commune, staff)
    (assessment,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
    client.force_login(people["office"])
    response = client.get(u("analysis", assessment.pk))
    row = next(r for block in response.context["fields"] for r in block.rows if r.loss.code == "1.1.3")
    assert row.previous_lost == Decimal("0.70") and set(row.compared) == {"Xã Triệu Trạch", "Xã Triệu Tân"}
    html = html_of(response)
    assert "0,70" in html and "Xã Triệu Trạch" in html and "Xã Triệu Tân" in html and "Năm 2024" in html


def test_an_assessment_without_a_result_in_force_has_no_analysis(client, version, province, commune, people):
    from parindex.assessments.tests.factories import open_cycle

    (draft_assessment,) = open_cycle(province, version, commune).assessments.all()
    client.force_login(people["office"])
    assert client.get(u("analysis", draft_assessment.pk)).status_code == 404
    response = client.post(u("plan-draft", draft_assessment.pk), follow=True)
    assert "đã được công bố" in html_of(response) and not Plan.objects.exists()


def test_the_add_form_proposes_the_official_the_item_was_given(client, version, province, commune, staff, people):
    from parindex.remediation.tests.factories import assign

    (assessment,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
    assign(assessment, "III", people["officer2"])
    plan = services.plan_draft(assessment=assessment, actor=people["office"], principal=principal_for(people["office"]))
    client.force_login(people["office"])
    response = client.get(u("plan-detail", plan.pk))
    line = next(line for group in response.context["groups"] for line in group.lines if line.item.code == "3.12")
    assert line.add_form.initial["official"] == str(people["officer2"].pk)
    other = next(line for group in response.context["groups"] for line in group.lines if line.item.code == "1.2")
    assert other.add_form.initial["official"] == ""


# -- query counts -------------------------------------------------------------------------------------


def heavy_losses(version):
    """An appraisal that loses points on most sub-criteria."""
    inputs = {
        "binary": {"met": False},
        "proportional": {"value": "0.5"},
        "tiered": {"value": "0.3"},
        "count": {"count": "0"},
        "deduction": {"count": "5"},
        "timeliness": {"days_late": "30"},
        "manual": {"score": "0"},
    }
    return {
        c.code: (inputs[c.rule_kind], f"Nhận xét {c.code}")
        for c in Criterion.objects.filter(version=version).exclude(rule_kind="")
    }


@pytest.fixture
def light_and_heavy(version, province, commune, other_commune, staff, people):
    """The commune with the seed's nine losses, the other commune with losses nearly everywhere."""
    others = commune_people(other_commune, prefix="b.")
    light, heavy = published_assessment(
        version, province, [commune, other_commune], staff, year=2025,
        per_unit={commune.pk: SEED_001, other_commune.pk: heavy_losses(version)},
    )  # fmt: skip
    return light, heavy, others


# Each page: session, user, the user's roles, the unread notifications of the top bar, plus
# - list: results in force of my communes counted by year, the page of them, their plans;
# - analysis: assessment, current result, assignments, successions, last year's results,
#   appraisal comments, the plan;
# - plan (editable): plan, items, actions, the commune's officials, assignments, events;
# - report: plan, items, actions (the completion is counted from the actions read).
LIST_QUERIES = 6
ANALYSIS_QUERIES = 10
DETAIL_QUERIES = 9
REPORT_QUERIES = 6


def test_the_analysis_reads_a_fixed_number_of_queries(client, light_and_heavy, people, django_assert_num_queries):
    light, heavy, others = light_and_heavy
    assert len(selectors.lost_analysis(heavy).losses) > 40
    for assessment, user in ((light, people["office"]), (heavy, others["office"])):
        client.force_login(user)
        with django_assert_num_queries(ANALYSIS_QUERIES):
            assert client.get(u("analysis", assessment.pk)).status_code == 200


def test_the_plan_page_reads_a_fixed_number_of_queries(client, light_and_heavy, people, django_assert_num_queries):
    light, heavy, others = light_and_heavy
    few = drafted_plan(light, people["office"], official=people["officer"])
    many = drafted_plan(heavy, others["office"], official=others["officer"])
    bulk_actions(many, 200, official=others["officer2"])
    assert many.items.count() > 40 and many.actions.count() > 240
    for plan, user in ((few, people["office"]), (many, others["office"])):
        client.force_login(user)
        with django_assert_num_queries(DETAIL_QUERIES):
            assert client.get(u("plan-detail", plan.pk)).status_code == 200


def test_the_report_page_reads_a_fixed_number_of_queries(client, light_and_heavy, people, django_assert_num_queries):
    light, heavy, others = light_and_heavy
    few = approved_plan(light, people, official=people["officer"])
    many = approved_plan(heavy, others, official=others["officer"])
    bulk_actions(many, 200, official=others["officer2"])
    for plan, user in ((few, people["office"]), (many, others["office"])):
        client.force_login(user)
        with django_assert_num_queries(REPORT_QUERIES):
            assert client.get(u("plan-report", plan.pk)).status_code == 200


def test_the_list_reads_a_fixed_number_of_queries(
    client, version, province, commune, staff, people, light_and_heavy, django_assert_num_queries
):
    light, heavy, others = light_and_heavy
    drafted_plan(light, people["office"])
    published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2024)
    client.force_login(people["office"])  # two results, one plan
    with django_assert_num_queries(LIST_QUERIES):
        assert html_of(client.get(u("plan-list"))).count("Phân tích điểm bị mất") == 2
    client.force_login(others["office"])  # one result, no plan
    with django_assert_num_queries(LIST_QUERIES):
        assert html_of(client.get(u("plan-list"))).count("Phân tích điểm bị mất") == 1
