"""Shared fixtures: the reference framework, real Quảng Trị units (codes from vietnam-provinces)
and users for each kind of role."""

from __future__ import annotations

import pytest

from parindex import scoring
from parindex.frameworks.files import REFERENCE_FRAMEWORK


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def reference_spec() -> scoring.Framework:
    return scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))


@pytest.fixture
def province_admin(django_user_model):
    """A Sở Nội vụ admin: may import, publish and see drafts."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("sonoivu", password="pw-sonoivu-1")
    user.user_permissions.add(Permission.objects.get(codename="add_frameworkversion"))
    return user


@pytest.fixture
def commune_officer(django_user_model):
    """A commune official with no framework rights."""
    return django_user_model.objects.create_user("congchuc", password="pw-congchuc-1")


@pytest.fixture
def province(db):
    from parindex.units.models import AdministrativeUnit

    return AdministrativeUnit.objects.create(era="current", code="44", name="Tỉnh Quảng Trị", kind="tinh", level=1)


@pytest.fixture
def commune(province):
    from parindex.units.models import AdministrativeUnit

    return AdministrativeUnit.objects.create(
        era="current", code="19639", name="Xã Nam Cửa Việt", kind="xa", level=3, parent=province, province=province
    )


@pytest.fixture
def other_commune(province):
    from parindex.units.models import AdministrativeUnit

    return AdministrativeUnit.objects.create(
        era="current", code="19333", name="Phường Đông Hà", kind="phuong", level=3, parent=province, province=province
    )
