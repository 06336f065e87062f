"""Run the real site in a gunicorn process for tests that need a second
process: shared database and cache, or a broken database."""

import contextlib
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Cheap password hashes for users that tests create; production settings keep theirs.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_test_hashers():
    """The settings' password hashers with the tests' fast one first: new passwords
    hash fast, and hashes made by either process still verify."""
    from django.conf import settings

    hashers = [h for h in settings.PASSWORD_HASHERS if h not in TEST_PASSWORD_HASHERS]
    return [*TEST_PASSWORD_HASHERS, *hashers]


def application():
    """gunicorn's app in tests: careerguide.wsgi with the tests' password hashers, so a
    user created in the test process (MD5) can log in through this process too."""
    from django.conf import settings
    from django.contrib.auth import hashers

    from careerguide.wsgi import application

    settings.PASSWORD_HASHERS = with_test_hashers()
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    return application


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_block(count):
    """The first of `count` consecutive free ports, below the kernel's ephemeral range.

    A port the kernel hands out for bind(0) sits in the range outgoing connections
    use too, so its neighbours may belong to a client socket a moment later (CI saw
    gunicorn refused "Connection in use" on edge port + 1). Below 32768 only
    listeners are found, and each port of the block is checked.
    """
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 32000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
        return first
    raise RuntimeError(f"no {count} consecutive free ports between 20000 and 32000")


def database_url():
    """The URL of the database this test process is using."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@contextlib.contextmanager
def gunicorn(log_path, **env_overrides):
    port = free_port()
    env = {**os.environ, "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2", **env_overrides}
    with open(log_path, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tests.servers:application()",
             "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start:\n" + Path(log_path).read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def fetch(url, timeout=10):
    """(status, headers, body) without raising on 4xx/5xx."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def deploy_check(**env):
    """`manage.py check --deploy --fail-level WARNING` in a production-like
    environment (HTTPS on, a real key, a host, a contact), with `env` on top;
    a value of None removes that variable."""
    import secrets

    from django.conf import settings

    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "careers.example.org",
        "SITE_URL": "https://careers.example.org",
        "SECURITY_CONTACT": "mailto:security@careers.example.org",
        **env,
    }
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
