"""Who may do what with frameworks. Pure predicates over a user; views call these.

Until unit-scoped roles arrive, managing frameworks (import, publish, retire, see drafts)
belongs to users granted the ``frameworks.add_frameworkversion`` permission: the province
admin (Sở Nội vụ) accounts. Published versions are public documents.
"""

from __future__ import annotations

from typing import Any

from parindex.frameworks.workflow import Status

MANAGE_PERMISSION = "frameworks.add_frameworkversion"


def can_manage_frameworks(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION))


def can_view_version(user: Any, status: str) -> bool:
    return status != Status.DRAFT or can_manage_frameworks(user)
