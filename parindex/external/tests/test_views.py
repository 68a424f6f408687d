"""The pages: who sees and does what (404 for what one may not see, 403 for what one may not do),
the leaderboard and the trend pinned for query counts with few and many units, the exports, and
a contest accepted moving the leaderboard."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parindex.accounts.selectors import principal_for
from parindex.external import services
from parindex.external.models import ExternalResult, ExternalValue, ResultAdjustment, ValueContest
from parindex.external.tests.conftest import V2_HEADER, csv, v2_line
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db
MON = dt.date(2026, 11, 2)
PREV = dt.date(2026, 10, 26)


def load(index, province, admin_p, lines, until=dt.date(2026, 11, 27)):
    result = services.external_results_import(
        index=index, province=province, file=csv(V2_HEADER, *lines), filename="766.csv",
        source_system="Cổng DVC quốc gia", extracted_on=dt.date(2026, 11, 16), contest_until=until, actor=None,
        principal=admin_p,
    )  # fmt: skip
    assert result.ok, result.problems
    return result


@pytest.fixture
def scene(index, province, commune, other_commune, far_commune, admin_p):
    """Two weeks: Nam Cửa Việt first then second (97 < 100), Đông Hà the other way round."""
    load(index, province, admin_p, [
        v2_line("19639", PREV), v2_line("19333", PREV, (15, 20, 12, 10, 18, 22)),
        v2_line("19639", MON, (15, 20, 12, 10, 18, 22)), v2_line("19333", MON),
    ])  # fmt: skip
    return {
        "value": ExternalValue.objects.get(result__unit=commune, result__period_start=MON, component__code="cong_khai")
    }


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def post(client, user, url, data):
    if user is not None:
        client.force_login(user)
    return client.post(url, data)


def test_who_sees_the_pages(client, scene, people, province, commune):
    board = reverse("external:leaderboard", args=[province.pk])
    trend = reverse("external:unit-trend", args=[commune.pk])
    imp = reverse("external:import", args=[province.pk])
    expected = {
        "admin": (200, 200, 200),
        "viewer": (200, 200, 403),
        "office": (404, 200, 404),
        "officer": (404, 200, 404),
        "elsewhere": (404, 404, 404),
    }
    for who, codes in expected.items():
        user = people[who]()
        got = tuple(get(client, user, url).status_code for url in (board, trend, imp))
        assert got == codes, who
        client.logout()
    assert get(client, None, board).status_code == 302


def test_who_may_post_the_forms(client, scene, people, province, commune):
    value = scene["value"]
    result = value.result
    office, viewer, elsewhere, officer = (people[w]() for w in ("office", "viewer", "elsewhere", "officer"))
    url = reverse("external:contest-new", args=[value.pk])
    assert post(client, elsewhere, url, {"reason": "x"}).status_code == 404
    assert post(client, officer, url, {"reason": "x"}).status_code == 403
    assert post(client, office, url, {"reason": "Thiếu đồng bộ", "proposed": "18"}).status_code == 302
    contest = ValueContest.objects.get()
    decide = reverse("external:contest-decide", args=[contest.pk])
    adjust = reverse("external:adjustment-new", args=[result.pk])
    target = reverse("external:target-set", args=[province.pk])
    for url, data in (
        (decide, {"accept": "1", "new_value": "18", "reason": "ok"}),
        (adjust, {"points": "-2", "reason": "Lỗi"}),
        (target, {"year": 2026, "target": "95"}),
    ):
        assert post(client, office, url, data).status_code == 404, url
        assert post(client, elsewhere, url, data).status_code == 404, url
        assert post(client, viewer, url, data).status_code == 403, url
    admin = people["admin"]()
    assert post(client, admin, adjust, {"points": "-2", "reason": "Lỗi hệ thống"}).status_code == 302
    adjustment = ResultAdjustment.objects.get()
    reverse_url = reverse("external:adjustment-reverse", args=[adjustment.pk])
    assert post(client, office, reverse_url, {"reason": "x"}).status_code == 404
    assert post(client, viewer, reverse_url, {"reason": "x"}).status_code == 403
    assert post(client, admin, reverse_url, {"reason": "Đã sửa"}).status_code == 302
    assert ResultAdjustment.objects.get().reversed_at is not None


def test_an_accepted_contest_changes_the_leaderboard_and_keeps_the_original(client, scene, people, province, commune):
    admin = people["admin"]()
    url = reverse("external:leaderboard", args=[province.pk])
    html = get(client, admin, url).content.decode()
    assert "Kỳ từ 02/11/2026 đến 08/11/2026" in html
    first = html.index("Phường Đông Hà")
    assert first < html.index("Xã Nam Cửa Việt") and "giảm 1 bậc" in html and "tăng 1 bậc" in html
    office = people["office"]()
    services.value_contest_open(
        value=scene["value"], reason="Thiếu", proposed="18", evidence="", actor=office, principal=principal_for(office)
    )
    contest = ValueContest.objects.get()
    assert (
        post(
            client,
            admin,
            reverse("external:contest-decide", args=[contest.pk]),
            {"accept": "1", "new_value": "18", "reason": "Đối soát xong"},
        ).status_code
        == 302
    )
    html = get(client, admin, url).content.decode()
    assert "giữ nguyên" in html and html.count('<td class="num">1/2</td>') == 2  # both 100: they share the first rank
    trend = get(client, admin, reverse("external:unit-trend", args=[commune.pk])).content.decode()
    assert "(theo nguồn 15,00)" in trend and "15,00 → 18,00" in trend


def test_an_adjustment_shows_wherever_the_score_is(client, scene, people, province, commune):
    admin = people["admin"]()
    result = ExternalResult.objects.get(unit=commune, period_start=MON)
    services.result_adjust(
        result=result, points="-2", reason="Lỗi hệ thống", actor=admin, principal=principal_for(admin)
    )
    board = get(client, admin, reverse("external:leaderboard", args=[province.pk])).content.decode()
    assert "-2,00" in board and "95,00" in board
    trend = get(client, admin, reverse("external:unit-trend", args=[commune.pk])).content.decode()
    assert "Điều chỉnh -2,00" in trend and "-2,00 điểm: Lỗi hệ thống" in trend


def test_the_exports_and_the_filters(client, scene, people, province):
    admin = people["admin"]()
    url = reverse("external:leaderboard", args=[province.pk])
    response = get(client, admin, url + "?q=Đông&tai=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[3]][:7] == [1, 2, "19333", "Phường Đông Hà", 100, 0, 100] and sheet.max_row == 3
    body = get(client, admin, url + "?tai=csv").content.decode("utf-8-sig")
    assert body.splitlines()[1].startswith("1,2,19333,Phường Đông Hà,100,0,100,2,1")
    html = get(client, admin, url + f"?ky={PREV.isoformat()}").content.decode()
    assert "Kỳ từ 26/10/2026" in html and "chưa có so sánh" in html
    assert "CSV, dòng" not in html


def test_the_import_page_lists_every_problem_and_saves_nothing(client, index, province, commune, people):
    admin = people["admin"]()
    client.force_login(admin)
    data = csv(V2_HEADER, v2_line("19639", MON, (19, 20, 12, 10, 18, 22)), v2_line("99999", MON))
    upload = io.BytesIO(data)
    upload.name = "766.csv"
    response = client.post(
        reverse("external:import", args=[province.pk]),
        {"file": upload, "source_system": "Cổng DVC", "extracted_on": "16/11/2026", "contest_until": "27/11/2026"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Chưa nạp: 2 lỗi" in html and "19 vượt điểm tối đa 18" in html
    assert not ExternalResult.objects.exists()


def many(province, index, admin_p, n):
    units = [
        AdministrativeUnit(era="current", code=f"9{i:04d}", name=f"Xã Thử {i}", kind="xa", level=3, parent=province, province=province)
        for i in range(n)
    ]  # fmt: skip
    AdministrativeUnit.objects.bulk_create(units)
    lines = [v2_line(f"9{i:04d}", start, (18, 20, 12, 10, 18, 22 - i % 5)) for i in range(n) for start in (PREV, MON)]
    load(index, province, admin_p, lines)


@pytest.mark.parametrize("n", [0, 40])
def test_the_leaderboard_reads_the_same_queries_for_few_and_many(
    client, scene, people, province, index, admin_p, n, django_assert_num_queries
):
    many(province, index, admin_p, n)
    admin = people["admin"]()
    client.force_login(admin)
    url = reverse("external:leaderboard", args=[province.pk])
    client.get(url)
    # session, user with their grants, province, index, periods, results, open contests per unit, target,
    # the open contests listed, the version's components, the unread notifications of the menu
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("weeks", [2, 30])
def test_the_trend_reads_the_same_queries_for_few_and_many_weeks(
    client, scene, people, index, province, commune, admin_p, weeks, django_assert_num_queries
):
    lines = [v2_line("19639", MON - dt.timedelta(days=7 * k)) for k in range(2, weeks)]
    if lines:
        load(index, province, admin_p, lines)
    office = people["office"]()
    client.force_login(office)
    url = reverse("external:unit-trend", args=[commune.pk])
    client.get(url)
    # session, user with their grants, unit, index, years, results, values, contests, adjustments, medians,
    # target, the unread notifications of the menu
    with django_assert_num_queries(12):
        html = client.get(url).content.decode()
    assert "Đề nghị xem xét" in html and Decimal(1)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_contest_carries_a_private_file(client, scene, people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    value = scene["value"]
    office, elsewhere, admin = people["office"](), people["elsewhere"](), people["admin"]()
    url = reverse("external:contest-new", args=[value.pk])
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    client.force_login(office)
    refused = client.post(url, {"reason": "Lỗi đồng bộ", "file": fake}, follow=True)
    assert "không phải là PDF" in refused.content.decode() and not ValueContest.objects.exists()
    good = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"reason": "Lỗi đồng bộ", "file": good}).status_code == 302
    contest = ValueContest.objects.get()
    assert contest.sha256 and contest.size == len(PDF) and contest.original_name == "bien-ban.pdf"
    download = reverse("external:contest-file", args=[contest.pk])
    trend = get(client, admin, reverse("external:unit-trend", args=[value.result.unit_id])).content.decode()
    assert download in trend
    for user, status in ((office, 200), (admin, 200), (elsewhere, 404)):
        assert get(client, user, download).status_code == status
    assert b"".join(get(client, office, download).streaming_content) == PDF


def test_the_province_types_a_period_by_hand(client, scene, people, commune):
    url = reverse("external:result-enter", args=[commune.pk])
    week = {"period_start": "2026-11-09", "period_end": "2026-11-15"}
    figures = {"diem-cong_khai": "17,5", "diem-tien_do": "19", "diem-dvc_truc_tuyen": "11",
               "diem-thanh_toan": "9", "diem-hai_long": "17", "diem-so_hoa": "20,25"}  # fmt: skip
    office, viewer, admin = people["office"](), people["viewer"](), people["admin"]()
    assert post(client, office, url, {**week, **figures}).status_code == 404
    assert post(client, viewer, url, {**week, **figures}).status_code == 403
    client.force_login(admin)
    refused = client.post(url, {**week, **figures, "diem-tien_do": "25"}, follow=True)
    assert refused.status_code == 200 and not ExternalResult.objects.filter(period_start=dt.date(2026, 11, 9)).exists()
    assert "Tiến độ" in refused.content.decode()
    assert client.post(url, {**week, **figures}).status_code == 302
    result = ExternalResult.objects.get(unit=commune, period_start=dt.date(2026, 11, 9))
    assert result.total == Decimal("93.75")
    page = get(client, admin, reverse("external:unit-trend", args=[commune.pk])).content.decode()
    assert "Nhập kết quả một kỳ" in page and 'name="diem-so_hoa"' in page
