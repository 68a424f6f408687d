from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The framework browser is the first real page; later issues add the dashboards here.
    return redirect("frameworks:framework-list")
