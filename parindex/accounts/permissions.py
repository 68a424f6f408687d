"""Who holds which role where: a precomputed Principal and pure predicates over it.

Views and selectors build one ``Principal`` per request (one query) and ask these
predicates; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from parindex.accounts.models import Role


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

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def roles_at(self, unit: UnitRef) -> frozenset[str]:
        """Every role that applies at ``unit``, directly or through an ancestor."""
        ancestors = {unit.parent_id, unit.province_id} - {None}
        return frozenset(
            g.role for g in self.grants if g.unit_id == unit.id or (g.include_descendants and g.unit_id in ancestors)
        )

    def has_role(self, unit: UnitRef, roles: Iterable[str]) -> bool:
        return bool(self.roles_at(unit) & set(roles))

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
