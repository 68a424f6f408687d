from __future__ import annotations

from django.urls import path

from parindex.results import export_views, views

app_name = "results"

urlpatterns = [
    # Public: the published rankings and their downloads.
    path("", views.publication_list, name="publication-list"),
    path("<int:pk>/", views.publication_detail, name="publication-detail"),
    path("<int:pk>/csv/", views.publication_csv, name="publication-csv"),
    path("<int:pk>/json/", views.publication_json, name="publication-json"),
    path("<int:pk>/xlsx/", export_views.publication_xlsx, name="publication-xlsx"),
    path("mo/<int:year>.csv", views.open_data_csv, name="open-data-csv"),
    # Province staff: the Quyết định as built at publication.
    path("<int:pk>/quyet-dinh/", views.publication_docx, name="publication-docx"),
    # Province staff: the cycle's board, approval, publication and correction.
    path("ky/<int:cycle_pk>/", views.cycle_board, name="cycle-board"),
    path("ky/<int:cycle_pk>/xlsx/", export_views.cycle_xlsx, name="cycle-xlsx"),
    path("ky/<int:cycle_pk>/thong-qua/", views.approval_create, name="approval-create"),
    path("phe-duyet/<int:approval_pk>/cong-bo/", views.publication_publish, name="publication-publish"),
    path("<int:pk>/dinh-chinh/", views.publication_correct, name="publication-correct"),
]
