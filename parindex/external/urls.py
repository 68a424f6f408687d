from __future__ import annotations

from django.urls import path

from parindex.external import views

app_name = "external"

urlpatterns = [
    path("tinh/<int:province_pk>/", views.leaderboard, name="leaderboard"),
    path("tinh/<int:province_pk>/nap-tep/", views.import_page, name="import"),
    path("tinh/<int:province_pk>/muc-tieu/", views.target_set, name="target-set"),
    path("xa/<int:unit_pk>/", views.unit_trend, name="unit-trend"),
    path("xa/<int:unit_pk>/nhap/", views.result_enter, name="result-enter"),
    path("de-nghi/<int:pk>/tep/", views.contest_file, name="contest-file"),
    path("diem/<int:pk>/de-nghi/", views.contest_new, name="contest-new"),
    path("de-nghi/<int:pk>/xu-ly/", views.contest_decide, name="contest-decide"),
    path("ket-qua/<int:pk>/dieu-chinh/", views.adjustment_new, name="adjustment-new"),
    path("dieu-chinh/<int:pk>/huy/", views.adjustment_reverse, name="adjustment-reverse"),
]
urlpatterns += [
    path("tinh/<int:province_pk>/khao-sat/", views.survey_results, name="survey-results"),
    path("tinh/<int:province_pk>/khao-sat/nap-tep/", views.survey_import, name="survey-import"),
    path("tinh/<int:province_pk>/khao-sat/khai-bao/", views.survey_settings, name="survey-settings"),
    path("xa/<int:unit_pk>/khao-sat/", views.unit_surveys, name="unit-surveys"),
]
