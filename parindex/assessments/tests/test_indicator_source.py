"""Sub-criteria fed by a followed indicator (``source: indicator:<code>``): 3.5 of the reference
framework takes the unit's on-time dossiers rate of the cycle's year. The page shows the
figure beside the score and "Dùng số liệu này" writes it into the answer, audited, so the
commune does not type it twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from parindex import scoring
from parindex.assessments import sources
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, AuditEntry
from parindex.assessments.tests.factories import open_cycle
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators import sources as indicator_sources
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.indicators.services import indicators_load
from parindex.indicators.standard import STANDARD_INDICATORS
from parindex.remediation.tests.factories import commune_people

pytestmark = pytest.mark.django_db

# 10 months of 2026: 96 of 100 dossiers on time each month.
MONTHS = [(m, 96, 100) for m in range(1, 11)]


@pytest.fixture
def scene(reference_spec, province, commune, other_commune):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    spec = framework_version_spec(version)
    indicators_load()
    on_time = Indicator.objects.get(code="ho_so_dung_han")
    for month, numerator, denominator in MONTHS:
        IndicatorValue.objects.create(
            indicator=on_time, unit=commune, year=2026, month=month, numerator=numerator, denominator=denominator
        )
    # Not counted: another year, another unit, a month with nothing to count.
    IndicatorValue.objects.create(indicator=on_time, unit=commune, year=2025, month=12, numerator=1, denominator=50)
    IndicatorValue.objects.create(indicator=on_time, unit=other_commune, year=2026, month=1, numerator=1, denominator=9)
    cycle = open_cycle(province, version, commune, other_commune)
    return {
        "spec": spec,
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        **commune_people(commune),
    }


def test_the_reference_framework_links_the_directive_rates():
    spec = scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))
    linked = {code: indicator_sources.indicator_code(spec, code) for code in sources.source_codes(spec)}
    assert linked == {
        "1.5.3": None,  # the remediation plan, not an indicator
        "3.5": "ho_so_dung_han",
        "3.6": None,  # the register of late dossiers (parindex.dossiers), not an indicator
        "3.7": "so_hoa_ho_so",
        "3.10": "ho_so_truc_tuyen",
        "3.11": "hai_long",
        "7.7": "van_ban_ky_so",
        "3.8": None,  # the 766 service index (parindex.external), not an indicator
        "7.5": None,  # the 766 service index
    }
    ratios = {i["code"] for i in STANDARD_INDICATORS if i.get("kind", "ratio") == "ratio"}
    assert set(linked.values()) - {None} <= ratios


def test_the_year_so_far_is_offered_for_the_linked_leaf_only(scene):
    offers = sources.input_sources(scene["a"], scene["spec"])
    assert set(offers) == {"3.5"}  # no figures for the other linked indicators yet
    offer = offers["3.5"]
    assert offer.inputs == {"numerator": Decimal(960), "denominator": Decimal(1000)}
    assert offer.label == "Chỉ số theo dõi: Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn"
    assert offer.detail == "10 tháng năm 2026: 960/1.000 (96%)"
    assert not offer.matches_answer
    other = sources.input_sources(scene["b"], scene["spec"])["3.5"]
    assert other.inputs == {"numerator": Decimal(1), "denominator": Decimal(9)}


def test_applying_writes_the_figure_scores_it_and_audits_it(client, scene):
    client.force_login(scene["office"])
    url = reverse("assessments:source-apply", args=[scene["a"].pk, "3.5"])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    answer = Answer.objects.get(assessment=scene["a"], criterion__code="3.5")
    assert to_response(answer.inputs) == {"numerator": Decimal(960), "denominator": Decimal(1000)}
    assert "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn" in answer.explanation
    assert "960/1.000 (96%)" in answer.explanation
    # The score is the engine's for those inputs: 96 % reaches the 0,96 tier, 3 of 4 points.
    score = scoring.score(scene["spec"], {"3.5": to_response(answer.inputs)}).node("3.5").score
    assert score == 3
    assert AuditEntry.objects.filter(assessment=scene["a"], criterion__code="3.5").exists()
    html = client.get(reverse("assessments:assessment-detail", args=[scene["a"].pk])).content.decode()
    assert "Chỉ số theo dõi: Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn — 10 tháng năm 2026" in html
    assert "(đã dùng cho số liệu tự đánh giá)" in html


def test_a_leaf_without_figures_is_refused_with_a_message_and_nothing_changes(client, scene):
    client.force_login(scene["office"])
    url = reverse("assessments:source-apply", args=[scene["a"].pk, "3.10"])
    response = client.post(url, follow=True)
    assert "Chưa có số liệu chỉ số theo dõi của năm 2026 cho tiêu chí này." in response.content.decode()
    assert not Answer.objects.filter(assessment=scene["a"], criterion__code="3.10").exists()


def test_another_communes_people_cannot_apply(client, scene, other_commune):
    outsider = commune_people(other_commune, prefix="b.")["office"]
    client.force_login(outsider)
    url = reverse("assessments:source-apply", args=[scene["a"].pk, "3.5"])
    assert client.post(url).status_code == 404
    assert not Answer.objects.filter(assessment=scene["a"], criterion__code="3.5").exists()
