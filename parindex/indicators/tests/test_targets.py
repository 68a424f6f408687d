"""A province's own targets of a year: set by its Sở Nội vụ, all or none, never over someone
else's change; read by the rest of its staff; used by monitoring."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import monitoring, services
from parindex.indicators.models import Indicator, IndicatorTarget
from parindex.indicators.tests.factories import make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_time(db):
    return make_indicator()  # ratio, default 96 %


@pytest.fixture
def initiatives(db):
    return make_indicator(
        "sang_kien", name="Số sáng kiến cải cách hành chính", kind=Indicator.Kind.COUNT, numerator_label="Sáng kiến"
    )


@pytest.fixture
def admin(province):
    return user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True)


def save(province, user, typed, base=None, year=2026):
    return services.indicator_targets_save(
        province=province,
        year=year,
        typed=typed,
        base=base if base is not None else dict.fromkeys(typed, ""),
        actor=user,
        principal=principal_for(user),
    )


def own(province, year=2026):
    return dict(IndicatorTarget.objects.filter(province=province, year=year).values_list("indicator__code", "target"))


class TestSave:
    def test_ratios_are_typed_in_percent_and_the_default_stores_nothing(self, province, admin, on_time, initiatives):
        assert save(province, admin, {"ho_so_dung_han": "92,5", "sang_kien": "2"}) == 2
        assert own(province) == {"ho_so_dung_han": Decimal("0.925"), "sang_kien": Decimal(2)}
        assert monitoring.year_targets([on_time], province.pk, 2026) == {on_time.pk: Decimal("0.925")}
        # Back to the default: the province's own target goes; empty does the same.
        base = {"ho_so_dung_han": "92,5", "sang_kien": "2"}
        assert save(province, admin, {"ho_so_dung_han": "96", "sang_kien": ""}, base) == 2
        assert own(province) == {}

    def test_bad_targets_are_all_reported_and_nothing_is_saved(self, province, admin, on_time, initiatives):
        save(province, admin, {"sang_kien": "3"})
        with pytest.raises(ValidationError) as refused:
            save(province, admin, {"ho_so_dung_han": "120", "sang_kien": "abc"}, {"sang_kien": "3"})
        assert refused.value.messages == [
            "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn: chỉ tiêu tỷ lệ từ 0 đến 100%, không phải 120%.",
            "Số sáng kiến cải cách hành chính: 'abc' không phải là số.",
        ]
        assert own(province) == {"sang_kien": Decimal(3)}

    def test_a_target_changed_by_someone_else_since_the_form_was_shown_is_not_overwritten(
        self, province, admin, on_time
    ):
        save(province, admin, {"ho_so_dung_han": "95"})  # someone else, meanwhile
        with pytest.raises(ValidationError) as refused:
            save(province, admin, {"ho_so_dung_han": "90"}, {"ho_so_dung_han": ""})
        assert "vừa được người khác thay đổi" in refused.value.messages[0]
        assert own(province) == {"ho_so_dung_han": Decimal("0.95")}

    def test_only_the_provinces_admins_set_targets(self, province, commune, on_time):
        for user in (
            user_with_role("xem", Role.VIEWER, province, include_descendants=True),
            user_with_role("vp", Role.COMMUNE_OFFICE, commune),
        ):
            with pytest.raises(PermissionDenied):
                save(province, user, {"ho_so_dung_han": "90"})
        assert own(province) == {}

    def test_years_out_of_range_and_communes_are_refused(self, province, commune, admin, on_time):
        with pytest.raises(ValidationError, match="chỉ đặt chỉ tiêu từ năm 2015 đến năm sau"):
            save(province, admin, {"ho_so_dung_han": "90"}, year=2030)
        superuser = type(admin).objects.create_superuser("root", password="x-root-1")
        with pytest.raises(ValidationError, match="không phải tỉnh, thành phố hiện nay"):
            save(commune, superuser, {"ho_so_dung_han": "90"})

    def test_target_text_is_what_the_province_types(self, on_time, initiatives):
        assert services.target_text(on_time, Decimal("0.96")) == "96"
        assert services.target_text(on_time, Decimal("0.925")) == "92,5"
        assert services.target_text(initiatives, Decimal(2)) == "2"
        assert services.target_text(on_time, None) == ""


class TestPage:
    @pytest.mark.parametrize(
        ("who", "get", "post"),
        [("admin", 200, 302), ("viewer", 200, 403), ("officer", 404, 404), ("anonymous", 302, 302)],
    )
    def test_who_sees_and_sets_the_targets(self, client, province, commune, on_time, who, get, post):
        users = {
            "admin": lambda: user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
            "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
            "officer": lambda: user_with_role("cc", Role.COMMUNE_OFFICER, commune),
            "anonymous": lambda: None,
        }
        user = users[who]()
        if user is not None:
            client.force_login(user)
        url = reverse("indicators:targets", args=[province.pk])
        assert client.get(url).status_code == get
        response = client.post(url + "?nam=2026", {"ct-ho_so_dung_han": "90", "truoc-ho_so_dung_han": ""})
        assert response.status_code == post
        assert own(province) == ({"ho_so_dung_han": Decimal("0.9")} if who == "admin" else {})

    def test_a_refused_save_keeps_what_was_typed(self, client, province, admin, on_time, initiatives):
        client.force_login(admin)
        url = reverse("indicators:targets", args=[province.pk]) + "?nam=2026"
        response = client.post(
            url, {"ct-ho_so_dung_han": "92,5", "ct-sang_kien": "-1", "truoc-ho_so_dung_han": "", "truoc-sang_kien": ""}
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "Chưa lưu" in page and 'value="92,5"' in page and 'value="-1"' in page
        assert own(province) == {}
        saved = client.post(url, {"ct-ho_so_dung_han": "92,5", "truoc-ho_so_dung_han": ""}, follow=True)
        assert "Đã lưu chỉ tiêu năm 2026: 1 chỉ tiêu thay đổi." in saved.content.decode()
        assert 'name="truoc-ho_so_dung_han" value="92,5"' in saved.content.decode()

    @pytest.mark.parametrize("n", [2, 8])
    def test_the_page_costs_the_same_queries_for_2_and_8_indicators(
        self, client, province, admin, n, django_assert_num_queries
    ):
        for i in range(n):
            indicator = make_indicator(f"chi_so_{i}", name=f"Chỉ số {i}")
            IndicatorTarget.objects.create(indicator=indicator, province=province, year=2026, target=Decimal("0.5"))
        client.force_login(admin)
        # session, user with their grants, the province, indicators, the province's targets, notifications
        with django_assert_num_queries(6):
            response = client.get(reverse("indicators:targets", args=[province.pk]))
        assert len(response.context["rows"]) == n
