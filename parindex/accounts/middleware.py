"""A person holding a temporary password sees nothing but the page to choose their own."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_NAMES = ("accounts:password-change", "accounts:password-change-done", "logout")


class TemporaryPasswordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in ALLOWED_NAMES}
            if request.path not in allowed and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                target = reverse("accounts:password-change")
                if request.headers.get("HX-Request") == "true":
                    return HttpResponse(status=204, headers={"HX-Redirect": target})
                messages.warning(
                    request,
                    "Bạn đang dùng mật khẩu tạm thời do quản trị cấp; hãy đặt mật khẩu của riêng mình để tiếp tục.",
                )
                return redirect(target)
        return self.get_response(request)
