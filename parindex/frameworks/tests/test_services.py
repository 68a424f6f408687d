from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parindex import scoring
from parindex.frameworks import selectors, services
from parindex.frameworks.models import Criterion, FrameworkVersion, FrameworkVersionEvent
from parindex.frameworks.tests.factories import framework_document
from parindex.frameworks.workflow import Status

pytestmark = pytest.mark.django_db


def spec_of(doc):
    return scoring.parse_framework(doc)


def test_it_imports_the_reference_framework_as_a_tree_equal_to_the_file(reference_spec):
    result = services.framework_import(spec=reference_spec, source_name="qt.yaml")
    version = result.version
    assert result.outcome == services.Outcome.CREATED
    assert (version.number, version.status) == (1, Status.DRAFT)
    assert Criterion.objects.filter(version=version).count() == len(reference_spec.nodes) == 64
    stored = selectors.framework_version_spec(version)
    assert scoring.framework_to_dict(stored) == scoring.framework_to_dict(reference_spec)
    leaf = Criterion.objects.get(version=version, code="3.13.3")
    assert leaf.parent.code == "3.13" and leaf.parent.parent.code == "III"
    assert leaf.rule_params == {"tiers": [{"min": "0.8", "points": "0.5"}]}


def test_it_is_idempotent_for_identical_content(reference_spec):
    first = services.framework_import(spec=reference_spec, publish=True)
    again = services.framework_import(spec=reference_spec, publish=True)
    assert again.outcome == services.Outcome.UNCHANGED
    assert again.version.pk == first.version.pk
    assert FrameworkVersion.objects.count() == 1


def test_it_makes_a_new_draft_when_a_published_version_changes(reference_spec):
    published = services.framework_import(spec=reference_spec, publish=True).version
    doc = scoring.framework_to_dict(reference_spec)
    doc["criteria"][0]["children"][0]["children"][0]["name"] = "Ban hành kế hoạch CCHC năm đúng hạn"
    result = services.framework_import(spec=spec_of(doc))
    assert result.outcome == services.Outcome.CREATED
    assert (result.version.number, result.version.status) == (2, Status.DRAFT)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert Criterion.objects.get(version=published, code="1.1.1").name == "Ban hành kế hoạch CCHC năm kịp thời"
    assert Criterion.objects.get(version=result.version, code="1.1.1").name == "Ban hành kế hoạch CCHC năm đúng hạn"


def test_it_replaces_a_draft_in_place_and_records_it():
    draft = services.framework_import(spec=spec_of(framework_document("DRAFT-1"))).version
    bigger = spec_of(framework_document("DRAFT-1", leaves=3))
    result = services.framework_import(spec=bigger, source_name="v2.yaml")
    assert result.outcome == services.Outcome.REPLACED
    assert result.version.pk == draft.pk
    assert Criterion.objects.filter(version=draft).count() == len(bigger.nodes)
    assert result.version.max_total == Decimal(12)
    assert FrameworkVersionEvent.objects.filter(version=draft, note__contains="v2.yaml").exists()


def test_it_publishes_with_a_conditional_update_and_an_event(province_admin):
    version = services.framework_import(spec=spec_of(framework_document())).version
    services.framework_version_transition(version=version, to=Status.PUBLISHED, actor=province_admin)
    assert version.status == Status.PUBLISHED and version.published_at is not None
    event = FrameworkVersionEvent.objects.filter(version=version).last()
    assert (event.from_status, event.to_status, event.actor) == (Status.DRAFT, Status.PUBLISHED, province_admin)


def test_it_refuses_a_stale_transition_instead_of_applying_it_twice():
    version = services.framework_import(spec=spec_of(framework_document())).version
    stale = FrameworkVersion.objects.get(pk=version.pk)
    services.framework_version_transition(version=version, to=Status.PUBLISHED)
    stale_status_before = stale.status
    assert stale_status_before == Status.DRAFT
    with pytest.raises(ValidationError, match="vừa được người khác"):
        services.framework_version_transition(version=stale, to=Status.PUBLISHED)
    assert FrameworkVersionEvent.objects.filter(version=version, to_status=Status.PUBLISHED).count() == 1


def test_it_refuses_a_transition_outside_the_table():
    version = services.framework_import(spec=spec_of(framework_document())).version
    with pytest.raises(ValidationError, match="Không thể chuyển"):
        services.framework_version_transition(version=version, to=Status.RETIRED)
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_a_published_version_is_never_edited_by_a_later_import(reference_spec):
    v1 = services.framework_import(spec=reference_spec, publish=True).version
    before = list(
        Criterion.objects.filter(version=v1).values_list("code", "name", "max_points", "rule_kind", "rule_params")
    )
    doc = scoring.framework_to_dict(reference_spec)
    doc["name"] = "Tên mới"
    services.framework_import(spec=spec_of(doc), publish=True)
    after = list(
        Criterion.objects.filter(version=v1).values_list("code", "name", "max_points", "rule_kind", "rule_params")
    )
    v1.refresh_from_db()
    assert before == after and v1.name == reference_spec.name


def test_the_stored_version_scores_exactly_like_the_file(reference_spec):
    version = services.framework_import(spec=reference_spec).version
    stored = selectors.framework_version_spec(version)
    responses = {
        "1.1.3": {"value": Decimal("0.8")},
        "3.13.1": {"numerator": 337, "denominator": 1000},
        "1.6": {"count": 1},
    }
    assert scoring.score(stored, responses).to_dict() == scoring.score(reference_spec, responses).to_dict()
