"""The indicators' background job: a large file imported (``import_jobs.py``)."""

from __future__ import annotations

from django_tasks import task

from parindex.core.jobs import describe


@task()
def indicator_import_job(job_id: int, province_id: int | None = None, attempt: int = 1) -> str:
    """Not retried: a refused file says why on its page, and a failure is for a person to look
    at (the file can be imported again, which writes nothing twice)."""
    from parindex.indicators.import_jobs import import_job_run

    return import_job_run(job_id)


describe(indicator_import_job, "Nạp tệp số liệu chỉ số", "indicators:import-job", "")
