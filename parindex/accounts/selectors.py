"""Reading users' roles."""

from __future__ import annotations

from typing import Any

from parindex.accounts.models import RoleAssignment
from parindex.accounts.permissions import ANONYMOUS, Grant, Principal


def principal_for(user: Any) -> Principal:
    """The user's grants, read once (one query) and cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_parindex_principal", None)
    if cached is not None:
        return cached
    grants = tuple(
        Grant(role, unit_id, descendants, deputy)
        for role, unit_id, descendants, deputy in RoleAssignment.objects.filter(user_id=user.pk).values_list(
            "role", "unit_id", "include_descendants", "is_deputy"
        )
    )
    principal = Principal(user_id=user.pk, grants=grants, is_superuser=user.is_superuser)
    user._parindex_principal = principal
    return principal


def role_assignments_of(user: Any) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(user=user).select_related("unit").order_by("role", "unit__name"))
