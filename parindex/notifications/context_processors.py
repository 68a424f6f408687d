"""``unread_notifications`` for every template, counted only if a template uses it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from parindex.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The user's unread count, lazily: one COUNT query the first time a template reads it, none otherwise."""
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
