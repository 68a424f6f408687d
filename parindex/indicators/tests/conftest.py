"""What the import pages' tests share: an indicator, its mapping in the province, another
province, and the people who may or may not import."""

from __future__ import annotations

import pytest

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators.tests.factories import make_indicator, make_mapping
from parindex.units.models import AdministrativeUnit


@pytest.fixture
def indicator():
    return make_indicator()


@pytest.fixture
def other_province(db):
    return AdministrativeUnit.objects.create(era="current", code="46", name="Thành phố Huế", kind="thanh-pho", level=1)


@pytest.fixture
def people(province, commune, other_province):
    return {
        "admin": lambda: user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "office": lambda: user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "head": lambda: user_with_role("chutich", Role.COMMUNE_HEAD, commune),
        "officer": lambda: user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "elsewhere": lambda: user_with_role("hue", Role.PROVINCE_ADMIN, other_province, include_descendants=True),
        "anonymous": lambda: None,
    }


@pytest.fixture
def mapping(province, indicator):
    return make_mapping(province, indicator)
