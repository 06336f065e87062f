"""The site-wide content stamp: one value in the shared cache that changes
whenever any public content changes. Cached pages are stored with the stamp
they were rendered under and count as stale the moment it moves, on every
worker and every app server at once, with no TTL to wait for.

It is bumped by the save/delete signals (`roadmaps.signals`), after every
migrate, and explicitly by code that writes in bulk (`update()`,
`bulk_create()`, imports), since those send no signals.
"""

import contextlib
import contextvars
import logging
import uuid

from django.core.cache import cache

log = logging.getLogger(__name__)
KEY = "content-stamp"
# Set while a draft is applied in a transaction that will be rolled back
# (previews, the admin's draft form): nothing public changes, so nothing is bumped.
_suppressed = contextvars.ContextVar("stamp_suppressed", default=False)


@contextlib.contextmanager
def suppressed():
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def new_value():
    return uuid.uuid4().hex


def bump():
    """Invalidate every cached page. Never raises: an unreachable cache only
    means pages are rendered from the database until it returns."""
    if _suppressed.get():
        return
    try:
        cache.set(KEY, new_value(), timeout=None)
    except Exception as exc:
        log.warning("content stamp not bumped, cache unavailable: %s", exc)


def on_migrate(sender=None, **kwargs):
    bump()
