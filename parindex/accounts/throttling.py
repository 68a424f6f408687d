"""Failed-login throttling, configured on django-axes (its hooks, not a limiter of our own).

Axes records each failure per (user name, address, browser) and is told here to count them
two ways (``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``):

- by **account**: ``AXES_ACCOUNT_FAILURE_LIMIT`` wrong passwords for one user name, from any
  addresses, lock that account for the cool-off (a password guessed from many machines);
- by **address**: ``AXES_ADDRESS_FAILURE_LIMIT`` failures from one address, over any user
  names, block that address for the cool-off (one machine spraying guesses over many
  accounts). It is higher than the account limit because a commune office's officials share
  one public address.

Axes compares one figure against one limit; ``failure_limit`` (its ``AXES_FAILURE_LIMIT``
callable) gives it the limit of whichever count is over its own, so the two limits apply
independently. The lock page says which applies and until when, in Vietnamese.

The client address is ``REMOTE_ADDR`` unless the request comes from a configured trusted
proxy (``TRUSTED_PROXIES``), and only then is ``TRUSTED_PROXY_HEADER`` read: a header sent by
anyone else is ignored, so an attacker cannot pick a new address per guess.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, reading the proxy header only from a trusted proxy.

    X-Forwarded-For lists every hop; the client is the right-most address that is not one of
    our proxies (anything left of it was written by the client and may be forged).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.TRUSTED_PROXIES or not _is_trusted(remote):
        return _valid(remote) or remote or None
    header = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    hops = [h.strip() for h in request.META.get(header, "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            return _valid(hop) or remote
    return _valid(remote) or remote


@dataclass(frozen=True)
class Counts:
    account: int
    address: int


def _counts(request: HttpRequest, username: str | None, address: str | None) -> Counts:
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    account = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    by_address = recent.filter(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return Counts(account, by_address)


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """The limit axes compares its largest count against (see the module's docstring)."""
    counts = _counts(request, get_client_username(request, credentials), getattr(request, "axes_ip_address", None))
    if counts.account >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
        return settings.AXES_ACCOUNT_FAILURE_LIMIT
    if counts.address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
        return settings.AXES_ADDRESS_FAILURE_LIMIT
    return max(counts.account, counts.address) + 1


def _lock_end(request: HttpRequest | None, **filters: Any) -> dt.datetime | None:
    cool_off = get_cool_off(request)
    last = AccessAttempt.objects.filter(**filters).aggregate(at=Max("attempt_time"))["at"]
    return last + cool_off if last and cool_off else None


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: dict | None = None) -> Any:
    """The Vietnamese lock page (HTTP 429): which lock applies, and when it ends."""
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    counts = _counts(request, username, address)
    by_account = counts.account >= settings.AXES_ACCOUNT_FAILURE_LIMIT
    until = _lock_end(request, username=username) if by_account else _lock_end(request, ip_address=address)
    context = {
        "by_account": by_account,
        "until": timezone.localtime(until) if until else None,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    response: HttpResponse = render(request, "registration/locked_out.html", context, status=429)
    if until:
        response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


def account_locked_until(username: str) -> dt.datetime | None:
    """When the lock on an account ends, or None when it is not locked (for the people pages)."""
    threshold = timezone.now() - get_cool_off(None)
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=threshold)
    total = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
    if total < settings.AXES_ACCOUNT_FAILURE_LIMIT:
        return None
    end = _lock_end(None, username=username)
    return timezone.localtime(end) if end else None


def account_unlock(username: str) -> int:
    """Forget an account's failed attempts (from every address); returns how many were removed."""
    return reset(username=username)
