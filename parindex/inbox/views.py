"""The "Việc cần làm" page: what the signed-in person has to do now, in every role they hold.

It is the landing page after login (``/`` sends signed-in people here). It also leaves the
number of tasks in the session, which the menu shows (``context_processors.inbox``) without
reading anything on the other pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parindex.accounts.selectors import principal_for
from parindex.inbox import selectors
from parindex.inbox.context_processors import remember_count


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    box = selectors.inbox_for(principal_for(request.user), timezone.localdate())
    remember_count(request, len(box.tasks))
    return render(request, "inbox/inbox.html", {"inbox": box})
