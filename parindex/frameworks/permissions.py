"""Who may do what with frameworks. Pure predicates over the request's Principal; views call these.

A framework belongs to a province (``Framework.owner``) or to no one (a national framework).
Managing it (importing new versions, publishing, retiring, seeing its drafts) belongs to the
PROVINCE_ADMIN of its province (Sở Nội vụ), and to superusers; a national framework is
managed by superusers only (operators, usually through ``parindex framework import``).
Published and retired versions are public documents.
"""

from __future__ import annotations

from typing import Any

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef
from parindex.frameworks.workflow import Status

NATIONAL_LABEL = "Dùng chung toàn quốc"


def can_manage_owner(p: Principal, owner_id: int | None) -> bool:
    """May ``p`` manage the frameworks of province ``owner_id`` (None: the national ones)?"""
    if p.is_superuser:
        return True
    return owner_id is not None and p.has_role(UnitRef(owner_id), {Role.PROVINCE_ADMIN})


def can_manage_framework(p: Principal, framework: Any) -> bool:
    return can_manage_owner(p, framework.owner_id)


def can_import_frameworks(p: Principal) -> bool:
    """May ``p`` import at all: a superuser, or a province admin somewhere (the view offers where)."""
    return p.is_superuser or bool(p.unit_ids({Role.PROVINCE_ADMIN})[0])


def can_view_version(p: Principal, version: Any) -> bool:
    """Published and retired versions are public; drafts only for the framework's managers."""
    return version.status != Status.DRAFT or can_manage_framework(p, version.framework)


def managed_owner_ids(p: Principal) -> set[int]:
    """The units at which ``p`` is a province admin (the owners whose frameworks it manages)."""
    return p.unit_ids({Role.PROVINCE_ADMIN})[0]
