"""Pages of the notifications app: my notifications, opening one (marks it read), marking all
read, and my e-mail preferences.

A user only ever sees their own notifications and preferences: another user's notification is
a 404, as if it did not exist, and the preferences page has no user in its URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.notifications import selectors, services
from parindex.notifications.forms import PreferenceForm
from parindex.notifications.models import Notification

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.user_notifications(request.user), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where it points (its own list when it points nowhere safe)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications:notification-list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc.")
    else:
        messages.info(request, "Không có thông báo nào chưa đọc.")
    return redirect("notifications:notification-list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Whether my notifications are also sent to my e-mail address (events, and reminders)."""
    preference = services.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_save(user=request.user, **form.cleaned_data)
            messages.success(request, "Đã lưu cài đặt nhận thông báo qua thư điện tử.")
            return redirect("notifications:notification-preferences")
    else:
        form = PreferenceForm(
            initial={"email_enabled": preference.email_enabled, "email_reminders": preference.email_reminders}
        )
    return render(request, "notifications/preferences.html", {"form": form, "preference": preference})
