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
from typing import Any

from django.db import transaction
from django.utils import timezone

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
