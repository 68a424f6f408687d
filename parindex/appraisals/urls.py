from __future__ import annotations

from django.urls import path

from parindex.appraisals import excel_views, views

app_name = "appraisals"

urlpatterns = [
    path("", views.appraisal_list, name="appraisal-list"),
    path("ky/<int:cycle_pk>/phan-cong/", views.appraiser_assignment, name="appraiser-assignment"),
    path("<int:pk>/", views.appraisal_detail, name="appraisal-detail"),
    path("<int:pk>/tieu-chi/<str:code>/", views.appraisal_save, name="appraisal-save"),
    path("<int:pk>/bang-tinh/", excel_views.workbook_export, name="workbook-export"),
    path("<int:pk>/thong-nhat/", views.appraisal_accept, name="appraisal-accept"),
    path("<int:pk>/giai-trinh/", views.clarification_send, name="clarification-send"),
    path("<int:pk>/trang-thai/", views.appraisal_transition, name="appraisal-transition"),
    path(
        "<int:pk>/tai-lieu/<int:evidence_pk>/tep/<int:revision>/", views.appraisal_evidence, name="appraisal-evidence"
    ),
]
