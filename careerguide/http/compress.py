"""gzip for every text response the page cache did not already compress: the plan
with answers, the 404, the admin, sitemap.xml, CSV exports.

Django's GZipMiddleware is close, but it sees "gzip" anywhere in Accept-Encoding
(so `gzip;q=0`, which forbids it, still gets gzip) and it compresses every type,
PNGs included. This one reads the header's q-values, compresses text only, and
otherwise does what GZipMiddleware does: random bytes in the gzip header against
BREACH, weak ETags (RFC 9110 8.8.1: one validator for both encodings, which the
site's weak body ETags already are) and `Vary: Accept-Encoding`.

Static files never get here: whitenoise, above, serves its precompressed copies.
"""

from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

# Shorter bodies gain nothing (gzip's own header and trailer are 18 bytes).
MIN_LENGTH = 200
MAX_RANDOM_BYTES = 100  # as GZipMiddleware: the compressed length never gives a body away
TEXT_TYPES = {
    "application/json",
    "application/ld+json",
    "application/xml",
    "application/javascript",
    "image/svg+xml",
}


def accepts_gzip(request):
    """Whether Accept-Encoding allows gzip: named with q > 0, or `*` with q > 0
    and gzip not named. A q that is not a number counts as 0."""
    qualities = {}
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, *params = part.split(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def is_text(response):
    mime = response.get("Content-Type", "").split(";")[0].strip().lower()
    return mime.startswith("text/") or mime in TEXT_TYPES


class CompressionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 304:
            # A 304 carries the Vary its 200 would have carried.
            patch_vary_headers(response, ["Accept-Encoding"])
            return response
        if response.streaming or response.has_header("Content-Encoding") or not is_text(response):
            return response
        if len(response.content) < MIN_LENGTH:
            return response
        patch_vary_headers(response, ["Accept-Encoding"])
        if not accepts_gzip(request):
            return response
        compressed = compress_string(response.content, max_random_bytes=MAX_RANDOM_BYTES)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = "gzip"
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        return response
