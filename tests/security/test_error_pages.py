"""The error pages a person meets with DEBUG off (the tests run with DEBUG=False): Vietnamese,
in the site's layout, saying what happened and what to do."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import include, path, reverse

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest):
    raise RuntimeError("a bug")


urlpatterns = [path("loi-thu/", _boom), path("", include("parindex.urls"))]


def test_a_wrong_address_is_a_vietnamese_404_in_the_layout(client, settings):
    assert settings.DEBUG is False
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in html and "Không tìm thấy" in html and 'class="topbar"' in html
    assert "Not Found" not in html


def test_a_forbidden_action_is_a_vietnamese_403_with_its_reason(client):
    client.force_login(get_user_model().objects.create_user("congchuc", password="Mat-khau-kiem-thu-26"))
    response = client.get(reverse("accounts:people-list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Bạn không được thực hiện thao tác này" in html and "Chủ tịch UBND xã được quản lý người dùng" in html
    assert "Forbidden" not in html


def test_an_expired_session_posting_a_form_is_told_to_reload(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_user("congchuc", password="Mat-khau-kiem-thu-26"))
    response = client.post(reverse("accounts:password-change"), {"old_password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in html and "tải lại trang và gửi lại" in html
    assert "CSRF verification failed" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_vietnamese_500_without_details(db):
    client = Client(raise_request_exception=False)
    response = client.get("/loi-thu/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="vi">' in html and "Máy chủ gặp lỗi" in html and "a bug" not in html
    assert "Server Error" not in html
