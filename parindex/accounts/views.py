"""Account pages: my account (roles), password change. Login/logout are Django's views."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from parindex.accounts.selectors import role_assignments_of


@login_required
@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_account.html", {"assignments": role_assignments_of(request.user)})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
