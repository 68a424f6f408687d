"""The results pages: who sees and does what on a cycle's board, approving, publishing and
correcting through the pages (refusals keep what was typed), and the public list. The public
ranking with its CSV and JSON downloads: test_public_ranking.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.selectors import assessment_scores
from parindex.appraisals.tests.factories import old_commune, old_province, published_year
from parindex.assessments.models import Assessment, AssessmentEvent
from parindex.assessments.tests.factories import user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.results import services
from parindex.results.models import Approval, ApprovalEntry, Publication
from parindex.results.tests.factories import bulk_cycle, bulk_units
from parindex.units.models import AdministrativeUnit
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

# (role, held at, include_descendants)
PERSONAS = {
    "officer": (Role.COMMUNE_OFFICER, "commune", False),
    "head": (Role.COMMUNE_HEAD, "commune", False),
    "appraiser": (Role.APPRAISER, "province", True),
    "council": (Role.COUNCIL_CHAIR, "province", True),
    "admin": (Role.PROVINCE_ADMIN, "province", True),
    "viewer": (Role.VIEWER, "province", True),
    "elsewhere": (Role.PROVINCE_ADMIN, "other_province", True),
}


def comma(value):
    return f"{value:f}".replace(".", ",")


def _scene(reference_spec):
    """Six units of a 2026 cycle: three appraised (A = Nam Cửa Việt, B = Đông Hà, C), one still
    under appraisal, one approved in group "Khối đặc khu" (not published), one published in
    group "Khối phường" under 165/QĐ-UBND."""
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    extra = bulk_units(province, 4)
    units = [commune, other_commune, *extra]
    states = [
        Status.APPRAISED,
        Status.APPRAISED,
        Status.APPRAISED,
        Status.APPRAISING,
        Status.APPRAISED,
        Status.APPRAISED,
    ]
    cycle = bulk_cycle(province, version, units, status=lambda i: states[i])
    elsewhere = AdministrativeUnit.objects.create(
        era="current", code="46", name="Thành phố Huế", kind="thanh_pho_tw", level=1
    )
    where = {"commune": commune, "province": province, "other_province": elsewhere}
    users = {
        name: user_with_role(name, role, where[at], include_descendants=descendants)
        for name, (role, at, descendants) in PERSONAS.items()
    }
    a, b, c, busy, special, ward = (cycle.assessments.select_related("unit").get(unit=u) for u in units)
    chair, admin = users["council"], users["admin"]
    waiting = services.approval_create(
        cycle=cycle, assessments=[special], name="Khối đặc khu", actor=chair, principal=principal_for(chair)
    )
    published_group = services.approval_create(
        cycle=cycle, assessments=[ward], name="Khối phường", actor=chair, principal=principal_for(chair)
    )
    publication = services.publication_publish(
        approval=published_group, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20),
        issuer="UBND tỉnh Quảng Trị", actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    scene = {
        "cycle": cycle, "version": version, "users": users, "a": a, "b": b, "c": c, "busy": busy,
        "special": special, "ward": ward, "waiting": waiting, "published_group": published_group,
        "publication": publication,
    }  # fmt: skip
    return {"scene": scene, "commune": commune}


# Built once for the module's tests (tests/shared.py); each test works on its own copy. The
# public ranking's tests arrange a publication of their own: test_public_ranking.py.
SHARED = shared_fixtures(_scene, "scene", "commune")
globals().update(SHARED)


def board_url(s):
    return reverse("results:cycle-board", args=[s["cycle"].pk])


def approve(client, s, *assessments, name="Khối xã", note="Biên bản họp Hội đồng ngày 25/01/2027", **extra):
    data = {"assessments": [str(a.pk) for a in assessments], "name": name, "note": note, **extra}
    return client.post(reverse("results:approval-create", args=[s["cycle"].pk]), data)


def publish(client, approval, number="170/QĐ-UBND", date="25/02/2027", issuer="UBND tỉnh Quảng Trị"):
    prefix = f"cb-{approval.pk}"
    data = {f"{prefix}-decision_number": number, f"{prefix}-decision_date": date, f"{prefix}-issuer": issuer}
    return client.post(reverse("results:publication-publish", args=[approval.pk]), data)


def correct(client, publication, reason="Đính chính điểm tiêu chí 1.6", number="171/QĐ-UBND", date="01/03/2027"):
    prefix = f"dc-{publication.approval_id}"
    data = {f"{prefix}-reason": reason, f"{prefix}-decision_number": number, f"{prefix}-decision_date": date}
    return client.post(reverse("results:publication-correct", args=[publication.pk]), data)


# -- access ------------------------------------------------------------------------------------

# view -> persona -> expected status
MATRIX = {
    "board": {"officer": 404, "head": 404, "appraiser": 404, "council": 200, "admin": 200, "viewer": 200, "elsewhere": 404},
    "approve": {"officer": 404, "head": 404, "appraiser": 404, "council": 302, "admin": 403, "viewer": 403, "elsewhere": 404},
    "publish": {"officer": 404, "head": 404, "appraiser": 404, "council": 403, "admin": 302, "viewer": 403, "elsewhere": 404},
    "correct": {"officer": 404, "head": 404, "appraiser": 404, "council": 403, "admin": 302, "viewer": 403, "elsewhere": 404},
}  # fmt: skip


def call(view, client, s):
    if view == "board":
        return client.get(board_url(s))
    if view == "approve":
        return approve(client, s, s["a"], s["b"])
    if view == "publish":
        return publish(client, s["waiting"])
    return correct(client, s["publication"])


def footprint():
    """What the POSTs could change: approvals, publications, states."""
    return (
        Approval.objects.count(),
        Publication.objects.count(),
        sorted(Assessment.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize("view", list(MATRIX))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_permission_matrix(client, scene, view, persona):
    before = footprint()
    client.force_login(scene["users"][persona])
    assert call(view, client, scene).status_code == MATRIX[view][persona]
    if MATRIX[view][persona] != 302:
        assert footprint() == before  # a refused request changes nothing


@pytest.mark.parametrize("view", list(MATRIX))
def test_a_superuser_may_do_everything(client, scene, view):
    client.force_login(get_user_model().objects.create_superuser("quantri", password="pw-quantri-1"))
    assert call(view, client, scene).status_code == (200 if view == "board" else 302)


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, scene, view):
    before = footprint()
    response = call(view, client, scene)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert footprint() == before


@pytest.mark.parametrize("name", ["publication-list", "publication-detail", "publication-csv", "publication-json"])
def test_public_pages_need_no_login(client, scene, name):
    args = [] if name == "publication-list" else [scene["publication"].pk]
    assert client.get(reverse(f"results:{name}", args=args)).status_code == 200


def test_unknown_publications_and_cycles_are_404(client, scene):
    client.force_login(scene["users"]["admin"])
    assert client.get(reverse("results:publication-detail", args=[9999])).status_code == 404
    assert client.get(reverse("results:publication-json", args=[9999])).status_code == 404
    assert client.get(reverse("results:cycle-board", args=[9999])).status_code == 404
    assert publish(client, Approval(pk=9999)).status_code == 404


@pytest.mark.parametrize(
    ("name", "key"),
    [("approval-create", "cycle"), ("publication-publish", "waiting"), ("publication-correct", "publication")],
)
def test_actions_are_post_only(client, scene, name, key):
    client.force_login(get_user_model().objects.create_superuser("quantri", password="pw-quantri-1"))
    assert client.get(reverse(f"results:{name}", args=[scene[key].pk])).status_code == 405


# -- the board ---------------------------------------------------------------------------------


def test_the_board_shows_every_unit_with_its_self_and_appraised_totals(client, scene):
    client.force_login(scene["users"]["viewer"])
    response = client.get(board_url(scene))
    html = response.content.decode()
    assert len(response.context["rows"]) == 6
    scores = assessment_scores(scene["a"])
    assert scores.final.total != scores.self.total  # the appraisers changed the ratios
    row = html[html.index(scene["a"].unit.name) :].split("</tr>")[0]
    assert comma(scores.self.total) in row and comma(scores.final.total) in row
    assert comma(scores.final.percent) in row and scores.final.classification in row
    busy = html[html.index(scene["busy"].unit.name) :].split("</tr>")[0]
    assert "tạm tính" in busy and "Đang thẩm định" in busy
    assert "Khối phường" in html and "Quyết định số 165/QĐ-UBND ngày 20/02/2027" in html
    # A viewer sees, but has no forms.
    assert 'name="assessments"' not in html and "cong-bo" not in html and "dinh-chinh" not in html


def test_the_board_filters_by_status(client, scene):
    client.force_login(scene["users"]["council"])
    rows = client.get(board_url(scene), {"trang-thai": Status.APPRAISED}).context["rows"]
    assert {r.assessment.unit.name for r in rows} == {scene[k].unit.name for k in ("a", "b", "c")}
    assert all(r.approvable for r in rows)
    assert len(client.get(board_url(scene), {"trang-thai": "khong-co"}).context["rows"]) == 6


def test_only_appraised_units_can_be_ticked_and_only_by_the_chair(client, scene):
    client.force_login(scene["users"]["council"])
    html = client.get(board_url(scene)).content.decode()
    ticks = {int(v) for v in re.findall(r'name="assessments" value="(\d+)"', html)}
    assert ticks == {scene[k].pk for k in ("a", "b", "c")}
    assert 'action="/ket-qua/ky/' in html and "cong-bo" not in html


def test_the_admin_sees_the_publish_and_correct_forms(client, scene):
    client.force_login(scene["users"]["admin"])
    html = client.get(board_url(scene)).content.decode()
    assert reverse("results:publication-publish", args=[scene["waiting"].pk]) in html
    assert reverse("results:publication-correct", args=[scene["publication"].pk]) in html
    assert 'value="UBND tỉnh Quảng Trị"' in html  # the issuer is proposed
    assert 'name="assessments"' not in html


# -- approving ---------------------------------------------------------------------------------


def test_the_council_chair_approves_the_ticked_units(client, scene):
    client.force_login(scene["users"]["council"])
    response = approve(client, scene, scene["a"], scene["b"])
    approval = Approval.objects.get(name="Khối xã")
    assert response.status_code == 302
    assert response["Location"] == board_url(scene) + f"#nhom-{approval.pk}"
    assert approval.note == "Biên bản họp Hội đồng ngày 25/01/2027"
    assert set(ApprovalEntry.objects.filter(approval=approval).values_list("assessment_id", flat=True)) == {
        scene["a"].pk,
        scene["b"].pk,
    }
    assert set(Assessment.objects.filter(approval_entry__approval=approval).values_list("status", flat=True)) == {
        Status.APPROVED
    }
    assert AssessmentEvent.objects.filter(assessment=scene["a"], to_status=Status.APPROVED).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Hội đồng đã thông qua kết quả của 2 đơn vị" in page and "Khối xã" in page


def test_an_invalid_approval_keeps_what_was_typed(client, scene):
    client.force_login(scene["users"]["council"])
    response = approve(client, scene, scene["a"], name="  ", note="Biên bản số 7")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Đặt tên nhóm xếp hạng" in html
    assert 'value="Biên bản số 7"' in html
    assert f'value="{scene["a"].pk}" id="chon-{scene["a"].pk}" aria-label="Chọn {scene["a"].unit.name}" checked' in html
    assert f'value="{scene["b"].pk}" id="chon-{scene["b"].pk}" aria-label="Chọn {scene["b"].unit.name}">' in html
    assert not Approval.objects.filter(note="Biên bản số 7").exists()


def test_approving_nothing_says_what_to_do(client, scene):
    client.force_login(scene["users"]["council"])
    response = approve(client, scene)
    assert response.status_code == 400
    assert "Chọn ít nhất một đơn vị đã thẩm định xong." in response.content.decode()


def test_a_refused_approval_says_why_and_approves_nothing(client, scene):
    """A unit still under appraisal (its box is not shown, but a stale page may post it)."""
    client.force_login(scene["users"]["council"])
    response = approve(client, scene, scene["a"], scene["busy"], name="Khối xã mới")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa thông qua được kết quả:" in html and f"Chưa thẩm định xong: {scene['busy'].unit.name}." in html
    assert 'value="Khối xã mới"' in html
    assert Assessment.objects.get(pk=scene["a"].pk).status == Status.APPRAISED
    assert not Approval.objects.filter(name="Khối xã mới").exists()


def test_the_filter_survives_a_refused_approval(client, scene):
    client.force_login(scene["users"]["council"])
    response = approve(client, scene, scene["a"], name="", **{"trang-thai": Status.APPRAISED})
    assert response.status_code == 400 and len(response.context["rows"]) == 3


# -- publishing and correcting -----------------------------------------------------------------


def test_the_admin_publishes_and_the_public_ranking_compares_with_the_old_communes(client, scene):
    """The special zone was formed from two old communes ranked in 2024: its change of rank
    is measured against their mean."""
    special_unit = scene["special"].unit
    old = [old_commune("19639", "Xã Triệu Trạch", special_unit), old_commune("19651", "Xã Triệu Tân", special_unit)]
    published_year(scene["version"], old_province(), 2024, {old[0]: "85", old[1]: "80"})
    client.force_login(scene["users"]["admin"])
    response = publish(client, scene["waiting"])
    publication = Publication.objects.get(approval=scene["waiting"])
    assert response.status_code == 302
    assert response["Location"] == reverse("results:publication-detail", args=[publication.pk])
    assert Assessment.objects.get(pk=scene["special"].pk).status == Status.PUBLISHED
    assert (publication.decision_number, publication.decision_date) == ("170/QĐ-UBND", dt.date(2027, 2, 25))
    client.logout()
    html = client.get(response["Location"]).content.decode()
    assert "Số 170/QĐ-UBND ngày 25/02/2027 của UBND tỉnh Quảng Trị" in html
    assert "1/1" in html and "giữ nguyên" in html and "Năm trước: hạng 1/1, chỉ số 82,50%" in html
    assert "So sánh với:" in html and "Xã Triệu Trạch" in html and "Xã Triệu Tân" in html
    assert "Năm 2024 (Quyết định 24/QĐ-UBND)" in html


def test_an_invalid_publication_keeps_what_was_typed(client, scene):
    client.force_login(scene["users"]["admin"])
    response = publish(client, scene["waiting"], number="170/QĐ-UBND", date="31/02/2027", issuer="UBND tỉnh")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in html and 'value="170/QĐ-UBND"' in html and 'value="UBND tỉnh"' in html
    assert f'href="#nhom-{scene["waiting"].pk}"' in html
    assert not Publication.objects.filter(approval=scene["waiting"]).exists()


def test_publishing_twice_is_refused_with_the_services_reason(client, scene):
    client.force_login(scene["users"]["admin"])
    response = publish(client, scene["published_group"], number="999/QĐ-UBND")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nhóm này đã được công bố; muốn sửa hãy đính chính." in html
    # The refused form is the publish form, open, with what was typed; the correction form stays empty.
    publish_form = html[html.index(reverse("results:publication-publish", args=[scene["published_group"].pk])) :]
    assert 'value="999/QĐ-UBND"' in publish_form.split("</form>")[0]
    correct_form = html[html.index(reverse("results:publication-correct", args=[scene["publication"].pk])) :]
    assert "999/QĐ-UBND" not in correct_form.split("</form>")[0]
    assert Publication.objects.filter(approval=scene["published_group"]).count() == 1


def test_a_correction_supersedes_the_publication_and_both_pages_say_so(client, scene):
    old = scene["publication"]
    client.force_login(scene["users"]["admin"])
    response = correct(client, old)
    new = Publication.objects.get(approval=scene["published_group"], is_current=True)
    assert response.status_code == 302 and new.supersedes == old and new.reason == "Đính chính điểm tiêu chí 1.6"
    old.refresh_from_db()
    assert not old.is_current
    client.logout()
    old_page = client.get(reverse("results:publication-detail", args=[old.pk])).content.decode()
    assert "Bản công bố này đã được đính chính." in old_page
    assert f'href="{reverse("results:publication-detail", args=[new.pk])}">Quyết định số 171/QĐ-UBND' in old_page
    new_page = client.get(reverse("results:publication-detail", args=[new.pk])).content.decode()
    assert "Bản công bố này đã được đính chính." not in new_page
    assert "Đính chính điểm tiêu chí 1.6" in new_page and "Quyết định số 165/QĐ-UBND ngày 20/02/2027" in new_page
    listed = client.get(reverse("results:publication-list")).content.decode()
    assert "171/QĐ-UBND" in listed and "165/QĐ-UBND" not in listed


def test_an_invalid_correction_keeps_what_was_typed(client, scene):
    client.force_login(scene["users"]["admin"])
    response = correct(client, scene["publication"], reason="", number="171/QĐ-UBND")
    html = response.content.decode()
    assert response.status_code == 400 and "Ghi lý do đính chính." in html and 'value="171/QĐ-UBND"' in html
    assert Publication.objects.filter(approval=scene["published_group"]).count() == 1


def test_correcting_a_superseded_publication_is_refused_and_the_form_points_at_the_current_one(client, scene):
    old = scene["publication"]
    client.force_login(scene["users"]["admin"])
    correct(client, old)
    current = Publication.objects.get(approval=scene["published_group"], is_current=True)
    response = correct(client, old, reason="Đính chính lần nữa", number="172/QĐ-UBND")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chỉ đính chính bản công bố đang có hiệu lực." in html
    assert "Đính chính lần nữa</textarea>" in html and 'value="172/QĐ-UBND"' in html
    assert reverse("results:publication-correct", args=[current.pk]) in html
    assert Publication.objects.filter(approval=scene["published_group"]).count() == 2


def test_the_public_list_shows_publications_in_force_and_staff_their_boards(client, scene, commune):
    html = client.get(reverse("results:publication-list")).content.decode()
    assert "Khối phường" in html and "165/QĐ-UBND" in html and "Kỳ đánh giá bạn theo dõi" not in html
    assert "Khối đặc khu" not in html  # approved, not published
    client.force_login(scene["users"]["officer"])
    assert "Kỳ đánh giá bạn theo dõi" not in client.get(reverse("results:publication-list")).content.decode()
    client.force_login(scene["users"]["appraiser"])  # appraisers see only their units, on the appraisal pages
    assert board_url(scene) not in client.get(reverse("results:publication-list")).content.decode()
    client.force_login(scene["users"]["viewer"])
    html = client.get(reverse("results:publication-list")).content.decode()
    assert "Kỳ đánh giá bạn theo dõi" in html and board_url(scene) in html
    client.force_login(scene["users"]["elsewhere"])
    assert board_url(scene) not in client.get(reverse("results:publication-list")).content.decode()


def test_the_navigation_links_to_the_public_results(client, scene):
    html = client.get(reverse("frameworks:framework-list")).content.decode()
    assert f'href="{reverse("results:publication-list")}">Kết quả công bố<' in html
