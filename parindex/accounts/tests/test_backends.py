"""``AccountBackend``: the signed-in user of a request read with their grants in one query."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user
from django.test import RequestFactory
from django.urls import reverse

from parindex.accounts.backends import AccountBackend
from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.selectors import principal_for
from parindex.accounts.tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World()


def _fresh_principal(user):
    """``principal_for`` on a copy of the user without the cached principal: the grants table read."""
    return principal_for(type(user).objects.get(pk=user.pk))


def test_the_user_comes_with_the_same_principal_as_the_grants_table_gives(w, django_assert_num_queries):
    # A deputy head, a province-wide grant and two grants at once: every field of a grant kept.
    RoleAssignment.objects.create(user=w.head, role=Role.COMMUNE_OFFICE, unit=w.other_commune, is_deputy=True)
    for person in (w.admin, w.head, w.officer, w.operator):
        with django_assert_num_queries(1):
            user = AccountBackend().get_user(str(person.pk))  # the session keeps the id as text
        with django_assert_num_queries(0):
            principal = principal_for(user)
        expected = _fresh_principal(person)
        assert principal.user_id == person.pk and principal.is_superuser == person.is_superuser
        assert sorted(principal.grants, key=repr) == sorted(expected.grants, key=repr)
    grants = principal_for(AccountBackend().get_user(w.head.pk)).grants
    assert {(g.role, g.unit_id, g.include_descendants, g.is_deputy) for g in grants} == {
        (Role.COMMUNE_HEAD, w.commune.pk, False, False),
        (Role.COMMUNE_OFFICE, w.other_commune.pk, False, True),
    }
    assert principal_for(AccountBackend().get_user(w.admin.pk)).grants[0].include_descendants is True


def test_no_user_for_a_missing_a_malformed_or_an_inactive_account(w):
    backend = AccountBackend()
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
    w.officer.is_active = False
    w.officer.save(update_fields=["is_active"])
    assert backend.get_user(w.officer.pk) is None


def test_a_signed_in_session_gives_the_user_and_a_changed_role_shows_on_the_next_request(w, client):
    response = client.post(reverse("login"), {"username": "congchuc", "password": PASSWORD})
    assert response.status_code == 302  # signed in through the login form
    request = RequestFactory().get("/")
    request.session = client.session
    user = get_user(request)
    assert user.pk == w.officer.pk
    assert client.session[BACKEND_SESSION_KEY] == "parindex.accounts.backends.AccountBackend"
    assert [g.role for g in principal_for(user).grants] == [Role.COMMUNE_OFFICER]
    RoleAssignment.objects.filter(user=w.officer).update(role=Role.COMMUNE_OFFICE)
    again = get_user(SimpleNamespace(session=client.session))
    assert [g.role for g in principal_for(again).grants] == [Role.COMMUNE_OFFICE]
