from __future__ import annotations

from django.urls import path

from parindex.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("tinh/<int:province_pk>/", views.province_dashboard, name="province"),
    path("xa/<int:unit_pk>/", views.commune_dashboard, name="commune"),
]
