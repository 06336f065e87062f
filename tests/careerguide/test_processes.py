"""Real processes: a change saved in this process is served by a gunicorn
process on the next request (shared database and shared cache), and gunicorn's
access log never records a query string."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import environ
import pytest
from django.db import connection

from roadmaps.models import Stage
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


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
def gunicorn(transactional_db, tmp_path, cache_url):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "careerguide.wsgi", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("gunicorn did not start:\n" + log.read_text())
    yield base, log
    proc.terminate()
    proc.wait(timeout=10)


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_edit_here_is_served_by_another_process_at_once(gunicorn):
    base, _ = gunicorn
    guide = factories.full_guide()
    url = base + guide.get_absolute_url()
    assert "Stage One Title" in fetch(url)
    assert "Stage One Title" in fetch(url)  # now from the shared cache
    stage = Stage.objects.get(profession=guide)
    stage.title = "Edited in another process"
    stage.save()
    page = fetch(url)
    assert "Edited in another process" in page
    assert "Stage One Title" not in page


def test_access_log_has_no_query_string(gunicorn):
    base, log = gunicorn
    fetch(base + "/robots.txt?background=teacher&hours=12")
    time.sleep(0.3)
    text = log.read_text()
    assert '"GET /robots.txt HTTP/1.1" 200' in text
    assert "background=teacher" not in text
    assert "hours=12" not in text
