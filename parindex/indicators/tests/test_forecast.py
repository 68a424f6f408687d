"""The open cycle's forecast and what-if: the projection is the engine's score of the projected
inputs (the self-assessment, the appraisal so far, the indicators of the year so far), the
rank is among the cycle's units, and a what-if never writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from parindex import scoring
from parindex.accounts.models import Role
from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, Assessment, AuditEntry
from parindex.assessments.tests.factories import user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators import forecast, projections
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.indicators.services import indicators_load
from parindex.results.tests.factories import bulk_cycle, bulk_units

pytestmark = pytest.mark.django_db

STATES = [Status.DRAFT, Status.SUBMITTED, Status.APPRAISING, Status.APPRAISED]


def make_scene(reference_spec, province, commune, n):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    spec = framework_version_spec(version)
    units = [commune, *bulk_units(province, n - 1)]
    cycle = bulk_cycle(province, version, units, status=lambda i: STATES[i % len(STATES)], year=2026)
    indicators_load()
    figures = {"ho_so_truc_tuyen": (15, 100), "ho_so_dung_han": (97, 100)}  # 15 % online, 97 % on time
    for code, (numerator, denominator) in figures.items():
        indicator = Indicator.objects.get(code=code)
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=indicator, unit=commune, year=2026, month=m, numerator=numerator, denominator=denominator
                )
                for m in range(1, 11)
            ]
        )
    projections.refresh_all(cycle_ids=[cycle.pk])  # loaded in bulk, past the services
    return {"spec": spec, "cycle": cycle, "a": cycle.assessments.get(unit=commune)}


@pytest.fixture
def scene(reference_spec, province, commune):
    return make_scene(reference_spec, province, commune, 8)


def test_the_forecast_is_the_engines_score_of_the_projected_inputs(scene):
    spec, a = scene["spec"], scene["a"]
    result = forecast.forecast(a)
    own = {
        c: to_response(x.inputs)
        for c, x in ((x.criterion.code, x) for x in Answer.objects.filter(assessment=a).select_related("criterion"))
    }
    own["3.10"] = {"numerator": Decimal(150), "denominator": Decimal(1000)}
    own["3.5"] = {"numerator": Decimal(970), "denominator": Decimal(1000)}
    expected = scoring.score(spec, own)
    assert result.from_indicators == {"3.10": "ho_so_truc_tuyen", "3.5": "ho_so_dung_han"}
    assert (result.base.score.total, result.base.score.percent, result.base.score.classification) == (
        expected.total, expected.percent, expected.classification,
    )  # fmt: skip
    assert result.base.score.node("3.10").score == expected.node("3.10").score < 2  # 15 % of a 20 % target
    # The rank among the cycle's units: the others on their self-assessment or appraisal so far.
    others = list(Assessment.objects.filter(cycle=scene["cycle"]).exclude(pk=a.pk).order_by("unit__name"))
    theirs = final_scores_for(others, spec)
    percents = {
        o.pk: (theirs[o.pk].self if o.status in (Status.DRAFT, Status.SUBMITTED) else theirs[o.pk].final).percent
        for o in others
    }
    ahead = sum(p > expected.percent for p in percents.values())
    assert result.base.place.rank == ahead + 1 and result.base.place.of == 8


def test_3_6_is_projected_from_the_register_of_late_dossiers_while_self_assessing(client, scene, commune):
    from parindex.dossiers.tests.factories import bulk_dossiers

    bulk_dossiers(commune, 4, with_letter=3)  # 3 of 4 late dossiers with an apology letter
    submitted = Assessment.objects.filter(cycle=scene["cycle"], status=Status.SUBMITTED).first()
    bulk_dossiers(submitted.unit, 2, with_letter=0)
    mine = forecast.forecast(scene["a"])
    assert mine.from_indicators["3.6"] == forecast.REGISTER
    assert mine.base.inputs["3.6"] == {"numerator": "3", "denominator": "4"}
    expected = scoring.score(scene["spec"], {c: to_response(v) for c, v in mine.base.inputs.items()})
    assert mine.base.score.node("3.6").score == expected.node("3.6").score == Decimal("0.75")
    # A submitted self-assessment stands on what was submitted, whatever the register says since.
    theirs = forecast.forecast(submitted)
    assert "3.6" not in theirs.from_indicators
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    page = client.get(reverse("indicators:forecast", args=[scene["a"].pk])).content.decode()
    assert "Thực hiện xin lỗi người dân" in page and "theo sổ hồ sơ trễ hạn" in page


def test_a_what_if_scores_the_change_and_writes_nothing(client, scene, commune):
    a = scene["a"]
    before = list(Answer.objects.filter(assessment=a).order_by("pk").values_list("inputs", "revision"))
    audits, values = AuditEntry.objects.count(), IndicatorValue.objects.count()
    officer = user_with_role("cc", Role.COMMUNE_OFFICER, commune)
    client.force_login(officer)
    response = client.get(reverse("indicators:forecast", args=[a.pk]) + "?tc-3.10=30")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.changes == {"3.10": {"value": "0.3"}} and not result.problems
    changed = dict(result.base.inputs) | {"3.10": {"value": "0.3"}}
    expected = scoring.score(scene["spec"], {c: to_response(v) for c, v in changed.items()})
    assert result.what_if.score.total == expected.total
    assert result.points_gained == expected.total - result.base.score.total > 0
    assert result.places_gained == result.base.place.rank - result.what_if.place.rank >= 0
    assert "điểm" in response.content.decode() and "+" in response.content.decode()
    # Nothing written: answers, audit trail and indicator figures as they were.
    assert list(Answer.objects.filter(assessment=a).order_by("pk").values_list("inputs", "revision")) == before
    assert (AuditEntry.objects.count(), IndicatorValue.objects.count()) == (audits, values)
    assert client.post(reverse("indicators:forecast", args=[a.pk]) + "?tc-3.10=30").status_code == 405


def test_bad_what_if_figures_are_reported_and_the_forecast_still_shows(client, scene, commune):
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    url = reverse("indicators:forecast", args=[scene["a"].pk])
    response = client.get(url + "?tc-3.10=abc&tc-9.9=1&tc-1.2=2")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["result"].what_if is None
    assert "3.10: “abc” không phải là một tỷ lệ (ví dụ 30 hoặc 30,5)." in html
    assert "Không có tiêu chí 9.9 trong bộ chỉ số." in html
    assert "Tổng điểm dự kiến" in html
    partial = client.get(url + "?tc-3.10=30", headers={"HX-Request": "true", "HX-Target": "what-if"})
    assert "<html" not in partial.content.decode() and 'id="what-if"' in partial.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("viewer", 200), ("other", 404), ("anonymous", 302)],
)
def test_who_sees_the_forecast(client, scene, province, commune, other_commune, who, status):
    users = {
        "officer": lambda: user_with_role("cc", Role.COMMUNE_OFFICER, commune),
        "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "other": lambda: user_with_role("khac", Role.COMMUNE_OFFICER, other_commune),
        "anonymous": lambda: None,
    }
    user = users[who]()
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("indicators:forecast", args=[scene["a"].pk])).status_code == status


# session, user with their grants, the assessment; its answers (a draft has no appraisal to read), the
# indicator figures, the register of late dossiers; where the stored projections of the cycle's
# other units place it and its what-if (one aggregate); the header's unread notifications
FORECAST_QUERIES = 8


@pytest.mark.parametrize("n", [3, 12])
def test_the_forecast_costs_the_same_queries_for_3_and_12_units(
    client, reference_spec, province, commune, n, django_assert_num_queries
):
    scene = make_scene(reference_spec, province, commune, n)
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    with django_assert_num_queries(FORECAST_QUERIES):
        assert (
            client.get(reverse("indicators:forecast", args=[scene["a"].pk]) + "?tc-3.10=30&tc-1.6=2").status_code == 200
        )
