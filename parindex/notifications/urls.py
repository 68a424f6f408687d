from __future__ import annotations

from django.urls import path

from parindex.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("<int:pk>/da-doc/", views.notification_read, name="notification-read"),
    path("da-doc-het/", views.notification_read_all, name="notification-read-all"),
    path("cai-dat/", views.notification_preferences, name="notification-preferences"),
]
