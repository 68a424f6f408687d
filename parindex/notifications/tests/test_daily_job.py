"""The daily reminders run as a job that queues its next run: no cron line. ``make serve``
queues the first one; each run sends the day's reminders once and queues tomorrow's."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from parindex.core.signals import serve_starting
from parindex.notifications import services, tasks

pytestmark = pytest.mark.django_db(transaction=True)  # the worker, as in its own process

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_next_run_is_the_next_reminder_time_in_vietnam(settings):
    settings.REMINDER_TIME = (7, 0)
    assert tasks.next_run(dt.datetime(2026, 12, 6, 6, 59, tzinfo=HCM)) == dt.datetime(2026, 12, 6, 7, 0, tzinfo=HCM)
    assert tasks.next_run(dt.datetime(2026, 12, 6, 7, 0, tzinfo=HCM)) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=HCM)
    # 23:30 UTC is 06:30 the next morning in Vietnam: that morning's run.
    assert tasks.next_run(dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=HCM)


def test_serve_queues_the_first_run_once_and_each_run_queues_the_next(settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    said = [line for _, line in serve_starting.send(sender=None)]
    assert any("nhắc hạn hằng ngày, lần tới lúc 07:00" in line for line in said)
    serve_starting.send(sender=None)  # a second node starting: nothing more queued
    waiting = DBTaskResult.objects.filter(task_path=tasks.daily_reminders.module_path, status="READY")
    assert waiting.count() == 1 and waiting.get().run_after > dt.datetime.now(dt.UTC)

    runs = []
    monkeypatch.setattr(services, "send_reminders", lambda **kw: runs.append(kw) or _Run())
    waiting.update(run_after=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))  # 07:00 has come
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(runs) == 1
    done = DBTaskResult.objects.filter(task_path=tasks.daily_reminders.module_path)
    assert sorted(done.values_list("status", flat=True)) == ["READY", "SUCCESSFUL"]
    tomorrow = done.get(status="READY").run_after.astimezone(HCM)
    assert (tomorrow.hour, tomorrow.minute) == (7, 0) and tomorrow > dt.datetime.now(HCM)


def test_a_failing_day_is_retried_and_tomorrow_is_still_queued_once(settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr("parindex.core.jobs.FIRST_DELAY", dt.timedelta(0))

    def broken(**kwargs):
        raise ConnectionRefusedError("SMTP")

    monkeypatch.setattr(services, "send_reminders", broken)
    tasks.daily_reminders.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0, stdout=io.StringIO())
    rows = DBTaskResult.objects.filter(task_path=tasks.daily_reminders.module_path)
    assert sorted(rows.values_list("status", flat=True)) == ["FAILED", "FAILED", "FAILED", "READY"]


class _Run:
    day, created, emailed = dt.date(2026, 12, 7), 0, 0
