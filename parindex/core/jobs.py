"""Background jobs on django-tasks (the database backend in production; see docs/deployment.md).

A domain defines its jobs in its own ``tasks.py`` with ``django_tasks.task`` and hands them
over with ``after_commit``: the job is queued once the transaction that made the work commits
(never for work rolled back). A job body runs under ``retrying``: when it raises, the same job
is queued again a bounded number of times, later each time; the failed run stays in the
queue's table with its traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger("parindex.jobs")

MAX_ATTEMPTS = 3
FIRST_DELAY = dt.timedelta(seconds=30)  # then 60, 120 … seconds


def after_commit(job: Any, *args: Any, **kwargs: Any) -> None:
    """Queue ``job`` with these arguments once the current transaction commits (at once when
    there is none)."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs), robust=True)


def retrying(job: Any, body: Callable[..., Any], *args: Any, attempt: int = 1, **kwargs: Any) -> Any:
    """Run ``body(*args, **kwargs)``; if it raises and fewer than MAX_ATTEMPTS were made, queue
    ``job`` again (``attempt`` + 1) after a delay that doubles each time, then re-raise so that
    this run is recorded as failed."""
    try:
        return body(*args, **kwargs)
    except Exception:
        if attempt < MAX_ATTEMPTS:
            delay = FIRST_DELAY * 2 ** (attempt - 1)
            logger.warning("job %s failed (attempt %s of %s), again in %s", job.name, attempt, MAX_ATTEMPTS, delay)
            later = job.using(run_after=timezone.now() + delay) if job.get_backend().supports_defer else job
            later.enqueue(*args, attempt=attempt + 1, **kwargs)  # at once where jobs run in the request
        else:
            logger.error("job %s failed %s times: given up", job.name, attempt)
        raise


# -- what a job is, for the people who see it fail ------------------------------------------------


@dataclass(frozen=True)
class Described:
    label: str  # what the job does, in Vietnamese
    url_name: str  # the page of the object it works on, reversed with its first argument
    arg: str  # the keyword argument naming that object


DESCRIBED: dict[str, Described] = {}


def describe(job: Any, label: str, url_name: str, arg: str) -> None:
    """Say what ``job`` does and where its object is (its ``tasks.py`` calls this). A job
    queued with ``province_id`` is shown to that province's admins when it fails for good."""
    DESCRIBED[job.module_path] = Described(label, url_name, arg)


def described() -> dict[str, Described]:
    autodiscover_modules("tasks")
    return DESCRIBED


@dataclass(frozen=True)
class Failure:
    label: str
    url: str
    province_id: int
    at: dt.datetime
    error: str


def failures(province_ids: set[int], *, days: int = 30) -> list[Failure]:
    """The jobs of these provinces that failed MAX_ATTEMPTS times in the last ``days`` and have
    not succeeded since (one query), newest first."""
    from django_tasks_db.models import DBTaskResult

    known = described()
    rows = (
        DBTaskResult.objects.filter(
            task_path__in=list(known),
            args_kwargs__kwargs__province_id__in=list(province_ids),
            status__in=["FAILED", "SUCCESSFUL"],
            enqueued_at__gte=timezone.now() - dt.timedelta(days=days),
        )
        .order_by("enqueued_at")
        .values_list("task_path", "args_kwargs", "status", "finished_at", "exception_class_path", "traceback")
    )
    latest: dict[tuple[str, Any], tuple] = {}  # (job, the object it works on) -> its last run
    for path, args_kwargs, status, finished, exception, traceback in rows:
        target = args_kwargs["kwargs"].get(known[path].arg, (args_kwargs["args"] or [None])[0])
        latest[(path, target)] = (path, target, args_kwargs, status, finished, exception, traceback)
    out = []
    for path, target, args_kwargs, status, finished, exception, traceback in latest.values():
        if status != "FAILED" or args_kwargs["kwargs"].get("attempt", 1) < MAX_ATTEMPTS:
            continue
        about = known[path]
        message = (traceback.strip().splitlines() or [exception])[-1][:300]
        url = reverse(about.url_name, args=[target]) if target is not None else ""
        out.append(Failure(about.label, url, args_kwargs["kwargs"]["province_id"], finished, message))
    return sorted(out, key=lambda f: f.at or timezone.now(), reverse=True)
