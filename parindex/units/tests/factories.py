"""The units most tests work in: Quảng Trị (code 44 since 2025) with Xã Nam Cửa Việt and
Phường Đông Hà (codes from vietnam-provinces). conftest's ``province``, ``commune`` and
``other_commune`` fixtures are these; modules that share rows (tests/shared.py) build them
with the same functions."""

from __future__ import annotations

from parindex.units.models import AdministrativeUnit


def quang_tri() -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(era="current", code="44", name="Tỉnh Quảng Trị", kind="tinh", level=1)


def nam_cua_viet(province: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(
        era="current", code="19639", name="Xã Nam Cửa Việt", kind="xa", level=3, parent=province, province=province
    )


def dong_ha(province: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(
        era="current", code="19333", name="Phường Đông Hà", kind="phuong", level=3, parent=province, province=province
    )
