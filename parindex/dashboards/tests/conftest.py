from __future__ import annotations

import pytest

from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation.tests.factories import province_staff


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # parsed once per version and cached; query counts exclude it
    return version


@pytest.fixture
def staff(province):
    return province_staff(province)
