"""Structured logs on stdout: one JSON line per record, carrying the id of the
request being served, so a request's access line and its errors share an id.
Query strings are never logged: reader answers (the plan page) live there."""

import contextvars
import json
import logging
import re
import time
import uuid

from .clientip import client_ip

request_id = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("careerguide.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JSONFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms", "client", "page_cache")

    def format(self, record):
        data = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key in self.FIELDS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RequestLogMiddleware:
    """One structured log line per request, with an id shared by its errors.

    The id comes from a well-formed X-Request-ID (set by the load balancer) or
    is made here; it is returned in the response. Only the path is logged,
    never the query string."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path[:300],
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "client": client_ip(request),
                    # hit, miss (rendered) or waited (for another request's
                    # render, careerguide.http.cache), on the page-cache paths.
                    "page_cache": getattr(request, "page_cache", "-"),
                },
            )
            return response
        finally:
            request_id.reset(token)
