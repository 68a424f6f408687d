from __future__ import annotations

from django.urls import path

from parindex.indicators import views

app_name = "indicators"

urlpatterns = [
    path("du-bao/<int:pk>/", views.forecast, name="forecast"),
]
