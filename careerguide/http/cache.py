"""Whole-page caching for the public pages that opt in (home, guides, their
salary pages and downloads).

Looked up before the session middleware, in one cache round trip (the content
stamp and the page in a single get_many), so a hit costs no database query and
no session work. When the stamp has expired (`stamp.TTL`), the request that
finds it missing derives it again from the database; with the database down,
stored pages are still served. Keys are the path only: query strings never multiply entries.
A cache outage is logged and the page is rendered from the database; the cache
client's socket timeouts keep a stalled cache from hanging a request.

The same pages, and only they, tell the nginx edge in front (deploy/nginx/) that
it may keep them until the end of the current second: `X-Accel-Expires: @<now,
whole seconds>` on their 200s and 304s. The edge needs no list of private paths,
and nginx never passes the header on to readers. (nginx counts whole seconds:
the relative `X-Accel-Expires: 1` kept an entry 1 to 2 s; an absolute time
keeps it at most 1 s, so a page at the edge is never more than 1 s older than
the page cache behind it. A 304 carries it too: nginx renews a revalidated
entry from it, else from the stored 200's time, which has passed.)

No stampede after an edit. An edit moves the stamp, so every stored page is
stale at once; under load each page would be rendered by every request that
arrives before its first render is stored. A request that finds its page
stale takes the page's render lock (an atomic `add`: Redis `SET NX EX`, or the
local-memory cache's locked add) and renders; the others wait for the lock to
go (`WAIT` seconds at most, then they render themselves, so a crashed holder
costs a reader at most that) and serve what it stored. The file cache's `add`
is check-then-write, not atomic, so there nothing is locked (one server, and a
few renders more after an edit). Each request's outcome (`hit`, `miss`,
`waited`) goes into its access-log line, which the bench counts.
"""

import functools
import hashlib
import logging
import time
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.text import compress_string

from roadmaps import stamp

from .compress import accepts_gzip, is_text

log = logging.getLogger(__name__)
# Replayed on every hit; Content-Disposition keeps a download (salaries.csv) a
# download with its file name.
KEPT_HEADERS = (
    "Content-Type",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Content-Disposition",
    # The sitemap's own noindex (Django's sitemap view sets it).
    "X-Robots-Tag",
)
# Until when an edge (nginx's proxy cache) may serve a public page without
# asking the app again: "@" and a Unix time, the end of the current second.
EDGE_HEADER = "X-Accel-Expires"
TIMEOUT = 60 * 60 * 24  # entries are unreachable anyway once the stamp moves
# The render lock: it expires by itself (whole seconds in Redis) if its holder
# dies; a waiter gives up after WAIT and renders the page itself.
LOCK_SECONDS = 2
WAIT = 1.0
POLL = 0.01
# Backends whose add() is atomic across everyone sharing the cache.
ATOMIC_ADD = ("RedisCache", "LocMemCache")


def edge_expires():
    return f"@{int(time.time())}"


def cacheable(view):
    """Mark a view's 200 responses as safe to share between all visitors."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_cacheable = True
        return response

    return wrapped


def shared_without_query(response):
    """Mark one response of a view whose query string changes the page (the
    plan: its answers) as shared: it is stored, and served only to requests
    without a query string; the others always reach the view. (The edge
    already sends every request with a query string to the app.)"""
    response.page_cacheable = True
    response.page_cache_bare = True
    return response


def page_key(path):
    # Hashed: any path is a safe key, however long or odd.
    return "page:" + hashlib.blake2b(path.encode(), digest_size=16).hexdigest()


def lock_key(key):
    return "render-lock:" + key.removeprefix("page:")


def locks_are_atomic():
    return type(caches["default"]).__name__ in ATOMIC_ADD


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        # A hit skips CommonMiddleware, which validates the Host header: check
        # it here too, so a foreign Host gets 400 whether the page is cached or
        # not (DisallowedHost becomes Django's 400).
        request.get_host()
        key = page_key(request.path)
        try:
            found = cache.get_many([stamp.KEY, key])
        except Exception as exc:
            log.warning("page cache unavailable, rendering from the database: %s", exc)
            return self.uncached(request)
        current = found.get(stamp.KEY)
        entry = found.get(key)
        if entry and entry.get("bare") and request.META.get("QUERY_STRING"):
            # Not this request's page (see shared_without_query).
            return self.uncached(request)
        if current is None and self.no_cache():
            # The dummy cache keeps nothing: no stamp to derive, no page to store.
            return self.uncached(request)
        if current is None:
            # The stamp expired (every stamp.TTL seconds): derive it again from
            # the database. If that is down, nothing can change meanwhile, so
            # the stored page is still the latest one: serve it.
            current = stamp.rederive()
            if current is None and entry:
                return self.hit(request, entry)
        if entry and current and entry["stamp"] == current:
            return self.hit(request, entry)
        # Only a page stored before is locked: its path is known to be shared
        # (a path that is never stored, such as a 404, is never waited for).
        token = None
        if entry and current and locks_are_atomic():
            token = uuid.uuid4().hex
            if not self.take_lock(key, token):
                token = None
                fresh = self.wait_for(key, current)
                if fresh:
                    request.page_cache = "waited"
                    return self.hit(request, fresh)
        request.page_cache = "miss"
        try:
            return self.render(request, key, current)
        finally:
            if token:
                self.release_lock(key, token)

    def uncached(self, request):
        """The view's answer, neither looked up nor stored (still compressed
        and licensed for the edge like a stored page)."""
        return self.render(request, key=None, current=None)

    @staticmethod
    def no_cache():
        return isinstance(caches["default"], DummyCache)

    def render(self, request, key, current):
        """The view's answer; a shared 200 stored under `current`, the stamp
        (None: not stored)."""
        response = self.get_response(request)
        if getattr(response, "page_cacheable", False) and response.status_code == 200:
            storing = current is not None and not self.no_cache()
            entry = self.entry(response, current, with_gzip=storing or accepts_gzip(request))
            if storing:
                try:
                    cache.set(key, entry, timeout=TIMEOUT)
                except Exception as exc:
                    log.warning("page not cached, cache unavailable: %s", exc)
            return self.replay(request, entry)
        return self.shared_not_modified(response)

    @staticmethod
    def take_lock(key, token):
        """Whether this request renders the page (an outage: render unlocked)."""
        try:
            return cache.add(lock_key(key), token, timeout=LOCK_SECONDS)
        except Exception:
            return True

    @staticmethod
    def release_lock(key, token):
        # Only our own lock: one that expired and was taken again by a slower
        # render stays. (get then delete is not atomic; the worst case is a
        # lock gone early, which costs one render more, never a wrong page.)
        try:
            if cache.get(lock_key(key)) == token:
                cache.delete(lock_key(key))
        except Exception as exc:
            log.warning("render lock not released, it expires by itself: %s", exc)

    @staticmethod
    def wait_for(key, current):
        """The page the lock's holder stored, or None after WAIT seconds (or
        when it released the lock without storing one: not a shared 200)."""
        deadline = time.monotonic() + WAIT
        try:
            while time.monotonic() < deadline:
                time.sleep(POLL)
                # The small lock key is polled, not the page.
                if cache.get(lock_key(key)) is None:
                    break
            entry = cache.get(key)
        except Exception:
            return None
        return entry if entry and entry["stamp"] == current else None

    def hit(self, request, entry):
        if not hasattr(request, "page_cache"):
            request.page_cache = "hit"
        response = self.replay(request, entry)
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            return self.not_modified(request, response)
        return response

    @staticmethod
    def entry(response, current, with_gzip=True):
        body = response.content
        return {
            "stamp": current,
            "body": body,
            # Compressed once when stored, rather than on every hit; an image
            # (the social cards) is not text and gains nothing from gzip.
            "gzip": compress_string(body) if with_gzip and is_text(response) else None,
            "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
            "bare": getattr(response, "page_cache_bare", False),
        }

    @staticmethod
    def replay(request, entry):
        use_gzip = entry["gzip"] is not None and accepts_gzip(request)
        response = HttpResponse(entry["gzip"] if use_gzip else entry["body"])
        for header, value in entry["headers"].items():
            response[header] = value
        if use_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        # Public pages vary on nothing else (never on Cookie).
        patch_vary_headers(response, ["Accept-Encoding"])
        return PageCacheMiddleware.edge_may_keep(response)

    @staticmethod
    def edge_may_keep(response):
        """The edge's licence to keep a replayed page (a shared page's 200: it
        carries no cookie, the view's are dropped), or to renew it (its 304).
        Never beside a private or no-store Cache-Control, whatever a view
        marked: for nginx this header overrides Cache-Control (and the edge's
        configuration does not read Cache-Control at all)."""
        cache_control = response.get("Cache-Control", "").lower()
        if "private" not in cache_control and "no-store" not in cache_control:
            response[EDGE_HEADER] = edge_expires()
        return response

    @staticmethod
    def not_modified(request, response):
        """A hit never reaches the view: Django's own precondition checks,
        against the validators stored with the page."""
        answer = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        if answer.status_code == 304 and response.has_header(EDGE_HEADER):
            answer[EDGE_HEADER] = response[EDGE_HEADER]
        return answer

    @staticmethod
    def shared_not_modified(response):
        """A shared page's 304 from the view (a miss that the request's
        validators match): the edge renews its entry from it."""
        if getattr(response, "page_cacheable", False) and response.status_code == 304:
            return PageCacheMiddleware.edge_may_keep(response)
        return response
