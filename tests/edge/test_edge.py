"""The nginx edge from the repo's configuration (deploy/nginx/, rendered by
bin/edge) in front of real gunicorn app servers: what it keeps, what it never
keeps, who it serves, failover and forwarded headers. Where the app cannot
produce a response (Set-Cookie beside X-Accel-Expires), a small stand-in app
server plays it. nginx missing: skipped, or failed when CI=true."""

import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse

from roadmaps.models import Stage
from tests import factories
from tests.servers import ROOT, database_url, free_port, free_port_block

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
EDGE_ADDRESS = "127.0.0.2"
READER = "127.0.0.3"  # a reader's address, on loopback
SECRET_ADMIN = "edge-test-back-office/"
ANSWERS = "background=teacher&hours=12"


def need_nginx():
    if os.access(NGINX, os.X_OK):
        return
    message = f"nginx not found at {NGINX} (Debian package `nginx-light`; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def get(port, path, headers=None, source=None, method="GET"):
    """(status, headers with lower-case names, body); status None when the
    server closed the connection without answering (nginx's 444)."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0) if source else None
    )
    try:
        conn.putrequest(method, path, skip_host="host" in {k.lower() for k in headers or {}},
                        skip_accept_encoding=True)  # fmt: skip
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None, {}, b""
    finally:
        conn.close()


def start_of_a_second():
    """Sleep until just after the clock's next whole second. The app lets the
    edge keep a page until the end of the current second (`X-Accel-Expires:
    @now`), so a test that needs a stored page to still be fresh starts here
    and has most of a second."""
    time.sleep(1.01 - time.time() % 1)


def wait_for_port(port, proc, log, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{Path(log).read_text()[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("did not start:\n" + Path(log).read_text()[-3000:])


class AppServer:
    """A gunicorn app server that can be killed outright (its whole process
    group: master and workers at once) and started again on its port."""

    def __init__(self, log, env):
        self.port = free_port()
        self.log = log
        self.env = env
        self.proc = None

    def start(self):
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "tests.servers:application()",
                 "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.port, self.proc, self.log)
        # Up once it answers (the port opens before the workers are ready), and
        # it is this process that listens, not another one on a reused port.
        listening = f"Listening at: http://127.0.0.1:{self.port} ({self.proc.pid})"
        for _ in range(100):
            if listening in Path(self.log).read_text() and get(self.port, "/healthz")[0] == 200:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer:\n" + Path(self.log).read_text()[-3000:])

    def up(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.up():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.up():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def lines(self):
        """The app's JSON log lines (its access lines carry the client)."""
        return [json.loads(x) for x in Path(self.log).read_text().splitlines() if x.startswith("{")]


class Edge:
    """nginx from a configuration rendered by `bin/edge render --run-dir`."""

    def __init__(self, run_dir, apps, env, *extra):
        self.port = free_port()
        self.run_dir = Path(run_dir)
        self.cache = self.run_dir / "cache"
        self.access_log = self.run_dir / "access.log"
        render = subprocess.run(
            [sys.executable, "bin/edge", "render", "--run-dir", str(self.run_dir),
             "--listen", f"127.0.0.1:{self.port}", "--proxy-bind", EDGE_ADDRESS,
             "--cache-dir", str(self.cache), "--workers", "1",
             "--access-log", str(self.access_log),
             *[arg for port in apps for arg in ("--app", f"127.0.0.1:{port}")], *extra],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert render.returncode == 0, render.stderr
        self.conf = (self.run_dir / "edge.conf").read_text()
        self.proc = None

    def start(self):
        # A fresh micro-cache for each test.
        shutil.rmtree(self.cache, ignore_errors=True)
        self.access_log.write_text("")
        out = self.run_dir / "nginx.out"
        with open(out, "w") as log:
            self.proc = subprocess.Popen(
                [NGINX, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                 "-e", "stderr"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.port, self.proc, out)
        # nginx writes its pid once it has bound its port: this nginx listens.
        pid_file = self.run_dir / "nginx.pid"
        for _ in range(100):
            if pid_file.is_file() and pid_file.read_text().strip() == str(self.proc.pid):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("nginx did not start:\n" + out.read_text()[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def get(self, path, headers=None, **kwargs):
        return get(self.port, path, {"Host": "localhost", **(headers or {})}, **kwargs)

    def log(self):
        time.sleep(0.2)  # nginx writes its line once the response is sent
        return self.access_log.read_text()


def app_env(edge_port):
    return {
        **os.environ,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "DATABASE_URL": database_url(),
        "TRUSTED_PROXIES": f"{EDGE_ADDRESS}/32",
        "SITE_URL": f"http://127.0.0.1:{edge_port}",
        "ADMIN_URL": SECRET_ADMIN,
    }


@pytest.fixture(scope="module")
def apps(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two app servers on the test database, kept for the whole module."""
    need_nginx()
    logs = tmp_path_factory.mktemp("apps")
    env = app_env(edge_port=0)
    servers = [AppServer(logs / f"app{i}.log", env) for i in range(2)]
    while servers[1].port == servers[0].port:
        servers[1].port = free_port()
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def edge_conf(apps, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("edge")
    return Edge(run_dir, [a.port for a in apps], app_env(edge_port=0))


@pytest.fixture
def edge(apps, edge_conf, transactional_db):
    """The edge in front of both app servers, with an empty micro-cache; a server
    a previous test killed is started again."""
    for server in apps:
        if not server.up():
            server.start()
    edge_conf.start()
    yield edge_conf
    edge_conf.stop()


@pytest.fixture
def guide(transactional_db):
    return factories.full_guide()


# The configuration


def test_the_configuration_names_no_private_path(edge_conf):
    template = (ROOT / "deploy" / "nginx" / "edge.conf").read_text()
    for text in (template, edge_conf.conf):
        for private in (SECRET_ADMIN.strip("/"), "/admin", "/preview", "/plan"):
            assert private not in text, private
    # The session cookie's name came from the settings.
    assert "sessionid=" in edge_conf.conf and "sessionid" not in template


# The micro-cache


def test_a_hit_is_served_while_the_app_servers_are_down(edge, apps, guide):
    path = guide.get_absolute_url()
    start_of_a_second()
    status, first, body = edge.get(path)
    assert status == 200 and first["x-cache"] == "MISS"
    for server in apps:
        server.kill()
    status, second, again = edge.get(path)
    # Kept until the end of this second (X-Accel-Expires: @now).
    assert time.time() % 1 < 0.95, "the machine is too slow for this test"
    assert status == 200 and second["x-cache"] == "HIT" and again == body
    assert "x-accel-expires" not in second  # the app's word to the edge stays there
    # Past its second, with no app server at all, the stored copy is served.
    time.sleep(2.05)
    status, stale, again = edge.get(path)
    assert status == 200 and stale["x-cache"] == "STALE" and again == body
    # Never anything the cache does not hold.
    assert edge.get(path + "?" + ANSWERS)[0] == 502


def test_a_session_cookie_or_a_query_string_goes_to_the_app(edge, apps, guide):
    path = guide.get_absolute_url()
    start_of_a_second()
    assert edge.get(path)[1]["x-cache"] == "MISS"
    assert edge.get(path)[1]["x-cache"] == "HIT"
    assert edge.get(path, {"Cookie": "sessionid=abc"})[1]["x-cache"] == "BYPASS"
    assert edge.get(path, {"Cookie": "csrftoken=x; sessionid=abc"})[1]["x-cache"] == "BYPASS"
    assert edge.get(path + "?utm_source=x")[1]["x-cache"] == "BYPASS"
    # Other cookies are no reason to miss the shared page.
    assert edge.get(path, {"Cookie": "csrftoken=x"})[1]["x-cache"] == "HIT"
    for server in apps:
        server.kill()
    assert edge.get(path)[0] == 200
    assert edge.get(path, {"Cookie": "sessionid=abc"})[0] == 502
    assert edge.get(path + "?utm_source=x")[0] == 502


def test_the_key_is_the_normalised_encoding(edge, guide):
    path = guide.get_absolute_url()
    start_of_a_second()
    # The app reads this as gzip allowed (the last q wins), the edge's key as
    # not: the app is told what the key says, so the stored body matches it.
    status, odd, body = edge.get(path, {"Accept-Encoding": "gzip;q=0, gzip"})
    assert status == 200 and odd["x-cache"] == "MISS" and "content-encoding" not in odd
    _, plain, again = edge.get(path)
    assert plain["x-cache"] == "HIT" and "content-encoding" not in plain and again == body
    _, zipped, _ = edge.get(path, {"Accept-Encoding": "gzip, deflate, br"})
    assert zipped["x-cache"] == "MISS" and zipped["content-encoding"] == "gzip"
    # Every spelling that allows gzip shares that entry; one that forbids it never gets it.
    for value in ("gzip", "br;q=1.0, gzip;q=0.8", "*", "GZIP ; q=1"):
        _, headers, _ = edge.get(path, {"Accept-Encoding": value})
        assert headers["x-cache"] == "HIT" and headers["content-encoding"] == "gzip", value
    for value in ("gzip;q=0", "gzip;q=0.0, br", "*;q=0", "identity", "deflate"):
        _, headers, again = edge.get(path, {"Accept-Encoding": value})
        assert headers["x-cache"] == "HIT" and "content-encoding" not in headers, value
        assert again == body


def test_admin_and_plan_results_are_never_stored(edge, apps, guide):
    login = "/" + SECRET_ADMIN + "login/"
    plan = reverse("plan", kwargs={"slug": guide.slug})
    start_of_a_second()
    for attempt in range(2):
        status, headers, _ = edge.get(login)
        assert status == 200 and headers["x-cache"] == "MISS"
        status, headers, _ = edge.get(plan + "?" + ANSWERS)
        assert status == 200 and headers["x-cache"] == "BYPASS"
        # The empty form is the same for everyone: the app lets the edge keep it.
        assert edge.get(plan)[1]["x-cache"] == ("MISS", "HIT")[attempt]
    assert edge.get(guide.get_absolute_url())[0] == 200  # one page that is stored
    keys = stored_keys(edge)
    assert any(key.endswith(guide.get_absolute_url() + " identity") for key in keys), keys
    assert any(key.endswith(plan + " identity") for key in keys), keys
    assert not any(SECRET_ADMIN in key or "?" in key for key in keys), keys
    for server in apps:
        server.kill()
    assert edge.get(login)[0] == 502
    assert edge.get(plan + "?" + ANSWERS)[0] == 502


def stored_keys(edge):
    """The keys of the entries in the edge's cache directory (each file's KEY line)."""
    keys = []
    for file in edge.cache.rglob("*"):
        if file.is_file():
            head = file.read_bytes()[:4096]
            keys.append(head.split(b"\nKEY: ", 1)[1].split(b"\n", 1)[0].decode())
    return keys


def test_staff_sign_in_through_the_edge_on_any_port(edge, editor):
    """The app sees the Host the browser sent, port included, so Django's CSRF
    check accepts the browser's Origin (nginx's $host drops the port: every
    sign-in through `make edge` on :8080 answered 403)."""
    import re
    import urllib.parse

    login = "/" + SECRET_ADMIN + "login/"
    host = f"localhost:{edge.port}"
    status, headers, body = edge.get(login, {"Host": host})
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = headers["set-cookie"].split(";")[0]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "edna", "password": "a long editor password"}
    )
    conn = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=10)
    try:
        conn.request("POST", login, body=form, headers={
            "Host": host, "Origin": f"http://{host}", "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        })  # fmt: skip
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    # The password was right: on to the second factor, not a CSRF refusal.
    assert response.status == 302, response.status
    assert response.getheader("Location").startswith("/" + SECRET_ADMIN)


def test_a_foreign_host_is_refused(edge, guide):
    path = guide.get_absolute_url()
    assert edge.get(path, {"Host": "evil.example"})[0] is None  # 444: closed unanswered
    assert edge.get(path, {"Host": "localhost.evil.example"})[0] is None
    assert get(edge.port, path, {"Host": ""})[0] in (None, 400)
    assert edge.get(path, {"Host": "LOCALHOST"})[0] == 200
    assert edge.get(path, {"Host": f"127.0.0.1:{edge.port}"})[0] == 200


def test_an_etag_revalidation_gives_304_and_an_edit_shows_within_1_s(edge, apps, guide):
    path = guide.get_absolute_url()
    start_of_a_second()
    status, headers, body = edge.get(path)
    etag = headers["etag"]
    status, headers, empty = edge.get(path, {"If-None-Match": etag})
    assert status == 304 and empty == b"" and headers["x-cache"] == "HIT"
    # Expired, the entry is refreshed with the app's 304, which renews it for
    # the rest of that second (the 304 carries its own X-Accel-Expires).
    start_of_a_second()
    assert edge.get(path)[1]["x-cache"] == "REVALIDATED"
    assert edge.get(path)[1]["x-cache"] == "HIT"
    answered = [line["status"] for a in apps for line in a.lines() if line.get("path") == path]
    assert 304 in answered
    # An edit is served once the entry has expired: by the next second at most.
    stage = Stage.objects.get(guide=guide)
    stage.title = "Edited behind the edge"
    stage.save()
    start_of_a_second()
    status, headers, body = edge.get(path, {"If-None-Match": etag})
    assert status == 200 and b"Edited behind the edge" in body
    assert headers["x-cache"] == "EXPIRED" and headers["etag"] != etag


def test_the_second_app_server_takes_over_when_the_first_is_down(edge, apps, guide):
    first, second = apps
    assert edge.get("/" + SECRET_ADMIN + "login/?both")[0] == 200
    first.kill()
    paths = [
        guide.get_absolute_url() + "?n={}",  # never cached: each one reaches an app server
        reverse("plan", kwargs={"slug": guide.slug}) + "?" + ANSWERS + "&n={}",
        "/" + SECRET_ADMIN + "login/?n={}",
    ]
    statuses = [edge.get(p.format(n))[0] for n in range(10) for p in paths]
    log = edge.log()
    assert statuses == [200] * len(statuses), log[-2000:]  # 0 failed requests
    # At least one was sent to the dead server first and answered by the other.
    assert f"upstream=127.0.0.1:{first.port}, 127.0.0.1:{second.port}" in log
    first.start()


def test_forwarded_headers_count_only_from_the_edge(edge, apps, guide):
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    path = guide.get_absolute_url()

    def client_seen(request_id):
        time.sleep(0.2)
        for app in apps:
            for line in app.lines():
                if line.get("request_id") == request_id and "client" in line:
                    return line["client"]
        raise AssertionError(f"no access line for {request_id}")

    # Through the edge: the reader's address, from the edge's header.
    edge.get(path + "?via-edge", {**spoofed, "X-Request-ID": "through-the-edge-1"}, source=READER)
    assert client_seen("through-the-edge-1") == READER
    # Straight to an app server: the same headers are not believed.
    headers = {**spoofed, "Host": "localhost", "X-Request-ID": "straight-to-the-app-1"}
    status, _, _ = get(apps[0].port, path + "?direct", headers, source=READER)
    assert status == 200
    assert client_seen("straight-to-the-app-1") == READER


def test_behind_a_front_the_edge_passes_on_the_readers_address(apps, transactional_db, tmp_path):
    """`--front`: a TLS terminator or CDN (here 127.0.0.3) is believed for
    X-Forwarded-For; anyone else (127.0.0.4) is not. The app trusts the edge only."""
    front = Edge(tmp_path, [a.port for a in apps], app_env(0), "--front", f"{READER}/32")
    front.start()
    try:
        for n, (source, expected) in enumerate(
            [(READER, "203.0.113.9"), ("127.0.0.4", "127.0.0.4")]
        ):
            rid = f"behind-a-front-{n}"
            headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Request-ID": rid}
            assert front.get("/?front", headers, source=source)[0] == 200
            time.sleep(0.2)
            seen = [x["client"] for a in apps for x in a.lines()
                    if x.get("request_id") == rid and "client" in x]  # fmt: skip
            assert seen == [expected], source
    finally:
        front.stop()


# Static files


def test_static_files_are_served_by_nginx_with_the_apps_headers(edge, apps):
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    name = "css/site.css"
    hashed = manifest["paths"][name]
    file = ROOT / "staticfiles" / hashed
    status, headers, body = edge.get("/static/" + hashed, {"Accept-Encoding": "gzip"})
    assert status == 200 and "x-cache" not in headers  # nginx's own, not proxied
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert body == file.with_name(file.name + ".gz").read_bytes()  # gzip_static
    status, headers, body = edge.get("/static/" + hashed, {"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in headers and body == file.read_bytes()
    status, unhashed, _ = edge.get("/static/" + name)
    assert status == 200 and unhashed["cache-control"] == "max-age=60, public"
    # The same security headers the app sends on it (CSP, nosniff and the rest).
    _, direct, _ = get(apps[0].port, "/static/" + hashed, {"Host": "localhost"})
    names = {
        "content-security-policy", "x-content-type-options", "referrer-policy",
        "cross-origin-opener-policy", "permissions-policy", "x-frame-options",
        "access-control-allow-origin",
    }  # fmt: skip
    assert names <= set(direct)
    for header in names:
        assert headers.get(header) == unhashed.get(header) == direct[header], header
    # A file collectstatic did not write: the app's own 404 page.
    status, headers, body = edge.get("/static/css/no-such-file.css")
    assert status == 404 and b"<html" in body.lower()


# The stand-in app server: responses the real app never sends


class StandIn(http.server.ThreadingHTTPServer):
    """Answers each path with the headers its name says, and counts requests."""

    daemon_threads = True

    def __init__(self):
        self.counts = {}
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        RESPONSES = {
            "/plain": [("X-Accel-Expires", "1")],
            "/set-cookie": [("X-Accel-Expires", "1"), ("Set-Cookie", "sessionid=x; Path=/")],
            "/cookie-first": [("Set-Cookie", "a=b"), ("X-Accel-Expires", "1")],
            "/private": [("X-Accel-Expires", "1"), ("Cache-Control", "private")],
            "/private-first": [("Cache-Control", "private, max-age=60"), ("X-Accel-Expires", "1")],
            "/no-store": [("X-Accel-Expires", "1"), ("Cache-Control", "no-store")],
            "/no-store-first": [("Cache-Control", "no-store"), ("X-Accel-Expires", "1")],
            # Without the app's word nothing is kept, whatever Cache-Control says.
            "/public-only": [("Cache-Control", "public, max-age=60")],
            # The pages' own Cache-Control beside the header: kept (nginx 1.22
            # would refuse it, read in this order, unless told to ignore it).
            "/page": [("Cache-Control", "max-age=0, must-revalidate"), ("X-Accel-Expires", "1")],
        }

        def do_GET(self):
            path = self.path.split("?")[0]
            self.server.counts[path] = self.server.counts.get(path, 0) + 1
            if path == "/slow-not-kept":  # a slow answer the edge may not keep
                with self.server.lock:
                    self.server.in_flight += 1
                    self.server.most_in_flight = max(
                        self.server.most_in_flight, self.server.in_flight
                    )
                time.sleep(1.5)
                with self.server.lock:
                    self.server.in_flight -= 1
            body = b"stand-in " + path.encode()
            self.send_response(200)
            for name, value in self.RESPONSES.get(path, []):
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    need_nginx()
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    edge = Edge(tmp_path_factory.mktemp("stand-in"), [server.server_address[1]], dict(os.environ))
    edge.start()
    yield edge, server
    edge.stop()
    server.shutdown()


def test_answers_the_edge_may_not_keep_are_not_queued_behind_each_other(stand_in):
    """The cache lock holds the other requests for a key until the first one's
    answer is stored; an answer that is never stored (a 404, /readyz) would
    make every request for it wait its turn (the load test saw 5 s timeouts).
    The lock's timeout lets them through to the app after 200 ms."""
    edge, server = stand_in
    statuses = []
    threads = [
        threading.Thread(target=lambda: statuses.append(edge.get("/slow-not-kept")[0]))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert statuses == [200] * 4
    assert server.most_in_flight >= 2  # 1 when nginx queues them


@pytest.mark.parametrize(
    "path, kept",
    [
        ("/plain", True),
        ("/page", True),
        ("/set-cookie", False),
        ("/cookie-first", False),
        ("/private", False),
        ("/private-first", False),
        ("/no-store", False),
        ("/no-store-first", False),
        ("/public-only", False),
    ],
)
def test_only_what_the_app_allows_is_stored_and_never_with_a_cookie(stand_in, path, kept):
    edge, server = stand_in
    statuses = [edge.get(path)[1]["x-cache"] for _ in range(3)]
    assert statuses == (["MISS", "HIT", "HIT"] if kept else ["MISS"] * 3)
    assert server.counts[path] == (1 if kept else 3)


# make edge (bin/edge run)


def descendants(pid):
    """The command lines of every process below `pid`, from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parents[int(stat.parent.name)] = (int(fields[1]), cmdline)
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, cmdline) in parents.items():
            if ppid == parent:
                found[child] = cmdline
                todo.append(child)
    return found


def test_make_edge_names_a_taken_port_before_starting_anything(tmp_path):
    """A port in use is one plain sentence and exit 1, not gunicorn retrying for 5 s
    and a half-started edge (CI met an app server port taken by a client socket)."""
    edge_port = free_port_block(3)
    env = {**os.environ, "EDGE_PORT": str(edge_port), "APP_SERVERS": "2",
           "EDGE_RUN_DIR": str(tmp_path / "run")}  # fmt: skip
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", edge_port + 2))
        taken.listen()
        done = subprocess.run(
            [sys.executable, "bin/edge", "run"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"port {edge_port + 2} on 127.0.0.1 is in use" in done.stderr
    assert "Set EDGE_PORT to another port." in done.stderr
    assert "Starting gunicorn" not in done.stdout + done.stderr
    assert not (tmp_path / "run").exists()


def test_make_edge_runs_the_production_shape_and_stops_it_all(transactional_db, tmp_path):
    need_nginx()
    guide = factories.full_guide()
    edge_port = free_port_block(3)  # the edge and its two app servers (APP_SERVERS)
    env = {
        **os.environ,
        "EDGE_PORT": str(edge_port),
        "EDGE_RUN_DIR": str(tmp_path / "run"),
        "DATABASE_URL": database_url(),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "TRUSTED_PROXIES": "10.0.0.0/8",  # replaced by the edge's address alone
        "APP_SERVERS": "2",
    }
    env.pop("SITE_URL", None)
    out = tmp_path / "edge.out"
    with open(out, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "bin/edge", "run", "--workers", "1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        for _ in range(300):
            if "Ctrl-C stops everything" in out.read_text() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, out.read_text()[-3000:]
        below = descendants(proc.pid)
        assert sum("run_schedules" in c for c in below.values()) == 1
        assert sum("gunicorn: master" in c for c in below.values()) == 2
        assert sum("nginx: master" in c for c in below.values()) == 1
        status, headers, body = get(edge_port, guide.get_absolute_url(), {"Host": "localhost"})
        assert status == 200 and headers["x-cache"] == "MISS"
        # SITE_URL is the edge's address.
        status, _, body = get(edge_port, reverse("sitemap"), {"Host": "localhost"})
        assert f"<loc>http://127.0.0.1:{edge_port}/</loc>".encode() in body
        # TRUSTED_PROXIES is the edge's address: the app believes its header.
        headers = {"Host": "localhost", "X-Request-ID": "make-edge-who-1"}
        assert get(edge_port, "/?who", headers, source=READER)[0] == 200
        time.sleep(0.3)
        lines = [json.loads(x) for x in out.read_text().splitlines() if x.startswith("{")]
        access = [x for x in lines if x.get("request_id") == "make-edge-who-1" and "client" in x]
        assert [x["client"] for x in access] == [READER]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=40)
    assert proc.returncode == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in below), "a process outlived the run"
