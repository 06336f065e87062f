"""What the app lets the nginx edge keep: `X-Accel-Expires: @<this second>`
(keep it until the end of the current second) on the 200s and 304s of pages
shared by every reader (views marked `@cacheable`, GET and HEAD), whether the
page cache had them or not, and on nothing else. The edge's own behaviour, with
the real nginx, is tested in tests/edge/."""

import time

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from careerguide.http.cache import EDGE_HEADER, PageCacheMiddleware, cacheable
from careerguide.models import SitePage
from roadmaps.models import Person, Stage
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def edge_seconds(response):
    """ "now" for a licence that ends with the current second, else the raw header."""
    value = response.get(EDGE_HEADER)
    if value and value.startswith("@") and 0 <= time.time() - int(value[1:]) < 2:
        return "now"
    return value


def shared_urls(guide):
    """Every public GET answered the same for everyone."""
    about = SitePage.objects.create(
        slug=SitePage.FOOTER[0], title="About", description="About us.", body="Body."
    )
    guide.reviewed_by = Person.objects.create(name="Rita Reviewer", slug="rita-reviewer")
    guide.save()
    person = guide.reviewed_by
    return [
        "/",
        guide.get_absolute_url(),
        reverse("guide_salaries", kwargs={"slug": guide.slug}),
        reverse("guide_salaries_csv", kwargs={"slug": guide.slug}),
        reverse("plan", kwargs={"slug": guide.slug}),  # the form, without answers
        reverse("guide_card", kwargs={"slug": guide.slug}),
        reverse("site_card"),
        reverse("site_page", kwargs={"slug": about.slug}),
        reverse("person", kwargs={"slug": person.slug}),
        reverse("sitemap"),
        reverse("robots"),
    ]


def test_shared_pages_say_one_second_on_a_miss_a_hit_and_a_head(client, full_guide):
    for url in shared_urls(full_guide):
        miss = client.get(url)
        hit = client.get(url)
        head = client.head(url)
        assert miss.status_code == hit.status_code == head.status_code == 200, url
        assert edge_seconds(miss) == edge_seconds(hit) == edge_seconds(head) == "now", url


def test_a_304_renews_the_edges_copy_until_the_end_of_this_second(client, full_guide):
    """nginx renews a revalidated entry from the 304's header; without one, from
    the stored 200's, a second that has passed: every request would revalidate."""
    from django.core.cache import cache

    url = full_guide.get_absolute_url()
    etag = client.get(url)["ETag"]
    from_cache = client.get(url, headers={"if-none-match": etag})
    cache.clear()
    from_view = client.get(url, headers={"if-none-match": etag})
    assert from_cache.status_code == from_view.status_code == 304
    assert edge_seconds(from_cache) == edge_seconds(from_view) == "now"


def test_security_txt_is_shared_once_a_contact_is_set(client, db, settings):
    assert edge_seconds(client.get(reverse("security_txt"))) is None  # 404: no contact
    settings.SECURITY_CONTACT = "mailto:security@example.org"
    response = client.get(reverse("security_txt"))
    assert response.status_code == 200 and edge_seconds(response) == "now"


def test_nothing_else_says_it(client, full_guide, editor):
    slug = full_guide.slug
    plan = reverse("plan", kwargs={"slug": slug})
    client.get(plan)  # the form is stored, and never replayed for answers:
    private = [
        client.get(plan + "?background=student&hours=10"),  # answers
        client.get("/careers/no-such-guide/"),  # 404
        client.get("/" + settings.ADMIN_URL + "login/"),
        client.get("/" + settings.ADMIN_URL),  # redirect to the login
        client.post(full_guide.get_absolute_url()),  # 405
        client.get("/healthz"),
        client.get(reverse("favicon")),  # a redirect to the static file
    ]
    login_verified(client, editor)
    private.append(client.get(reverse("guide_preview", kwargs={"slug": slug})))
    private.append(client.get("/" + settings.ADMIN_URL))
    for response in private:
        assert edge_seconds(response) is None, (response.status_code, response.get("Location"))
    assert private[-2]["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("cache_control", ["private", "no-store, max-age=0"])
def test_a_marked_view_that_answers_privately_is_never_shared(db, cache_control):
    @cacheable
    def view(request):
        response = HttpResponse("hello")
        response["Cache-Control"] = cache_control
        return response

    middleware = PageCacheMiddleware(view)
    request = RequestFactory().get("/somewhere/")
    assert edge_seconds(middleware(request)) is None  # the miss
    assert edge_seconds(middleware(request)) is None  # and the stored page


def test_a_cookie_and_the_header_never_leave_together(db):
    @cacheable
    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("a", "b")
        return response

    middleware = PageCacheMiddleware(view)
    for _ in range(2):  # the miss and the stored page
        response = middleware(RequestFactory().get("/somewhere/"))
        # A stored page is replayed without the view's cookies, so it may be shared.
        assert not response.cookies and edge_seconds(response) == "now"


def test_the_sitemap_is_kept_by_the_page_cache_until_an_edit(
    client, full_guide, django_assert_num_queries
):
    url = reverse("sitemap")
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert first["ETag"].startswith('W/"') and second["ETag"] == first["ETag"]
    assert second["X-Robots-Tag"] == first["X-Robots-Tag"]  # Django's noindex for it
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    stage = Stage.objects.get(guide=full_guide)
    stage.title = "Changed"
    stage.save()
    full_guide.refresh_from_db()
    after = client.get(url, headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert full_guide.content_changed_at.isoformat() in after.content.decode()


def test_the_sitemap_follows_a_site_page_edit(client, db):
    page = SitePage.objects.create(
        slug=SitePage.FOOTER[0], title="About", description="About us.", body="Body."
    )
    url = reverse("sitemap")
    before = client.get(url)
    page.body = "A new body."
    page.save()
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    page.refresh_from_db()
    assert page.content_changed_at.isoformat() in after.content.decode()


def test_the_plan_form_is_shared_but_answers_never_get_it(
    client, full_guide, django_assert_num_queries
):
    """The empty form is stored like a page; a request with answers, or any
    query string, reaches the view every time (the page cache keys on the path)."""
    plan = reverse("plan", kwargs={"slug": full_guide.slug})
    form = client.get(plan)
    with django_assert_num_queries(0):
        assert client.get(plan).content == form.content
    answers = client.get(plan + "?background=student&hours=10")
    assert answers.content != form.content
    assert answers["Cache-Control"] == "no-store"
    assert answers.context["submitted"] is True
    # Stale after an edit: answers are still never given the stored form.
    stage = Stage.objects.get(guide=full_guide)
    stage.title = "Changed"
    stage.save()
    assert client.get(plan + "?utm_source=x").context is not None  # rendered by the view


def test_a_stored_social_card_is_not_gzipped(client, full_guide):
    from django.core.cache import cache

    from careerguide.http.cache import page_key

    url = reverse("guide_card", kwargs={"slug": full_guide.slug})
    first = client.get(url, headers={"accept-encoding": "gzip"})
    hit = client.get(url, headers={"accept-encoding": "gzip"})
    assert first["Content-Type"] == hit["Content-Type"] == "image/png"
    assert "Content-Encoding" not in hit
    assert hit.content == first.content and hit.content.startswith(b"\x89PNG")
    assert cache.get(page_key(url))["gzip"] is None


def test_the_licence_ends_with_the_current_second(client, full_guide, monkeypatch):
    """Absolute, in whole seconds (nginx's own clock): kept at most 1 s. The
    relative "1" kept an entry until the end of the next second: up to 2 s."""
    from careerguide.http import cache as page_cache

    monkeypatch.setattr(page_cache.time, "time", lambda: 1_767_225_600.93)
    response = client.get(full_guide.get_absolute_url())
    assert response[EDGE_HEADER] == "@1767225600"
