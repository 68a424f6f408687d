"""The node rows frozen with each published result (``PublishedScore``): written by the
publication service with the self-assessed score beside the appraised one, and rebuilt by
migration 0002 for results published before the table existed."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from parindex.frameworks import services as framework_services
from parindex.remediation.tests.factories import SEED_001, province_staff, published_assessment
from parindex.results.models import PublishedResult, PublishedScore

pytestmark = pytest.mark.django_db
FIELDS = ("code", "position", "depth", "is_leaf", "score", "applicable_max", "lost")


@pytest.fixture
def published(reference_spec, province, commune):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    (assessment,) = published_assessment(version, province, [commune], province_staff(province), appraised=SEED_001)
    return PublishedResult.objects.get(assessment=assessment)


def test_publishing_freezes_every_node_with_its_self_assessed_score(published):
    rows = {r.code: r for r in published.node_scores.all()}
    assert len(rows) == 64 and sum(r.is_leaf for r in rows.values()) == 53
    assert {r.code for r in rows.values() if r.depth == 0} == {"I", "II", "III", "IV", "V", "VI", "VII"}
    assert sum(r.score for r in rows.values() if r.depth == 0) == published.total
    # Seed 001's table: 1.2 appraised 2,5 of 4 after a self-assessed full mark.
    assert (rows["1.2"].score, rows["1.2"].self_score, rows["1.2"].lost) == (Decimal("2.5"), Decimal(4), Decimal("1.5"))
    assert rows["1.2"].applicable_max == 4 and rows["1.2"].depth == 1 and rows["1.2"].is_leaf
    assert rows["3.13.1"].depth == 2 and rows["3.13"].depth == 1 and not rows["3.13"].is_leaf
    assert all(r.unit_id == published.unit_id and r.publication_id == published.publication_id for r in rows.values())
    assert [r.code for r in published.node_scores.order_by("position")][:3] == ["I", "1.1", "1.1.1"]


def test_the_migration_rebuilds_the_rows_from_the_scores_json(published):
    frozen = {r.code: tuple(getattr(r, f) for f in FIELDS) for r in published.node_scores.all()}
    PublishedScore.objects.all().delete()
    migration = importlib.import_module("parindex.results.migrations.0002_published_scores")
    migration.backfill(apps, None)
    rebuilt = {r.code: tuple(getattr(r, f) for f in FIELDS) for r in published.node_scores.all()}
    assert rebuilt == frozen
    assert not published.node_scores.filter(self_score__isnull=False).exists()  # not frozen back then
