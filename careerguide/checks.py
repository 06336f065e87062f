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
