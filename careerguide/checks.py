"""System checks of our own (registered in `CareerguideConfig.ready`)."""

from django.conf import settings
from django.core.checks import Warning


def secret_key_from_file(app_configs=None, **kwargs):
    """`check --deploy`: the key must not be the development `.secret-key` file's."""
    if not getattr(settings, "SECRET_KEY_FROM_FILE", False):
        return []
    return [
        Warning(
            "SECRET_KEY was read from the development file .secret-key.",
            hint="Set SECRET_KEY in the environment of every server (the same on each); "
            "with HTTPS on the settings refuse to start without it.",
            id="careerguide.W001",
        )
    ]


def security_contact(app_configs=None, **kwargs):
    """`check --deploy`: security.txt needs a contact to exist."""
    if settings.SECURITY_CONTACT:
        return []
    return [
        Warning(
            "SECURITY_CONTACT is not set, so /.well-known/security.txt answers 404.",
            hint="Set SECURITY_CONTACT to a mailto: address or an https:// page where "
            "vulnerabilities are reported (RFC 9116).",
            id="careerguide.W002",
        )
    ]


def staff_two_factor(app_configs=None, **kwargs):
    """`check --deploy`: staff sign in with a second factor wherever HTTPS is on."""
    if settings.STAFF_2FA_REQUIRED or not settings.HTTPS:
        return []
    return [
        Warning(
            "STAFF_2FA_REQUIRED is false while HTTPS is on: staff sign in to the admin "
            "with a password alone.",
            hint="Unset STAFF_2FA_REQUIRED (it defaults to true); turning it off is for "
            "local development and test instruments only.",
            id="careerguide.W003",
        )
    ]


def proxy_without_trusted_proxies(app_configs=None, **kwargs):
    """`check --deploy`: BEHIND_PROXY needs TRUSTED_PROXIES, or no request is HTTPS."""
    if not settings.SECURE_PROXY_SSL_HEADER or settings.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "BEHIND_PROXY is on but TRUSTED_PROXIES is empty, so X-Forwarded-Proto is "
            "ignored from every peer: no request counts as HTTPS (with HTTPS on, every "
            "page redirects to itself), and lockouts and logs see the proxy's address "
            "instead of the client's.",
            hint="Set TRUSTED_PROXIES to the load balancer's network (and any CDN's "
            "ranges), e.g. TRUSTED_PROXIES=10.0.0.0/16; see docs/DEPLOY.md, "
            "'Behind a proxy'.",
            id="careerguide.W004",
        )
    ]
