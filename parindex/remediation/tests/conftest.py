"""Fixtures of the remediation tests: the published reference framework, province staff and a
commune's people."""

from __future__ import annotations

import pytest

from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation.tests.factories import commune_people, province_staff


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # cached per version: query counts below exclude parsing it
    return version


@pytest.fixture
def staff(province):
    return province_staff(province)


@pytest.fixture
def people(commune):
    return commune_people(commune)
