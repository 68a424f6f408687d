"""Large indicator files imported by the job worker, their progress shown on their page.

A file above ``IMPORT_INLINE_BYTES`` is not read in the request: ``import_job_start`` stores
it and queues ``tasks.indicator_import_job``; the page of the job (``import_views.job_page``)
polls its state (queued, checking every row, writing, done / refused with every problem /
failed). The import itself is ``services.indicator_import``, as for a small file: all rows or
none, the same file twice writes nothing the second time.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.core.jobs import after_commit
from parindex.indicators import services
from parindex.indicators.models import ImportJob, ImportMapping, Indicator

PROBLEMS_KEPT = 500  # problems listed on the job's page (the count is always whole)


def import_job_start(
    *,
    indicator: Indicator,
    mapping: ImportMapping,
    upload: BinaryIO,
    filename: str,
    size: int,
    actor: Any,
    principal: Principal,
) -> ImportJob:
    """Store the file and queue its import (checked for permission now, as the import will)."""
    services.import_allowed(indicator=indicator, mapping=mapping, principal=principal)
    with transaction.atomic():
        job = ImportJob(
            indicator=indicator, mapping=mapping, province=mapping.province, file_name=filename[:255], size=size,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        job.file.save("upload", File(upload), save=False)
        job.save()
        from parindex.indicators.tasks import indicator_import_job

        after_commit(indicator_import_job, job.pk, province_id=job.province_id)
    return job


def import_job_run(job_id: int) -> str:
    """The job's body: the import, its phases written to the job as they start."""
    from parindex.accounts.selectors import principal_for

    job = ImportJob.objects.select_related("indicator", "mapping__province", "created_by").get(pk=job_id)
    if not job.running:
        return job.state

    def progress(phase: str, rows: int | None) -> None:
        ImportJob.objects.filter(pk=job_id).update(state=phase, rows_total=rows)

    try:
        with job.file.open("rb") as handle:
            result = services.indicator_import(
                indicator=job.indicator, mapping=job.mapping, file=handle, filename=job.file_name,
                actor=job.created_by, principal=principal_for(job.created_by), progress=progress,
            )  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        _finish(job_id, ImportJob.State.REFUSED, " ".join(messages)[:500])
        return ImportJob.State.REFUSED
    except Exception:
        _finish(job_id, ImportJob.State.FAILED, "Lỗi hệ thống khi nạp tệp (xem nhật ký máy chủ); có thể nạp lại tệp.")
        raise
    if not result.ok:
        _finish(
            job_id, ImportJob.State.REFUSED, result.summary(), rows_total=result.rows_total,
            problems=[str(p) for p in result.problems[:PROBLEMS_KEPT]],
        )  # fmt: skip
        return ImportJob.State.REFUSED
    _finish(job_id, ImportJob.State.DONE, result.summary(), rows_total=result.rows_total, batch=result.batch)
    job.file.delete(save=False)  # the figures are stored; the ImportBatch keeps the file's sha256
    ImportJob.objects.filter(pk=job_id).update(file="")
    return ImportJob.State.DONE


def _finish(job_id: int, state: str, summary: str, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(state=state, summary=summary, finished_at=timezone.now(), **fields)
