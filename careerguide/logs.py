"""Structured logs on stdout: one JSON line per record, carrying the id of the
request being served, so a request's access line and its errors share an id.
Query strings are never logged: reader answers (the plan page) live there."""

import contextvars
import json
import logging
import time

request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JSONFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms", "client")

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
