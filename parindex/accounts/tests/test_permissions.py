"""Pure tests of role predicates: no database."""

from __future__ import annotations

import pytest

from parindex.accounts.models import Role
from parindex.accounts.permissions import ANONYMOUS, Grant, Principal, UnitRef, is_province_admin

PROVINCE = UnitRef(id=1)
COMMUNE_A = UnitRef(id=10, parent_id=1, province_id=1)
COMMUNE_B = UnitRef(id=11, parent_id=1, province_id=1)
OTHER_PROVINCE_COMMUNE = UnitRef(id=20, parent_id=2, province_id=2)


def principal(*grants):
    return Principal(user_id=7, grants=tuple(grants))


def test_it_scopes_a_commune_role_to_its_own_commune():
    officer = principal(Grant(Role.COMMUNE_OFFICER, COMMUNE_A.id, include_descendants=False))
    assert officer.roles_at(COMMUNE_A) == {Role.COMMUNE_OFFICER}
    assert officer.roles_at(COMMUNE_B) == frozenset()
    assert officer.roles_at(PROVINCE) == frozenset()


def test_it_extends_a_province_role_to_the_provinces_communes_only_with_descendants():
    admin = principal(Grant(Role.PROVINCE_ADMIN, PROVINCE.id, include_descendants=True))
    narrow = principal(Grant(Role.VIEWER, PROVINCE.id, include_descendants=False))
    assert admin.has_role(COMMUNE_A, {Role.PROVINCE_ADMIN}) and admin.has_role(PROVINCE, {Role.PROVINCE_ADMIN})
    assert not admin.has_role(OTHER_PROVINCE_COMMUNE, {Role.PROVINCE_ADMIN})
    assert not narrow.has_role(COMMUNE_A, {Role.VIEWER})
    assert is_province_admin(admin, COMMUNE_B) and not is_province_admin(narrow, COMMUNE_B)


def test_it_combines_roles_from_several_grants():
    head = principal(
        Grant(Role.COMMUNE_HEAD, COMMUNE_A.id, include_descendants=False, is_deputy=True),
        Grant(Role.COMMUNE_OFFICER, COMMUNE_A.id, include_descendants=False),
    )
    assert head.roles_at(COMMUNE_A) == {Role.COMMUNE_HEAD, Role.COMMUNE_OFFICER}
    assert head.unit_ids({Role.COMMUNE_HEAD}) == ({COMMUNE_A.id}, set())


@pytest.mark.parametrize("unit", [PROVINCE, COMMUNE_A, OTHER_PROVINCE_COMMUNE])
def test_anonymous_holds_nothing_anywhere(unit):
    assert not ANONYMOUS.is_authenticated
    assert ANONYMOUS.roles_at(unit) == frozenset()
    assert not is_province_admin(ANONYMOUS, unit)


def test_a_superuser_is_a_province_admin_everywhere():
    assert is_province_admin(Principal(user_id=1, is_superuser=True), OTHER_PROVINCE_COMMUNE)
