from __future__ import annotations

from django.urls import path

from parindex.indicators import views

app_name = "indicators"

urlpatterns = [
    path("du-bao/<int:pk>/", views.forecast, name="forecast"),
    path("xa/<int:unit_pk>/", views.unit_monitor, name="unit-monitor"),
    path("tinh/<int:province_pk>/", views.province_monitor, name="province-monitor"),
]
