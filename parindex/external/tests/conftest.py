"""What the external index tests share: the shipped 766 index (loaded at migrate), a province
with two communes, another province, the people, and a file of weekly results."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.external.models import ExternalIndex
from parindex.units.models import AdministrativeUnit

V1 = ("cong_khai", "tien_do", "so_hoa", "dvc_truc_tuyen", "hai_long")
V2 = ("cong_khai", "tien_do", "dvc_truc_tuyen", "thanh_toan", "hai_long", "so_hoa")


@pytest.fixture
def index(db):
    return ExternalIndex.objects.get(code="766")


@pytest.fixture
def other_province(db):
    return AdministrativeUnit.objects.create(era="current", code="46", name="Thành phố Huế", kind="thanh-pho", level=1)


@pytest.fixture
def far_commune(other_province):
    return AdministrativeUnit.objects.create(
        era="current", code="19999", name="Xã Xa", kind="xa", level=3, parent=other_province, province=other_province
    )


@pytest.fixture
def people(province, commune, other_province):
    """Each person made once, when first asked for."""
    makers = {
        "admin": lambda: user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "office": lambda: user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "officer": lambda: user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "elsewhere": lambda: user_with_role("hue", Role.PROVINCE_ADMIN, other_province, include_descendants=True),
        "anonymous": lambda: None,
    }
    return {who: functools.cache(make) for who, make in makers.items()}


@pytest.fixture
def admin(people):
    return people["admin"]()


@pytest.fixture
def admin_p(admin):
    return principal_for(admin)


def week(start: dt.date) -> tuple[str, str]:
    return start.strftime("%d/%m/%Y"), (start + dt.timedelta(days=6)).strftime("%d/%m/%Y")


def v2_line(code: str, start: dt.date, values: tuple = (18, 20, 12, 10, 18, 22), sep: str = ";") -> str:
    return sep.join([code, *week(start), *[str(v) for v in values]])


V2_HEADER = "ma_don_vi;tu_ngay;den_ngay;" + ";".join(V2)
V1_HEADER = "ma_don_vi;tu_ngay;den_ngay;" + ";".join(V1)


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()
