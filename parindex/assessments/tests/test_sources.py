"""Sub-criterion 1.5.3 on the self-assessment page: the figure of last year's remediation plan
shown beside the score, and the button writing it into the answer (``source-apply``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import sources
from parindex.assessments.models import Answer, Assessment, AuditEntry
from parindex.assessments.tests.factories import open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import services as remediation_services
from parindex.remediation.models import Action
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    assign,
    commune_people,
    drafted_plan,
    province_staff,
    published_assessment,
)
from parindex.remediation.workflow import ActionStatus

pytestmark = pytest.mark.django_db

SOURCE = "Kế hoạch khắc phục Chỉ số CCHC năm 2025</a> — hoàn thành đúng hạn 7/9 biện pháp (77,78%)"
BUTTON = "Dùng số liệu này"


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)
    return version


@pytest.fixture
def scene(version, province, commune, other_commune):
    """Nam Cửa Việt carried out its 2025 plan in 2026 (7 of 9 actions done on time); Đông Hà
    published in 2025 but has no plan. Both self-assess 2026."""
    staff = province_staff(province)
    published, _ = published_assessment(
        version, province, [commune, other_commune], staff, appraised=SEED_001, year=2025
    )
    people = commune_people(commune)
    plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 12, 1))
    officer = people["officer"]
    for action in Action.objects.filter(plan=plan).order_by("pk")[:7]:
        remediation_services.action_progress(
            action=action, status=ActionStatus.DONE, result="Đã thực hiện", base_revision=action.revision,
            actor=officer, principal=principal_for(officer),
        )  # fmt: skip
    cycle = open_cycle(province, version, commune, other_commune)
    return {
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        "plan": plan,
        "b_people": commune_people(other_commune, prefix="b."),
        "viewer": user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        **staff,
        **people,
    }


def page(client, user, assessment) -> str:
    client.force_login(user)
    response = client.get(reverse("assessments:assessment-detail", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def apply(client, user, assessment, code="1.5.3"):
    client.force_login(user)
    return client.post(reverse("assessments:source-apply", args=[assessment.pk, code]))


def answer_153(assessment) -> Answer | None:
    return Answer.objects.filter(assessment=assessment, criterion__code="1.5.3").first()


class TestShown:
    def test_the_office_sees_the_plans_figure_beside_the_score_with_a_button(self, client, scene):
        html = page(client, scene["office"], scene["a"])
        assert "Nguồn: <a href=" in html and SOURCE in html
        assert f'href="{reverse("remediation:plan-detail", args=[scene["plan"].pk])}"' in html
        assert html.count(BUTTON) == 1
        assert reverse("assessments:source-apply", args=[scene["a"].pk, "1.5.3"]) in html

    def test_the_figure_is_the_one_the_service_writes(self, scene):
        a = scene["a"]
        spec = framework_version_spec(a.cycle.framework_version)
        (source,) = sources.input_sources(a, spec).values()
        assert (source.code, source.kind, source.inputs) == ("1.5.3", "remediation", {"numerator": 7, "denominator": 9})
        assert not source.matches_answer
        remediation_services.remediation_input_apply(
            assessment=a, actor=scene["office"], principal=principal_for(scene["office"])
        )
        assert sources.input_sources(a, spec)["1.5.3"].matches_answer

    def test_those_who_may_not_apply_see_the_source_without_the_button(self, client, scene):
        assign(scene["a"], "1.5.3", scene["officer"])  # may type the item in, not take the plan's figure
        for who in ("officer", "viewer", "chair"):
            html = page(client, scene[who], scene["a"])
            assert SOURCE in html and BUTTON not in html, who

    def test_a_commune_without_an_approved_plan_sees_no_source(self, client, scene):
        html = page(client, scene["b_people"]["office"], scene["b"])
        assert "Nguồn:" not in html and BUTTON not in html
        # A draft plan does not feed 1.5.3 either.
        b_published = Assessment.objects.get(unit=scene["b"].unit, cycle__year=2025)
        drafted_plan(b_published, scene["b_people"]["office"], due=dt.date(2026, 12, 1))
        assert "Nguồn:" not in page(client, scene["b_people"]["office"], scene["b"])


class TestApply:
    def test_apply_writes_the_inputs_and_explanation_through_the_audited_service(self, client, scene):
        a, office = scene["a"], scene["office"]
        response = apply(client, office, a)
        assert response.status_code == 302 and response["Location"].endswith("#leaf-1.5.3")
        answer = answer_153(a)
        assert answer.inputs == {"numerator": "7", "denominator": "9"}
        assert answer.explanation == (
            "Theo Kế hoạch khắc phục Chỉ số CCHC năm 2025 (đang thực hiện): hoàn thành đúng hạn 7/9 biện pháp."
        )
        entry = AuditEntry.objects.get(assessment=a, criterion__code="1.5.3")
        assert entry.actor == office and entry.new["inputs"] == {"numerator": "7", "denominator": "9"}
        html = client.get(reverse("assessments:assessment-detail", args=[a.pk]), follow=True).content.decode()
        assert "Đã cập nhật tiêu chí 1.5.3." in html
        assert "(đã dùng cho số liệu tự đánh giá)" in html and BUTTON not in html

    def test_a_changed_answer_offers_the_button_again(self, client, scene):
        a, office = scene["a"], scene["office"]
        apply(client, office, a)
        client.post(
            reverse("assessments:answer-save", args=[a.pk, "1.5.3"]),
            {"value_percent": "100", "revision": answer_153(a).revision, "explanation": "Tự ghi"},
        )
        assert answer_153(a).inputs == {"value": "1"}
        assert BUTTON in page(client, office, a)

    def test_without_a_plan_the_office_gets_a_message(self, client, scene):
        response = apply(client, scene["b_people"]["office"], scene["b"])
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert "Chưa có kế hoạch khắc phục được phê duyệt thực hiện trong năm 2026." in html
        assert answer_153(scene["b"]) is None

    # persona -> status: the office and head write it; nobody else (an officer even if given 1.5.3).
    ACCESS = {"office": 302, "head": 302, "officer": 403, "viewer": 403, "chair": 403, "admin": 403, "outsider": 404}

    def test_only_the_office_and_head_may_apply(self, client, scene):
        assign(scene["a"], "1.5.3", scene["officer"])
        scene["outsider"] = scene["b_people"]["office"]
        got = {who: apply(client, scene[who], scene["a"]).status_code for who in self.ACCESS}
        assert got == self.ACCESS
        client.logout()
        assert client.post(reverse("assessments:source-apply", args=[scene["a"].pk, "1.5.3"])).status_code == 302

    def test_only_by_post_and_only_for_a_sourced_item(self, client, scene):
        client.force_login(scene["office"])
        url = reverse("assessments:source-apply", args=[scene["a"].pk, "1.5.3"])
        assert client.get(url).status_code == 405
        assert apply(client, scene["office"], scene["a"], code="1.1.3").status_code == 404
        assert answer_153(scene["a"]) is None

    def test_a_submitted_assessment_is_not_changed(self, client, scene):
        Assessment.objects.filter(pk=scene["a"].pk).update(status=Status.SUBMITTED)
        assert apply(client, scene["office"], scene["a"]).status_code == 403
        assert answer_153(scene["a"]) is None


@pytest.mark.parametrize("who", ["a", "b"])
def test_the_sources_cost_the_page_one_query_each(client, scene, who, django_assert_num_queries):
    """The pinned page (test_views.py, 12 queries) plus one per kind of source: the plan carried
    out in the year and its actions, read together; the unit's indicator figures of the year; the
    unit's late dossiers of the year (``parindex.dossiers``); the 766 index's weeks of the year
    with their components (``parindex.external``, 3.8 and 7.5). Neither evidence here, so its two
    prefetches are not made (12 - 2 + 4)."""
    user = scene["office"] if who == "a" else scene["b_people"]["office"]
    client.force_login(user)
    framework_selectors._CACHE.clear()
    with django_assert_num_queries(13):
        response = client.get(reverse("assessments:assessment-detail", args=[scene[who].pk]))
    assert response.status_code == 200


class TestRowSave:
    """A row saved with htmx reads its own source again, not the others' (their offers have not
    changed): the sources section's item of that row is swapped out of band, nothing else."""

    def save(self, client, scene, code, data):
        client.force_login(scene["office"])
        url = reverse("assessments:answer-save", args=[scene["a"].pk, code])
        return client.post(url, data, headers={"HX-Request": "true"}).content.decode()

    def test_typing_the_offered_figure_marks_the_source_as_used(self, client, scene):
        html = self.save(client, scene, "1.5.3", {"numerator": "7", "denominator": "9"})
        assert 'id="source-item-1.5.3" hx-swap-oob="true"' in html
        assert "(đã dùng cho số liệu tự đánh giá)" in html and BUTTON not in html.split('id="source-item-1.5.3"')[1]
        html = self.save(client, scene, "1.5.3", {"numerator": "6", "denominator": "9", "revision": "1"})
        item = html.split('id="source-item-1.5.3"')[1].split("</li>")[0]
        assert "(đã dùng cho số liệu tự đánh giá)" not in item and BUTTON in item

    def test_a_row_without_a_source_leaves_the_sources_section_alone(self, client, scene):
        html = self.save(client, scene, "1.1.3", {"value_percent": "80"})
        assert "Đã lưu lúc" in html and "source-item" not in html and "nguon-so-lieu" not in html
