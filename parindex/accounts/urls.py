from __future__ import annotations

from django.urls import path

from parindex.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.my_account, name="my-account"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password-change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("nguoi-dung/", views.people_list, name="people-list"),
    path("nguoi-dung/moi/", views.person_new, name="person-new"),
    path("nguoi-dung/nhat-ky/", views.account_log, name="account-log"),
    path("nguoi-dung/<int:pk>/", views.person_detail, name="person-detail"),
    path("nguoi-dung/<int:pk>/sua/", views.person_edit, name="person-edit"),
    path("nguoi-dung/<int:pk>/cap-mat-khau/", views.person_password_reset, name="person-password-reset"),
    path("nguoi-dung/<int:pk>/trang-thai/", views.person_active, name="person-active"),
    path("nguoi-dung/<int:pk>/go-khoa/", views.person_unlock, name="person-unlock"),
    path("nguoi-dung/<int:pk>/vai-tro/", views.role_grant, name="role-grant"),
    path("nguoi-dung/<int:pk>/vai-tro/<int:grant_pk>/thu-hoi/", views.role_revoke, name="role-revoke"),
]
