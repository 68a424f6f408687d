from __future__ import annotations

from django.urls import path

from parindex.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.my_account, name="my-account"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password-change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password-change-done"),
]
