"""In-app notifications (and their e-mail copies): deadline reminders and workflow news.

``key`` names what a notification is about and when (e.g. a deadline reminder for one
assessment on one day, or one clarification request of one assessment); it is unique per
user, so running the reminder command twice on the same day, or replaying an event, sends
nothing twice. ``kind`` says which reminder or workflow event wrote it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    """Which reminder or workflow event a notification comes from."""

    REMINDER = "reminder", "Nhắc hạn"
    SUBMITTED = "submitted", "Hồ sơ gửi thẩm định"
    CLARIFICATION_REQUESTED = "clarification_requested", "Yêu cầu giải trình"
    CLARIFICATION_ANSWERED = "clarification_answered", "Đơn vị đã giải trình"
    APPRAISED = "appraised", "Hoàn thành thẩm định"
    APPROVED = "approved", "Hội đồng thông qua kết quả"
    PUBLISHED = "published", "Công bố kết quả"
    CORRECTED = "corrected", "Đính chính kết quả"
    REVIEW = "review", "Phúc tra kết quả"
    ACTION_ASSIGNED = "action_assigned", "Giao biện pháp khắc phục"


class Notification(models.Model):
    Kind = Kind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("loại", max_length=32, choices=Kind.choices, default=Kind.REMINDER)
    key = models.CharField(max_length=200)
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)
    emailed_at = models.DateTimeField("đã gửi thư lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"


class NotificationPreference(models.Model):
    """One user's choice of what is also sent by e-mail. Without a row, every notification is
    e-mailed when the user has an e-mail address (the defaults below)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(
        "nhận thông báo qua thư điện tử",
        default=True,
        help_text="Bỏ chọn: thông báo chỉ hiện trong mục Thông báo, không gửi thư.",
    )
    email_reminders = models.BooleanField(
        "nhận cả thư nhắc hạn",
        default=True,
        help_text="Thư nhắc trước hạn tự đánh giá, giải trình, thẩm định, công bố và hạn biện pháp khắc phục. "
        "Bỏ chọn: vẫn nhận thư khi hồ sơ chuyển bước, không nhận thư nhắc hạn.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cài đặt thông báo"
        verbose_name_plural = "cài đặt thông báo"

    def __str__(self) -> str:
        return f"{self.user}: thư {'bật' if self.email_enabled else 'tắt'}"

    def wants_email(self, kind: str) -> bool:
        return self.email_enabled and (kind != Kind.REMINDER or self.email_reminders)


def wants_email(user: object, kind: str) -> bool:
    """Whether a notification of ``kind`` is e-mailed to ``user``: an address, and no preference
    row saying otherwise (read ``user.notification_preference`` with select_related)."""
    if not getattr(user, "email", ""):
        return False
    try:
        preference = user.notification_preference  # type: ignore[attr-defined]
    except NotificationPreference.DoesNotExist:
        return True
    return preference.wants_email(kind)
