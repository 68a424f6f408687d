"""A province's own templates: upload (checked in the sandbox against sample data), use, reset, access."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.documents import builtin, layout
from parindex.documents.models import DocumentTemplate, IssuedDocument
from parindex.documents.tests.factories import shared_scene
from parindex.documents.tests.reading import all_text, open_docx
from parindex.documents.tests.test_views import downloaded, issue
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

# Every test here uses the scene: built once for the module (tests/shared.py), each test working
# on its own copy, with its own MEDIA_ROOT.
globals().update(
    shared_fixtures(shared_scene, "scene", "version", "province", "commune", "other_commune", "people", media=True)
)


def docx_with(*paragraphs: str) -> bytes:
    """The built-in conclusion notice with extra paragraphs at the end (a province's variation)."""
    doc = open_docx(builtin.builtin_path("conclusion_notice").read_bytes())
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload(client, province, data, kind="conclusion_notice", name="mau-thong-bao.docx"):
    return client.post(
        reverse("documents:template-upload", args=[province.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_the_provinces_template_is_used_for_its_communes_until_reset(client, scene, province):
    client.force_login(scene["users"]["admin"])
    response = upload(client, province, docx_with("Mẫu riêng tỉnh Quảng Trị: {{ h.signer_name }} ký."))
    assert "Đã dùng mẫu riêng của tỉnh" in response.content.decode()
    own = DocumentTemplate.objects.get(is_active=True)
    assert own.kind == "conclusion_notice" and len(own.sha256) == 64
    issue(client, scene, "conclusion_notice", number="1")
    doc = IssuedDocument.objects.get()
    assert doc.template == own
    assert "Mẫu riêng tỉnh Quảng Trị: Lê Văn Mẫn ký." in all_text(downloaded(client, doc))

    client.force_login(scene["users"]["admin"])
    page = client.get(reverse("documents:template-list", args=[province.pk])).content.decode()
    assert "mau-thong-bao.docx" in page
    client.post(reverse("documents:template-reset", args=[province.pk, "conclusion_notice"]))
    assert not DocumentTemplate.objects.filter(is_active=True).exists()
    issue(client, scene, "conclusion_notice", number="2")
    second = IssuedDocument.objects.get(number=2)
    assert second.template is None
    assert "Mẫu riêng tỉnh" not in all_text(downloaded(client, second))


@pytest.mark.parametrize(
    "payload",
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ h.__init__.__globals__ }}", "{{ lipsum.__globals__ }}"],
)
def test_a_template_trying_code_execution_is_refused_and_nothing_changes(client, scene, province, payload):
    client.force_login(scene["users"]["admin"])
    upload(client, province, docx_with("Mẫu cũ."))
    before = list(DocumentTemplate.objects.values_list("pk", "is_active"))
    response = upload(client, province, docx_with(payload))
    assert "mã lệnh không được phép" in response.content.decode()
    assert list(DocumentTemplate.objects.values_list("pk", "is_active")) == before  # the old one still in use


def test_files_that_are_no_template_are_refused_with_a_message(client, scene, province):
    client.force_login(scene["users"]["admin"])
    for data, message in (
        (b"%PDF-1.4 not a word file", "không phải văn bản Word"),
        (docx_with("{% for x in %}"), "cú pháp"),
    ):
        assert message in upload(client, province, data).content.decode()
    assert "hãy chọn loại văn bản" in upload(client, province, docx_with("x"), kind="bien_ban").content.decode()
    assert DocumentTemplate.objects.count() == 0


def test_the_template_in_use_and_the_built_in_one_can_be_downloaded(client, scene, province):
    client.force_login(scene["users"]["admin"])
    url = reverse("documents:template-download", args=[province.pk, "decision"])
    response = client.get(url)
    assert response.status_code == 200 and response.content == builtin.builtin_path("decision").read_bytes()
    upload(client, province, docx_with("Riêng"), kind="decision")
    assert "Riêng" in all_text(open_docx(client.get(url).content))
    assert client.get(url + "?mau=co-san").content == builtin.builtin_path("decision").read_bytes()


def test_only_the_province_admin_manages_templates(client, scene, province):
    urls = {
        "list": reverse("documents:template-list", args=[province.pk]),
        "download": reverse("documents:template-download", args=[province.pk, "decision"]),
    }
    posts = {
        "upload": reverse("documents:template-upload", args=[province.pk]),
        "reset": reverse("documents:template-reset", args=[province.pk, "decision"]),
    }
    for persona in ("chair", "viewer", "office", "head", "other_office", "appraiser"):
        client.force_login(scene["users"][persona])
        assert [client.get(u).status_code for u in urls.values()] == [404, 404], persona
        data = {"kind": "decision", "file": SimpleUploadedFile("x.docx", layout_docx())}
        assert client.post(posts["upload"], data).status_code == 404, persona
        assert client.post(posts["reset"]).status_code == 404, persona
    client.force_login(scene["users"]["admin"])
    assert [client.get(u).status_code for u in urls.values()] == [200, 200]
    assert client.get(posts["upload"]).status_code == 405
    assert client.get(posts["reset"]).status_code == 405
    assert DocumentTemplate.objects.count() == 0
    client.logout()
    assert client.get(urls["list"]).status_code == 302


def layout_docx() -> bytes:
    out = io.BytesIO()
    layout.new_document().save(out)
    return out.getvalue()
