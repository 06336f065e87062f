"""HTTP details shared by the public pages: validators and conditional GET.

Django decides 304 / 412 (`get_conditional_response`, the same function behind
`condition()` and `ConditionalGetMiddleware`). Ours is only what Django does
not do: a weak ETag from the body. `condition()` does not fit because it needs
the validators before the view runs, and the ETag comes from the rendered body;
`ConditionalGetMiddleware` would put strong ETags on every response and ignores
HEAD.
"""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date

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
    response.headers.setdefault("ETag", etag_for(response.content))
    # Whole seconds, as the header carries them (and as `condition()` compares).
    timestamp = int(last_modified.timestamp()) if last_modified is not None else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = cache_control
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=timestamp, response=response
    )
