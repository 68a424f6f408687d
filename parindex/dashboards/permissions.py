"""Who sees which dashboard. Pure predicates over a Principal.

- a commune's dashboard: the commune's own people (officers, office, head) and the province's
  board roles (council chair, Sở Nội vụ admins, viewers); no one else, since it shows the
  commune's remediation actions and its open self-assessment;
- a province's dashboard: everyone, for what is published; the province's board roles also
  see the open cycle's progress and the self-assessed against appraised gaps, which are not
  published.
"""

from __future__ import annotations

from parindex.accounts.models import COMMUNE_ROLES
from parindex.accounts.permissions import Principal, UnitRef
from parindex.results.permissions import can_view_board


def can_view_commune(p: Principal, unit: UnitRef) -> bool:
    if p.is_superuser or p.has_role(unit, COMMUNE_ROLES):
        return True
    return unit.province_id is not None and can_view_board(p, UnitRef(unit.province_id))


def sees_internal_figures(p: Principal, province: UnitRef) -> bool:
    """The open cycle and the self-assessment gaps: the province's staff only."""
    return can_view_board(p, province)
