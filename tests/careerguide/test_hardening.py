"""Findings of the outside probe (issue 15) that this file covers: the secret
admin path is not disclosed (robots.txt, preview redirects; admin responses say
noindex), and a cached page validates Host like an uncached one."""

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from careerguide import starter

pytestmark = pytest.mark.django_db

SECRET = "cg-admin-x7q/"


@pytest.fixture
def secret_admin(settings):
    """The site with ADMIN_URL set to a secret path, as an operator would."""
    import importlib

    from careerguide import urls

    settings.ADMIN_URL = SECRET
    clear_url_caches()
    importlib.reload(urls)
    yield
    settings.ADMIN_URL = "admin/"
    clear_url_caches()
    importlib.reload(urls)


def test_robots_txt_does_not_name_a_secret_admin_path(client, secret_admin):
    body = client.get("/robots.txt").content.decode()
    assert SECRET.strip("/") not in body


def test_an_anonymous_preview_is_a_404_not_a_login_redirect(client, full_guide, secret_admin):
    for url in (
        reverse("guide_preview", kwargs={"slug": full_guide.slug}),
        reverse("site_page_preview", kwargs={"slug": "about"}),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET.strip("/") not in response.content.decode()
        assert "Location" not in response


def test_a_preview_needs_the_second_factor_too(client, full_guide, editor):
    """A staff session past the password only (one from before 2FA, say) sees
    no drafts; the same user past both factors does."""
    from tests.conftest import login_verified

    url = reverse("guide_preview", kwargs={"slug": full_guide.slug})
    client.force_login(editor)
    assert client.get(url).status_code == 404
    login_verified(client, editor)
    assert client.get(url).status_code == 200


def test_admin_responses_say_noindex(client, secret_admin):
    login = client.get(f"/{SECRET}login/")
    assert login.status_code == 200
    assert login["X-Robots-Tag"] == "noindex, nofollow"
    index = client.get(f"/{SECRET}")
    assert index.status_code == 302  # to the login page
    assert index["X-Robots-Tag"] == "noindex, nofollow"


def test_a_cached_page_refuses_a_foreign_host_as_an_uncached_one_does(client):
    starter.load()
    url = "/careers/backend-developer/"
    assert client.get(url).status_code == 200  # now cached
    assert client.get(url).status_code == 200
    with override_settings(DEBUG=False):
        assert client.get(url, headers={"host": "evil.example"}).status_code == 400
        assert client.get("/no/such/", headers={"host": "evil.example"}).status_code == 400


def test_security_txt_names_the_contact_and_never_goes_stale(client, settings):
    import datetime

    from django.utils import timezone

    settings.SECURITY_CONTACT = "mailto:security@example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines() if line)
    assert fields["Contact"] == "mailto:security@example.org"
    expires = datetime.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ")
    days = (expires.replace(tzinfo=datetime.UTC) - timezone.now()).days
    assert 150 <= days <= 180  # always in the future, never more than a year (RFC 9116)
    assert fields["Canonical"].endswith("/.well-known/security.txt")


def test_without_a_contact_there_is_no_security_txt_and_deploy_checks_warn(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404
    from careerguide.checks import security_contact

    assert [w.id for w in security_contact()] == ["careerguide.W002"]
    settings.SECURITY_CONTACT = "mailto:security@example.org"
    assert security_contact() == []


# A failure during a lockout not extending it: tested through the real login,
# with axes' clock moved on, in test_proxy_trust.py.
