"""Reading users' roles, and the people a manager may see (access-checked: 404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import JSONArray
from django.http import Http404

from parindex.accounts.models import AccountEvent, RoleAssignment
from parindex.accounts.permissions import (
    ANONYMOUS,
    COMMUNE_HEAD_GRANTS,
    Grant,
    PersonRef,
    Principal,
    UnitRef,
    admin_province_ids,
    can_see_person,
    head_commune_ids,
)
from parindex.core.aggregates import json_rows
from parindex.core.compiled import CompiledSelect
from parindex.units.models import AdministrativeUnit, fold_name

# Read on nearly every request: compiled once per process (``core.compiled``).
_GRANTS = CompiledSelect(
    lambda pk: RoleAssignment.objects.filter(user_id=pk).values_list(
        "role", "unit_id", "include_descendants", "is_deputy"
    )
)


# The user of each request's session with their grants, in one statement (the backend's
# ``get_user``): ``principal_for`` then reads nothing more.
_USER_WITH_GRANTS = CompiledSelect(
    lambda pk: (
        get_user_model()
        .objects.annotate(
            grant_rows=json_rows(
                RoleAssignment.objects.all(), "user", JSONArray("role", "unit_id", "include_descendants", "is_deputy")
            )
        )
        .filter(pk=pk)
    )
)


def user_with_principal(user_id: Any) -> Any | None:
    """The user a session names (None when there is none), read with their grants in one
    query: ``principal_for(user)`` is then already known. ``user_id`` as the session keeps it."""
    try:
        pk = get_user_model()._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    user = _USER_WITH_GRANTS.first(pk)
    if user is None:
        return None
    if user.is_active:  # principal_for's anonymous answer otherwise, without the cache
        _remember_principal(user, user.grant_rows or ())
    return user


def principal_for(user: Any) -> Principal:
    """The user's grants, read once (one query) and cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_parindex_principal", None)
    if cached is not None:
        return cached
    return _remember_principal(user, _GRANTS.rows(user.pk))


def _remember_principal(user: Any, rows: Any) -> Principal:
    """The principal of an active user from their (role, unit, descendants, deputy) rows, kept on
    the user for the request (the JSON of ``user_with_principal`` gives SQLite's 0/1 for booleans)."""
    grants = tuple(Grant(role, unit_id, bool(descendants), bool(deputy)) for role, unit_id, descendants, deputy in rows)
    principal = Principal(user_id=user.pk, grants=grants, is_superuser=user.is_superuser)
    user._parindex_principal = principal
    return principal


def role_assignments_of(user: Any) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(user=user).select_related("unit").order_by("role", "unit__name"))


def unit_ref(unit: AdministrativeUnit) -> UnitRef:
    return UnitRef(unit.pk, unit.parent_id, unit.province_id)


def person_ref(user: Any, grants: list[RoleAssignment] | None = None) -> PersonRef:
    grants = role_assignments_of(user) if grants is None else grants
    return PersonRef(
        id=user.pk,
        unit=unit_ref(user.unit) if user.unit_id else None,
        is_operator=bool(user.is_superuser or user.is_staff),
        grants=tuple((g.role, g.unit_id) for g in grants),
    )


def people_visible_to(principal: Principal) -> QuerySet:
    """Every account ``principal`` manages (never operators unless it is one, never itself)."""
    User = get_user_model()
    users = User.objects.select_related("unit", "unit__province")
    if principal.is_superuser:
        return users.exclude(pk=principal.user_id)
    provinces = admin_province_ids(principal)
    communes = head_commune_ids(principal)
    if not (provinces or communes):
        return users.none()
    scope = Q(unit_id__in=provinces) | Q(unit__province_id__in=provinces)
    if communes:
        beyond = RoleAssignment.objects.filter(user_id=OuterRef("pk")).filter(
            ~Q(role__in=COMMUNE_HEAD_GRANTS) | ~Q(unit_id=OuterRef("unit_id"))
        )
        scope |= Q(unit_id__in=communes) & ~Exists(beyond)
    return users.filter(scope, is_superuser=False, is_staff=False).exclude(pk=principal.user_id)


def people_search(
    principal: Principal, *, q: str = "", unit_id: int | None = None, role: str = "", active: str = ""
) -> QuerySet:
    """The people list, filtered: a name, login or e-mail fragment (accents optional), a unit,
    a role, active or locked accounts."""
    users = people_visible_to(principal)
    if q:
        folded = fold_name(q)
        users = users.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(email__icontains=q)
            | Q(unit__search_name__icontains=folded)
        )
    if unit_id:
        users = users.filter(unit_id=unit_id)
    if role:
        users = users.filter(Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"), role=role)))
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    return users.order_by("unit__name", "full_name", "username")


def person_get_for(principal: Principal, pk: int) -> tuple[Any, list[RoleAssignment]]:
    """A person and their roles, or 404 when ``principal`` may not see them."""
    user = get_user_model().objects.select_related("unit").filter(pk=pk).first()
    if user is None:
        raise Http404("Không có người dùng này.")
    grants = role_assignments_of(user)
    if not can_see_person(principal, person_ref(user, grants)):
        raise Http404("Không có người dùng này.")
    return user, grants


def units_for_people(principal: Principal) -> QuerySet[AdministrativeUnit]:
    """The current units where ``principal`` may place people or grant roles: its provinces
    and their communes (province admin), its communes (commune head)."""
    units = AdministrativeUnit.objects.filter(era=AdministrativeUnit.Era.CURRENT)
    if principal.is_superuser:
        return units.filter(level__in=(AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.COMMUNE))
    provinces = admin_province_ids(principal)
    communes = head_commune_ids(principal)
    return units.filter(
        Q(pk__in=provinces) | Q(province_id__in=provinces, level=AdministrativeUnit.Level.COMMUNE) | Q(pk__in=communes)
    ).order_by("level", "name")


def account_events_for(principal: Principal, *, user: Any = None) -> QuerySet[AccountEvent]:
    """The account log: one person's (already access-checked), or every change in the
    provinces ``principal`` administers."""
    events = AccountEvent.objects.select_related("actor", "user", "province")
    if user is not None:
        return events.filter(user=user)
    if principal.is_superuser:
        return events
    return events.filter(province_id__in=admin_province_ids(principal))


def roles_of_people(user_ids: list[int]) -> QuerySet[RoleAssignment]:
    """The roles of a page of people, in one query."""
    return RoleAssignment.objects.filter(user_id__in=user_ids).select_related("unit").order_by("role", "unit__name")
