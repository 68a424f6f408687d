"""A consistent archive of an installation, and an empty installation rebuilt from one.

``parindex backup`` writes one tar file: ``manifest.json`` (format, date, database vendor, the
row count of every table, every stored file with its size and sha256), the database
(PostgreSQL: ``pg_dump`` custom format, taken in the snapshot the counts were read in; SQLite:
the backup API's copy, counted from that copy) and, when files are on the local disk, the files
themselves under ``files/``. With a bucket (S3_BUCKET) the manifest lists its objects with their
sha256 and the bucket is backed up by its own means (versioning, replication); ``restore`` then
checks that every listed object is there with the same bytes.

``parindex restore ARCHIVE`` refuses a database that has tables, restores the database
(``pg_restore`` / the SQLite file), puts the files back and checks every sha256 and every
table's row count against the manifest.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection

from parindex.core.stored import on_local_disk, sha256_of, stored_file_names

FORMAT = "parindex-backup/1"


class BackupError(Exception):
    """Said to the operator as it is (Vietnamese)."""


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})


def _count(cursor: Any, tables: list[str]) -> dict[str, int]:
    out = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from the models
        out[table] = cursor.fetchone()[0]
    return out


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGDATABASE=db["NAME"],
        PGUSER=db.get("USER") or "",
        PGPASSWORD=db.get("PASSWORD") or "",
        PGHOST=db.get("HOST") or "",
        PGPORT=str(db.get("PORT") or ""),
    )
    return env


@dataclass
class Manifest:
    vendor: str
    tables: dict[str, int]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    files_included: bool = True
    created: str = ""

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "created": self.created,
                "vendor": self.vendor,
                "tables": self.tables,
                "files_included": self.files_included,
                "files": self.files,
            },
            ensure_ascii=False,
            indent=1,
        ).encode()


def backup(path: Path) -> Manifest:
    """Write the archive at ``path`` (a new file) and return its manifest."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    tables = _tables()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
        if vendor == "postgresql":
            counts = _pg_dump(dump, tables)
        else:
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            connection.connection.backup(target)
            counts = _count(target.cursor(), tables)
            target.close()
        manifest = Manifest(
            vendor=vendor, tables=counts, files_included=on_local_disk(), created=dt.datetime.now(dt.UTC).isoformat()
        )
        with tarfile.open(path, "x") as tar:
            tar.add(dump, arcname=dump.name)
            for name in stored_file_names():
                if not default_storage.exists(name):
                    raise BackupError(f"Tệp {name} có trong cơ sở dữ liệu nhưng không có trong kho tệp.")
                with default_storage.open(name, "rb") as handle:
                    sha, size = sha256_of(handle), default_storage.size(name)
                manifest.files[name] = {"sha256": sha, "size": size}
                if manifest.files_included:
                    with default_storage.open(name, "rb") as handle:
                        info = tarfile.TarInfo(f"files/{name}")
                        info.size = size
                        tar.addfile(info, handle)
            data = manifest.as_json()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return manifest


def _pg_dump(dump: Path, tables: list[str]) -> dict[str, int]:
    """pg_dump in the snapshot the row counts are read in (one consistent moment)."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, tables)
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(dump)],
                env=_pg_env(), capture_output=True, text=True, check=False,
            )  # fmt: skip
        finally:
            cursor.execute("COMMIT")
    if done.returncode:
        raise BackupError(f"pg_dump không chạy được: {done.stderr.strip()[:300]}")
    return counts


def read_manifest(path: Path) -> Manifest:
    with tarfile.open(path) as tar:
        try:
            raw = json.load(tar.extractfile("manifest.json"))
        except KeyError:
            raise BackupError("Tệp này không phải bản sao lưu parindex (thiếu manifest.json).") from None
    if raw.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu định dạng {raw.get('format')!r}, phiên bản này đọc {FORMAT}.")
    return Manifest(raw["vendor"], raw["tables"], raw["files"], raw["files_included"], raw["created"])


def restore(path: Path) -> Manifest:
    """Rebuild this (empty) installation from the archive at ``path``."""
    manifest = read_manifest(path)
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"Bản sao lưu là của {manifest.vendor}, cài đặt này dùng {connection.vendor}: khôi phục vào cùng loại."
        )
    if connection.introspection.table_names():
        raise BackupError("Cơ sở dữ liệu đích đã có bảng: chỉ khôi phục vào một cài đặt trống.")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as tar:
        if manifest.vendor == "postgresql":
            tar.extract("database.dump", tmp, filter="data")
            done = subprocess.run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", connection.settings_dict["NAME"],
                 str(Path(tmp) / "database.dump")],
                env=_pg_env(), capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode:
                raise BackupError(f"pg_restore không chạy được: {done.stderr.strip()[:300]}")
        else:
            tar.extract("database.sqlite3", tmp, filter="data")
            connection.close()
            shutil.copyfile(Path(tmp) / "database.sqlite3", connection.settings_dict["NAME"])
        for name, facts in manifest.files.items():
            if manifest.files_included:
                member = tar.extractfile(f"files/{name}")
                if default_storage.exists(name):
                    raise BackupError(f"Tệp {name} đã có trong kho tệp đích: chỉ khôi phục vào một kho trống.")
                saved = default_storage.save(name, File(member))
                if saved != name:
                    raise BackupError(f"Kho tệp lưu {name} dưới tên khác ({saved}).")
            if not default_storage.exists(name):
                raise BackupError(f"Tệp {name} không có trong kho tệp (sao lưu kho S3 riêng rồi khôi phục trước).")
            with default_storage.open(name, "rb") as handle:
                if sha256_of(handle) != facts["sha256"]:
                    raise BackupError(f"Tệp {name} khác bản đã sao lưu (sha256).")
    with connection.cursor() as cursor:
        counts = _count(cursor, list(manifest.tables))
    different = {t: (n, counts.get(t)) for t, n in manifest.tables.items() if counts.get(t) != n}
    if different:
        raise BackupError(f"Số dòng khác bản sao lưu ở {len(different)} bảng: {sorted(different)[:5]}")
    return manifest
