"""People for the people-management tests: a province with two communes, a second province."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from parindex.accounts.models import Role, RoleAssignment
from parindex.units.models import AdministrativeUnit

PASSWORD = "Mat-khau-kiem-thu-2026"


def unit(code: str, name: str, *, province: Any = None, kind: str = "xa") -> AdministrativeUnit:
    if province is None:
        return AdministrativeUnit.objects.create(era="current", code=code, name=name, kind="tinh", level=1)
    return AdministrativeUnit.objects.create(
        era="current", code=code, name=name, kind=kind, level=3, parent=province, province=province
    )


def person(username: str, *grants: tuple[str, Any], at: Any = None, **fields: Any) -> Any:
    """A user working at ``at`` (default: the first grant's unit) holding each (role, unit)."""
    home = at if at is not None else (grants[0][1] if grants else None)
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, full_name=fields.pop("full_name", username.title()), unit=home, **fields
    )
    for role, where in grants:
        RoleAssignment.objects.create(
            user=user, role=role, unit=where, include_descendants=where.level == 1, is_deputy=False
        )
    return user


class World:
    """Quảng Trị with Nam Cửa Việt and Đông Hà, and Huế next door, with their people."""

    def __init__(self) -> None:
        self.province = unit("44", "Tỉnh Quảng Trị")
        self.commune = unit("19639", "Xã Nam Cửa Việt", province=self.province)
        self.other_commune = unit("19333", "Phường Đông Hà", province=self.province, kind="phuong")
        self.other_province = unit("46", "Thành phố Huế")
        self.far_commune = unit("19900", "Phường Thuận Hóa", province=self.other_province, kind="phuong")
        self.admin = person("sonoivu", (Role.PROVINCE_ADMIN, self.province))
        self.admin2 = person("sonoivu2", (Role.PROVINCE_ADMIN, self.province))
        self.appraiser = person("thamdinh", (Role.APPRAISER, self.province))
        self.head = person("chutich", (Role.COMMUNE_HEAD, self.commune))
        self.office = person("vanphong", (Role.COMMUNE_OFFICE, self.commune))
        self.officer = person("congchuc", (Role.COMMUNE_OFFICER, self.commune))
        self.other_officer = person("congchuc.xakhac", (Role.COMMUNE_OFFICER, self.other_commune))
        self.far_admin = person("hue.admin", (Role.PROVINCE_ADMIN, self.other_province))
        self.far_officer = person("hue.congchuc", (Role.COMMUNE_OFFICER, self.far_commune))
        self.operator = get_user_model().objects.create_superuser("vanhanh", password=PASSWORD)
