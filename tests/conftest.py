"""Shared fixtures. Tests build small data with `tests.factories`; only the
loader tests use the whole starter content."""

import atexit
import os
import shutil
import uuid
from pathlib import Path

import pytest

# The settings refuse to start without a key; tests get a throwaway one.
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
# A cache of their own, apart from `make run`'s and from any other test run's
# (two runs sharing one would clear and bump each other's stamp); child
# processes inherit it.
# The process id alone is not enough: sandboxed runs side by side (separate
# process namespaces) were seen to share one, and each other's cache.
RUN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
if "CACHE_URL" not in os.environ:
    _cache_dir = Path(__file__).resolve().parent.parent / ".cache" / f"test-{RUN}"
    os.environ["CACHE_URL"] = f"filecache://{_cache_dir}"
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
    # pytest-django has loaded the settings before this file runs, so the
    # variable alone reaches only child processes: point this one there too
    # (no cache has been opened yet).
    from django.conf import settings as _settings

    _settings.CACHES = {"default": {**_settings.CACHES["default"], "LOCATION": str(_cache_dir)}}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One SQLite test database file per test process. The name is taken when
    the session starts, not when settings are imported, so processes forked
    from one that already imported them (mutmut's workers) never share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["TEST"]["NAME"] = str(
            settings.BASE_DIR / f".test-db-{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite3"
        )


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashes():
    """MD5 hashes in tests: the production hasher costs about 0.5 s a password.
    The tests' gunicorn process accepts them too (`tests.servers.application`)."""
    from django.test import override_settings

    from tests.servers import with_test_hashers

    with override_settings(PASSWORD_HASHERS=with_test_hashers()):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the default one is a shared dir)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guide(db):
    from tests import factories

    return factories.guide()


@pytest.fixture
def full_guide(db):
    """A published guide with one row in every section."""
    from tests import factories

    return factories.full_guide()


@pytest.fixture
def editor(db):
    """A staff user in the Editors group, as the migration and post_migrate set it up."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("edna", password="a long editor password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def publisher(db):
    """A staff user in the Publishers group, as the migration and post_migrate set it up."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        "pia", password="a long publisher password", is_staff=True, email="pia@example.org"
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


def verified_device(user):
    """A confirmed authenticator app (TOTP device) of `user`, created if missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def login_verified(client, user):
    """Sign `client` in as `user` past both factors: a session as the real second
    step leaves it (django-otp's device id in it), so the admin's 2FA check runs."""
    import django_otp

    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    return client


@pytest.fixture
def publisher_client(publisher):
    """Logged in as `publisher`; a client of its own, so tests can use an editor's too."""
    from django.test import Client

    return login_verified(Client(), publisher)


@pytest.fixture
def editor_client(client, editor):
    return login_verified(client, editor)


@pytest.fixture(autouse=True)
def commits_before_requests(monkeypatch):
    """Every test-client request first settles what the test wrote, as if it had
    committed (tests/commits.py): the content stamp moves after commit only."""
    from django.test import client as test_client

    from tests.commits import settle

    for handler in (test_client.ClientHandler, test_client.AsyncClientHandler):
        original = handler.__call__

        def call(self, *args, _original=original, **kwargs):
            settle()
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(handler, "__call__", call)
