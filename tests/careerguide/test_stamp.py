"""The content stamp moves only after the edit commits, and heals by itself when
a bump is lost: it lives `stamp.TTL` seconds and is then derived again from the
database's latest changes. A hit still costs one cache round trip."""

import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.models import SitePage
from roadmaps import stamp
from roadmaps.models import Guide, Stage
from tests import factories
from tests.commits import settle


def in_another_request(url):
    """GET `url` from another thread: its own database connection, which cannot
    see this thread's uncommitted rows, as another visitor's request would."""
    result = {}

    def run():
        try:
            result["response"] = Client().get(url)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result["response"]


@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_during_an_open_edit_is_not_kept_after_the_commit(any_cache):
    guide = factories.full_guide()
    url = guide.get_absolute_url()
    client = Client()
    assertContains(client.get(url), "<h3>Stage One Title</h3>", html=True)
    stage = Stage.objects.get(guide=guide)
    with transaction.atomic():
        stage.title = "Edited in an open transaction"
        stage.save()
        # Another visitor meanwhile: the edit is not committed, so the old page
        # is right for them, and it must not be stored as the new one.
        during = in_another_request(url)
        assertContains(during, "<h3>Stage One Title</h3>", html=True)
    after = client.get(url)
    assertContains(after, "<h3>Edited in an open transaction</h3>", html=True)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_moves_nothing(any_cache):
    guide = factories.full_guide()
    client = Client()
    client.get(guide.get_absolute_url())
    before = cache.get(stamp.KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        Stage.objects.filter(guide=guide).update(title="Never committed")
        stage = Stage.objects.get(guide=guide)
        stage.save()
        raise RuntimeError
    assert cache.get(stamp.KEY) == before


@pytest.mark.django_db
def test_one_bump_per_transaction_however_many_rows_it_saves(any_cache, monkeypatch):
    guide = factories.full_guide()
    settle()
    published = []
    monkeypatch.setattr(stamp, "_publish", lambda: published.append(1))
    with transaction.atomic():
        for n in range(5):
            factories.story(guide, position=10 + n)
    settle()
    assert published == [1]


@pytest.mark.django_db
def test_a_lost_bump_heals_when_the_stamp_expires(client, any_cache, monkeypatch, caplog):
    """A cache blip during an unpublish: the bump is lost, and the old page is
    served only until the stamp expires and is derived from the database."""
    monkeypatch.setattr(stamp, "TTL", 1)
    guide = factories.full_guide()
    url = guide.get_absolute_url()
    assert client.get(url).status_code == 200  # cached, under the current stamp
    backend = type(caches["default"])
    real_set = backend.set

    def failing_set(self, key, *args, **kwargs):
        if key == stamp.KEY:
            raise ConnectionError("cache blip")
        return real_set(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "set", failing_set)
    guide.is_published = False
    guide.save()
    settle()
    monkeypatch.setattr(backend, "set", real_set)
    assert any("content stamp not bumped" in r.getMessage() for r in caplog.records)
    assert client.get(url).status_code == 200  # stale until the stamp expires
    time.sleep(1.2)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_stamp_is_stored_with_a_lifetime_under_five_minutes(any_cache):
    assert 0 < stamp.TTL <= 300
    factories.full_guide()
    settle()
    if any_cache == "redis":
        client = cache._cache.get_client()
        assert 0 < client.ttl(cache.make_and_validate_key(stamp.KEY)) <= stamp.TTL
    else:
        assert cache.get(stamp.KEY) is not None
        assert cache.touch(stamp.KEY, stamp.TTL)  # it has an expiry to move


@pytest.mark.django_db
def test_an_expired_stamp_derived_again_keeps_unchanged_pages_cached(client, any_cache):
    guide = factories.full_guide()
    url = guide.get_absolute_url()
    client.get(url)
    before = cache.get(stamp.KEY)
    cache.delete(stamp.KEY)  # expired
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    # Deriving: the applied migrations and one query per page model (guides,
    # site pages); the page itself comes from the cache.
    assert len(ctx) == 1 + len(stamp._sources) == 3
    assert response.status_code == 200
    assert cache.get(stamp.KEY) == before


@pytest.mark.django_db
def test_every_change_kind_moves_the_derived_value():
    guide = factories.full_guide()
    values = [stamp.derive()]
    Guide.touch([guide.pk])
    values.append(stamp.derive())
    other = factories.guide()
    values.append(stamp.derive())
    SitePage.objects.create(slug="about", title="About", body="About us.")
    values.append(stamp.derive())
    assert len(set(values)) == len(values)
    assert stamp.derive() == values[-1]  # nothing changed: the same value
    other.delete()
    assert stamp.derive() not in values[2:]


@pytest.mark.django_db
def test_a_hit_is_one_cache_round_trip(client, any_cache, monkeypatch):
    guide = factories.full_guide()
    url = guide.get_absolute_url()
    client.get(url)
    settle()
    calls, depth = [], []
    backend = type(caches["default"])
    for name in ("get", "get_many", "set", "add", "delete", "has_key", "touch", "incr"):
        real = getattr(backend, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            # Only calls from our code: the file cache's get_many calls its get.
            if not depth:
                calls.append(_name)
            depth.append(1)
            try:
                return _real(self, *args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(backend, name, counted)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert calls == ["get_many"]
    assert len(ctx) == 0


@pytest.mark.django_db
def test_previews_and_draft_forms_still_move_nothing(client, any_cache):
    guide = factories.full_guide()
    settle()
    before = cache.get(stamp.KEY)
    with stamp.suppressed():
        guide.save()
    settle()
    assert cache.get(stamp.KEY) == before
    assertNotContains(client.get(guide.get_absolute_url()), "Traceback")
