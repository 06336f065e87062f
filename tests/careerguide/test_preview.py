"""The staff previews (careerguide.views.guide_preview, site_page_preview): the
page exactly as it will look once the pending drafts are published, rendered
in a rolled-back transaction, so nothing public moves: no live row, no date,
no ETag, no content stamp; never cached, never indexed."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.models import SitePage
from roadmaps import stamp
from roadmaps.models import Guide
from roadmaps.workflow import services, snapshot
from roadmaps.workflow.admin import admin_url
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db


def draft_of(obj, user, **changes):
    """A pending draft of live `obj` with `changes`, captured as the admin does."""
    live = snapshot.live_hashes(obj)
    with services.rolled_back():
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
        text = snapshot.capture(obj, live.keys())
    obj.refresh_from_db()
    return services.save_draft(
        model=type(obj), object_id=obj.pk, text=text, live=live, user=user, obj_repr=str(obj)
    )


def draft_of_new(create, user):
    """A draft of an item that is not live yet: `create()` makes it."""
    with services.rolled_back():
        obj = create()
        text = snapshot.capture(obj, set())
        model, name = type(obj), str(obj)
    return services.save_draft(
        model=model, object_id=None, text=text, live={}, user=user, obj_repr=name
    )


def preview_url(guide):
    return reverse("guide_preview", kwargs={"slug": guide.slug})


def validators(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content, response["ETag"], response["Last-Modified"]


def test_the_preview_applies_the_guide_story_and_figure_drafts_and_moves_nothing(
    editor_client, editor, full_guide
):
    client = Client()  # the public: the editor's client is logged in
    public_url = full_guide.get_absolute_url()
    before = validators(client, public_url)
    stamp_before = cache.get(stamp.KEY)
    story = Story.objects.get(guide=full_guide)
    figure = SalaryFigure.objects.get(guide=full_guide)
    drafts = [
        draft_of(Guide.objects.get(pk=full_guide.pk), editor, headline="A drafted headline."),
        draft_of(story, editor, body="A drafted story."),
        draft_of(figure, editor, amount=61000),
    ]
    row_dates = (Guide.objects.get(pk=full_guide.pk).content_changed_at, story.updated_at)

    response = editor_client.get(preview_url(full_guide))
    assert response.status_code == 200
    assertContains(response, "A drafted headline.")
    assertContains(response, "A drafted story.")
    assertContains(response, '<span class="amount">€61,000</span>', html=True)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    [banner] = elements(response, "div", id="preview-banner")
    links = [dict(a.attributes)["href"] for a in elements(banner, "a")]
    assert links == [admin_url(d) for d in drafts]
    assert links[0] == reverse("admin:roadmaps_guide_change", args=[full_guide.pk])

    # Nothing public moved: the stamp, the rows, and the page re-rendered from
    # the database (page cache emptied) is byte for byte what it was.
    assert cache.get(stamp.KEY) == stamp_before
    assert (Guide.objects.get(pk=full_guide.pk).content_changed_at, story.updated_at) == row_dates
    assert Story.objects.get(pk=story.pk).body != "A drafted story."
    assert validators(client, public_url) == before
    cache.clear()
    assert validators(client, public_url) == before


def test_the_preview_is_never_cached(editor_client, editor, full_guide):
    story = Story.objects.get(guide=full_guide)
    draft = draft_of(story, editor, body="First draft.")
    assertContains(editor_client.get(preview_url(full_guide)), "First draft.")
    services.discard(draft, editor)
    draft_of(story, editor, body="Second draft.")
    response = editor_client.get(preview_url(full_guide))
    assertContains(response, "Second draft.")
    assertNotContains(response, "First draft.")


def test_the_preview_shows_published_rows_only(editor_client, editor, full_guide):
    hidden = factories.story(full_guide, first_name="Hidden", is_published=False)
    shown = Story.objects.get(guide=full_guide, is_published=True)
    draft_of(shown, editor, is_published=False)
    response = editor_client.get(preview_url(full_guide))
    assert not elements(response, "article", id=f"story-{hidden.slug}")
    assert not elements(response, "article", id=f"story-{shown.slug}")
    [banner] = elements(response, "div", id="preview-banner")
    assert "Story: " in str(banner)


def test_a_new_story_draft_and_a_renamed_guide_preview(editor_client, editor, full_guide):
    draft_of_new(
        lambda: factories.story(full_guide, slug="newcomer", first_name="Newcomer"), editor
    )
    assert elements(editor_client.get(preview_url(full_guide)), "article", id="story-newcomer")
    assert not Story.objects.filter(slug="newcomer").exists()
    old_slug = full_guide.slug
    draft_of(Guide.objects.get(pk=full_guide.pk), editor, slug="renamed-guide")
    for slug in [old_slug, "renamed-guide"]:
        response = editor_client.get(reverse("guide_preview", kwargs={"slug": slug}))
        assert response.status_code == 200
        assert response.context["guide"].slug == "renamed-guide"
    response = editor_client.get(reverse("guide_preview", kwargs={"slug": "no-such-guide"}))
    assert response.status_code == 404


def test_a_draft_that_no_longer_fits_is_left_out_and_listed(editor_client, editor, full_guide):
    story = Story.objects.get(guide=full_guide)
    draft = draft_of(story, editor, body="Drafted body.")
    # As if a constraint had been added since: the draft's value now violates it.
    draft.data = draft.data.replace('"transition_months": 12', '"transition_months": 500')
    draft.save()
    response = editor_client.get(preview_url(full_guide))
    assert response.status_code == 200
    assertContains(response, story.body)
    assertNotContains(response, "Drafted body.")
    [failed] = elements(response, "ul", **{"class": "preview-drafts-failed"})
    assert elements(failed, "a", href=admin_url(draft))


def test_a_new_guide_draft_previews_under_its_slug(editor_client, editor):
    draft_of_new(lambda: factories.guide(slug="brand-new", name="Brand New"), editor)
    response = editor_client.get(reverse("guide_preview", kwargs={"slug": "brand-new"}))
    assert response.status_code == 200
    assert not Guide.objects.filter(slug="brand-new").exists()


def test_the_site_page_preview(editor_client, editor):
    client = Client()
    page = SitePage.objects.create(slug="about", title="About", description="d", body="Live.")
    before = validators(client, "/about/")
    stamp_before = cache.get(stamp.KEY)
    url = reverse("site_page_preview", kwargs={"slug": "about"})
    anonymous = Client().get(url)
    assert anonymous.status_code == 404 and "Location" not in anonymous
    assertContains(editor_client.get(url), "Live.")  # no draft: the page as it is

    draft_of(page, editor, body="Drafted about text.")
    response = editor_client.get(url)
    assertContains(response, "Drafted about text.")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert cache.get(stamp.KEY) == stamp_before
    cache.clear()
    assert validators(client, "/about/") == before
    assert (
        editor_client.get(reverse("site_page_preview", kwargs={"slug": "nope"})).status_code == 404
    )


def test_a_new_site_page_draft_previews_under_its_slug(editor_client, editor):
    draft_of_new(
        lambda: SitePage.objects.create(
            slug="careers-day", title="Careers day", description="d", body="Come along."
        ),
        editor,
    )
    response = editor_client.get(reverse("site_page_preview", kwargs={"slug": "careers-day"}))
    assertContains(response, "Come along.")
    assert not SitePage.objects.filter(slug="careers-day").exists()
