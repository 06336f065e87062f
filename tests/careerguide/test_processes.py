"""Real processes: a change saved in this process is served by a gunicorn
process on the next request (shared database and shared cache), a user created
here logs in there, and gunicorn's access log never records a query string."""

import http.cookiejar
import os
import time
import urllib.parse
import urllib.request

import environ
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp

from roadmaps.models import Stage
from tests import factories
from tests.conftest import verified_device
from tests.servers import database_url, fetch, gunicorn


@pytest.fixture(params=["file", "redis"])
def cache_url(request, settings):
    url = os.environ["CACHE_URL"] if request.param == "file" else "redis://127.0.0.1:6379/14"
    # This process uses exactly the cache the gunicorn process will use
    # (same key prefix: same release id, computed from the same files).
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    settings.CACHES = {"default": {**environ.Env.cache_url_config(url), "KEY_PREFIX": prefix}}
    from django.core.cache import cache

    cache.clear()
    return url


@pytest.fixture
def server(transactional_db, tmp_path, cache_url):
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, DATABASE_URL=database_url(), CACHE_URL=cache_url) as base:
        yield base, log


def test_edit_here_is_served_by_another_process_at_once(server):
    base, _ = server
    guide = factories.full_guide()
    url = base + guide.get_absolute_url()
    assert "Stage One Title" in fetch(url)[2]
    assert "Stage One Title" in fetch(url)[2]  # now from the shared cache
    stage = Stage.objects.get(guide=guide)
    stage.title = "Edited in another process"
    stage.save()
    page = fetch(url)[2]
    assert "Edited in another process" in page
    assert "Stage One Title" not in page


def test_logs_have_no_query_string_and_share_request_ids(server):
    base, log = server
    status, headers, _ = fetch(base + "/robots.txt?background=teacher&hours=12")
    assert status == 200
    rid = headers["X-Request-ID"]
    time.sleep(0.3)
    text = log.read_text()
    assert '"GET /robots.txt HTTP/1.1" 200' in text  # gunicorn's access line
    assert f'"request_id": "{rid}"' in text and '"path": "/robots.txt"' in text
    assert "background=teacher" not in text
    assert "hours=12" not in text


def test_a_user_created_here_logs_in_through_the_other_process(server):
    """Tests hash passwords with MD5 (tests/conftest.py); the gunicorn process
    accepts those hashes too (tests.servers.application)."""
    base, _ = server
    user = User.objects.create_user("staff", password="a long staff password", is_staff=True)
    assert user.password.startswith("md5$")
    device = verified_device(user)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = base + "/admin/login/?next=/admin/"
    browser.open(login, timeout=10).read()
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"username": "staff", "password": "a long staff password",
            "csrfmiddlewaretoken": csrf, "next": "/admin/"}  # fmt: skip
    with browser.open(login, urllib.parse.urlencode(form).encode(), timeout=10) as response:
        # The password was accepted: on to the second step (the app's code).
        assert response.status == 200
        assert response.geturl() == base + reverse("admin:staff_verify")
    code = {"code": f"{totp(device.bin_key):06d}", "csrfmiddlewaretoken": csrf}
    step = base + reverse("admin:staff_verify")
    with browser.open(step, urllib.parse.urlencode(code).encode(), timeout=10) as response:
        # Redirected to the admin index, which only a signed-in user reaches.
        assert response.status == 200
        assert response.geturl() == base + "/admin/"
