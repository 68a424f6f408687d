"""Sub-criterion 3.6 fed by the register (``source: dossiers:apology``): the self-assessment page
offers the late dossiers of the cycle's year with an apology letter over the late dossiers, and
"Dùng số liệu này" writes it through the audited answer service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from parindex import scoring
from parindex.accounts.selectors import principal_for
from parindex.assessments import sources
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, AuditEntry
from parindex.assessments.tests.factories import open_cycle
from parindex.dossiers import selectors
from parindex.dossiers.services import late_dossier_input_apply
from parindex.dossiers.tests.factories import NO_LETTER, bulk_dossiers, late_dossier
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.indicators.services import indicators_load
from parindex.remediation.tests.factories import commune_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(reference_spec, province, commune, other_commune):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    spec = framework_version_spec(version)
    bulk_dossiers(commune, 3, with_letter=2)  # 2026: 2 of 3 with a letter
    # Not counted: another year (due in 2025), another unit.
    late_dossier(
        commune, code="2025", received_on=dt.date(2025, 12, 1), due_on=dt.date(2025, 12, 10),
        resolved_on=dt.date(2025, 12, 15), **NO_LETTER,
    )  # fmt: skip
    bulk_dossiers(other_commune, 5, with_letter=5)
    cycle = open_cycle(province, version, commune, other_commune)
    return {
        "spec": spec,
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        **commune_people(commune),
    }


def test_the_reference_framework_feeds_36_from_the_register():
    spec = scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))
    assert sources.source_codes(spec)["3.6"] == "dossiers"
    assert spec.node("3.6").rule.kind == "proportional"


def test_the_years_share_is_offered_for_36(scene):
    offer = sources.input_sources(scene["a"], scene["spec"])["3.6"]
    assert (offer.kind, offer.inputs) == ("dossiers", {"numerator": 2, "denominator": 3})
    assert offer.label == "Sổ theo dõi hồ sơ trễ hạn năm 2026"
    assert offer.detail == "có thư xin lỗi 2/3 hồ sơ trễ hạn (66,67%)"
    assert offer.url == reverse("dossiers:unit-list", args=[scene["a"].unit_id]) + "?nam=2026"
    assert not offer.matches_answer
    assert sources.input_sources(scene["b"], scene["spec"])["3.6"].inputs == {"numerator": 5, "denominator": 5}


def test_applying_writes_the_share_through_the_answer_service_and_audits_it(client, scene):
    client.force_login(scene["office"])
    response = client.post(reverse("assessments:source-apply", args=[scene["a"].pk, "3.6"]))
    assert response.status_code == 302 and response["Location"].endswith("#leaf-3.6")
    answer = Answer.objects.get(assessment=scene["a"], criterion__code="3.6")
    assert answer.inputs == {"numerator": "2", "denominator": "3"}
    assert answer.explanation == "Theo sổ theo dõi hồ sơ trễ hạn năm 2026: có thư xin lỗi 2/3 hồ sơ trễ hạn (66,67%)."
    entry = AuditEntry.objects.get(assessment=scene["a"], criterion__code="3.6")
    assert entry.actor == scene["office"] and entry.new["inputs"] == {"numerator": "2", "denominator": "3"}
    # 1 point × 2/3, the engine's rounding.
    assert scoring.score(scene["spec"], {"3.6": to_response(answer.inputs)}).node("3.6").score == Decimal("0.67")
    assert sources.input_sources(scene["a"], scene["spec"])["3.6"].matches_answer
    html = client.get(reverse("assessments:assessment-detail", args=[scene["a"].pk])).content.decode()
    assert "Sổ theo dõi hồ sơ trễ hạn năm 2026</a> — có thư xin lỗi 2/3 hồ sơ trễ hạn (66,67%)" in html


def test_an_empty_register_with_every_dossier_on_time_offers_not_applicable(scene, commune):
    from parindex.dossiers.models import LateDossier

    LateDossier.objects.filter(unit=commune).delete()
    assert "3.6" not in sources.input_sources(scene["a"], scene["spec"])  # an empty register alone proves nothing
    indicators_load()
    on_time = Indicator.objects.get(code=selectors.ON_TIME_INDICATOR)
    for month in range(1, 11):
        IndicatorValue.objects.create(
            indicator=on_time, unit=commune, year=2026, month=month, numerator=40, denominator=40
        )
    offer = sources.input_sources(scene["a"], scene["spec"])["3.6"]
    assert offer.inputs == {"applicable": False}
    assert offer.detail.startswith("không có hồ sơ trễ hạn (chỉ số theo dõi: 400/400 hồ sơ giải quyết đúng hạn)")
    answer = late_dossier_input_apply(
        assessment=scene["a"], code="3.6", actor=scene["head"], principal=principal_for(scene["head"])
    )
    assert answer.inputs == {"applicable": False}
    assert not scoring.score(scene["spec"], {"3.6": to_response(answer.inputs)}).node("3.6").applicable
    assert sources.input_sources(scene["a"], scene["spec"])["3.6"].matches_answer


def test_nothing_to_offer_is_refused_with_a_message_and_nothing_changes(client, scene, commune):
    from parindex.dossiers.models import LateDossier

    LateDossier.objects.filter(unit=commune).delete()
    client.force_login(scene["office"])
    response = client.post(reverse("assessments:source-apply", args=[scene["a"].pk, "3.6"]), follow=True)
    assert "Sổ hồ sơ trễ hạn năm 2026 chưa ghi hồ sơ nào." in response.content.decode()
    assert not Answer.objects.filter(assessment=scene["a"], criterion__code="3.6").exists()


def test_another_communes_people_cannot_apply(client, scene, other_commune):
    client.force_login(commune_people(other_commune, prefix="b.")["office"])
    assert client.post(reverse("assessments:source-apply", args=[scene["a"].pk, "3.6"])).status_code == 404
    assert not Answer.objects.filter(assessment=scene["a"], criterion__code="3.6").exists()
