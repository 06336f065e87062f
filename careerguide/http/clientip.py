"""The client's IP address, behind a known number of trusted proxies.

With TRUSTED_PROXY_COUNT=N (the load balancer and any CDN in front of the app),
the client is the address the outermost trusted proxy saw: the N-th entry from
the right of X-Forwarded-For. Entries further left are client-supplied and
cannot be trusted. With 0 (the default), REMOTE_ADDR is the client.
"""

from django.conf import settings


def client_ip(request):
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
