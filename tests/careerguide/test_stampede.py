"""No stampede after an edit: when a stored page goes stale, one request renders
it and the others wait for that render (careerguide.http.cache), on the real
Redis (SET NX EX) and on the local-memory cache. The view here is a stand-in
that counts its calls and takes a while, so the requests overlap for certain."""

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from careerguide.http import cache as page_cache
from careerguide.http.cache import PageCacheMiddleware, cacheable, lock_key, page_key
from roadmaps import stamp
from tests.careerguide.conftest import use_cache

PATH = "/careers/a-guide/"
READERS = 8


@pytest.fixture(params=["redis", "locmem"])
def atomic_cache(request, settings):
    """The caches whose add() is atomic, so the render lock is taken."""
    return use_cache(settings, request.param, key_prefix="cg-test-stampede")


class SlowView:
    """A shared page's view that counts its renders."""

    def __init__(self, status=200, seconds=0.4):
        self.calls = 0
        self.status = status
        self.seconds = seconds
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        return cacheable(lambda r: HttpResponse(b"new page", status=self.status))(request)


def stale_page(cache):
    """A page stored before an edit: its stamp is no longer the current one."""
    cache.set(stamp.KEY, "after-the-edit", timeout=60)
    cache.set(
        page_key(PATH),
        {"stamp": "before-the-edit", "body": b"old page", "gzip": None, "headers": {}},
    )


def read_together(middleware, readers=READERS):
    """`readers` requests for PATH, released at the same moment."""
    start = threading.Barrier(readers)
    results = [None] * readers

    def read(i):
        request = RequestFactory().get(PATH)
        start.wait()
        response = middleware(request)
        results[i] = (response.status_code, response.content, request.page_cache)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_one_render_after_an_edit_however_many_readers_arrive(atomic_cache):
    stale_page(atomic_cache)
    view = SlowView()
    results = read_together(PageCacheMiddleware(view))
    assert view.calls == 1
    assert {(status, body) for status, body, _ in results} == {(200, b"new page")}
    outcomes = [outcome for _, _, outcome in results]
    assert outcomes.count("miss") == 1
    # The others waited for that render (a thread the machine started late
    # may find it stored already: a plain hit).
    assert "waited" in outcomes and set(outcomes) <= {"miss", "waited", "hit"}
    # The lock is gone and the new page is stored under the new stamp.
    assert atomic_cache.get(lock_key(page_key(PATH))) is None
    assert atomic_cache.get(page_key(PATH))["stamp"] == "after-the-edit"


def test_nobody_is_served_the_page_from_before_the_edit(atomic_cache):
    stale_page(atomic_cache)
    results = read_together(PageCacheMiddleware(SlowView(seconds=0.05)))
    assert b"old page" not in {body for _, body, _ in results}


def test_a_page_that_is_no_longer_shared_is_rendered_for_each_waiter(atomic_cache):
    """The holder stored nothing (the page now answers 404): the waiters render
    their own answer as soon as the lock goes, rather than the stale page."""
    stale_page(atomic_cache)
    view = SlowView(status=404)
    results = read_together(PageCacheMiddleware(view), readers=4)
    assert view.calls == 4
    assert {(status, body) for status, body, _ in results} == {(404, b"new page")}


def test_a_lock_left_by_a_dead_render_holds_readers_for_wait_seconds_only(
    atomic_cache, monkeypatch
):
    stale_page(atomic_cache)
    monkeypatch.setattr(page_cache, "WAIT", 0.1)
    atomic_cache.add(lock_key(page_key(PATH)), "a worker that died", timeout=60)
    view = SlowView(seconds=0)
    request = RequestFactory().get(PATH)
    response = PageCacheMiddleware(view)(request)
    assert view.calls == 1
    assert response.content == b"new page"
    assert request.page_cache == "miss"


def test_a_render_that_fails_releases_its_lock(atomic_cache):
    stale_page(atomic_cache)

    def broken(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        PageCacheMiddleware(broken)(RequestFactory().get(PATH))
    assert atomic_cache.get(lock_key(page_key(PATH))) is None


def test_the_file_cache_is_never_locked_its_add_is_not_atomic(settings, tmp_path):
    cache = use_cache(settings, "file", tmp_path)
    stale_page(cache)
    seen = []

    def view(request):
        seen.append(cache.get(lock_key(page_key(PATH))))
        return cacheable(lambda r: HttpResponse(b"new page"))(request)

    PageCacheMiddleware(view)(RequestFactory().get(PATH))
    assert seen == [None]


def test_a_fresh_page_takes_no_lock(atomic_cache):
    """A hit is still one round trip: no lock is asked for."""
    atomic_cache.set(stamp.KEY, "now", timeout=60)
    atomic_cache.set(page_key(PATH), {"stamp": "now", "body": b"page", "gzip": None, "headers": {}})
    view = SlowView(seconds=0)
    request = RequestFactory().get(PATH)
    assert PageCacheMiddleware(view)(request).content == b"page"
    assert view.calls == 0 and request.page_cache == "hit"


@pytest.mark.django_db
def test_the_access_log_names_each_requests_page_cache_outcome(client, full_guide, caplog):
    url = full_guide.get_absolute_url()
    with caplog.at_level("INFO", logger="careerguide.access"):
        client.get(url)
        client.get(url)
    outcomes = [r.page_cache for r in caplog.records if r.name == "careerguide.access"]
    assert outcomes == ["miss", "hit"]
