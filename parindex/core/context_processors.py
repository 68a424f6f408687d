"""What the navigation bar needs, read lazily (nothing is queried unless the template asks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from parindex.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    def appraises() -> bool:
        from parindex.accounts.selectors import principal_for

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        # principal_for caches on the user, so pages that already checked access pay nothing.
        return bool(principal_for(user).unit_ids({Role.APPRAISER, Role.COUNCIL_CHAIR, Role.PROVINCE_ADMIN})[0])

    def manages_people() -> bool:
        from parindex.accounts.permissions import can_manage_people
        from parindex.accounts.selectors import principal_for

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and can_manage_people(principal_for(user)))

    return {"nav_appraises": SimpleLazyObject(appraises), "nav_manages_people": SimpleLazyObject(manages_people)}
