"""Long lists a page at a time: 50 rows, ``?trang=N``, the filters kept in the pager's links.

    page = paginate(request, queryset)            # a Django Page, with .query for the pager
    {% include "components/pager.html" with page=page %}

``page.query`` is the request's query string without the page number and without empty
filters, so "Trang sau" keeps what the user filtered by. A caller that already knows how many
rows there are passes ``count`` and saves the COUNT query.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50
PAGE_PARAM = "trang"


def kept_query(request: HttpRequest, *, drop: tuple[str, ...] = (PAGE_PARAM,)) -> str:
    """The request's query string, url-encoded, without ``drop`` and without empty values."""
    query = request.GET.copy()
    for key in list(query):
        values = [v for v in query.getlist(key) if v.strip()]
        if key in drop or not values:
            del query[key]
        else:
            query.setlist(key, values)
    return query.urlencode()


def paginate(request: HttpRequest, items: Any, *, per_page: int = PAGE_SIZE, count: int | None = None) -> Page:
    """The page of ``items`` the request asks for (the last one when past the end, the first
    when the number is not one), with ``query`` for the pager's links."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached property: no COUNT query of its own
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    page.query = kept_query(request)
    return page
