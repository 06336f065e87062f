"""The site-wide content stamp: one value in the shared cache that changes
whenever any public content changes. Cached pages are stored with the stamp
they were rendered under and count as stale the moment it moves, on every
worker and every app server at once.

Two rules keep it honest:

- **After commit.** `bump()` only schedules the new value with
  `transaction.on_commit`. Moved inside the editor's open transaction, a
  request arriving in that window would render the old rows and store them
  under the new stamp, and that stale page would outlive the edit.
- **Derived, with a short life.** The value is a digest of every page owner's
  `content_changed_at` (guides, site pages: the models `signals.watch_pages`
  connects), and it is cached for `TTL` seconds only. If a bump cannot be
  written (a cache blip during an unpublish), the old value expires within
  `TTL` and is derived again from the database, which then gives the new
  one: pages heal on their own. Deriving it again from unchanged content
  gives the same value, so expiry alone invalidates nothing.

It is bumped by the save/delete signals (`roadmaps.signals`), after every
migrate, and by code that writes in bulk (`update()`, `bulk_create()`,
imports, publishing) through `signals.guides_changed`.
"""

import contextlib
import contextvars
import hashlib
import logging

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

log = logging.getLogger(__name__)
KEY = "content-stamp"
# How long a failed bump can leave pages stale (the bound is 5 minutes).
# Deriving costs one small query per page model, once per TTL per cache.
TTL = 60
# Set while a draft is applied in a transaction that will be rolled back
# (previews, the admin's draft form): nothing public changes, so nothing is bumped.
_suppressed = contextvars.ContextVar("stamp_suppressed", default=False)
# Models whose `content_changed_at` moves whenever a page they own changes.
_sources = []


@contextlib.contextmanager
def suppressed():
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def register(model):
    """Count `model`'s `content_changed_at` (and its rows) in the stamp."""
    if model not in _sources:
        _sources.append(model)


def derive():
    """The stamp for what the database holds now: a digest of every page
    owner's (pk, content_changed_at), and of how many migrations are applied
    (a data migration changes rows without moving their dates). Raises
    DatabaseError if the database is down."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"migrations:{MigrationRecorder.Migration.objects.count()};".encode())
    for model in sorted(_sources, key=lambda m: m._meta.label):
        rows = model._base_manager.order_by("pk").values_list("pk", "content_changed_at")
        digest.update(model._meta.label.encode())
        for pk, changed_at in rows:
            digest.update(f"{pk}:{changed_at.isoformat() if changed_at else ''};".encode())
    return digest.hexdigest()


def current():
    """The live stamp: the cached one, else derived again and cached (for pages
    that key their own entries on it). None if neither cache nor database answers."""
    try:
        value = cache.get(KEY)
    except Exception:
        value = None
    return value if value is not None else rederive()


def rederive():
    """Derive the stamp after it expired and cache it; None if the database is
    down (callers then keep what they have: nothing can change meanwhile)."""
    try:
        value = derive()
    except DatabaseError as exc:
        log.warning("content stamp not derived, database unavailable: %s", exc)
        return None
    try:
        cache.set(KEY, value, timeout=TTL)
    except Exception as exc:
        log.warning("content stamp not stored, cache unavailable: %s", exc)
    return value


def bump():
    """Invalidate every cached page once the current transaction commits (at
    once outside one). Never raises: an unreachable cache only means pages
    heal when the stored stamp expires."""
    if _suppressed.get():
        return
    # One write per transaction, however many rows it saved (an import saves
    # hundreds): skip if this transaction already has the bump queued.
    if connection.in_atomic_block and any(
        func is _publish for _, func, _ in getattr(connection, "run_on_commit", ())
    ):
        return
    transaction.on_commit(_publish)


def _publish():
    try:
        value = derive()
    except DatabaseError as exc:
        # Committed, but unreadable now: drop the stamp so the next request
        # derives it again rather than trusting the old one.
        log.warning("content stamp not derived, database unavailable: %s", exc)
        value = None
    try:
        if value is None:
            cache.delete(KEY)
        else:
            cache.set(KEY, value, timeout=TTL)
    except Exception as exc:
        log.warning(
            "content stamp not bumped, cache unavailable: %s (pages heal within %s s)", exc, TTL
        )


def on_migrate(sender=None, **kwargs):
    bump()
