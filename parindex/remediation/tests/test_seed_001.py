"""The seed 001 table (Triệu Trạch, 2022 results, remediation in 2023) reproduced from a
published result whose appraised values match it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.accounts.selectors import principal_for
from parindex.remediation import selectors, services
from parindex.remediation.tests.factories import SEED_001, SEED_001_TABLE, published_assessment

pytestmark = pytest.mark.django_db


def test_the_drafted_plan_reproduces_the_seed_001_table(version, province, commune, staff, people):
    (assessment,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2022)
    plan = services.plan_draft(assessment=assessment, actor=people["office"], principal=principal_for(people["office"]))

    rows = [(i.code, i.max_points, i.score, i.cause) for i in plan.items.order_by("position")]
    # The seed's lines, in its order (document order, grouped by field), with its max and appraised score.
    assert [r[0] for r in rows] == list(SEED_001_TABLE)
    for code, max_points, score, cause in rows:
        expected_max, expected_score = SEED_001_TABLE[code]
        assert (max_points, score) == (Decimal(expected_max), Decimal(expected_score)), code
        assert cause == SEED_001[code][1], code  # pre-filled from the appraisal comment
    fields = [(i.field_code, i.code) for i in plan.items.order_by("position")]
    assert [f for f, _ in fields] == ["I", "I", "I", "I", "II", "III", "III", "III", "VII"]
    # Every lost point of the published result is on a line, and nothing else is.
    result = selectors.current_result(assessment)
    assert plan.total_lost == result.applicable_max - result.total == sum(i.lost for i in plan.items.all())
    assert plan.total_lost == Decimal("7.26")
    assert result.total == Decimal("92.74")
    assert plan.year == 2023 and plan.assessed_year == 2022
