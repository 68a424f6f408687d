"""Who may see and do what with a self-assessment. Pure predicates over a Principal.

- see: the commune's own officials, and province staff (council, admin, viewers) whose
  grant covers the commune. Appraisers see only what they are assigned, on the appraisal
  pages (``parindex.appraisals``), never the commune's whole file;
- enter inputs and evidence: the commune office and the head for every item; an official
  for the items assigned to them (directly or through a field/criterion);
- assign items: the commune office and the head;
- submit or withdraw: the head (chairman, or vice-chairman signing "KT.").
"""

from __future__ import annotations

from collections.abc import Iterable

from parindex.accounts.models import COMMUNE_ROLES, PROVINCE_ROLES, Role
from parindex.accounts.permissions import Principal, UnitRef

VIEW_ROLES = COMMUNE_ROLES | (PROVINCE_ROLES - {Role.APPRAISER}) | {Role.VIEWER}
EDIT_ALL_ROLES = frozenset({Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD})


def can_view(p: Principal, unit: UnitRef) -> bool:
    return p.is_superuser or p.has_role(unit, VIEW_ROLES)


def can_edit_all(p: Principal, unit: UnitRef) -> bool:
    return p.has_role(unit, EDIT_ALL_ROLES)


def can_assign(p: Principal, unit: UnitRef) -> bool:
    return p.has_role(unit, EDIT_ALL_ROLES)


def can_edit_item(p: Principal, unit: UnitRef, owners: Iterable[int | None]) -> bool:
    """``owners``: the official ids assigned to the item or to any of its ancestors."""
    if can_edit_all(p, unit):
        return True
    return p.has_role(unit, {Role.COMMUNE_OFFICER}) and p.user_id in set(owners)


def can_submit(p: Principal, unit: UnitRef) -> bool:
    return p.has_role(unit, {Role.COMMUNE_HEAD})
