from __future__ import annotations

import pytest

from parindex.frameworks.tests.factories import published_version
from parindex.remediation.tests.factories import province_staff


@pytest.fixture
def version(reference_spec):
    return published_version(reference_spec)


@pytest.fixture
def staff(province):
    return province_staff(province)
