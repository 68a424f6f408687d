"""The results board's irreversible steps are confirmed in place (components/confirm.html):
approving (the council chair) and publishing or correcting (the Sở Nội vụ admin) open a panel
that says what happens and what gets locked before anything is posted. Every appraised unit
of the cycle may be approved at once without a box each, past Django's 1,000-field cap."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.tests.factories import DUES, user_with_role
from parindex.assessments.workflow import Status
from parindex.results.models import Approval, ApprovalEntry
from parindex.results.tests.factories import bulk_units
from parindex.results.tests.test_views import _scene, board_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(reference_spec):
    """test_views' cycle, built for each test here (one test below arranges its own province)."""
    return _scene(reference_spec)["scene"]


def approve_url(s):
    return reverse("results:approval-create", args=[s["cycle"].pk])


def test_approving_opens_a_confirmation_that_says_what_gets_locked(client, scene):
    client.force_login(scene["users"]["council"])
    html = client.get(board_url(scene)).content.decode()
    form = html[html.index('id="thong-qua"') :]
    # Enter in a field posts nothing: the form's default button is disabled.
    assert re.match(r'id="thong-qua">.*?<button type="submit" disabled hidden', form, re.S)
    assert '<summary class="button primary">Thông qua kết quả…</summary>' in form
    assert "Hội đồng thẩm định thông qua kết quả của các đơn vị đã chọn?" in form
    assert "bị khóa: không tự đánh giá, thẩm định hay giải trình thêm được nữa" in form
    assert '<button type="submit" form="thong-qua" class="primary">Xác nhận thông qua</button>' in form
    assert "Thông qua cả 3 đơn vị đã thẩm định xong của kỳ" in form
    assert 'name="appraised_count" value="3"' in form and 'data-disables="assessments"' in form


def test_every_appraised_unit_is_approved_at_once(client, scene):
    client.force_login(scene["users"]["council"])
    data = {"all_appraised": "on", "appraised_count": "3", "name": "Khối xã", "note": ""}
    response = client.post(approve_url(scene), data)
    approval = Approval.objects.get(name="Khối xã")
    assert response.status_code == 302
    chosen = set(ApprovalEntry.objects.filter(approval=approval).values_list("assessment_id", flat=True))
    assert chosen == {scene[k].pk for k in ("a", "b", "c")}
    page = client.get(response["Location"]).content.decode()
    assert "Hội đồng đã thông qua kết quả của 3 đơn vị" in page


def test_units_appraised_since_the_page_was_shown_are_not_approved_unseen(client, scene):
    Assessment.objects.filter(pk=scene["busy"].pk).update(status=Status.APPRAISED)  # a fourth, since
    client.force_login(scene["users"]["council"])
    data = {"all_appraised": "on", "appraised_count": "3", "name": "Khối xã", "note": ""}
    response = client.post(approve_url(scene), data)
    html = response.content.decode()
    assert response.status_code == 400 and "Số đơn vị đã thẩm định xong vừa thay đổi (3 → 4)" in html
    assert not Approval.objects.filter(name="Khối xã").exists() and 'value="Khối xã"' in html


def test_nothing_chosen_says_what_to_do(client, scene):
    client.force_login(scene["users"]["council"])
    response = client.post(approve_url(scene), {"name": "Khối xã"})
    assert response.status_code == 400 and "Chọn ít nhất một đơn vị đã thẩm định xong." in response.content.decode()


def test_a_thousand_units_are_approved_without_a_box_each(client, province, reference_spec):
    from parindex.frameworks import services as framework_services

    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = Cycle.objects.create(
        province=province, year=2026, framework_version=version, name="Chỉ số CCHC 2026", **DUES
    )
    units = bulk_units(province, 1200)
    assessments = Assessment.objects.bulk_create(
        [Assessment(cycle=cycle, unit=u, status=Status.APPRAISED) for u in units]
    )
    client.force_login(user_with_role("chair", Role.COUNCIL_CHAIR, province, include_descendants=True))
    url = reverse("results:approval-create", args=[cycle.pk])
    ticked = {"assessments": [str(a.pk) for a in assessments], "name": "Khối xã"}
    assert client.post(url, ticked).status_code == 400  # one field a box: past the request's cap
    response = client.post(url, {"all_appraised": "on", "appraised_count": "1200", "name": "Khối xã"})
    assert response.status_code == 302
    assert ApprovalEntry.objects.filter(approval__cycle=cycle).count() == 1200


def test_publishing_and_correcting_open_a_confirmation_too(client, scene):
    client.force_login(scene["users"]["admin"])
    html = client.get(board_url(scene)).content.decode()
    waiting, current = scene["waiting"], scene["publication"]
    publish = html[html.index(f'id="cong-bo-{waiting.pk}"') :]
    assert re.match(rf'id="cong-bo-{waiting.pk}">.*?<button type="submit" disabled hidden', publish, re.S)
    assert "Công bố kết quả của 1 đơn vị nhóm “Khối đặc khu”?" in publish
    assert "Không sửa, không hủy được: muốn thay đổi phải đính chính bằng một quyết định mới." in publish
    assert f'<button type="submit" form="cong-bo-{waiting.pk}" class="primary">Xác nhận công bố</button>' in publish
    assert (
        f'<button type="submit" form="dinh-chinh-{current.approval_id}" class="primary">Xác nhận đính chính</button>'
        in html
    )
    assert f"Đính chính kết quả nhóm “Khối phường” đã công bố theo Quyết định số {current.decision_number}?" in html
