"""Editors in control: the staff preview of drafts, the admin's links to it, and
what needs attention on the admin index. (Story publishing and recovery: tests/
stories; guide history: tests/roadmaps; salary import/export and freshness:
tests/salaries.)"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test.html import parse_html
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from careerguide.editors.attention import needs_attention
from roadmaps.workflow import services, snapshot
from stories.models import Story
from tests import factories
from tests.conftest import login_verified
from tests.factories import elements

pytestmark = pytest.mark.django_db


# Drafts and preview


def _draft(obj, user, **changes):
    """A pending draft of `obj` with `changes`, captured as the admin does."""
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


def test_preview_is_for_staff_only(client, full_guide, editor):
    # An unpublished story is not a draft: the preview, like the public page,
    # leaves it out. A draft that publishes it shows it in place.
    story = factories.story(full_guide, first_name="Draftina", is_published=False)
    url = reverse("guide_preview", kwargs={"slug": full_guide.slug})
    # Not a redirect to the login page: that would disclose the admin's path.
    anonymous = client.get(url)
    assert anonymous.status_code == 404 and "Location" not in anonymous
    outsider = User.objects.create_user("outsider", password="x" * 14)
    login_verified(client, outsider)
    assert client.get(url).status_code == 404
    login_verified(client, editor)
    assert not elements(client.get(url), "article", id=f"story-{story.slug}")
    _draft(story, editor, is_published=True)
    response = client.get(url)
    assert response.status_code == 200
    [card] = elements(response, "article", id=f"story-{story.slug}")
    assert "Draftina" in str(card)
    assert [s.pk for s in response.context["page"].stories].count(story.pk) == 1
    [banner] = elements(response, "div", id="preview-banner")
    assert "The public does not see this page." in str(banner)
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The public page does not show the draft, and the preview was not cached.
    client.logout()
    assertNotContains(client.get(full_guide.get_absolute_url()), "Draftina")


def test_unpublished_guide_previews_only_with_a_draft_publishing_it(editor_client, editor, client):
    guide = factories.full_guide(is_published=False)
    url = f"/preview/careers/{guide.slug}/"
    assert editor_client.get(url).status_code == 404  # as the public would see it
    _draft(guide, editor, is_published=True)
    assert editor_client.get(url).status_code == 200
    editor_client.logout()
    assert client.get(guide.get_absolute_url()).status_code == 404
    assertNotContains(client.get("/sitemap.xml"), guide.slug)


def test_admin_change_pages_link_to_the_preview(editor_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    response = editor_client.get(reverse("admin:stories_story_change", args=[story.pk]))
    href = f"/preview/careers/{full_guide.slug}/#story-{story.slug}"
    assert elements(response, "a", href=href)
    response = editor_client.get(reverse("admin:roadmaps_guide_change", args=[full_guide.pk]))
    assert elements(response, "a", href=f"/preview/careers/{full_guide.slug}/")


# What needs attention


def test_admin_index_lists_what_needs_attention(editor_client, full_guide):
    factories.figure(full_guide, country=factories.country(code="NL"), data_year=2020)
    full_guide.reviewed_on = datetime.date.today() - datetime.timedelta(days=400)
    full_guide.save()
    attention = needs_attention()
    assert attention.stale_count == 1
    assert attention.review_due == [full_guide]
    assert any(gap.country == "Country NL" for gap in attention.gaps)
    response = editor_client.get(reverse("admin:index"))
    [box] = elements(response, "div", id="needs-attention")
    assert elements(box, "h2") == [parse_html("<h2>Needs attention</h2>")]
    assert elements(box, "h3") == [
        parse_html(f'<h3><a href="{attention.stale_url}">1 stale salary figure</a></h3>'),
        parse_html("<h3>Guides due a review</h3>"),
        parse_html("<h3>Grades with no figure</h3>"),
    ]


def test_needs_attention_counts_match_what_they_link_to(editor_client, full_guide):
    """Bug: the panel said "11 stale" but listed 8, with no way to the rest;
    a grade with no figure linked nowhere."""
    for n in range(10):
        factories.figure(
            full_guide, country=factories.country(code=f"X{chr(65 + n)}"), data_year=2020
        )
    attention = needs_attention()
    assert attention.stale_count == 10 and len(attention.stale_figures) == 8
    response = editor_client.get(reverse("admin:index"))
    [box] = elements(response, "div", id="needs-attention")
    more = f'<a href="{attention.stale_url}">and 2 more in the list of stale figures</a>'
    assert elements(box, "a", href=attention.stale_url)[-1] == parse_html(more)
    listed = editor_client.get(attention.stale_url).context["cl"].result_count
    assert listed == attention.stale_count
    gap = next(g for g in attention.gaps if g.country == "Country XA")
    assert elements(box, "a", href=gap.url)
    assert editor_client.get(gap.url).context["cl"].result_count == 1


def test_a_site_page_whose_markdown_loses_content_warns_on_save(publisher_client):
    """Bug: a Markdown image was removed from a site page without a word."""
    from django.contrib.messages import get_messages

    from careerguide.models import SitePage

    page = SitePage.objects.create(
        slug="about", title="About", description="d", body="Intro.", is_published=False
    )
    url = reverse("admin:careerguide_sitepage_change", args=[page.pk])
    data = {"slug": "about", "title": "About", "description": "d", "position": 0,
            "body": "Intro.\n\n![Team photo](/static/team.png)\n\n<div>Raw</div>"}  # fmt: skip

    def warnings(body):
        # The form's own version token: a save from a form opened before another
        # save is refused (roadmaps.versioncheck).
        versions = publisher_client.get(url).context["adminform"].form.initial["_versions"]
        response = publisher_client.post(
            url, {**data, "body": body, "_versions": versions}, follow=True
        )
        assert response.redirect_chain, response.context["adminform"].form.errors
        return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]

    [warning] = warnings(data["body"])
    assert "<img>" in warning and "<div>" in warning
    assert warnings("Intro with a [link](https://example.org/).") == []
