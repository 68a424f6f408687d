"""No way up from a province admin (security review, case 1).

A province admin once was staff with every ``accounts`` permission: in the admin site it could
tick its own ``is_superuser``, reset another province's admin's password, grant itself roles in
another province and list every user of the country. These tests replay each attempt, by every
URL that takes a person or writes rights, for every kind of non-superuser.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import get_resolver, reverse

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db
User = get_user_model()

RIGHTS = {"is_superuser": "on", "is_staff": "on", "user_permissions": ["1", "2"], "groups": ["1"]}


@pytest.fixture
def w():
    world = World()
    Group.objects.create(name="Quản trị toàn quốc").permissions.set(Permission.objects.all())
    return world


def non_superusers(w: World) -> list:
    return [w.admin, w.appraiser, w.head, w.office, w.officer, w.far_admin]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_no_rights(*users) -> None:
    for user in users:
        user.refresh_from_db()
        assert not user.is_superuser and not user.is_staff, user
        assert not user.user_permissions.exists() and not user.groups.exists(), user


def person_urls() -> list[str]:
    """Every named URL of the accounts app that takes a person's id."""
    resolver = get_resolver().namespace_dict["accounts"][1]
    return sorted(
        name
        for name in resolver.reverse_dict
        if isinstance(name, str) and "pk" in resolver.reverse_dict.getlist(name)[0][3]
    )


ADMIN_PATHS = [
    "/quan-tri/",
    "/quan-tri/accounts/user/",
    "/quan-tri/accounts/user/{pk}/change/",
    "/quan-tri/accounts/user/{pk}/password/",
    "/quan-tri/accounts/roleassignment/add/",
    "/quan-tri/auth/group/",
    "/quan-tri/autocomplete/?app_label=accounts&model_name=roleassignment&field_name=user",
]


def test_the_admin_site_is_closed_to_every_non_superuser_even_one_left_staff(w):
    User.objects.filter(pk=w.admin.pk).update(is_staff=True)  # a staff flag left over from before
    for user in non_superusers(w):
        client = client_for(user)
        for path in ADMIN_PATHS:
            response = client.get(path.format(pk=w.admin.pk))
            assert response.status_code in (302, 403), (user, path)
            if response.status_code == 302:
                assert response["Location"].startswith("/quan-tri/login/"), (user, path)
        change = reverse("admin:accounts_user_change", args=[user.pk])
        client.post(change, {"username": user.username, **RIGHTS, "is_active": "on"})
        client.post(
            f"/quan-tri/accounts/user/{w.far_admin.pk}/password/", {"password1": "x" * 20, "password2": "x" * 20}
        )
    User.objects.filter(pk=w.admin.pk).update(is_staff=False)
    assert_no_rights(*non_superusers(w))
    w.far_admin.refresh_from_db()
    assert w.far_admin.check_password(PASSWORD)


@pytest.mark.parametrize("staff", [False, True])
def test_the_admin_login_refuses_a_province_admin_with_its_right_password(w, staff):
    User.objects.filter(pk=w.admin.pk).update(is_staff=staff)
    client = Client()
    response = client.post("/quan-tri/login/?next=/quan-tri/", {"username": "sonoivu", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "người vận hành" in response.content.decode()


def test_the_operator_still_has_the_admin_site(w):
    client = client_for(w.operator)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/accounts/user/").status_code == 200


@pytest.mark.parametrize("name", person_urls())
def test_another_provinces_people_and_operators_are_404_by_every_person_url(w, name):
    targets = [w.far_admin, w.far_officer, w.operator]
    for manager in (w.admin, w.head):
        client = client_for(manager)
        for target in targets:
            args = [target.pk] if name != "role-revoke" else [target.pk, _any_grant(target)]
            url = reverse(f"accounts:{name}", args=args)
            response = client.post(url, {"active": "0", "role": Role.PROVINCE_ADMIN, "unit": w.far_commune.pk})
            assert response.status_code in (404, 405), (manager, name, target)
            if response.status_code == 405:
                assert client.get(url).status_code == 404, (manager, name, target)
    w.far_admin.refresh_from_db()
    assert w.far_admin.is_active and w.far_admin.check_password(PASSWORD)
    assert RoleAssignment.objects.filter(user=w.far_admin).count() == 1


def _any_grant(user) -> int:
    grant = RoleAssignment.objects.filter(user=user).first()
    return grant.pk if grant else 1


@pytest.mark.parametrize("name", person_urls())
def test_no_person_url_accepts_rights_fields(w, name):
    client = client_for(w.admin)
    args = [w.officer.pk] if name != "role-revoke" else [w.officer.pk, _any_grant(w.officer)]
    data = {**RIGHTS, "role": Role.VIEWER, "unit": w.province.pk, "active": "1", "full_name": "X",
            "base_full_name": w.officer.full_name}  # fmt: skip
    client.post(reverse(f"accounts:{name}", args=args), data)
    assert_no_rights(w.officer, w.admin)


def test_a_province_admin_cannot_grant_itself_a_role_in_another_province(w):
    client = client_for(w.admin)
    for target in (w.admin, w.admin2):
        client.post(
            reverse("accounts:role-grant", args=[target.pk]), {"role": Role.PROVINCE_ADMIN, "unit": w.other_province.pk}
        )
    assert not RoleAssignment.objects.filter(unit=w.other_province, user__in=[w.admin, w.admin2]).exists()


def test_the_people_list_never_shows_another_provinces_users(w):
    for manager in (w.admin, w.head):
        html = client_for(manager).get(reverse("accounts:people-list"), {"q": "hue"}).content.decode()
        assert "hue.admin" not in html and "hue.congchuc" not in html and "vanhanh" not in html


def test_creating_an_account_never_makes_staff_or_superuser(w):
    client = client_for(w.admin)
    client.post(
        reverse("accounts:person-new"),
        {"username": "moi.nguoi", "full_name": "Mới", "unit": w.province.pk, "role": Role.PROVINCE_ADMIN, **RIGHTS},
    )
    assert_no_rights(User.objects.get(username="moi.nguoi"))
