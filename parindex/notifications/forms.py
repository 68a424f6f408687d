"""The e-mail preference form (input shape only)."""

from __future__ import annotations

from django import forms

from parindex.notifications.models import NotificationPreference


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(
        label="Gửi thông báo tới thư điện tử của tôi",
        required=False,
        help_text=NotificationPreference._meta.get_field("email_enabled").help_text,
    )
    email_reminders = forms.BooleanField(
        label="Gửi cả thư nhắc hạn",
        required=False,
        help_text=NotificationPreference._meta.get_field("email_reminders").help_text,
    )
