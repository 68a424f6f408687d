"""Signing in, and the signed-in user of each request.

``AccountBackend`` is Django's ``ModelBackend`` (usernames and passwords, inactive accounts
refused) with one change: the user of a session is read with their grants in one statement
(``selectors.user_with_principal``), so that the access checks of the request
(``selectors.principal_for``) read nothing more. It replaces ``ModelBackend`` in
AUTHENTICATION_BACKENDS (listing both would check a wrong password twice): sessions opened
before this version name ``ModelBackend`` and sign in again once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from parindex.accounts.selectors import user_with_principal


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any | None:
        user = user_with_principal(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
