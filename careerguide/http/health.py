"""Health probes: /healthz (the process is up) and /readyz (database and cache answer)."""

import json
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseNotAllowed


def _json(data, status):
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def ready_checks():
    """Ask the database and the cache for a real answer; never raises."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        token = uuid.uuid4().hex
        # A key per probe: concurrent probes (other threads, workers and app
        # servers share the cache) must not overwrite each other's value.
        key = f"readyz:{token}"
        cache.set(key, token, timeout=10)
        checks["cache"] = "ok" if cache.get(key) == token else "error: no round trip"
        cache.delete(key)
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
    return checks


class HealthMiddleware:
    """/healthz (process up, no I/O) and /readyz (database and cache answer).

    Answered here, before CommonMiddleware validates the Host header, so load
    balancer probes that use an internal address as Host still get through;
    SECURE_REDIRECT_EXEMPT keeps them on plain http when HTTPS is on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in ("/healthz", "/readyz") and request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
            response["Cache-Control"] = "no-store"
            return response
        if request.path == "/healthz":
            return _json({"status": "ok"}, 200)
        if request.path == "/readyz":
            checks = ready_checks()
            ok = all(value == "ok" for value in checks.values())
            response = _json({"status": "ok" if ok else "unavailable", **checks},
                             200 if ok else 503)  # fmt: skip
            if not ok:
                response["Retry-After"] = "10"
            return response
        return self.get_response(request)
