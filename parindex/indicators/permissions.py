"""Who may enter and import indicator figures. Pure predicates over a Principal.

- enter or import a commune's figures: its commune office (Văn phòng - Thống kê) and its
  head (Chủ tịch / Phó Chủ tịch), and the province's admins (Sở Nội vụ) for every commune of
  the province;
- change an import mapping: the province's admins, and the person who set it up.

Figures for months before 1 July 2025 belong to the old units; whoever may enter figures for
a current unit may also enter them for the old units it was formed from (``selectors.entry_refs``).
"""

from __future__ import annotations

from collections.abc import Iterable

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin

ENTER_ROLES = frozenset({Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD})


def can_enter(p: Principal, unit: UnitRef) -> bool:
    return is_province_admin(p, unit) or p.has_role(unit, ENTER_ROLES)


def can_enter_any(p: Principal, refs: Iterable[UnitRef]) -> bool:
    """For an old unit, ``refs`` are the current units it went into: any one of them will do."""
    return any(can_enter(p, ref) for ref in refs)


def can_change_mapping(p: Principal, province: UnitRef, owner_id: int | None) -> bool:
    return is_province_admin(p, province) or (p.user_id is not None and p.user_id == owner_id)
