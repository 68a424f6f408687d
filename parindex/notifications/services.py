"""Writing notifications: workflow news as it happens, the daily reminder run, marking read.

``notify`` (or ``notifications_send`` for many different messages at once) writes in-app
notifications inside the caller's transaction, so a workflow event and its notifications
are saved together or not at all; their e-mail copies go out once that transaction has
committed (``transaction.on_commit``), to the users with an address whose preference allows
it (``models.wants_email``). ``events`` builds the messages of each workflow event.

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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone

from parindex.notifications import reminders, selectors
from parindex.notifications.models import Kind, Notification, NotificationPreference, wants_email
from parindex.remediation.reminders import action_reminders

logger = logging.getLogger(__name__)

ReminderSource = Callable[[dt.date, Collection[int]], Sequence[reminders.PlannedNotification]]

REMINDER_SOURCES: tuple[ReminderSource, ...] = (selectors.deadline_reminders, action_reminders)

EMAIL_FOOTER = (
    "Thư này do parindex (Chỉ số cải cách hành chính) gửi tự động; thông báo cũng có trong mục "
    "Thông báo khi đăng nhập. Vui lòng không trả lời thư này."
)


@dataclass(frozen=True, slots=True)
class Message:
    """One notification to write: to whom, which event, its key, and what it says."""

    user_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def notify(
    *, users: Iterable[Any], kind: str, key: str, title: str, body: str = "", url: str = "", exclude: Any = None
) -> int:
    """Notify each of ``users`` (users or ids; ``exclude``, e.g. the person who acted, left out)
    of one event; how many notifications were asked for. See ``notifications_send``."""
    skip = getattr(exclude, "pk", exclude)
    ids = sorted({getattr(u, "pk", u) for u in users} - {skip, None})
    return notifications_send(messages=[Message(uid, kind, key, title, body, url) for uid in ids])


def notifications_send(*, messages: Sequence[Message]) -> int:
    """Write the notifications in one insert (atomic by itself), in the caller's transaction, and
    e-mail them once it has committed (at once when there is no transaction). A user who already has a notification with the same key gets nothing
    new (the event was notified already). Costs one query, none when there is nothing to send."""
    seen: set[tuple[int, str]] = set()
    rows = []
    for m in messages:
        if (m.user_id, m.key) in seen:
            continue
        seen.add((m.user_id, m.key))
        rows.append(
            Notification(
                user_id=m.user_id, kind=m.kind, key=m.key[:200], title=_fit(m.title, 300), body=m.body, url=m.url[:300]
            )
        )
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(partial(_email_committed, frozenset((n.user_id, n.key) for n in rows)))
    return len(rows)


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _email_committed(wanted: frozenset[tuple[int, str]]) -> None:
    """After the event's commit: e-mail its new notifications to who wants them. Never raises:
    the event is saved already; a failure is logged and the notification stays in the app."""
    try:
        rows = [
            n
            for n in Notification.objects.filter(
                user_id__in={user_id for user_id, _ in wanted},
                key__in={key for _, key in wanted},
                emailed_at__isnull=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .select_related("user", "user__notification_preference")
            .order_by("pk")
            if (n.user_id, n.key) in wanted and wants_email(n.user, n.kind)
        ]
        sent, _failed = _email(rows)
        if sent:
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    except Exception:  # noqa: BLE001 - the event has committed; a mail problem must not turn it into an error page
        logger.exception("Không gửi được thư cho thông báo của sự kiện vừa lưu")


def preference_for(user: Any) -> NotificationPreference:
    """The user's preference, or the defaults (not saved) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


@transaction.atomic
def preference_save(*, user: Any, email_enabled: bool, email_reminders: bool) -> NotificationPreference:
    """Save the user's e-mail choices (their own only: the view passes ``request.user``)."""
    if not getattr(user, "pk", None):
        raise ValidationError("Cần đăng nhập để lưu cài đặt thông báo.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled, "email_reminders": email_reminders}
    )
    return preference


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
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in={p.user_id for p in planned})
        .select_related("notification_preference")
    }
    planned = [p for p in planned if p.user_id in users]  # a user deleted meanwhile
    keys = {p.key for p in planned}
    existing = set(
        Notification.objects.filter(user_id__in=list(users), key__in=keys).order_by().values_list("user_id", "key")
    )
    new = [p for p in planned if (p.user_id, p.key) not in existing]
    without_email = sum(not users[p.user_id].email for p in new)
    if dry_run:
        mailed = sum(wants_email(users[p.user_id], Kind.REMINDER) for p in new)
        return ReminderRun(
            today, True, len(planned), len(new), emailed=mailed, without_email=without_email, new=tuple(new)
        )  # fmt: skip

    Notification.objects.bulk_create(
        [
            Notification(user_id=p.user_id, kind=Kind.REMINDER, key=p.key, title=p.title, body=p.body, url=p.url)
            for p in new
        ],
        ignore_conflicts=True,  # a concurrent run may have created some meanwhile
    )
    # Today's notifications not e-mailed yet: the new ones, and any an earlier run failed to send.
    wanted = {(p.user_id, p.key) for p in planned}
    unsent = []
    for n in Notification.objects.filter(
        user_id__in=[pk for pk, u in users.items() if wants_email(u, Kind.REMINDER)],
        key__in=keys,
        emailed_at__isnull=True,
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
