"""Site-wide template context. Never reads the session or the user."""

from django.conf import settings


def site(request):
    return {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Career Guide"}
