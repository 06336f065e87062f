"""A backup restored into an empty database serves the identical guide page."""

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from careerguide import starter
from tests.servers import ROOT, database_url

RENDER = (
    "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='careerguide.settings';"
    "django.setup();from django.test import Client;"
    "import sys;sys.stdout.buffer.write(Client().get('/careers/backend-developer/').content)"
)


def render_from(url):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CACHE_URL": "dummycache://",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run([sys.executable, "-c", RENDER], cwd=ROOT, env=env,
                            capture_output=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def run(*args, url):
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([sys.executable, "bin/db-backup", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


@pytest.fixture
def empty_database(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    yield f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore_round_trip(transactional_db, tmp_path, empty_database):
    starter.load()
    source = database_url()
    original = render_from(source)
    assert b"How to Become a Backend Developer" in original
    dump = run("backup", str(tmp_path / "backups"), url=source)
    assert os.path.getsize(dump) > 10_000
    run("restore", dump, url=empty_database)
    restored = render_from(empty_database)
    assert restored == original
