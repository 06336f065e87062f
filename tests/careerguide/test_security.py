"""Hardened headers, cookies and admin login."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from careerguide.models import SitePage
from tests.conftest import login_verified
from tests.servers import deploy_check

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_passes_with_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_switch_together(settings):
    from django.conf import settings as live

    assert live.SILENCED_SYSTEM_CHECKS == []
    env = {**os.environ, "HTTPS": "true", "SECRET_KEY": "k" * 60}
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django,os;os.environ['DJANGO_SETTINGS_MODULE']="
         f"'careerguide.settings';django.setup();{code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert out == ["True", "31536000", "True", "True", "True", "True"]


EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def check_headers(response):
    for header, value in EXPECTED.items():
        assert response.get(header) == value, (header, response.get(header))
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp and "nonce" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def test_security_headers_on_every_kind_of_response(client, full_guide, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    urls = ["/", full_guide.get_absolute_url(), "/careers/missing/", "/admin/login/",
            "/robots.txt", "/sitemap.xml", "/healthz", "/readyz"]  # fmt: skip
    for url in urls:
        check_headers(client.get(url))
    check_headers(client.get(full_guide.get_absolute_url()))  # a cached response too
    check_headers(client.get("/", headers={"host": "evil.example"}))  # 400
    check_headers(client.post("/"))  # 405


def test_hsts_is_sent_when_https_is_on(client, full_guide, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def public_urls(guide):
    SitePage.objects.create(slug="about", title="About", description="d", body="b")
    return [
        "/", guide.get_absolute_url(), "/about/", "/sitemap.xml", "/robots.txt",
        f"/careers/{guide.slug}/plan/",
        f"/careers/{guide.slug}/plan/?background=teacher&hours=12&region=europe",
        "/careers/missing/", f"/careers/{guide.slug}/social.png", "/social.png",
        "/healthz", "/readyz", "/favicon.ico",
    ]  # fmt: skip


def test_no_public_url_sets_a_cookie_for_an_anonymous_visitor(client, full_guide):
    from django.urls import get_resolver

    urls = public_urls(full_guide)
    patterns = {str(p.pattern) for p in get_resolver().url_patterns}
    assert {"", "careers/<slug:slug>/", "robots.txt", "sitemap.xml"} <= patterns
    for url in urls:
        for _ in range(2):  # uncached and cached
            response = client.get(url)
            assert not response.cookies, (url, response.cookies)
            assert "Cookie" not in response.get("Vary", ""), url
            assert not client.cookies, url


def test_session_and_csrf_cookies_are_hardened(client, settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # idle timeout
    assert settings.SESSION_COOKIE_AGE <= 4 * 60 * 60
    User.objects.create_user("staff", password="a long staff password", is_staff=True)
    response = client.get("/admin/login/")
    csrf = response.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/", {"username": "staff", "password": "a long staff password",
                          "csrfmiddlewaretoken": csrf.value}
    )  # fmt: skip
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_password_validators_require_12_characters_and_reject_common_ones():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Sh0rt!pass")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("a long unusual passphrase")


def test_admin_login_locks_out_username_and_ip_with_429_then_cools_off(client, settings):
    User.objects.create_user("victim", password="the right long password", is_staff=True)
    client.get("/admin/login/")
    login = reverse("admin:login")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(login, {"username": "victim", "password": "wrong guess"},
                               REMOTE_ADDR="203.0.113.7")  # fmt: skip
        # The form again with an error, until the limit locks the pair out.
        expected = 429 if attempt == settings.AXES_FAILURE_LIMIT else 200
        assert response.status_code == expected
    # Locked: even the right password is refused from that address.
    locked = client.post(login, {"username": "victim", "password": "the right long password"},
                         REMOTE_ADDR="203.0.113.7")  # fmt: skip
    assert locked.status_code == 429
    # The same username from another address is not locked (username + IP).
    other = client.post(login, {"username": "victim", "password": "the right long password"},
                        REMOTE_ADDR="198.51.100.9")  # fmt: skip
    assert other.status_code == 302
    # After the cool-off, the first address may try again.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    client.logout()
    again = client.post(login, {"username": "victim", "password": "the right long password"},
                        REMOTE_ADDR="203.0.113.7")  # fmt: skip
    assert again.status_code == 302


def test_client_ip_behind_trusted_proxies(rf, settings):
    from careerguide.http.clientip import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request) == "203.0.113.7"  # the spoofable left entry is ignored
    # The same header from a peer that is not a trusted proxy is not believed
    # (more in test_proxy_trust.py).
    direct = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="198.51.100.20")
    assert client_ip(direct) == "198.51.100.20"


def test_editors_cannot_escalate(client):
    perms = Permission.objects.filter(group__name="Editors")
    assert not perms.filter(content_type__app_label__in=["auth", "axes", "admin"]).exists()
    editor = User.objects.create_user("ed", password="an editor password", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    login_verified(client, editor)
    for name in ["admin:auth_user_changelist", "admin:auth_group_changelist",
                 "admin:auth_user_add", "admin:auth_group_add"]:  # fmt: skip
        assert client.get(reverse(name)).status_code == 403, name
    other = User.objects.create_user("other", password="x" * 14)
    assert client.get(reverse("admin:auth_user_change", args=[other.pk])).status_code == 403
    response = client.post(reverse("admin:auth_user_change", args=[editor.pk]),
                           {"is_superuser": "on"})  # fmt: skip
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_admin_url_is_configurable():
    env = {**os.environ, "ADMIN_URL": "backstage/"}
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='careerguide.settings';"
        "django.setup();from django.urls import reverse;print(reverse('admin:index'))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.stdout.strip() == "/backstage/"
