"""Admin building blocks shared by the apps."""

from __future__ import annotations

from typing import Any


class ReadOnlyAdminMixin:
    """For rows written only by services or loaders (events, reference data, validated trees):
    the admin shows them and never adds, edits or deletes them."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
