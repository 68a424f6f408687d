from __future__ import annotations

from django.urls import path

from parindex.indicators import entry_views, import_views, views

app_name = "indicators"

urlpatterns = [
    path("du-bao/<int:pk>/", views.forecast, name="forecast"),
    path("xa/<int:unit_pk>/", views.unit_monitor, name="unit-monitor"),
    path("tinh/<int:province_pk>/", views.province_monitor, name="province-monitor"),
    path("tinh/<int:province_pk>/chi-tieu/", views.targets_edit, name="targets"),
    path("xa/<int:unit_pk>/nhap/", entry_views.entry, name="entry"),
    path("xa/<int:unit_pk>/nhap/<slug:code>/<int:year>/<int:month>/", entry_views.value_save, name="value-save"),
    path("nap-tep/", import_views.import_page, name="import"),
    path("nap-tep/luot/<int:pk>/", import_views.job_page, name="import-job"),
    path("cach-doc-tep/moi/", import_views.mapping_new, name="mapping-new"),
    path("cach-doc-tep/<int:pk>/", import_views.mapping_edit, name="mapping-edit"),
]
