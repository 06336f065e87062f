"""Health probes, and what visitors get when the database or cache fails.

"Down" is a real closed port; "stalled" is a real socket that accepts and never
answers. The site under test runs in its own gunicorn process."""

import contextlib
import json
import os
import socket
import threading
import time

import environ
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.servers import fetch, free_port, gunicorn

pytestmark = pytest.mark.django_db


def test_healthz_touches_no_database(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(ctx) == 0
    assert response["Cache-Control"] == "no-store"


def test_readyz_checks_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert client.get("/readyz").json()["status"] == "ok"  # never served from a cache


def test_readyz_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["cache"].startswith("error")
    assert response["Retry-After"]


def test_probes_pass_with_internal_host_and_plain_http_when_https_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    for path in ["/healthz", "/readyz"]:
        response = client.get(path, headers={"host": "10.1.2.3:8000"})
        assert response.status_code == 200, path
    assert client.get("/", headers={"host": "localhost"}).status_code == 301  # to https
    assert client.get("/", headers={"host": "10.1.2.3:8000"}).status_code == 400


def test_error_pages_render_without_database_or_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        for name, text in [
            ("400.html", "couldn't understand"),
            ("403.html", "can't do that"),
            ("500.html", "went wrong"),
            ("503.html", "back in a moment"),
        ]:
            html = render_to_string(name, {})
            assert text in html and "<h1>" in html and "noindex" in html


def test_bad_host_gets_the_400_page(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "couldn't understand" in response.content.decode()


class Stalled:
    """A TCP server that accepts connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


class Forwarder:
    """A TCP proxy to the real PostgreSQL: the database 'comes back' when it starts."""

    def __init__(self, port, target=("127.0.0.1", 5432)):
        self.port, self.target = port, target
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def start(self):
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.sock.close()


@pytest.fixture
def shared_cache(settings):
    """This process and the gunicorn process share one cache."""
    url = os.environ["CACHE_URL"]
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    settings.CACHES = {"default": {**environ.Env.cache_url_config(url), "KEY_PREFIX": prefix}}
    from django.core.cache import cache

    cache.clear()
    return url


def test_database_down_serves_cached_pages_and_a_friendly_503(client, tmp_path, shared_cache):
    cached = factories.full_guide()
    uncached = factories.full_guide()
    assert client.get(cached.get_absolute_url()).status_code == 200  # now in the cache
    assert client.get("/no/such/page/").status_code == 404  # its guide links are cached
    closed = free_port()
    log = tmp_path / "down.log"
    with gunicorn(
        log,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/careerguide",
        CACHE_URL=shared_cache,
        DB_CONNECT_TIMEOUT="2",
    ) as base:
        status, _, page = fetch(base + cached.get_absolute_url())
        assert status == 200 and cached.name in page
        status, headers, page = fetch(base + uncached.get_absolute_url())
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "back in a moment" in page and "Traceback" not in page
        status, _, body = fetch(base + "/readyz")
        assert status == 503 and json.loads(body)["database"].startswith("error")
        assert fetch(base + "/healthz")[0] == 200
        # A path no view matches needs no database: its links come from the cache.
        status, _, page = fetch(base + "/no/such/page/")
        assert status == 404 and cached.get_absolute_url() in page
        rid = fetch(base + uncached.get_absolute_url())[1]["X-Request-ID"]
        # The content stamp expires (stamp.TTL) during the outage: it cannot be
        # derived again, and the stored page is still the latest one.
        from django.core.cache import cache

        from roadmaps import stamp

        cache.delete(stamp.KEY)
        status, _, page = fetch(base + cached.get_absolute_url())
        assert status == 200 and cached.name in page
    time.sleep(0.2)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line["request_id"] == rid]
    assert {line["level"] for line in mine} >= {"ERROR", "INFO"}  # the error and the access line


def test_database_stalled_does_not_hang_workers(client, tmp_path, shared_cache):
    guide = factories.full_guide()
    stalled = Stalled()
    try:
        with gunicorn(
            tmp_path / "stalled.log",
            CACHE_URL=shared_cache,
            DB_CONNECT_TIMEOUT="1",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{stalled.port}/x",
        ) as base:
            for _ in range(3):
                status, headers, _ = fetch(base + guide.get_absolute_url(), timeout=20)
                assert status == 503 and headers["Retry-After"]
            assert fetch(base + "/healthz", timeout=5)[0] == 200
    finally:
        stalled.close()


def test_site_recovers_by_itself_when_the_database_returns(tmp_path, shared_cache):
    port = free_port()
    proxy = Forwarder(port)
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    try:
        with gunicorn(
            tmp_path / "recover.log",
            DATABASE_URL=url,
            CACHE_URL=shared_cache,
            DB_CONNECT_TIMEOUT="1",
        ) as base:
            assert fetch(base + "/readyz")[0] == 503
            proxy.start()  # the database is back
            statuses = []
            for _ in range(20):
                statuses.append(fetch(base + "/readyz")[0])
                if statuses[-1] == 200:
                    break
                time.sleep(0.25)
            assert statuses[-1] == 200, statuses
    finally:
        proxy.close()


def test_concurrent_readyz_probes_do_not_fail_each_other(monkeypatch):
    """Another probe (thread, worker or app server: they share the cache) lands
    between this probe's cache set and get; neither may report the cache broken.
    Found by `make loadtest`: a shared key gave 13–23 % false 503s."""
    from careerguide.http import health as site_middleware

    real_get = site_middleware.cache.get
    nested = {}

    def get_after_another_probe(key, *args, **kwargs):
        if "result" not in nested:
            nested["result"] = None  # the nested probe's own get goes straight through
            nested["result"] = site_middleware.ready_checks()
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(site_middleware.cache, "get", get_after_another_probe)
    assert site_middleware.ready_checks() == {"database": "ok", "cache": "ok"}
    assert nested["result"] == {"database": "ok", "cache": "ok"}
