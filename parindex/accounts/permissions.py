"""Who holds which role where: a precomputed Principal and pure predicates over it.

Views and selectors build one ``Principal`` per request (one query) and ask these
predicates; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from parindex.accounts.models import COMMUNE_ROLES, PROVINCE_ROLES, Role


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    unit_id: int
    include_descendants: bool
    is_deputy: bool = False


@dataclass(frozen=True, slots=True)
class UnitRef:
    """What the predicates need to know of a unit: itself, its parent and its province."""

    id: int
    parent_id: int | None = None
    province_id: int | None = None


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    is_superuser: bool = False
    # roles_at's answers by unit: a page asks for the same unit once per row.
    _roles: dict[tuple[int, int | None, int | None], frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def roles_at(self, unit: UnitRef) -> frozenset[str]:
        """Every role that applies at ``unit``, directly or through an ancestor."""
        if not self.grants:
            return frozenset()
        key = (unit.id, unit.parent_id, unit.province_id)
        roles = self._roles.get(key)
        if roles is None:
            ancestors = {unit.parent_id, unit.province_id} - {None}
            roles = self._roles[key] = frozenset(
                g.role
                for g in self.grants
                if g.unit_id == unit.id or (g.include_descendants and g.unit_id in ancestors)
            )
        return roles

    def has_role(self, unit: UnitRef, roles: Iterable[str]) -> bool:
        return not self.roles_at(unit).isdisjoint(roles)

    def unit_ids(self, roles: Iterable[str] | None = None) -> tuple[set[int], set[int]]:
        """(units held directly, units whose descendants are covered) for the given roles."""
        wanted = set(roles) if roles is not None else None
        direct, subtree = set(), set()
        for g in self.grants:
            if wanted is None or g.role in wanted:
                direct.add(g.unit_id)
                if g.include_descendants:
                    subtree.add(g.unit_id)
        return direct, subtree


ANONYMOUS = Principal(user_id=None)


def is_province_admin(p: Principal, unit: UnitRef) -> bool:
    return p.is_superuser or p.has_role(unit, {Role.PROVINCE_ADMIN})


# --- People and roles, managed in the app -------------------------------------------------
#
# A province admin (Sở Nội vụ) manages the people who work in its province (their
# ``User.unit`` is the province or one of its communes) and grants roles on the province's
# current units only; a commune head manages its own commune's officers (commune officer,
# commune office) and grants only those roles, only at its commune. Operators (staff or
# superusers) are managed from the command line, never through these pages; nobody manages
# their own account here (a second administrator does), so no one can raise their own rights.

PEOPLE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.COMMUNE_HEAD})
COMMUNE_HEAD_GRANTS = frozenset({Role.COMMUNE_OFFICER, Role.COMMUNE_OFFICE})


@dataclass(frozen=True, slots=True)
class PersonRef:
    """What the predicates need to know of a person being managed."""

    id: int
    unit: UnitRef | None
    is_operator: bool = False
    grants: tuple[tuple[str, int], ...] = ()


def province_of(unit: UnitRef) -> int:
    """The province a unit belongs to (a province is its own)."""
    return unit.province_id if unit.province_id is not None else unit.id


def is_province_unit(unit: UnitRef) -> bool:
    return unit.province_id is None and unit.parent_id is None


def admin_province_ids(p: Principal) -> set[int]:
    return {g.unit_id for g in p.grants if g.role == Role.PROVINCE_ADMIN}


def head_commune_ids(p: Principal) -> set[int]:
    return {g.unit_id for g in p.grants if g.role == Role.COMMUNE_HEAD}


def can_manage_people(p: Principal) -> bool:
    """Whether the people pages are offered at all."""
    return p.is_superuser or any(g.role in PEOPLE_ROLES for g in p.grants)


def grantable_roles(p: Principal, unit: UnitRef) -> frozenset[str]:
    """The roles ``p`` may grant (or revoke) at ``unit``: province roles at a province,
    commune roles at a commune, the viewer role at either."""
    at_province = is_province_unit(unit)
    if p.is_superuser or province_of(unit) in admin_province_ids(p):
        base = PROVINCE_ROLES if at_province else COMMUNE_ROLES
        return frozenset(base | {Role.VIEWER})
    if not at_province and unit.id in head_commune_ids(p):
        return COMMUNE_HEAD_GRANTS
    return frozenset()


def can_create_people_at(p: Principal, unit: UnitRef) -> bool:
    """Whether ``p`` may create an account working at ``unit``."""
    if p.is_superuser or province_of(unit) in admin_province_ids(p):
        return True
    return not is_province_unit(unit) and unit.id in head_commune_ids(p)


def can_manage_person(p: Principal, person: PersonRef) -> bool:
    """Edit, reset the password of, lock, unlock, grant and revoke roles of ``person``."""
    if not p.is_authenticated or person.id == p.user_id:
        return False
    if p.is_superuser:
        return True
    if person.is_operator or person.unit is None:
        return False
    if province_of(person.unit) in admin_province_ids(p):
        return True
    unit_id = person.unit.id
    return (
        not is_province_unit(person.unit)
        and unit_id in head_commune_ids(p)
        and all(role in COMMUNE_HEAD_GRANTS and at == unit_id for role, at in person.grants)
    )


def can_see_person(p: Principal, person: PersonRef) -> bool:
    """Managers see the people they manage; everyone sees their own record."""
    return person.id == p.user_id or can_manage_person(p, person)
