"""Fixtures shared by the careerguide tests."""

import pytest

REDIS_URL = "redis://127.0.0.1:6379/15"


def use_cache(settings, kind, tmp_path=None, key_prefix="cg-test"):
    """Make the default cache the real Redis on 127.0.0.1:6379, the file cache
    (in tmp_path) or the local-memory cache; empty it and check it answers."""
    if kind == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": key_prefix,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    elif kind == "file":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    cache.set("probe", 1)
    assert cache.get("probe") == 1, f"the {kind} cache must be reachable"
    return cache


@pytest.fixture(params=["file", "redis"])
def any_cache(request, settings, tmp_path):
    """The default cache as the file cache, then as the real Redis on 127.0.0.1:6379,
    emptied and checked reachable: cache behaviour is tested on both."""
    use_cache(settings, request.param, tmp_path)
    return request.param
