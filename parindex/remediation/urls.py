from __future__ import annotations

from django.urls import path

from parindex.remediation import tracking_views, views

app_name = "remediation"

urlpatterns = [
    # Lost-point analysis, drafting and editing the plan, the year-end report (views.py).
    path("", views.plan_list, name="plan-list"),
    path("ho-so/<int:pk>/phan-tich/", views.analysis, name="analysis"),
    path("ho-so/<int:pk>/lap-ke-hoach/", views.plan_draft, name="plan-draft"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/thong-tin/", views.plan_header, name="plan-header"),
    path("<int:pk>/muc/<int:item_pk>/", views.item_save, name="item-save"),
    path("<int:pk>/muc/<int:item_pk>/bien-phap/", views.action_add, name="action-add"),
    path("<int:pk>/bien-phap/<int:action_pk>/", views.action_update, name="action-update"),
    path("<int:pk>/bien-phap/<int:action_pk>/xoa/", views.action_delete, name="action-delete"),
    path("<int:pk>/chuyen-trang-thai/", views.plan_transition, name="plan-transition"),
    path("<int:pk>/bao-cao/", views.plan_report, name="plan-report"),
    # Following the plan through the year (tracking_views.py).
    path("<int:pk>/theo-doi/", tracking_views.action_board, name="action-board"),
    path("<int:pk>/bien-phap/<int:action_pk>/tien-do/", tracking_views.action_progress, name="action-progress"),
    path("tep/<int:note_pk>/", tracking_views.note_file, name="note-file"),
    path("tinh/<int:province_pk>/", tracking_views.province_overview, name="province-overview"),
    path("ho-so/<int:pk>/diem-can-gianh/", tracking_views.at_stake, name="at-stake"),
]
