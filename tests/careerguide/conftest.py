"""Fixtures shared by the careerguide tests."""

import pytest

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["file", "redis"])
def any_cache(request, settings, tmp_path):
    """The default cache as the file cache, then as the real Redis on 127.0.0.1:6379,
    emptied and checked reachable: cache behaviour is tested on both."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "cg-test",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    from django.core.cache import cache

    cache.clear()
    cache.set("probe", 1)
    assert cache.get("probe") == 1, f"the {request.param} cache must be reachable"
    return request.param
