"""One log line per request (REQUEST_LOG, on by default with DEBUG off): JSON with the method,
the path (no query string: it may carry search terms), the status, the duration, the user's id
and unit, for an operator's log tools. Logger ``parindex.requests``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("parindex.requests")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        logger.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.pk if signed_in else None,
                    "unit": getattr(user, "unit_id", None) if signed_in else None,
                    "htmx": request.headers.get("HX-Request") == "true",
                },
                separators=(",", ":"),
            )
        )
        return response
