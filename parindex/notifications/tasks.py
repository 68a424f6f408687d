"""The daily reminders as a job that queues its next run (no cron line needed).

``daily_reminders`` sends the day's reminders (``services.send_reminders``: a rerun on the
same day sends nothing twice), then queues itself for the next day at REMINDER_TIME
(Asia/Ho_Chi_Minh). ``ensure_scheduled`` queues the first run when none is waiting; ``make
serve`` calls it at start, so a new installation or one whose queue was emptied picks the
schedule up again. Two nodes starting at once may both queue one: the second run of a day
sends nothing. ``parindex send_reminders`` stays for a run by hand.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from parindex.core.jobs import retrying
from parindex.notifications import services

logger = logging.getLogger("parindex.reminders")


def next_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next REMINDER_TIME (local time), today's if it is still to come."""
    now = timezone.localtime(now)
    hour, minute = settings.REMINDER_TIME
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)


def _waiting() -> bool:
    """A daily run is queued (for later today or tomorrow; the one running now is not)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=daily_reminders.module_path, status="READY").exists()


def ensure_scheduled() -> bool:
    """Queue the next daily run unless one is waiting (database queue only). Whether it queued."""
    if not daily_reminders.get_backend().supports_defer or _waiting():
        return False
    daily_reminders.using(run_after=next_run()).enqueue()
    return True


def _send_and_reschedule() -> int:
    try:
        run = services.send_reminders()
        logger.info("reminders of %s: %s notifications, %s e-mails", run.day, run.created, run.emailed)
        return run.created
    finally:  # tomorrow's run, once, whether today's worked or is retried
        ensure_scheduled()


@task()
def daily_reminders(attempt: int = 1) -> int:
    return retrying(daily_reminders, _send_and_reschedule, attempt=attempt)
