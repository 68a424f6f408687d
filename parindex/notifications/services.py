"""Writing notifications: the daily reminder run, and marking notifications read.

``send_reminders`` asks each reminder source what to send today, creates the notifications
the users do not have yet (the key makes a rerun on the same day create nothing), and
e-mails them to the users with an address, through Django's configured e-mail backend.
Its query count does not grow with the number of units or users.

The sources (``REMINDER_SOURCES``):

- ``selectors.deadline_reminders``: the cycles' deadlines (self-assessment, clarification,
  appraisal, publication);
- ``parindex.remediation.reminders.action_reminders``: remediation actions of approved
  plans coming due, and overdue ones (first overdue day, then weekly).

To add a kind of reminder, write a source (``(today, reminder_days) -> list of
PlannedNotification``, see ``selectors.deadline_reminders``) and list it in
``REMINDER_SOURCES``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.utils import timezone

from parindex.notifications import reminders, selectors
from parindex.notifications.models import Notification
from parindex.remediation.reminders import action_reminders

logger = logging.getLogger(__name__)

ReminderSource = Callable[[dt.date, Collection[int]], Sequence[reminders.PlannedNotification]]

REMINDER_SOURCES: tuple[ReminderSource, ...] = (selectors.deadline_reminders, action_reminders)

EMAIL_FOOTER = (
    "Thư này do parindex (Chỉ số cải cách hành chính) gửi tự động; thông báo cũng có trong mục "
    "Thông báo khi đăng nhập. Vui lòng không trả lời thư này."
)


@dataclass(frozen=True)
class ReminderRun:
    """What one run did (or, in a dry run, would do)."""

    day: dt.date
    dry_run: bool
    planned: int  # reminders due today, whether or not already sent
    created: int  # new in-app notifications
    emailed: int  # e-mails sent (in a dry run: to be sent)
    without_email: int  # new notifications whose user has no e-mail address (in-app only)
    failed: int = 0  # e-mails the backend refused; retried by the next run
    new: tuple[reminders.PlannedNotification, ...] = ()  # the notifications created (or to create)


def send_reminders(
    *,
    today: dt.date | None = None,
    reminder_days: Collection[int] | None = None,
    dry_run: bool = False,
    sources: Sequence[ReminderSource] = REMINDER_SOURCES,
) -> ReminderRun:
    """Create today's reminders and e-mail them; a rerun on the same day sends nothing more.

    E-mails that failed on an earlier run of the day (their notification has no
    ``emailed_at``) are sent again. A dry run reads only and reports what it would do.
    """
    today = today or timezone.localdate()
    days = frozenset(settings.REMINDER_DAYS if reminder_days is None else reminder_days)
    planned = reminders.unique(p for source in sources for p in source(today, days))
    if not planned:
        return ReminderRun(today, dry_run, planned=0, created=0, emailed=0, without_email=0)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={p.user_id for p in planned})}
    planned = [p for p in planned if p.user_id in users]  # a user deleted meanwhile
    keys = {p.key for p in planned}
    existing = set(
        Notification.objects.filter(user_id__in=list(users), key__in=keys).order_by().values_list("user_id", "key")
    )
    new = [p for p in planned if (p.user_id, p.key) not in existing]
    without_email = sum(not users[p.user_id].email for p in new)
    if dry_run:
        return ReminderRun(
            today, True, len(planned), len(new), emailed=len(new) - without_email, without_email=without_email,
            new=tuple(new),
        )  # fmt: skip

    Notification.objects.bulk_create(
        [Notification(user_id=p.user_id, key=p.key, title=p.title, body=p.body, url=p.url) for p in new],
        ignore_conflicts=True,  # a concurrent run may have created some meanwhile
    )
    # Today's notifications not e-mailed yet: the new ones, and any an earlier run failed to send.
    wanted = {(p.user_id, p.key) for p in planned}
    unsent = []
    for n in Notification.objects.filter(
        user_id__in=[pk for pk, u in users.items() if u.email], key__in=keys, emailed_at__isnull=True
    ).order_by("pk"):
        if (n.user_id, n.key) in wanted:
            n.user = users[n.user_id]
            unsent.append(n)
    sent, failed = _email(unsent)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return ReminderRun(
        today, False, len(planned), len(new), emailed=len(sent), without_email=without_email, failed=failed,
        new=tuple(new),
    )  # fmt: skip


def _email(rows: Sequence[Notification]) -> tuple[list[int], int]:
    """Send each notification to its user over one connection: (pks sent, how many failed)."""
    if not rows:
        return [], 0
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        logger.exception("Không kết nối được máy chủ thư; %d thư sẽ gửi lại ở lần chạy sau", len(rows))
        return [], len(rows)
    sent: list[int] = []
    try:
        for n in rows:
            try:
                send_mail(n.title, email_text(n), None, [n.user.email], connection=connection)
            except (smtplib.SMTPException, OSError):
                logger.exception("Không gửi được thư thông báo %s tới %s", n.pk, n.user.email)
            else:
                sent.append(n.pk)
    finally:
        connection.close()
    return sent, len(rows) - len(sent)


def email_text(notification: Notification) -> str:
    """The plain-text e-mail of a notification: greeting, body, link, footer."""
    user = notification.user
    link = notification.url
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    if link.startswith("/") and base:
        link = base + link
    lines = [f"Kính gửi {user},", "", notification.body or notification.title]
    if link:
        lines += ["", f"Xem chi tiết: {link}"]
    return "\n".join([*lines, "", "--", EMAIL_FOOTER])


def mark_read(notification: Notification) -> None:
    """Mark one notification read (the first reading time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of ``user`` read; how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
