"""The register's pages: who sees and does what (404 for those who may not see the commune, 403
for those who may see but not record), the form keeping what was typed when refused, deletion
after a confirmation, the province's overview, and a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parindex.assessments.models import Assessment
from parindex.assessments.tests.factories import open_cycle
from parindex.assessments.workflow import Status
from parindex.dossiers.models import LateDossier
from parindex.dossiers.tests.factories import NO_LETTER, POST, bulk_dossiers, late_dossier, people
from parindex.frameworks import services as framework_services
from parindex.results.tests.factories import bulk_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(commune, other_commune, province):
    return {"users": people(commune, other_commune, province), "dossier": late_dossier(commune)}


def u(name, *args, query=""):
    return reverse(f"dossiers:{name}", args=args) + query


def call(client, scene, view, province):
    d, unit = scene["dossier"], scene["dossier"].unit
    new = POST | {"code": "H45-NEW"}
    edit = POST | {"revision": d.revision, "note": "đã sửa"}
    return {
        "list": lambda: client.get(u("unit-list", unit.pk)),
        "create": lambda: client.get(u("dossier-create", unit.pk)),
        "create-save": lambda: client.post(u("dossier-create", unit.pk), new),
        "edit": lambda: client.get(u("dossier-edit", d.pk)),
        "edit-save": lambda: client.post(u("dossier-edit", d.pk), edit),
        "delete": lambda: client.get(u("dossier-delete", d.pk)),
        "delete-save": lambda: client.post(u("dossier-delete", d.pk), {"revision": d.revision}),
        "province": lambda: client.get(u("province-list", province.pk)),
    }[view]()


SEES = {
    "head": 200,
    "office": 200,
    "officer": 200,
    "outsider": 404,
    "viewer": 200,
    "admin": 200,
    "chair": 200,
    "appraiser": 404,
}
RECORDS = {
    "head": 200,
    "office": 200,
    "officer": 403,
    "outsider": 404,
    "viewer": 403,
    "admin": 200,
    "chair": 403,
    "appraiser": 404,
}
SAVES = {k: 302 if v == 200 else v for k, v in RECORDS.items()}
MATRIX = {
    "list": SEES,
    "create": RECORDS,
    "create-save": SAVES,
    "edit": RECORDS,
    "edit-save": SAVES,
    "delete": RECORDS,
    "delete-save": SAVES,
    # The province's overview is the board roles' (council chair, Sở Nội vụ, viewers); commune people never.
    "province": {"head": 404, "office": 404, "officer": 404, "outsider": 404, "viewer": 200, "admin": 200, "chair": 200, "appraiser": 404},
}  # fmt: skip
CASES = [(view, persona, status) for view, row in MATRIX.items() for persona, status in row.items()]


@pytest.mark.parametrize(("view", "persona", "status"), CASES, ids=[f"{v}-{p}" for v, p, _ in CASES])
def test_access(client, scene, province, view, persona, status):
    client.force_login(scene["users"][persona])
    before = list(LateDossier.objects.values_list("pk", "revision"))
    response = call(client, scene, view, province)
    assert response.status_code == status
    if view.endswith("-save") and status != 302:
        assert list(LateDossier.objects.values_list("pk", "revision")) == before  # nothing written


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, scene, province, view):
    response = call(client, scene, view, province)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_unknown_units_and_dossiers_are_not_found(client, scene, province):
    client.force_login(scene["users"]["admin"])
    assert client.get(u("unit-list", province.pk)).status_code == 404  # a province is not a commune
    assert client.get(u("province-list", scene["dossier"].unit_id)).status_code == 404
    assert client.get(u("dossier-edit", 999999)).status_code == 404


# -- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_years_figures_and_highlights_missing_letters(client, scene, commune):
    late_dossier(commune, code="H45-NO-LETTER", resolved_on=None, **NO_LETTER)
    late_dossier(commune, code="H45-2025", received_on=dt.date(2025, 3, 1), due_on=dt.date(2025, 9, 1), resolved_on=dt.date(2025, 9, 5), **NO_LETTER)  # fmt: skip
    client.force_login(scene["users"]["office"])
    html = client.get(u("unit-list", commune.pk, query="?nam=2026")).content.decode()
    assert "Hồ sơ trễ hạn năm 2026</span><strong>2</strong>" in html
    assert 'Đã gửi thư xin lỗi</span><strong>1</strong> <small class="muted">(50,00%)</small>' in html
    assert (
        'class="trk-alert"><span class="label">Chưa có thư xin lỗi</span><strong><span aria-hidden="true">⚠ </span>1'
        in html
    )
    assert "Số 12/PXL-UBND ngày 09/10/2026" in html and "hẹn trả lại 15/10/2026" in html
    assert html.count('class="trk-overdue"') == 1 and "H45-2025" not in html
    assert u("dossier-create", commune.pk) in html and u("dossier-edit", scene["dossier"].pk) in html
    assert "H45-2025" in client.get(u("unit-list", commune.pk, query="?nam=2025")).content.decode()


def test_a_viewer_sees_no_buttons(client, scene, commune):
    client.force_login(scene["users"]["viewer"])
    html = client.get(u("unit-list", commune.pk)).content.decode()
    assert scene["dossier"].code in html
    assert u("dossier-create", commune.pk) not in html and u("dossier-edit", scene["dossier"].pk) not in html


def test_an_htmx_year_change_returns_only_the_list(client, scene, commune):
    client.force_login(scene["users"]["office"])
    response = client.get(
        u("unit-list", commune.pk, query="?nam=2026"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dossier-list"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dossier-list">') and "<html" not in html
    assert scene["dossier"].code in html


def test_a_submitted_year_is_read_only(client, scene, commune, province, reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    assessment = open_cycle(province, version, commune).assessments.get()
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    client.force_login(scene["users"]["office"])
    html = client.get(u("unit-list", commune.pk)).content.decode()
    assert "đã gửi thẩm định: sổ hồ sơ trễ hạn năm 2026 chỉ để xem" in html
    assert u("dossier-edit", scene["dossier"].pk) not in html
    response = client.post(u("dossier-edit", scene["dossier"].pk), POST | {"revision": 1, "note": "muộn"})
    assert response.status_code == 400 and "không còn được thêm, sửa hoặc xóa" in response.content.decode()
    assert LateDossier.objects.get().note == ""


# -- the form ------------------------------------------------------------------------------------


def test_recording_with_dd_mm_yyyy_dates(client, scene, commune):
    client.force_login(scene["users"]["office"])
    response = client.post(u("dossier-create", commune.pk), POST | {"code": "H45-0099"}, follow=True)
    assert response.redirect_chain[-1][0] == u("unit-list", commune.pk, query="?nam=2026")
    assert "Đã ghi hồ sơ trễ hạn H45-0099." in response.content.decode()
    stored = LateDossier.objects.get(code="H45-0099")
    assert (stored.received_on, stored.due_on, stored.letter_date) == (
        dt.date(2026, 10, 2), dt.date(2026, 10, 10), dt.date(2026, 10, 9),
    )  # fmt: skip
    assert stored.entered_by == scene["users"]["office"]


def test_a_refused_form_says_why_and_keeps_what_was_typed(client, scene, commune):
    client.force_login(scene["users"]["office"])
    typed = POST | {"code": "H45-0100", "resolved_on": "10/10/2026", "delay_reason": "Thiếu giấy tờ bổ sung"}
    response = client.post(u("dossier-create", commune.pk), typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert "đây là hồ sơ đúng hạn, không ghi vào sổ hồ sơ trễ hạn" in html
    assert 'value="H45-0100"' in html and "Thiếu giấy tờ bổ sung" in html and 'value="10/10/2026"' in html
    assert not LateDossier.objects.filter(code="H45-0100").exists()


def test_a_badly_typed_date_is_named_under_its_field(client, scene, commune):
    client.force_login(scene["users"]["office"])
    response = client.post(u("dossier-create", commune.pk), POST | {"code": "H45-0101", "due_on": "31/02/2026"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/03/2026." in html and 'value="31/02/2026"' in html


def test_the_edit_form_shows_dates_as_dd_mm_yyyy(client, scene):
    client.force_login(scene["users"]["head"])
    html = client.get(u("dossier-edit", scene["dossier"].pk)).content.decode()
    assert 'value="02/10/2026"' in html and 'value="12/PXL-UBND"' in html
    assert 'name="revision" value="1"' in html


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, scene):
    d = scene["dossier"]
    LateDossier.objects.filter(pk=d.pk).update(revision=2, note="người khác đã sửa")
    client.force_login(scene["users"]["office"])
    response = client.post(u("dossier-edit", d.pk), POST | {"revision": 1, "note": "tôi sửa"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "vừa được người khác sửa hoặc xóa. Thay đổi của bạn chưa được lưu" in html
    assert 'value="tôi sửa"' in html
    assert LateDossier.objects.get().note == "người khác đã sửa"


def test_marking_the_apology_letter_sent(client, scene, commune):
    pending = late_dossier(commune, code="H45-0200", resolved_on=None, **NO_LETTER)
    client.force_login(scene["users"]["office"])
    data = POST | {"code": "H45-0200", "resolved_on": "", "revision": pending.revision}
    assert client.post(u("dossier-edit", pending.pk), data).status_code == 302
    pending.refresh_from_db()
    assert pending.apology_issued and pending.letter_number == "12/PXL-UBND" and pending.revision == 2


# -- deleting ------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_on_post(client, scene):
    d = scene["dossier"]
    client.force_login(scene["users"]["office"])
    page = client.get(u("dossier-delete", d.pk)).content.decode()
    assert f"Xóa hồ sơ trễ hạn {d.code}?" in page and 'name="revision" value="1"' in page
    assert LateDossier.objects.exists()
    response = client.post(u("dossier-delete", d.pk), {"revision": 1})
    assert response.status_code == 302 and response["Location"] == u("unit-list", d.unit_id, query="?nam=2026")
    assert not LateDossier.objects.exists()


def test_a_delete_without_its_revision_deletes_nothing(client, scene):
    client.force_login(scene["users"]["office"])
    response = client.post(u("dossier-delete", scene["dossier"].pk), {})
    assert response.status_code == 400 and "Thiếu thông tin phiên bản đang sửa" in response.content.decode()
    assert LateDossier.objects.exists()


# -- the province --------------------------------------------------------------------------------


def test_the_province_page_lists_the_communes_missing_letters_first(client, scene, province, other_commune):
    bulk_dossiers(other_commune, 3, with_letter=1)
    client.force_login(scene["users"]["viewer"])
    html = client.get(u("province-list", province.pk, query="?nam=2026")).content.decode()
    assert html.index("Phường Đông Hà") < html.index("Xã Nam Cửa Việt")
    assert html.count('class="trk-overdue"') == 1
    assert 'Đơn vị còn hồ sơ chưa có thư xin lỗi</span><strong><span aria-hidden="true">⚠ </span>1</strong>' in html
    assert u("unit-list", other_commune.pk, query="?nam=2026") in html


# -- queries -------------------------------------------------------------------------------------

# session, user with their grants, unit, dossiers of the year, figures (counts + indicator), frozen year,
# unread notifications (menu).
LIST_QUERIES = 7
# session, user with their grants, province, the communes' figures, unread notifications (menu).
PROVINCE_QUERIES = 5


@pytest.mark.parametrize("n", [3, 12])
def test_the_list_costs_the_same_queries_for_3_and_12_dossiers(client, scene, commune, n, django_assert_num_queries):
    LateDossier.objects.all().delete()
    bulk_dossiers(commune, n, with_letter=n // 2)
    client.force_login(scene["users"]["office"])
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(u("unit-list", commune.pk, query="?nam=2026"))
    assert response.status_code == 200 and response.content.decode().count('id="ho-so-') == n


@pytest.mark.parametrize("n", [3, 12])
def test_the_province_page_costs_the_same_queries_for_3_and_12_communes(
    client, scene, province, n, django_assert_num_queries
):
    for i, unit in enumerate(bulk_units(province, n)):
        bulk_dossiers(unit, 1 + i % 4, with_letter=i % 2)
    client.force_login(scene["users"]["chair"])
    with django_assert_num_queries(PROVINCE_QUERIES):
        response = client.get(u("province-list", province.pk, query="?nam=2026"))
    assert response.status_code == 200
    assert response.content.decode().count("Xã Thử nghiệm") == n
