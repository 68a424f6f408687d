from __future__ import annotations

from django.urls import path

from parindex.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.request_list, name="request-list"),
    path("de-nghi/<int:result_pk>/", views.request_new, name="request-new"),
    path("<int:pk>/", views.request_detail, name="request-detail"),
    path("<int:pk>/tieu-chi/<int:item_pk>/", views.item_save, name="item-save"),
    path("<int:pk>/tieu-chi/<int:item_pk>/tep/", views.item_file, name="item-file"),
    path("<int:pk>/chuyen-trang-thai/", views.request_transition, name="request-transition"),
    path("cong-bo/<int:publication_pk>/", views.publication_panel, name="publication-panel"),
    path("cong-bo/<int:publication_pk>/thoi-han/", views.period_set, name="period-set"),
    path("cong-bo/<int:publication_pk>/dinh-chinh/", views.correction_issue, name="correction-issue"),
]
