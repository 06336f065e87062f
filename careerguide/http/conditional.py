"""HTTP details shared by the public pages: validators and conditional GET."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

# Browsers and CDNs revalidate on every use; the ETag makes that a cheap 304.
HTML_CACHE_CONTROL = "max-age=0, must-revalidate"


def etag_for(content):
    """A weak validator from the body: the gzip and plain encodings share it."""
    return f'W/"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'


def with_validators(request, response, last_modified, cache_control=HTML_CACHE_CONTROL):
    """Add ETag (from the body), Last-Modified and Cache-Control to a 200
    response, and answer 304 when the request's validators match."""
    if response.status_code != 200 or response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = etag_for(response.content)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    return conditional(request, response)


def conditional(request, response):
    """304 Not Modified when If-None-Match / If-Modified-Since match."""
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )
