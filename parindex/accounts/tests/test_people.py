"""People and roles managed in the app: who may do what, what is written, what is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from parindex.accounts import services
from parindex.accounts.models import AccountEvent, Role, RoleAssignment
from parindex.accounts.selectors import people_visible_to, principal_for
from parindex.accounts.tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def w():
    return World()


def visible(user):
    return set(people_visible_to(principal_for(user)).values_list("username", flat=True))


class TestScope:
    def test_a_province_admin_sees_its_provinces_people_only(self, w):
        assert visible(w.admin) == {"sonoivu2", "thamdinh", "chutich", "vanphong", "congchuc", "congchuc.xakhac"}

    def test_a_commune_head_sees_its_communes_officers_only(self, w):
        assert visible(w.head) == {"vanphong", "congchuc"}

    def test_an_officer_or_appraiser_sees_nobody(self, w):
        assert visible(w.officer) == set() and visible(w.appraiser) == set()

    def test_the_operator_sees_everyone_but_itself(self, w):
        assert "vanhanh" not in visible(w.operator) and "hue.congchuc" in visible(w.operator)

    def test_a_commune_officer_who_is_also_something_else_is_beyond_the_heads_reach(self, w):
        RoleAssignment.objects.create(user=w.officer, role=Role.VIEWER, unit=w.province, include_descendants=True)
        assert visible(w.head) == {"vanphong"}


class TestCreate:
    def test_the_province_admin_creates_an_official_with_a_temporary_password(self, w, client):
        client.force_login(w.admin)
        response = client.post(
            reverse("accounts:person-new"),
            {"username": "nguyenvanb", "full_name": "Nguyễn Văn B", "position": "Công chức Tư pháp - Hộ tịch",
             "email": "b@example.vn", "phone": "0233 3861 234", "unit": w.commune.pk, "role": Role.COMMUNE_OFFICER},
        )  # fmt: skip
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        password = response.context["password"]
        assert password in response.content.decode()
        user = User.objects.get(username="nguyenvanb")
        assert user.check_password(password) and user.must_change_password
        assert user.unit == w.commune and not user.is_staff and not user.is_superuser
        assert list(user.role_assignments.values_list("role", "unit_id")) == [(Role.COMMUNE_OFFICER, w.commune.pk)]
        actions = list(AccountEvent.objects.filter(user=user).values_list("action", "actor__username", "province_id"))
        assert sorted(actions) == [
            ("created", "sonoivu", w.province.pk),
            ("role_granted", "sonoivu", w.province.pk),
        ]

    def test_a_new_official_must_choose_a_password_before_anything_else(self, w, client):
        user, password = services.user_create(
            principal=principal_for(w.admin), actor=w.admin, username="moi", full_name="Người Mới",
            unit=w.commune, role=Role.COMMUNE_OFFICER,
        )  # fmt: skip
        assert client.post(reverse("login"), {"username": "moi", "password": password}).status_code == 302
        response = client.get(reverse("assessments:assessment-list"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password-change")
        assert client.get("/", headers={"HX-Request": "true"})["HX-Redirect"] == reverse("accounts:password-change")
        change = client.post(
            reverse("accounts:password-change"),
            {
                "old_password": password,
                "new_password1": "Lua chin vang dong 7",
                "new_password2": "Lua chin vang dong 7",
            },
        )
        assert change.status_code == 302
        user.refresh_from_db()
        assert not user.must_change_password
        assert client.get(reverse("assessments:assessment-list")).status_code == 200

    def test_the_commune_head_creates_officers_of_its_commune_only(self, w):
        head = principal_for(w.head)
        user, _ = services.user_create(
            principal=head, actor=w.head, username="congchuc3", full_name="C", unit=w.commune,
            role=Role.COMMUNE_OFFICE,
        )  # fmt: skip
        assert user.unit == w.commune
        with pytest.raises(ValidationError):
            services.user_create(
                principal=head, actor=w.head, username="phochutich", full_name="P", unit=w.commune,
                role=Role.COMMUNE_HEAD,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.user_create(
                principal=head, actor=w.head, username="x", full_name="X", unit=w.other_commune,
                role=Role.COMMUNE_OFFICER,
            )  # fmt: skip
        assert not User.objects.filter(username__in=["phochutich", "x"]).exists()

    def test_a_province_admin_cannot_create_people_in_another_province(self, w, client):
        client.force_login(w.admin)
        before = User.objects.count()
        response = client.post(
            reverse("accounts:person-new"),
            {"username": "ke.la", "full_name": "Kẻ Lạ", "unit": w.far_commune.pk, "role": Role.COMMUNE_OFFICER},
        )
        assert response.status_code == 400
        assert "không thuộc phạm vi bạn quản lý" in response.content.decode()
        assert User.objects.count() == before

    def test_province_roles_are_granted_at_the_province_commune_roles_at_a_commune(self, w):
        admin = principal_for(w.admin)
        with pytest.raises(ValidationError, match="vai trò cấp tỉnh"):
            services.user_create(
                principal=admin, actor=w.admin, username="td2", full_name="T", unit=w.commune, role=Role.APPRAISER
            )
        user, _ = services.user_create(
            principal=admin, actor=w.admin, username="td3", full_name="T", unit=w.province, role=Role.APPRAISER
        )
        assert user.role_assignments.get().include_descendants

    def test_a_taken_user_name_is_refused_whatever_its_case(self, w, client):
        client.force_login(w.admin)
        response = client.post(
            reverse("accounts:person-new"),
            {"username": "CongChuc", "full_name": "Trùng", "unit": w.commune.pk, "role": Role.COMMUNE_OFFICER},
        )
        assert response.status_code == 400 and "đã có người dùng" in response.content.decode()

    def test_form_fields_for_rights_are_ignored(self, w, client):
        client.force_login(w.admin)
        client.post(
            reverse("accounts:person-new"),
            {"username": "leo.thang", "full_name": "Leo Thang", "unit": w.commune.pk, "role": Role.COMMUNE_OFFICER,
             "is_superuser": "on", "is_staff": "on", "user_permissions": "1", "groups": "1"},
        )  # fmt: skip
        user = User.objects.get(username="leo.thang")
        assert not (user.is_superuser or user.is_staff) and not user.user_permissions.exists()


class TestManage:
    def test_a_password_reset_ends_the_old_password_and_the_sessions(self, w, client):
        client.force_login(w.officer)
        other = client.__class__()
        other.force_login(w.admin)
        response = other.post(reverse("accounts:person-password-reset", args=[w.officer.pk]))
        assert response.status_code == 200
        w.officer.refresh_from_db()
        assert not w.officer.check_password(PASSWORD) and w.officer.must_change_password
        assert w.officer.check_password(response.context["password"])
        assert client.get(reverse("accounts:my-account")).status_code == 302  # logged out
        event = AccountEvent.objects.get(user=w.officer, action="password_reset")
        assert event.actor == w.admin and event.new == {"must_change_password": True}

    def test_deactivating_stops_the_login_and_keeps_the_roles(self, w, client):
        services.user_set_active(principal=principal_for(w.head), actor=w.head, pk=w.officer.pk, active=False)
        assert client.post(reverse("login"), {"username": "congchuc", "password": PASSWORD}).status_code == 200
        assert w.officer.role_assignments.count() == 1
        services.user_set_active(principal=principal_for(w.head), actor=w.head, pk=w.officer.pk, active=True)
        assert client.post(reverse("login"), {"username": "congchuc", "password": PASSWORD}).status_code == 302
        assert list(AccountEvent.objects.filter(user=w.officer).values_list("action", "old", "new")) == [
            ("reactivated", {"is_active": False}, {"is_active": True}),
            ("deactivated", {"is_active": True}, {"is_active": False}),
        ]

    def test_roles_are_granted_and_revoked_within_the_province(self, w, client):
        client.force_login(w.admin)
        url = reverse("accounts:role-grant", args=[w.office.pk])
        assert client.post(url, {"role": Role.VIEWER, "unit": w.province.pk}).status_code == 302
        refused = client.post(url, {"role": Role.COMMUNE_OFFICER, "unit": w.far_commune.pk})
        assert refused.status_code == 400
        assert set(w.office.role_assignments.values_list("role", "unit_id")) == {
            (Role.COMMUNE_OFFICE, w.commune.pk),
            (Role.VIEWER, w.province.pk),
        }
        grant = w.office.role_assignments.get(role=Role.VIEWER)
        assert client.post(reverse("accounts:role-revoke", args=[w.office.pk, grant.pk])).status_code == 302
        assert not w.office.role_assignments.filter(role=Role.VIEWER).exists()
        event = AccountEvent.objects.filter(user=w.office, action="role_revoked").get()
        assert event.old["role"] == Role.VIEWER and event.old["unit"] == "Tỉnh Quảng Trị"
        assert event.changes() == [("Vai trò", "Người xem tại Tỉnh Quảng Trị", "")]

    def test_a_commune_head_cannot_grant_itself_or_others_province_roles(self, w, client):
        client.force_login(w.head)
        response = client.post(
            reverse("accounts:role-grant", args=[w.officer.pk]), {"role": Role.PROVINCE_ADMIN, "unit": w.province.pk}
        )
        assert response.status_code == 400
        assert not w.officer.role_assignments.filter(role=Role.PROVINCE_ADMIN).exists()
        # Its own account is not managed here, by anyone's hand but another manager's.
        assert client.post(reverse("accounts:person-password-reset", args=[w.head.pk])).status_code == 403
        assert (
            client.post(
                reverse("accounts:role-grant", args=[w.head.pk]), {"role": Role.COMMUNE_OFFICE, "unit": w.commune.pk}
            ).status_code
            == 403
        )

    def test_nobody_manages_their_own_account_here(self, w):
        with pytest.raises(PermissionDenied):
            services.role_revoke(
                principal=principal_for(w.admin), actor=w.admin, pk=w.admin.pk,
                grant_pk=w.admin.role_assignments.get().pk,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.user_set_active(principal=principal_for(w.admin), actor=w.admin, pk=w.admin.pk, active=False)

    def test_a_second_admin_may_manage_the_first(self, w):
        services.user_set_active(principal=principal_for(w.admin2), actor=w.admin2, pk=w.admin.pk, active=False)
        w.admin.refresh_from_db()
        assert not w.admin.is_active

    def test_operators_are_out_of_reach(self, w, client):
        client.force_login(w.admin)
        for name in ("person-detail",):
            assert client.get(reverse(f"accounts:{name}", args=[w.operator.pk])).status_code == 404
        assert client.post(reverse("accounts:person-password-reset", args=[w.operator.pk])).status_code == 404
        w.operator.refresh_from_db()
        assert w.operator.check_password(PASSWORD)

    def test_an_edit_never_overwrites_a_change_made_since_the_form_was_shown(self, w, client):
        client.force_login(w.admin)
        url = reverse("accounts:person-edit", args=[w.officer.pk])
        base = {"base_full_name": "Congchuc", "base_position": "", "base_email": "", "base_phone": ""}
        User.objects.filter(pk=w.officer.pk).update(full_name="Nguyễn Thị C")  # someone else, meanwhile
        response = client.post(url, {**base, "full_name": "Lê Văn D", "position": "", "email": "", "phone": ""})
        assert response.status_code == 400 and "vừa được người khác sửa" in response.content.decode()
        w.officer.refresh_from_db()
        assert w.officer.full_name == "Nguyễn Thị C"
        fresh = {**base, "base_full_name": "Nguyễn Thị C"}
        ok = client.post(url, {**fresh, "full_name": "Nguyễn Thị C", "position": "Văn phòng", "email": "", "phone": ""})
        assert ok.status_code == 302
        event = AccountEvent.objects.get(user=w.officer, action="updated")
        assert (event.old, event.new) == ({"position": ""}, {"position": "Văn phòng"})

    def test_an_unlock_lifts_a_login_lock(self, w, client, settings):
        for _ in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "congchuc", "password": "sai-mat-khau"})
        assert client.post(reverse("login"), {"username": "congchuc", "password": PASSWORD}).status_code == 429
        admin = client.__class__()
        admin.force_login(w.admin)
        page = admin.get(reverse("accounts:person-detail", args=[w.officer.pk])).content.decode()
        assert "Tạm khóa đăng nhập" in page and "Gỡ tạm khóa" in page
        assert admin.post(reverse("accounts:person-unlock", args=[w.officer.pk])).status_code == 302
        assert client.post(reverse("login"), {"username": "congchuc", "password": PASSWORD}).status_code == 302
        assert AccountEvent.objects.filter(user=w.officer, action="unlocked").exists()


class TestPages:
    PAGES = ("people-list", "person-new", "account-log")

    def test_officers_appraisers_and_the_public_may_not_manage_people(self, w, client):
        for user in (w.officer, w.office, w.appraiser):
            client.force_login(user)
            for name in self.PAGES:
                assert client.get(reverse(f"accounts:{name}")).status_code == 403, (user, name)
            assert client.get(reverse("accounts:person-detail", args=[w.officer.pk])).status_code == 403
        client.logout()
        assert client.get(reverse("accounts:people-list")).status_code == 302

    def test_the_people_list_filters_and_pages(self, w, client):
        client.force_login(w.admin)
        html = client.get(reverse("accounts:people-list"), {"q": "congchuc"}).content.decode()
        assert "congchuc.xakhac" in html and "thamdinh" not in html
        html = client.get(reverse("accounts:people-list"), {"vai_tro": Role.APPRAISER}).content.decode()
        assert "thamdinh" in html and "congchuc" not in html
        html = client.get(reverse("accounts:people-list"), {"don_vi": w.other_commune.pk}).content.decode()
        assert "congchuc.xakhac" in html and "vanphong" not in html

    def test_the_account_log_is_the_provinces_own(self, w, client):
        services.user_set_active(principal=principal_for(w.admin), actor=w.admin, pk=w.officer.pk, active=False)
        services.user_set_active(
            principal=principal_for(w.far_admin), actor=w.far_admin, pk=w.far_officer.pk, active=False
        )
        client.force_login(w.admin)
        html = client.get(reverse("accounts:account-log")).content.decode()
        assert "Congchuc" in html and "Hue.Congchuc" not in html
        client.force_login(w.head)
        assert client.get(reverse("accounts:account-log")).status_code == 403

    @pytest.mark.parametrize("extra", [3, 30])
    def test_the_people_list_costs_the_same_whatever_the_number_of_people(
        self, w, client, extra, django_assert_num_queries
    ):
        for i in range(extra):
            services.user_create(
                principal=principal_for(w.admin), actor=w.admin, username=f"cc{i}", full_name=f"Công chức {i}",
                unit=w.commune if i % 2 else w.other_commune, role=Role.COMMUNE_OFFICER,
            )  # fmt: skip
        client.force_login(w.admin)
        with django_assert_num_queries(7):  # 8 before the grants were read with the user
            assert client.get(reverse("accounts:people-list")).status_code == 200

    def test_the_person_page_costs_a_fixed_number_of_queries(self, w, client, django_assert_num_queries):
        client.force_login(w.admin)
        with django_assert_num_queries(9):  # 10 before the grants were read with the user
            assert client.get(reverse("accounts:person-detail", args=[w.officer.pk])).status_code == 200


# view -> who -> status, acting on Nam Cửa Việt's officer (``congchuc``) where a person is needed.
PEOPLE_MATRIX = {
    "people-list": {"admin": 200, "far_admin": 200, "head": 200, "office": 403, "officer": 403, "appraiser": 403, "operator": 200},
    "person-new": {"admin": 200, "far_admin": 200, "head": 200, "office": 403, "officer": 403, "appraiser": 403, "operator": 200},
    "account-log": {"admin": 200, "far_admin": 200, "head": 403, "office": 403, "officer": 403, "appraiser": 403, "operator": 200},
    "person-detail": {"admin": 200, "far_admin": 404, "head": 200, "office": 403, "officer": 403, "appraiser": 403, "operator": 200},
    "person-edit": {"admin": 302, "far_admin": 404, "head": 302, "office": 403, "officer": 403, "appraiser": 403, "operator": 302},
    "person-password-reset": {"admin": 200, "far_admin": 404, "head": 200, "office": 403, "officer": 403, "appraiser": 403, "operator": 200},
    "person-active": {"admin": 302, "far_admin": 404, "head": 302, "office": 403, "officer": 403, "appraiser": 403, "operator": 302},
    "person-unlock": {"admin": 302, "far_admin": 404, "head": 302, "office": 403, "officer": 403, "appraiser": 403, "operator": 302},
    "role-grant": {"admin": 302, "far_admin": 404, "head": 302, "office": 403, "officer": 403, "appraiser": 403, "operator": 302},
    "role-revoke": {"admin": 302, "far_admin": 404, "head": 302, "office": 403, "officer": 403, "appraiser": 403, "operator": 302},
}  # fmt: skip
GETS = {"people-list", "person-new", "account-log", "person-detail"}


LISTS = {"people-list", "person-new", "account-log"}


def people_url(view: str, person) -> str:
    if view in LISTS:
        return reverse(f"accounts:{view}")
    if view == "role-revoke":
        return reverse(f"accounts:{view}", args=[person.pk, person.role_assignments.get().pk])
    return reverse(f"accounts:{view}", args=[person.pk])


@pytest.mark.parametrize("view", sorted(PEOPLE_MATRIX))
def test_people_access_matrix(w, client, view):
    data = {"role": Role.COMMUNE_OFFICE, "unit": w.commune.pk, "active": "0", "full_name": "M2",
            "base_full_name": "M", "base_position": "", "base_email": "", "base_phone": ""}  # fmt: skip
    for who, expected in PEOPLE_MATRIX[view].items():
        # A fresh officer for each request keeps each write independent of the others.
        officer = User.objects.create_user(f"m-{who}-{view}"[:30], password=PASSWORD, unit=w.commune, full_name="M")
        RoleAssignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, unit=w.commune)
        client.force_login(getattr(w, who))
        url = people_url(view, officer)
        response = client.get(url) if view in GETS else client.post(url, data)
        assert response.status_code == expected, (view, who, response.status_code)
        client.logout()
        assert client.get(url).status_code in (302, 405), (view, "anonymous")
