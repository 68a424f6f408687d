from __future__ import annotations

import datetime as dt
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


def test_it_answers_404_for_a_draft_to_anyone_but_managers(client, commune_officer, province_admin, province):
    draft = stored_version(publish=False, owner=province)
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
    assert f'filename="bo-chi-so-QT-XA-2023-phien-ban-1.{fmt}"' in response["Content-Disposition"]
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

    def test_it_imports_and_publishes_a_valid_file(self, client, province_admin, province):
        client.force_login(province_admin)
        text = scoring.dumps(framework_document("NEW-FW"))
        response = client.post(self.url, {"file": upload("new.yaml", text), "publish": "on"})
        version = FrameworkVersion.objects.get(framework__code="NEW-FW")
        assert response.status_code == 302 and response["Location"] == detail_url(version)
        assert version.status == Status.PUBLISHED and version.created_by == province_admin
        assert version.framework.owner == province  # an admin of one province imports for it

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

    def test_it_publishes_a_draft(self, client, province_admin, province):
        version = stored_version(publish=False, owner=province)
        client.force_login(province_admin)
        response = client.post(self.url(version), {"to": Status.PUBLISHED})
        assert response.status_code == 302
        version.refresh_from_db()
        assert version.status == Status.PUBLISHED

    def test_it_explains_a_refused_transition(self, client, province_admin, province):
        version = stored_version(publish=False, owner=province)
        client.force_login(province_admin)
        response = client.post(self.url(version), {"to": Status.RETIRED}, follow=True)
        assert "Không thể chuyển" in response.content.decode()
        version.refresh_from_db()
        assert version.status == Status.DRAFT


class TestExtend:
    """The owner's admin records the extension decision on the version's page."""

    @pytest.fixture
    def version(self, reference_spec, province):
        return services.framework_import(spec=reference_spec, publish=True, owner=province).version

    @staticmethod
    def url(version):
        return reverse("frameworks:version-extend", args=[version.framework.code, version.number])

    DATA = {"to_year": "2026", "decision_number": "2156/QĐ-UBND", "decision_date": "12/01/2026"}

    def test_the_owners_admin_sees_the_form_and_extends(self, client, version, province_admin):
        client.force_login(province_admin)
        html = client.get(detail_url(version)).content.decode()
        assert "Giai đoạn áp dụng</dt><dd>2023–2025</dd>" in html
        assert self.url(version) in html and 'value="2026"' in html  # the year after the period, offered
        response = client.post(self.url(version), self.DATA, follow=True)
        assert response.redirect_chain == [(detail_url(version), 302)]
        html = response.content.decode()
        assert "Đã ghi quyết định kéo dài thời gian áp dụng phiên bản 1 đến năm 2026." in html
        assert "2023–2025, kéo dài đến 2026 theo QĐ số 2156/QĐ-UBND ngày 12/01/2026" in html
        assert "Kéo dài thời gian áp dụng đến năm 2026 (QĐ số 2156/QĐ-UBND ngày 12/01/2026)" in html  # history
        version.refresh_from_db()
        assert (version.extended_to, version.created_by) == (2026, None)
        assert version.events.last().actor == province_admin

    def test_the_managers_page_with_the_form_takes_a_fixed_number_of_queries(
        self, client, version, province_admin, django_assert_num_queries
    ):
        client.force_login(province_admin)
        client.get(detail_url(version))  # warm the session and the tree cache
        # Session, user with their grants, version with framework and owner, events, the header's unread notifications.
        with django_assert_num_queries(5):
            response = client.get(detail_url(version))
        assert response.status_code == 200 and self.url(version) in response.content.decode()

    def test_everyone_sees_the_extension_but_only_managers_the_form(self, client, version, commune_officer):
        services.framework_version_extend(
            version=version, to_year=2026, decision_number="2156/QĐ-UBND", decision_date=dt.date(2026, 1, 12),
            actor=None,
        )  # fmt: skip
        for user in (None, commune_officer):
            if user:
                client.force_login(user)
            html = client.get(detail_url(version)).content.decode()
            assert "kéo dài đến 2026 theo QĐ số 2156/QĐ-UBND ngày 12/01/2026" in html
            assert self.url(version) not in html

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"to_year": "2025"}, "Năm kéo dài phải sau năm kết thúc giai đoạn (2025)"),
            ({"decision_number": ""}, "Nhập số quyết định kéo dài thời gian áp dụng."),
            ({"decision_date": "2026-13-40"}, "Ngày quyết định phải có dạng dd/mm/yyyy."),
            ({"to_year": "hai nghìn"}, "Năm phải là số"),
        ],
    )
    def test_bad_input_is_explained_on_the_page_and_nothing_is_saved(
        self, client, version, province_admin, change, message
    ):
        client.force_login(province_admin)
        events = version.events.count()
        response = client.post(self.url(version), self.DATA | change)
        html = response.content.decode()
        assert response.status_code == 400 and message in html
        assert "Cây tiêu chí" in html  # the version's page, with what was typed
        assert 'value="2156/QĐ-UBND"' in html or change.get("decision_number") == ""
        version.refresh_from_db()
        assert version.extended_to is None and version.events.count() == events

    def test_a_draft_is_refused_with_its_reason_to_its_manager(self, client, reference_spec, province, province_admin):
        draft = services.framework_import(spec=reference_spec, owner=province).version
        client.force_login(province_admin)
        assert self.url(draft) not in client.get(detail_url(draft)).content.decode()
        response = client.post(self.url(draft), self.DATA)
        assert response.status_code == 400 and "phiên bản đang áp dụng (đã ban hành)" in response.content.decode()

    def test_access(self, client, version, province_admin, commune_officer):
        """GET 405; anonymous to login; a non-manager 403; another province's admin 403; a hidden draft 404."""
        from django.contrib.auth import get_user_model

        from parindex.accounts.models import Role, RoleAssignment
        from parindex.frameworks.tests.factories import province_unit

        response = client.post(self.url(version), self.DATA)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        hn_admin = get_user_model().objects.create_user("hn-admin", password="pw-hn-admin-1")
        RoleAssignment.objects.create(
            user=hn_admin, role=Role.PROVINCE_ADMIN, unit=province_unit(), include_descendants=True
        )
        for user in (commune_officer, hn_admin):
            client.force_login(user)
            assert client.post(self.url(version), self.DATA).status_code == 403
        hidden = stored_version("QT-NHAP", publish=False, owner=version.framework.owner)
        assert client.post(self.url(hidden), self.DATA).status_code == 404
        client.force_login(province_admin)
        assert client.get(self.url(version)).status_code == 405
        version.refresh_from_db()
        assert version.extended_to is None
