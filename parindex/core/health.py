"""``/healthz/``: whether this installation can serve, for a load balancer or an operator.

JSON with one entry per part (the database, the file storage, the job queue), each ``ok`` or
not with a short reason; 200 when every part is fine, 503 otherwise. Nothing in it is a secret:
no host names, paths, credentials or exception texts, only the part, its state and figures.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("parindex.health")
PROBE_DIR = "healthz"


def _database() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _storage() -> dict[str, Any]:
    """A small file written, read back and deleted: the storage takes uploads."""
    name = f"{PROBE_DIR}/{uuid.uuid4().hex}.txt"
    stored = default_storage.save(name, ContentFile(b"ok"))
    try:
        with default_storage.open(stored, "rb") as handle:
            ok = handle.read() == b"ok"
    finally:
        default_storage.delete(stored)
    return {"ok": ok}


def _queue() -> dict[str, Any]:
    """The age of the oldest job waiting to run (none waits long while a worker runs)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"ok": True, "backend": "immediate"}
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waiting = DBTaskResult.objects.ready().count()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    limit = settings.HEALTHZ_QUEUE_MAX_AGE
    out: dict[str, Any] = {"ok": age <= limit, "waiting": waiting, "oldest_waiting_s": round(age, 1)}
    if age > limit:
        out["reason"] = f"a job has waited more than {limit} s: is a worker running?"
    return out


CHECKS = {"database": _database, "storage": _storage, "queue": _queue}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    parts: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            parts[name] = check()
        except Exception:  # the reason is logged, not shown: it may name hosts or paths
            logger.exception("health check %s failed", name)
            parts[name] = {"ok": False, "reason": "error (see the server's log)"}
    ok = all(part["ok"] for part in parts.values())
    return JsonResponse({"ok": ok, **parts}, status=200 if ok else 503)
