"""Fixtures of the remediation tests: the published reference framework, province staff, a
commune's people and its published 2025 result."""

from __future__ import annotations

import pytest

from parindex.frameworks.tests.factories import published_version
from parindex.remediation.tests.factories import SEED_001, commune_people, province_staff, published_assessment


@pytest.fixture
def version(reference_spec):
    return published_version(reference_spec)


@pytest.fixture
def staff(province):
    return province_staff(province)


@pytest.fixture
def people(commune):
    return commune_people(commune)


@pytest.fixture
def published(version, province, commune, staff):
    """The commune's 2025 result, appraised as seed 001 and published."""
    (assessment,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
    return assessment
