"""``nav_inbox_count`` for the menu: how many tasks the person had at their last visit to the inbox.

Counting the tasks reads a dozen tables, too much for every page; the inbox page (the
landing page after login, and where the menu's link goes) leaves its count in the session,
and this reads it back: no query on any page, None (show no number) before the first visit.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "parindex_inbox_count"


def remember_count(request: HttpRequest, count: int) -> None:
    """Keep the inbox's task count for the menu (the session is saved only when it changes)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != count:
        session[SESSION_KEY] = count


def inbox(request: HttpRequest) -> dict[str, Any]:
    def count() -> int | None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None:
            return None
        return session.get(SESSION_KEY)

    return {"nav_inbox_count": SimpleLazyObject(count)}
