from __future__ import annotations

from django.urls import path

from parindex.assessments import excel_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="assessment-list"),
    path("ky-danh-gia/mo/", views.cycle_open, name="cycle-open"),
    path("<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("<int:pk>/tieu-chi/<str:code>/", views.answer_save, name="answer-save"),
    path("<int:pk>/tieu-chi/<str:code>/nguon-so-lieu/", views.source_apply, name="source-apply"),
    path("<int:pk>/tai-lieu/", views.evidence_upload, name="evidence-upload"),
    path("<int:pk>/tai-lieu/<int:evidence_pk>/phien-ban/", views.evidence_revision, name="evidence-revision"),
    path("<int:pk>/tai-lieu/<int:evidence_pk>/tep/<int:revision>/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/trang-thai/", views.assessment_transition, name="assessment-transition"),
    path("<int:pk>/phan-cong/", views.assignment_edit, name="assignment-edit"),
    path("<int:pk>/lich-su/", views.item_history, name="history"),
    path("<int:pk>/lich-su/<str:code>/", views.item_history, name="item-history"),
    path("<int:pk>/giai-trinh/<int:item_pk>/", views.clarification_answer, name="clarification-answer"),
    path("<int:pk>/gia-han/", views.deadline_extend, name="deadline-extend"),
    path("<int:pk>/bang-tinh/", excel_views.workbook_export, name="workbook-export"),
    path("<int:pk>/bang-tinh/nhap/", excel_views.workbook_import, name="workbook-import"),
]
