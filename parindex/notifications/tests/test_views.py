"""The notification pages: only the owner sees or marks a notification; the unread badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from parindex.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification-list")
READ_ALL = reverse("notifications:notification-read-all")


def read_url(n: Notification) -> str:
    return reverse("notifications:notification-read", args=[n.pk])


def note(user, key: str, title: str = "Còn 3 ngày đến hạn tự đánh giá (15/12/2026)", **kw) -> Notification:
    return Notification.objects.create(user=user, key=key, title=title, url=kw.pop("url", "/danh-gia/1/"), **kw)


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("chutich", password="pw-chutich-1")


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user("nguoikhac", password="pw-nguoikhac-1")


@pytest.fixture
def mine(owner):
    return note(owner, "k1", body="Hồ sơ tự đánh giá của Xã Nam Cửa Việt chưa gửi thẩm định.")


class TestAccess:
    """Anonymous → login; another user → 404 (and nothing changes); the owner → the page."""

    def test_anonymous_is_sent_to_login(self, client, mine):
        login = reverse("login")
        for response in (client.get(LIST), client.post(read_url(mine)), client.post(READ_ALL)):
            assert response.status_code == 302 and response.url.startswith(login)
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_the_list_shows_only_my_notifications(self, client, owner, other, mine):
        note(other, "k1", title="Còn 7 ngày đến hạn thẩm định (15/01/2027)")
        client.force_login(owner)
        response = client.get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Còn 3 ngày đến hạn tự đánh giá (15/12/2026)" in html
        assert "Xã Nam Cửa Việt chưa gửi thẩm định" in html
        assert "đến hạn thẩm định" not in html

    def test_another_users_notification_is_not_found(self, client, other, mine):
        client.force_login(other)
        response = client.post(read_url(mine))
        assert response.status_code == 404
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_mark_all_read_touches_only_mine(self, client, owner, other, mine):
        theirs = note(other, "k1")
        client.force_login(owner)
        response = client.post(READ_ALL, follow=True)
        assert "Đã đánh dấu 1 thông báo là đã đọc." in response.content.decode()
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.read_at is not None and theirs.read_at is None

    def test_marking_read_is_post_only(self, client, owner, mine):
        client.force_login(owner)
        assert client.get(read_url(mine)).status_code == 405
        assert client.get(READ_ALL).status_code == 405
        assert client.post(LIST).status_code == 405


class TestReading:
    def test_opening_marks_read_and_goes_to_the_link(self, client, owner, mine, clock):
        client.force_login(owner)
        response = client.post(read_url(mine))
        assert response.status_code == 302 and response.url == "/danh-gia/1/"
        mine.refresh_from_db()
        first = mine.read_at
        assert first is not None
        clock.shift(dt.timedelta(hours=2))
        client.post(read_url(mine))
        mine.refresh_from_db()
        assert mine.read_at == first  # the first reading time is kept

    def test_a_link_elsewhere_or_none_goes_back_to_the_list(self, client, owner):
        client.force_login(owner)
        for url in ("https://lua-dao.example/dang-nhap", "//lua-dao.example/", ""):
            n = note(owner, f"k-{url}", url=url)
            response = client.post(read_url(n))
            assert response.status_code == 302 and response.url == LIST

    def test_newest_first_unread_highlighted(self, client, owner, clock):
        old = note(owner, "old", title="Nhắc hạn lần đầu")
        clock.shift(dt.timedelta(days=1))
        new = note(owner, "new", title="Nhắc hạn lần sau")
        Notification.objects.filter(pk=old.pk).update(read_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))
        client.force_login(owner)
        html = client.get(LIST).content.decode()
        assert html.index("Nhắc hạn lần sau") < html.index("Nhắc hạn lần đầu")
        assert f'id="thong-bao-{new.pk}" class="unread"' in html
        assert f'id="thong-bao-{old.pk}" class="read"' in html
        assert "Đánh dấu tất cả là đã đọc (1)" in html

    def test_paginated_by_fifty(self, client, owner):
        Notification.objects.bulk_create(
            [Notification(user=owner, key=f"k{i}", title=f"Thông báo số {i}") for i in range(51)]
        )
        client.force_login(owner)
        first = client.get(LIST)
        assert len(first.context["page"]) == 50 and "Trang 1/2 · 51 thông báo" in first.content.decode()
        second = client.get(LIST, {"trang": 2})
        assert [n.key for n in second.context["page"]] == ["k0"]  # the oldest
        assert len(client.get(LIST, {"trang": "x"}).context["page"]) == 50

    def test_empty_list(self, client, owner):
        client.force_login(owner)
        html = client.get(LIST).content.decode()
        assert "Chưa có thông báo nào." in html and "Đánh dấu tất cả" not in html


class TestUnreadBadge:
    def test_the_nav_shows_the_unread_count(self, client, owner, mine):
        note(owner, "k2", read_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
        note(owner, "k3")
        client.force_login(owner)
        html = client.get(reverse("home"), follow=True).content.decode()
        assert 'aria-label="Thông báo: 2 chưa đọc"' in html
        assert '<span class="badge badge-draft">2</span>' in html

    def test_no_badge_without_unread_and_no_link_when_anonymous(self, client, owner):
        client.force_login(owner)
        html = client.get(reverse("home"), follow=True).content.decode()
        assert f'href="{LIST}">Thông báo</a>' in html
        client.logout()
        assert LIST not in client.get(reverse("home"), follow=True).content.decode()

    def test_counted_only_when_a_template_uses_it(self, owner, mine, django_assert_num_queries):
        request = RequestFactory().get("/")
        request.user = owner
        engine = engines["django"]
        with django_assert_num_queries(0):
            assert engine.from_string("trang không dùng").render({}, request) == "trang không dùng"
        with django_assert_num_queries(1):
            html = engine.from_string("{% if unread_notifications %}{{ unread_notifications }}{% endif %}")
            assert html.render({}, request) == "1"

    def test_anonymous_costs_nothing(self, django_assert_num_queries):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with django_assert_num_queries(0):
            assert engines["django"].from_string("{{ unread_notifications }}").render({}, request) == "0"


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_makes_a_fixed_number_of_queries(client, owner, django_assert_num_queries, count):
    Notification.objects.bulk_create(
        [Notification(user=owner, key=f"k{i}", title=f"Thông báo {i}", url="/danh-gia/1/") for i in range(count)]
    )
    client.force_login(owner)
    # session, user with their grants, page count, unread badge, page rows
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200
