"""Evidence and generated files on a real S3 server (SeaweedFS): an upload lands in the bucket
with its sha256, downloads only through the app's permission check, the bucket refuses
anonymous reads, /healthz/ probes the bucket, and ``files_to_bucket`` moves what was on disk."""

from __future__ import annotations

import hashlib
import io
import urllib.error
import urllib.request

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from parindex.accounts.models import Role
from parindex.assessments import services
from parindex.assessments.models import EvidenceFile
from parindex.assessments.tests.factories import PDF, dues_from, open_cycle, user_with_role
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion

# The real clock: the S3 server refuses requests signed more than 15 minutes off its time.
pytestmark = [pytest.mark.django_db, pytest.mark.real_clock]


@pytest.fixture
def assessment(province, commune, other_commune, reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    dues = dues_from(timezone.localdate())
    return open_cycle(province, version, commune, other_commune, dues=dues).assessments.get(unit=commune)


def key_of(s3_storage, name: str) -> str:
    return f"{s3_storage['prefix']}/{name}"


def test_an_upload_lands_in_the_bucket_and_comes_back_through_the_permission_check(
    client, s3_storage, assessment, commune, other_commune
):
    office = user_with_role("vp-s3", Role.COMMUNE_OFFICE, commune)
    stranger = user_with_role("vp-xa-khac", Role.COMMUNE_OFFICE, other_commune)
    client.force_login(office)
    upload = io.BytesIO(PDF)
    upload.name = "ke-hoach.pdf"
    response = client.post(
        reverse("assessments:evidence-upload", args=[assessment.pk]),
        {"file": upload, "title": "Kế hoạch CCHC", "criteria": ["1.1.3"]},
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    head = s3_storage["client"].head_object(Bucket=s3_storage["bucket"], Key=key_of(s3_storage, stored.file.name))
    assert head["ContentLength"] == len(PDF)
    url = reverse("assessments:evidence-download", args=[assessment.pk, stored.evidence_id, 1])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    # The object itself is private: no anonymous read from the bucket's address.
    public = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{key_of(s3_storage, stored.file.name)}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(public, timeout=10)
    assert refused.value.code in (401, 403)


def test_healthz_probes_the_bucket(client, s3_storage):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json()["storage"] == {"ok": True}
    listed = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"], Prefix=s3_storage["prefix"])
    assert listed.get("KeyCount", 0) == 0  # the probe removed its file


def test_files_on_disk_move_to_the_bucket_checked_by_sha256(settings, tmp_path, assessment, commune, s3_storage):
    office = user_with_role("vp-chuyen", Role.COMMUNE_OFFICE, commune)
    disk_storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    bucket_storages = settings.STORAGES
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = disk_storages  # as before S3_BUCKET was set
    criteria = [Criterion.objects.get(version=assessment.cycle.framework_version, code="1.1.1")]
    for i in range(3):
        services.evidence_add(
            assessment=assessment, upload=io.BytesIO(PDF + bytes([i])), filename=f"{i}.pdf", title=f"TL {i}",
            criteria=criteria, actor=office,
        )  # fmt: skip
    names = list(EvidenceFile.objects.order_by("pk").values_list("file", flat=True))
    assert all(FileSystemStorage(location=tmp_path).exists(n) for n in names)
    settings.STORAGES = bucket_storages
    with pytest.raises(CommandError):  # nothing in the bucket yet
        call_command("files_to_bucket", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("files_to_bucket", stdout=out)
    assert "đã chép 3 tệp, 0 tệp đã có đúng trong kho, 0 lỗi" in out.getvalue()
    for row in EvidenceFile.objects.all():
        with default_storage.open(row.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == row.sha256
    out = io.StringIO()
    call_command("files_to_bucket", stdout=out)  # again: nothing to do
    assert "đã chép 0 tệp, 3 tệp đã có đúng trong kho" in out.getvalue()
    call_command("files_to_bucket", "--check", stdout=io.StringIO())
    # A file on disk that is not what was uploaded is not copied, and said.
    row = EvidenceFile.objects.first()
    default_storage.delete(row.file.name)
    (tmp_path / row.file.name).write_bytes(b"changed on disk")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("files_to_bucket", stdout=out)
    assert "khác sha256 đã ghi lúc tải lên" in out.getvalue()


def test_the_command_refuses_a_disk_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with pytest.raises(CommandError, match="S3_BUCKET"):
        call_command("files_to_bucket")


def test_make_serve_uses_the_bucket(s3_server, tmp_path):
    """``parindex serve`` with S3_BUCKET: gunicorn's /healthz/ writes, reads and deletes its probe
    in the bucket."""
    import signal

    from tests.conftest import ACCESS_KEY, SECRET_KEY
    from tests.production.test_serve import base_env, free_port, start_serve, wait_healthy

    port = free_port()
    env = base_env(
        tmp_path, HOST=f"127.0.0.1:{port}", S3_BUCKET=s3_server["bucket"], S3_ENDPOINT_URL=s3_server["endpoint"],
        S3_ACCESS_KEY_ID=ACCESS_KEY, S3_SECRET_ACCESS_KEY=SECRET_KEY, S3_REGION="us-east-1", S3_PREFIX="serve",
    )  # fmt: skip
    server = start_serve(env, tmp_path)
    try:
        status, body = wait_healthy(f"http://127.0.0.1:{port}", server)
        assert status == 200 and b'"storage": {"ok": true}' in body
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert not (tmp_path / "media").exists()  # nothing written to the disk
