"""Who may see a cycle's results board, approve and publish. Pure predicates over a Principal.

- see the board of a province's cycle: the council chair, the Sở Nội vụ admins and viewers
  granted at the province; commune users never, and appraisers neither: they see only the
  units and fields assigned to them, on the appraisal pages;
- approve a group of appraised units: the council chair (Chủ tịch Hội đồng thẩm định);
- publish an approval and correct a publication: the Sở Nội vụ admin.

Published results themselves are public: no predicate guards them.
"""

from __future__ import annotations

from parindex.accounts.models import PROVINCE_ROLES, Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin

BOARD_ROLES = (PROVINCE_ROLES - {Role.APPRAISER}) | {Role.VIEWER}


def can_view_board(p: Principal, province: UnitRef) -> bool:
    return p.is_superuser or p.has_role(province, BOARD_ROLES)


def can_approve(p: Principal, province: UnitRef) -> bool:
    return p.is_superuser or p.has_role(province, {Role.COUNCIL_CHAIR})


def can_publish(p: Principal, province: UnitRef) -> bool:
    """Publishing and correcting alike: the province's Sở Nội vụ admin."""
    return is_province_admin(p, province)


def board_province_ids(p: Principal) -> set[int] | None:
    """The provinces whose boards ``p`` may open (None: every province, for a superuser)."""
    if p.is_superuser:
        return None
    return p.unit_ids(BOARD_ROLES)[0]
