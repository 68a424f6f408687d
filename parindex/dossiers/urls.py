from __future__ import annotations

from django.urls import path

from parindex.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("xa/<int:unit_pk>/", views.unit_list, name="unit-list"),
    path("xa/<int:unit_pk>/ghi/", views.dossier_create, name="dossier-create"),
    path("<int:pk>/sua/", views.dossier_edit, name="dossier-edit"),
    path("<int:pk>/xoa/", views.dossier_delete, name="dossier-delete"),
    path("tinh/<int:province_pk>/", views.province_list, name="province-list"),
]
