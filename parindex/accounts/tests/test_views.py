from __future__ import annotations

import pytest
from django.urls import reverse

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.selectors import principal_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("congchuc1", password="Mat-khau-dung-1", full_name="Nguyễn Văn A")


def test_it_logs_in_and_out(client, officer):
    response = client.post(LOGIN, {"username": "congchuc1", "password": "Mat-khau-dung-1"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:my-account")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("accounts:my-account")).status_code == 302


def test_it_explains_a_wrong_password_in_vietnamese(client, officer):
    response = client.post(LOGIN, {"username": "congchuc1", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_it_locks_out_after_repeated_failures_even_with_the_right_password(client, officer, settings):
    for _ in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "congchuc1", "password": "sai"})
    response = client.post(LOGIN, {"username": "congchuc1", "password": "Mat-khau-dung-1"})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert "kể cả khi nhập đúng mật khẩu" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_changes_a_password_and_refuses_a_weak_one(client, officer):
    client.force_login(officer)
    url = reverse("accounts:password-change")
    weak = client.post(
        url, {"old_password": "Mat-khau-dung-1", "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200 and "field-error" in weak.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("Mat-khau-dung-1")
    ok = client.post(
        url, {"old_password": "Mat-khau-dung-1", "new_password1": "Cchc-2026-moi!", "new_password2": "Cchc-2026-moi!"}
    )
    assert ok.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Cchc-2026-moi!")


def test_it_reads_a_users_grants_in_one_query_and_caches_them(officer, django_assert_num_queries, commune):
    RoleAssignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, unit=commune)
    with django_assert_num_queries(1):
        first = principal_for(officer)
        again = principal_for(officer)
    assert first is again
    assert [(g.role, g.unit_id) for g in first.grants] == [(Role.COMMUNE_OFFICER, commune.pk)]


def test_my_account_lists_my_roles(client, officer, commune):
    RoleAssignment.objects.create(user=officer, role=Role.COMMUNE_HEAD, unit=commune, is_deputy=True)
    client.force_login(officer)
    html = client.get(reverse("accounts:my-account")).content.decode()
    assert "Chủ tịch / Phó Chủ tịch UBND xã" in html and "(ký thay)" in html and commune.name in html
