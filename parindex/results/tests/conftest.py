"""Result files are stored: every test of the app stores them under its own temporary folder.
And what the files' and jobs' tests share: the published reference framework and the province's
council chair and admin."""

from __future__ import annotations

import pytest

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)
    return version


@pytest.fixture
def staff(province):
    return {
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
    }
