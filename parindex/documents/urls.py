from __future__ import annotations

from django.urls import path

from parindex.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.home, name="home"),
    path("tao/<str:kind>/<int:pk>/", views.document_new, name="document-new"),
    path("<int:pk>/", views.issued_detail, name="issued-detail"),
    path("<int:pk>/tai-ve/", views.issued_download, name="issued-download"),
    path("<int:pk>/pdf/", views.issued_pdf, name="issued-pdf"),
    path("don-vi/<int:unit_pk>/", views.register, name="register"),
    path("don-vi/<int:unit_pk>/so-tiep-theo/", views.register_number, name="register-number"),
    path("mau/<int:province_pk>/", views.template_list, name="template-list"),
    path("mau/<int:province_pk>/tai-len/", views.template_upload, name="template-upload"),
    path("mau/<int:province_pk>/<str:kind>/", views.template_download, name="template-download"),
    path("mau/<int:province_pk>/<str:kind>/dung-mau-co-san/", views.template_reset, name="template-reset"),
]
