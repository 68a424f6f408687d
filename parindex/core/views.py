"""Site-wide views: the CSRF failure page (Django's error handlers use templates/4xx.html, 500.html)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted with a stale or missing CSRF token: say so in Vietnamese, in the site's layout."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
