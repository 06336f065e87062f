"""Whole-page caching: exact invalidation, no queries on a hit (a miss costs the
page's own count: the guide page guide_page_queries(), the
home page 1), path-only keys, correct headers, and graceful behaviour when the cache
is down. Runs against the default file cache and against the real Redis on
127.0.0.1:6379."""

import gzip
import logging

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.pages import guide_page_queries
from roadmaps import stamp
from roadmaps.models import Guide, Stage
from roadmaps.signals import guides_changed
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.commits import settle

pytestmark = pytest.mark.django_db

GUIDE_PAGE_QUERIES = guide_page_queries()


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx)


def test_second_request_is_served_from_cache_with_zero_queries(client, full_guide, any_cache):
    url = full_guide.get_absolute_url()
    first, n_first = queries(client, url)
    second, n_second = queries(client, url)
    assert n_first == GUIDE_PAGE_QUERIES
    assert n_second == 0
    assert first.content == second.content
    _, n_home = queries(client, "/")
    _, n_home_again = queries(client, "/")
    assert n_home == 1 and n_home_again == 0


def test_query_strings_share_the_path_entry(client, full_guide, any_cache):
    url = full_guide.get_absolute_url()
    queries(client, url + "?utm_source=a")
    _, n = queries(client, url + "?utm_source=b&x=1")
    assert n == 0


@pytest.mark.parametrize(
    "edit",
    ["save_stage", "delete_story", "update_then_bump", "bulk_create_then_bump", "guide_save"],
)
def test_next_request_shows_every_kind_of_change(client, full_guide, any_cache, edit):
    url = full_guide.get_absolute_url()
    client.get(url)
    if edit == "save_stage":
        stage = Stage.objects.get(guide=full_guide)
        stage.title = "Freshly edited stage"
        stage.save()
        expected = "<h3>Freshly edited stage</h3>"
    elif edit == "delete_story":
        Story.objects.get(guide=full_guide).delete()
        expected = None
    elif edit == "update_then_bump":
        SalaryFigure.objects.filter(guide=full_guide).update(amount=77777)
        guides_changed([full_guide.pk])
        expected = '<span class="amount">€77,777</span>'
    elif edit == "bulk_create_then_bump":
        Stage.objects.bulk_create(
            [
                Stage(
                    guide=full_guide,
                    month_from=4,
                    month_to=6,
                    title="Bulk stage",
                    description="d",
                    position=9,
                )
            ]
        )
        guides_changed([full_guide.pk])
        expected = "<h3>Bulk stage</h3>"
    else:
        full_guide.headline = "A headline saved through the model."
        full_guide.save()
        expected = '<p class="lede">A headline saved through the model. Intro of the guide.</p>'
    page = client.get(url)
    if expected:
        assertContains(page, expected, html=True)
    else:
        assertNotContains(page, "Olga")


def test_a_migration_moves_the_stamp_and_a_migrate_with_nothing_to_apply_does_not(
    client, full_guide, any_cache
):
    from django.core.cache import cache
    from django.db.migrations.recorder import MigrationRecorder

    url = full_guide.get_absolute_url()
    client.get(url)
    before = cache.get(stamp.KEY)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    settle()
    assert cache.get(stamp.KEY) == before
    assert queries(client, url)[1] == 0
    # A data migration changes rows without moving their dates.
    MigrationRecorder(connection).record_applied("roadmaps", "9999_data_fix")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    settle()
    assert cache.get(stamp.KEY) not in {None, before}
    _, n = queries(client, url)
    assert n == GUIDE_PAGE_QUERIES


def test_publishing_a_draft_shows_at_once_and_drafts_are_not_cached(client, any_cache):
    draft = factories.full_guide(is_published=False)
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    Guide.objects.get(pk=draft.pk).save()  # still a draft
    assert client.get(url).status_code == 404
    draft.is_published = True
    draft.save()
    assert client.get(url).status_code == 200


def test_cached_responses_keep_validators_and_headers(client, full_guide, any_cache):
    url = full_guide.get_absolute_url()
    fresh = client.get(url)
    cached, n = queries(client, url)
    assert n == 0
    for header in ["ETag", "Last-Modified", "Cache-Control", "Content-Type"]:
        assert cached[header] == fresh[header], header
    assert cached["Cache-Control"] == "max-age=0, must-revalidate"
    assert "Cookie" not in cached.get("Vary", "")
    assert cached["X-Frame-Options"] == "DENY"
    not_modified, n = queries(client, url, if_none_match=fresh["ETag"])
    assert not_modified.status_code == 304 and n == 0
    since, n = queries(client, url, if_modified_since=fresh["Last-Modified"])
    assert since.status_code == 304 and n == 0


def test_gzip_is_sent_when_accepted(client, full_guide, any_cache):
    url = full_guide.get_absolute_url()
    plain = client.get(url)
    for _ in range(2):  # the miss and the hit
        zipped = client.get(url, headers={"accept-encoding": "gzip, br"})
        assert zipped["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped["Vary"]
        assert gzip.decompress(zipped.content) == plain.content
        assert len(zipped.content) < len(plain.content) / 3


def test_admin_and_errors_are_not_cached(client, full_guide, any_cache):
    assert client.get("/careers/missing/").status_code == 404
    response, n = queries(client, "/careers/missing/")
    # Rendered again: the guide and the old-slug lookups (the 404's links are cached).
    assert response.status_code == 404 and n == 2
    assert client.post(full_guide.get_absolute_url()).status_code == 405


def test_unreachable_cache_serves_from_the_database_and_warns(client, full_guide, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING):
        response = client.get(full_guide.get_absolute_url())
        assertContains(response, f"<h1>{full_guide.title}</h1>", html=True)
    assert any("cache unavailable" in r.getMessage() for r in caplog.records)
    # Saving content still works without a cache.
    full_guide.headline = "Saved while the cache is down."
    full_guide.save()
    assertContains(
        client.get(full_guide.get_absolute_url()),
        '<p class="lede">Saved while the cache is down. Intro of the guide.</p>',
        html=True,
    )


def test_the_suite_has_a_cache_of_its_own(settings):
    """Not `make run`'s .cache/django, nor another test run's: runs side by side
    would clear each other's pages and stamp (seen as random failures)."""
    import os

    location = settings.CACHES["default"]["LOCATION"]
    assert os.environ["CACHE_URL"].endswith(location)
    assert not location.rstrip("/").endswith(os.path.join(".cache", "django"))


def test_with_the_dummy_cache_a_render_derives_no_stamp(client, full_guide, settings):
    """Nothing can be stored, so the 3 queries that derive the content stamp
    would be wasted on every request (the bench's uncached runs use it)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    url = full_guide.get_absolute_url()
    for _ in range(2):
        response, n = queries(client, url)
        assert response.status_code == 200
        assert n == GUIDE_PAGE_QUERIES
    assert response["X-Accel-Expires"].startswith("@")  # still a shared page for the edge
