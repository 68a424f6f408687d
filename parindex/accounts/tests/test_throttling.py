"""Login throttling by account and by address (django-axes, configured in settings and
accounts/throttling.py), replaying the cases the security review found open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parindex.accounts.throttling import client_ip

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
RIGHT = "Mat-khau-dung-2026"


@pytest.fixture
def users(db):
    return [get_user_model().objects.create_user(f"cc{i:02}", password=RIGHT) for i in range(17)]


def attempt(username: str, password: str, address: str, **headers: str) -> int:
    return Client(REMOTE_ADDR=address, **headers).post(LOGIN, {"username": username, "password": password}).status_code


def test_fifty_guesses_from_fifty_addresses_lock_the_account_even_for_the_right_password(users, settings):
    statuses = [attempt("cc00", f"doan-{i}", f"203.0.113.{i + 1}") for i in range(50)]
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1) and set(statuses[limit:]) == {429}
    response = Client(REMOTE_ADDR="198.51.100.7").post(LOGIN, {"username": "cc00", "password": RIGHT})
    assert response.status_code == 429
    html = response.content.decode()
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES))
    assert "kể cả khi nhập đúng mật khẩu" in html
    assert f"ngày {until:%d/%m/%Y}" in html and until.strftime("%H:") in html
    assert int(response["Retry-After"]) <= settings.AXES_COOLOFF_MINUTES * 60
    # Other accounts are untouched.
    assert attempt("cc01", RIGHT, "198.51.100.7") == 302


def test_the_account_lock_ends_after_the_cool_off(users, settings, clock):
    for i in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        attempt("cc00", "sai", f"203.0.113.{i + 1}")
    assert attempt("cc00", RIGHT, "198.51.100.7") == 429
    clock.move_to(timezone.now() + dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES, seconds=5))
    assert attempt("cc00", RIGHT, "198.51.100.7") == 302


def test_sixty_eight_guesses_sprayed_over_seventeen_accounts_block_the_address(users, settings):
    statuses = [attempt(f"cc{i % 17:02}", f"doan-{i}", "203.0.113.50") for i in range(68)]
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert 429 in statuses and statuses.index(429) == limit - 1
    blocked = Client(REMOTE_ADDR="203.0.113.50").post(LOGIN, {"username": "cc05", "password": RIGHT})
    assert blocked.status_code == 429 and "Từ địa chỉ mạng này" in blocked.content.decode()
    # The accounts themselves (4 failures each) are not locked: their owners log in from elsewhere.
    assert attempt("cc05", RIGHT, "198.51.100.8") == 302


def test_an_office_sharing_one_address_is_not_blocked_by_a_few_typos(users, settings):
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(f"cc{i % 17:02}", "go-nham", "203.0.113.60")
    assert attempt("cc03", RIGHT, "203.0.113.60") == 302


def test_a_login_in_between_does_not_reset_an_addresss_count(users, settings):
    """One valid account must not let a sprayer start counting again."""
    for round_ in range(4):
        for i in range(9):
            attempt(f"cc{(round_ * 9 + i) % 16 + 1:02}", "doan", "203.0.113.70")
        if round_ < 3:
            assert attempt("cc00", RIGHT, "203.0.113.70") == 302
    assert attempt("cc00", RIGHT, "203.0.113.70") == 429


class TestClientAddress:
    def request(self, remote: str, **meta: str):
        from django.test import RequestFactory

        return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)

    def test_a_forwarded_header_from_anyone_but_a_trusted_proxy_is_ignored(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.1"]
        assert client_ip(self.request("203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "203.0.113.9"

    def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        forged = "6.6.6.6, 203.0.113.9, 10.0.0.2"
        assert client_ip(self.request("10.0.0.1", HTTP_X_FORWARDED_FOR=forged)) == "203.0.113.9"
        settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
        assert client_ip(self.request("10.0.0.1", HTTP_X_REAL_IP="198.51.100.4")) == "198.51.100.4"

    def test_without_configured_proxies_no_header_is_read(self, settings):
        settings.TRUSTED_PROXIES = []
        assert client_ip(self.request("127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "127.0.0.1"

    def test_a_spoofed_header_cannot_dodge_the_address_block(self, users, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.1"]
        statuses = [
            attempt(f"cc{i % 17:02}", "doan", "203.0.113.80", HTTP_X_FORWARDED_FOR=f"198.18.0.{i}") for i in range(40)
        ]
        assert 429 in statuses

    def test_behind_the_proxy_each_client_is_counted_apart(self, users, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.1"]
        for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
            attempt(f"cc{i % 16 + 1:02}", "doan", "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.90")
        assert attempt("cc01", "doan", "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.90") == 429
        assert attempt("cc00", RIGHT, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9") == 302
