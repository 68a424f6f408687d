from __future__ import annotations

from django.urls import path

from parindex.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("nap/", views.framework_import, name="framework-import"),
    path("<str:code>/phien-ban/<int:number>/", views.version_detail, name="version-detail"),
    path("<str:code>/phien-ban/<int:number>/tai-ve.<str:fmt>", views.version_export, name="version-export"),
    path("<str:code>/phien-ban/<int:number>/trang-thai/", views.version_transition, name="version-transition"),
    path("<str:code>/phien-ban/<int:number>/keo-dai/", views.version_extend, name="version-extend"),
]
