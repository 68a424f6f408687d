from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex import scoring
from parindex.frameworks import selectors, services
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.tests.factories import FIVE_PROBLEMS, framework_document, stored_version
from parindex.frameworks.workflow import Status

pytestmark = pytest.mark.django_db


def detail_url(version):
    return reverse("frameworks:version-detail", args=[version.framework.code, version.number])


def upload(name, content):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


@pytest.mark.parametrize("count", [1, 6])
def test_it_lists_frameworks_with_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for i in range(count):
        stored_version(f"FW-{i}")
    with django_assert_num_queries(2):
        response = client.get(reverse("frameworks:framework-list"))
    assert response.status_code == 200
    assert response.content.decode().count("Phiên bản 1") == count


@pytest.mark.parametrize("leaves", [2, 25])
def test_it_renders_the_tree_with_a_fixed_number_of_queries(client, django_assert_num_queries, leaves):
    version = stored_version(fields=7, criteria=3, leaves=leaves)
    selectors._CACHE.clear()
    with django_assert_num_queries(2):
        response = client.get(detail_url(version))
    assert response.status_code == 200
    assert response.content.decode().count('class="code"') == 7 + 7 * 3 + 7 * 3 * leaves


def test_it_shows_the_reference_tree_with_maxima(client, reference_spec):
    version = services.framework_import(spec=reference_spec, publish=True).version
    html = client.get(detail_url(version)).content.decode()
    assert "Cung cấp dịch vụ công trực tuyến" in html
    assert "2,5" in html  # 3.13 max with a decimal comma
    assert "Tốt: từ 80%" in html
    assert "BẢN THAM CHIẾU" in html


def test_it_answers_404_for_a_draft_to_anyone_but_managers(client, commune_officer, province_admin):
    draft = stored_version(publish=False)
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(commune_officer)
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(province_admin)
    assert client.get(detail_url(draft)).status_code == 200


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_it_exports_a_version_that_reimports_identically(client, reference_spec, fmt):
    version = services.framework_import(spec=reference_spec, publish=True).version
    response = client.get(reverse("frameworks:version-export", args=["QT-XA-2023", version.number, fmt]))
    assert response.status_code == 200
    assert f'filename="QT-XA-2023-v1.{fmt}"' in response["Content-Disposition"]
    from parindex.frameworks.forms import read_framework_upload

    again = read_framework_upload(f"x.{fmt}", response.content)
    assert scoring.framework_to_dict(again) == scoring.framework_to_dict(reference_spec)
    if fmt == "xlsx":
        assert "Tiêu chí" in openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames


def test_it_refuses_an_unknown_export_format(client):
    version = stored_version()
    assert client.get(reverse("frameworks:version-export", args=["TEST-FW", version.number, "exe"])).status_code == 404


class TestImport:
    url = reverse("frameworks:framework-import")

    def test_it_sends_anonymous_users_to_login(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_it_forbids_users_without_the_right(self, client, commune_officer):
        client.force_login(commune_officer)
        assert client.get(self.url).status_code == 403
        assert client.post(self.url, {"file": upload("a.yaml", FIVE_PROBLEMS)}).status_code == 403

    def test_it_lists_every_problem_and_saves_nothing(self, client, province_admin):
        client.force_login(province_admin)
        response = client.post(self.url, {"file": upload("bad.yaml", FIVE_PROBLEMS)})
        html = response.content.decode()
        assert response.status_code == 400
        assert "5 lỗi cần sửa" in html and "chưa có gì được lưu" in html
        for needle in (
            "khác tổng điểm tối đa các tiêu chí con",
            "bị trùng",
            "vừa có tiêu chí con",
            "cách chấm không hợp lệ",
            "lớn hơn điểm tối đa",
        ):
            assert needle in html
        assert not FrameworkVersion.objects.exists()

    def test_it_imports_and_publishes_a_valid_file(self, client, province_admin):
        client.force_login(province_admin)
        text = scoring.dumps(framework_document("NEW-FW"))
        response = client.post(self.url, {"file": upload("new.yaml", text), "publish": "on"})
        version = FrameworkVersion.objects.get(framework__code="NEW-FW")
        assert response.status_code == 302 and response["Location"] == detail_url(version)
        assert version.status == Status.PUBLISHED and version.created_by == province_admin

    def test_it_imports_an_excel_workbook(self, client, province_admin, reference_spec):
        from parindex.frameworks.excel import framework_to_xlsx

        client.force_login(province_admin)
        response = client.post(self.url, {"file": upload("qt.xlsx", framework_to_xlsx(reference_spec))})
        assert response.status_code == 302
        assert FrameworkVersion.objects.get(framework__code="QT-XA-2023").status == Status.DRAFT

    def test_it_answers_htmx_with_the_form_partial_or_a_client_redirect(self, client, province_admin):
        client.force_login(province_admin)
        bad = client.post(self.url, {"file": upload("bad.yaml", FIVE_PROBLEMS)}, headers={"HX-Request": "true"})
        assert bad.status_code == 400
        assert "<html" not in bad.content.decode() and 'id="import-form"' in bad.content.decode()
        good = client.post(
            self.url,
            {"file": upload("ok.yaml", scoring.dumps(framework_document("HX-FW")))},
            headers={"HX-Request": "true"},
        )
        assert good.status_code == 200 and good["HX-Redirect"].endswith("/phien-ban/1/")

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("fw.exe", "MZ", "Chỉ nhận tệp"),
            ("fw.yaml", "criteria: [unclosed", "Không đọc được tệp"),
            ("fw.yaml", b"\xff\xfe\x00binary", "Không đọc được tệp"),
        ],
    )
    def test_it_explains_unreadable_uploads_in_vietnamese(self, client, province_admin, name, content, message):
        client.force_login(province_admin)
        response = client.post(self.url, {"file": upload(name, content)})
        assert response.status_code == 400 and message in response.content.decode()

    def test_it_refuses_an_oversize_file(self, client, province_admin, settings):
        settings.FRAMEWORK_UPLOAD_MAX_BYTES = 100
        client.force_login(province_admin)
        response = client.post(self.url, {"file": upload("big.yaml", scoring.dumps(framework_document()))})
        assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()


class TestTransition:
    def url(self, version):
        return reverse("frameworks:version-transition", args=[version.framework.code, version.number])

    def test_it_rejects_get(self, client, province_admin):
        client.force_login(province_admin)
        assert client.get(self.url(stored_version())).status_code == 405

    def test_it_forbids_users_without_the_right_on_a_visible_version(self, client, commune_officer):
        version = stored_version(publish=True)
        client.force_login(commune_officer)
        assert client.post(self.url(version), {"to": Status.RETIRED}).status_code == 403
        version.refresh_from_db()
        assert version.status == Status.PUBLISHED

    def test_it_hides_drafts_from_users_without_the_right(self, client, commune_officer):
        client.force_login(commune_officer)
        assert client.post(self.url(stored_version(publish=False)), {"to": Status.PUBLISHED}).status_code == 404

    def test_it_publishes_a_draft(self, client, province_admin):
        version = stored_version(publish=False)
        client.force_login(province_admin)
        response = client.post(self.url(version), {"to": Status.PUBLISHED})
        assert response.status_code == 302
        version.refresh_from_db()
        assert version.status == Status.PUBLISHED

    def test_it_explains_a_refused_transition(self, client, province_admin):
        version = stored_version(publish=False)
        client.force_login(province_admin)
        response = client.post(self.url(version), {"to": Status.RETIRED}, follow=True)
        assert "Không thể chuyển" in response.content.decode()
        version.refresh_from_db()
        assert version.status == Status.DRAFT
