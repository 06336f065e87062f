"""Error pages that need no database and no context: they must render when
the database is what failed."""

import sys

from django.db import DatabaseError
from django.http import HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30


def _page(template, status):
    html = loader.get_template(template).render({})
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return _page("400.html", 400)


def permission_denied(request, exception=None):
    return _page("403.html", 403)


def server_error(request):
    """500, or 503 with Retry-After when the database is down or stalled."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError):
        response = _page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return _page("500.html", 500)
