"""Who may do what with external index results. Pure predicates over a Principal.

- see a commune's results: ``dashboards.permissions.can_view_commune`` (its people, the
  province's board roles); a province's leaderboard: ``sees_internal_figures`` (its staff);
- import, enter, adjust, decide contests, set the target: the province's admins (Sở Nội vụ);
- contest a value of a commune: its office and its head.
"""

from __future__ import annotations

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin

CONTEST_ROLES = frozenset({Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD})


def can_manage(p: Principal, province: UnitRef) -> bool:
    return is_province_admin(p, province)


def can_contest(p: Principal, unit: UnitRef) -> bool:
    return p.has_role(unit, CONTEST_ROLES)
