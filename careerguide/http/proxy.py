"""Forwarded headers are dropped unless a trusted proxy sent the request.

`X-Forwarded-Proto` makes a request HTTPS for Django (`SECURE_PROXY_SSL_HEADER`,
set by `BEHIND_PROXY`), and `X-Forwarded-For` names the client that lockouts
and logs count. Django believes the first from any peer, and anyone who reaches
gunicorn directly can send both. This middleware runs first and removes them
(and their relatives) from `request.META` when `REMOTE_ADDR` is not in
`TRUSTED_PROXIES`, so nothing after it, Django's own code included, can be
fooled. `client_ip` checks the peer as well, for callers outside a request
cycle's middleware.
"""

from .clientip import peer_is_trusted

# Every header a proxy uses to speak for the client: the address, the scheme
# (gunicorn's alternatives included), the host and port, and RFC 7239's
# Forwarded, which says all of these in one.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class UntrustedForwardedHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not peer_is_trusted(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
