"""A province's template costs bounded time and memory, and a malformed .docx never answers 500
(security issue #17): the sandbox's caps, the child process's limits, the upload page's answer."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.documents import bounded, builtin, render, samples, sandbox
from parindex.documents.models import DocumentTemplate, IssuedDocument
from parindex.documents.tests import hostile
from parindex.documents.tests.reading import all_text, open_docx
from parindex.documents.tests.test_views import issue
from parindex.remediation.tests.factories import province_staff

ACCEPTANCE_S = 15  # no request may take longer (issue #17)
TIMEOUT_S = 3  # the limits the tests run with, to stay fast
MAX_MB = 128


@pytest.fixture
def limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENT_RENDER_TIMEOUT_S = TIMEOUT_S
    settings.DOCUMENT_RENDER_MAX_MB = MAX_MB
    return tmp_path / "media"


@pytest.fixture
def admin_client(client, province, limits):
    client.force_login(province_staff(province)["admin"])
    return client


def upload(client, province, data: bytes, kind: str = "conclusion_notice"):
    return client.post(
        reverse("documents:template-upload", args=[province.pk]),
        {"kind": kind, "file": SimpleUploadedFile("mau-tinh.docx", data)},
    )


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def in_use(province, data: bytes, kind: str = "conclusion_notice") -> DocumentTemplate:
    """A template of the province's, as an earlier upload left it (without running the check)."""
    own = DocumentTemplate(province=province, kind=kind, original_name="mau.docx", size=len(data), sha256="0" * 64)
    own.file.save("template.docx", ContentFile(data), save=True)
    return own


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(hostile.CASES))
def test_a_hostile_file_gets_a_400_with_its_reason_and_nothing_is_stored(admin_client, province, limits, name):
    in_use(province, hostile.docx("Mẫu cũ của tỉnh."))
    before = list(DocumentTemplate.objects.values_list("pk", "is_active", "sha256"))
    files = stored_files(limits)
    build, message = hostile.CASES[name]
    data = build()
    assert len(data) < 100 * 1024
    started = time.monotonic()
    response = upload(admin_client, province, data)
    elapsed = time.monotonic() - started
    page = response.content.decode()
    assert elapsed < ACCEPTANCE_S, elapsed
    if name == "raw_xml":  # docxtpl's recovering parser mends it: the template may be used
        assert response.status_code in (302, 400)
        return
    assert response.status_code == 400, page[:500]
    assert "Chưa dùng được tệp mẫu: " in page and message in page, page[page.find("evidence-form") :][:2000]
    assert 'class="field-error"' in page  # under the file field
    assert list(DocumentTemplate.objects.values_list("pk", "is_active", "sha256")) == before
    assert stored_files(limits) == files


@pytest.mark.django_db
def test_the_reported_nested_ranges_are_refused_at_once_by_the_sandbox(admin_client, province):
    started = time.monotonic()
    response = upload(admin_client, province, hostile.docx(hostile.NESTED_RANGES))
    assert time.monotonic() - started < 3
    assert response.status_code == 400 and "range() quá lớn" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


@pytest.mark.django_db
def test_a_loop_the_caps_let_through_is_stopped_by_the_time_limit(admin_client, province):
    started = time.monotonic()
    response = upload(admin_client, province, hostile.docx(hostile.SLOW))
    elapsed = time.monotonic() - started
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 3
    assert response.status_code == 400
    assert (
        "Mẫu văn bản chạy quá 3 giây nên đã bị dừng; hãy đơn giản hoá vòng lặp trong mẫu." in response.content.decode()
    )
    assert not DocumentTemplate.objects.exists()


@pytest.mark.django_db
def test_a_huge_repetition_is_refused_by_the_sandbox_cap(admin_client, province):
    started = time.monotonic()
    response = upload(admin_client, province, hostile.docx("{{ 'x' * 1000000000 }}"))
    assert time.monotonic() - started < 3
    assert response.status_code == 400 and "quá 1.000.000 ký tự" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("template", [hostile.DOUBLING, hostile.APPENDS])
def test_memory_the_caps_let_through_is_stopped_by_the_memory_limit(template):
    with pytest.raises(render.TemplateRefused) as refused:
        bounded.render_bounded(
            hostile.docx(template), samples.sample_context("decision"), timeout_s=ACCEPTANCE_S, max_mb=MAX_MB
        )
    assert str(refused.value) == bounded.memory_message(MAX_MB)
    assert "dùng quá 128 MB bộ nhớ nên đã bị dừng" in str(refused.value)


@pytest.mark.parametrize(("code", "message"), [(-signal.SIGKILL, "MB bộ nhớ"), (-signal.SIGXCPU, "giây")])
def test_a_child_killed_by_a_signal_is_refused_not_a_crash(monkeypatch, code, message):
    class Killed:
        def __init__(self, *args, **kwargs):
            self.returncode = code

        def communicate(self, *args, **kwargs):
            return b"", b""

    monkeypatch.setattr(bounded.subprocess, "Popen", Killed)
    with pytest.raises(render.TemplateRefused, match=message):
        bounded.render_bounded(b"PK", {}, timeout_s=5, max_mb=64)


def test_the_child_needs_no_django_and_no_secrets():
    probe = "import sys, parindex.documents.bounded; print(sorted({m.split('.')[0] for m in sys.modules} & {'django'}))"
    out = subprocess.run(
        [sys.executable, "-c", probe], env=bounded._child_env(), cwd=bounded.ROOT, capture_output=True, timeout=30
    )
    assert out.stdout.strip() == b"[]", out.stderr
    assert set(bounded._child_env()) == {"PATH", "PYTHONPATH", "LC_ALL"}


@pytest.mark.parametrize("kind", ["decision", "cchc_report", "conclusion_notice"])
def test_the_shipped_templates_render_the_same_in_the_child_at_a_low_limit(kind):
    data, ctx = builtin.builtin_path(kind).read_bytes(), samples.sample_context(kind)
    child = bounded.render_bounded(data, ctx, timeout_s=ACCEPTANCE_S, max_mb=MAX_MB)
    assert all_text(open_docx(child)) == all_text(open_docx(render.render_docx(data, ctx)))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'ab' * 3 }}|{{ [1, 2] * 2 }}|{{ 'a' + 'b' }}|{{ 2 ** 10 }}", "ababab|[1, 2, 1, 2]|ab|1024"),
        ("{% for i in range(3) %}{{ i }}{% endfor %}|{{ range(10000)|length }}", "012|10000"),
        ("{{ '%05d' % 42 }}|{{ '%s-%s'|format('a', 'b') }}|{{ '{:>4}'.format(7) }}", "00042|a-b|   7"),
        (
            "{{ 'x'|center(5) }}|{{ 'x'.zfill(3) }}|{{ 'a-b'|replace('-', ' ') }}|{{ 'a-b'.replace('-', '') }}",
            "  x  |00x|a b|ab",
        ),
    ],
)
def test_the_caps_leave_ordinary_template_code_alone(template, expected):
    assert sandbox.environment().from_string(template).render() == expected


def test_the_range_cap_counts_the_whole_document():
    env = sandbox.environment()
    env.from_string("{% for i in range(9) %}{% for j in range(10000) %}{% endfor %}{% endfor %}").render()
    assert env.range_items == 90_009
    with pytest.raises(sandbox.TooCostly, match="100.000 phần tử cho cả văn bản"):
        env.from_string("{{ range(10000)|length }}").render()


@pytest.mark.django_db
def test_issuing_from_a_province_template_is_bounded_too(client, scene, province, settings):
    """A hostile file that reached the table anyway (an older upload, an admin edit) still cannot
    take the server down when a commune issues a document from it."""
    settings.DOCUMENT_RENDER_MAX_MB = MAX_MB
    in_use(province, hostile.docx(hostile.DOUBLING))
    started = time.monotonic()
    response = issue(client, scene, "conclusion_notice", number="1")
    assert time.monotonic() - started < ACCEPTANCE_S
    assert "dùng quá 128 MB bộ nhớ" in response.content.decode()
    assert not IssuedDocument.objects.exists()
