"""What backups and the move to a bucket share about the stored files: which model fields hold
files, which names the rows give, whether the storage is the local disk, a file's sha256."""

from __future__ import annotations

import hashlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models


def sha256_of(handle: Any) -> str:
    """The sha256 of an open binary file, read 1 MB at a time from where it stands."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def file_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) that stores a file (evidence revisions, result files, documents …)."""
    return [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    ]


def stored_file_names() -> list[str]:
    """Every file name a row of any model gives."""
    names: set[str] = set()
    for model, name in file_fields():
        names.update(model.objects.exclude(**{name: ""}).values_list(name, flat=True))
    return sorted(names)


def on_local_disk() -> bool:
    """Whether files are kept under MEDIA_ROOT (no S3_BUCKET)."""
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
